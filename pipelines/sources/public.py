"""Public adapters: the publishers' real files (config/sources.yaml) into the staging contracts.

Each adapter names the *roles* it reads (a role is one publication, filled by the first manifest id of its list
found under the raw folder, or every one found for `combine="all"` / `"merge_iod"`) and a function that shapes
the readers' frames (`pipelines/sources/readers/`) into its entity's staging model (`schemas/staging.py`). Files are
found where a download lands (`file`) or in the mirror layout (`mirror_path`): `ina fetch --mirror
../shared/data/real` fills the raw folder, or `--raw-dir` can point at the mirror itself. The profile's
`public.sources` overrides the manifest ids of a role, e.g. `{lsoa_population: [ons_sape_lsoa11_syoa_mid2019]}`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.config import PROJECT_DIR, Profile
from pipelines.sources.fetch import load_manifest, resolve_path, sha256_file
from pipelines.sources.readers import read_source
from pipelines.sources.readers.iod import merge_iod

MANIFEST = PROJECT_DIR / "config" / "sources.yaml"


class MissingPublicFile(ValueError):
    """None of a role's manifest files is under the raw folder."""


@dataclass(frozen=True)
class Role:
    name: str
    ids: tuple[str, ...]  # manifest ids in order of preference
    combine: str = "first"  # first: the first id present; all: every one present, stacked; merge_iod: merged
    reader: Callable[[Path], pl.DataFrame] | None = None  # for files the manifest reads directly (reader: null)


@dataclass(frozen=True)
class PublicAdapter:
    entity: str
    roles: tuple[Role, ...]
    shape: Callable[[dict[str, pl.DataFrame], Profile], pl.DataFrame]
    note: str


def _read_csv(path: Path, columns: dict[str, str], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """A file the manifest marks `reader: null` (read directly): selected columns renamed and cast."""
    frame = pl.read_csv(path, infer_schema=False)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: columns {missing} not found (the file has {frame.columns})")
    return frame.select([pl.col(src).cast(schema[dst]).alias(dst) for src, dst in columns.items()])


def _trust_catchments(path: Path) -> pl.DataFrame:
    return _read_csv(
        path,
        {"nhs_trust22_code": "trust_code", "icb22_code": "icb_code", "proportion_trust_came_from_icb": "share"},
        {"trust_code": pl.String, "icb_code": pl.String, "share": pl.Float64},
    )


def _trust_attribution(path: Path) -> pl.DataFrame:
    return _read_csv(
        path,
        {"nhs_trust22_code_all": "provider_code", "nhs_trust22_code_acute": "acute_trust_code",
         "proportion_attendances_attributed_to_acute_trust": "share"},
        {"provider_code": pl.String, "acute_trust_code": pl.String, "share": pl.Float64},
    )


def manifest() -> dict[str, dict]:
    return {entry["id"]: entry for entry in load_manifest(MANIFEST)}


def role_ids(role: Role, profile: Profile) -> tuple[str, ...]:
    overrides = (profile.public.get("sources") or {}).get(role.name)
    return tuple(overrides) if overrides else role.ids


def role_files(role: Role, raw_dir: Path, profile: Profile) -> list[tuple[str, Path]]:
    """(manifest id, path) of the role's files present under `raw_dir`, as the role combines them."""
    entries = manifest()
    ids = role_ids(role, profile)
    unknown = [i for i in ids if i not in entries]
    if unknown:
        raise MissingPublicFile(f"{role.name}: {unknown} not in {MANIFEST}")
    present = [(i, path) for i in ids if (path := resolve_path(entries[i], raw_dir)) is not None]
    if not present:
        wanted = ", ".join(f"{entries[i].get('file') or entries[i].get('mirror_path')}" for i in ids)
        raise MissingPublicFile(
            f"{role.name}: none of {list(ids)} found under {raw_dir} (looked for {wanted}). Run `ina fetch --mirror "
            f"../shared/data/real --dest {raw_dir}` (or `ina fetch --only {ids[0]}`), or point --raw-dir at the mirror."
        )
    return present[:1] if role.combine == "first" else present


def read_role(role: Role, raw_dir: Path, profile: Profile) -> tuple[pl.DataFrame, list[dict]]:
    """The role's frame and, per file read, its id, path, rows and checksum verdict against the manifest."""
    entries = manifest()
    files, frames = [], []
    for sid, path in role_files(role, raw_dir, profile):
        entry = entries[sid]
        frame = role.reader(path) if role.reader else read_source(entry, path)
        frames.append(frame)
        digest = sha256_file(path)
        expected = {entry.get("sha256"), entry.get("mirror_sha256")} - {None}
        files.append({"id": sid, "path": str(path), "sha256": digest, "rows": frame.height,
                      "verified": digest in expected if expected else None})
    if role.combine == "merge_iod":
        frame = merge_iod(*frames)
    elif role.combine == "all":
        frame = pl.concat(frames, how="diagonal_relaxed")
    else:
        frame = frames[0]
    return frame, files


def read_entity(adapter: PublicAdapter, raw_dir: Path, profile: Profile) -> tuple[pl.DataFrame, list[dict]]:
    frames, files = {}, []
    for role in adapter.roles:
        frames[role.name], read = read_role(role, raw_dir, profile)
        files += read
    return adapter.shape(frames, profile), files


# --------------------------------------------------------------------------------------------- the shapes


def _geography(f: dict[str, pl.DataFrame], profile: Profile) -> pl.DataFrame:
    """LSOA 2011 and 2021 lookups stacked; the 2024 lookup has no LAD: an LSOA 2021 takes the LAD 2022 of the
    ONS LSOA 2011 -> 2021 lookup (LSOAs nest in LADs, so each has one)."""
    lad21 = (f["lsoa_vintage_lookup"].select(pl.col("lsoa21_code").alias("lsoa_code"), "lad_code", "lad_name")
             .unique("lsoa_code", keep="first"))
    l21 = (f["lsoa21_lookup"].drop("lad_code", "lad_name", strict=False).join(lad21, on="lsoa_code", how="left"))
    return pl.concat([f["lsoa11_lookup"], l21], how="diagonal_relaxed")


def _vintages(f: dict[str, pl.DataFrame], profile: Profile) -> pl.DataFrame:
    return f["lsoa_vintage_lookup"].unique(["lsoa11_code", "lsoa21_code"], keep="first")


def _imd(f: dict[str, pl.DataFrame], profile: Profile) -> pl.DataFrame:
    frame = pl.concat([f["imd2019"], f["imd2025"]], how="diagonal_relaxed").rename(
        {"housing_score": "housing_services_score", "housing_decile": "housing_services_decile",
         "environment_score": "living_environment_score", "environment_decile": "living_environment_decile"},
        strict=False)
    basis = {2019: "IoD2019 File 6 denominators (mid-2015, excluding prisoners)",
             2025: "IoD2025 denominators as published with the index"}
    return frame.with_columns(
        pl.when(pl.col("population").is_not_null())
        .then(pl.col("imd_edition").replace_strict(basis, default=None, return_dtype=pl.String))
        .alias("population_basis"))


def _practice_scores(f: dict[str, pl.DataFrame], profile: Profile) -> pl.DataFrame:
    """Fingertips 93553 (period = IMD edition): persons, all ages, one row per practice and England."""
    frame = f["practice_scores"].filter(pl.col("area_type").is_in(["GP", "England"]), pl.col("value").is_not_null())
    return (frame.with_columns(pl.col("period").cast(pl.Int32, strict=False).alias("imd_edition"),
                               pl.col("value").alias("imd_score"))
            .filter(pl.col("imd_edition").is_not_null())
            .unique(["imd_edition", "area_code"], keep="first", maintain_order=True))


def _population_lsoa(f: dict[str, pl.DataFrame], profile: Profile) -> pl.DataFrame:
    """Every mid-year held (persons: sex P), ages 90+ as 90; an LSOA of another vintage than the profile's is
    kept (the marts keep the system's LSOAs of the profile's vintage)."""
    frame = f["lsoa_population"].filter(pl.col("lsoa_code").str.starts_with("E"))
    return (frame.with_columns(pl.col("age").clip(upper_bound=90))
            .group_by("lsoa_code", "year", "sex", "age").agg(pl.col("population").sum()))


def _population_england(f: dict[str, pl.DataFrame], profile: Profile) -> pl.DataFrame:
    """England by sex from the countries' estimates; for every other mid-year of the LSOA estimates held, the
    sum of England's LSOAs (persons, sex P): the same estimates, added up."""
    by_sex = (f["england_population"].filter(pl.col("area_code") == profile.england_code)
              .with_columns(pl.col("age").clip(upper_bound=90))
              .group_by("year", "sex", "age").agg(pl.col("population").sum()))
    lsoas = (f["lsoa_population"].filter(pl.col("lsoa_code").str.starts_with("E01"),
                                         ~pl.col("year").is_in(by_sex["year"].unique().to_list()))
             .with_columns(pl.col("age").clip(upper_bound=90), pl.lit("P").alias("sex"))
             .group_by("year", "sex", "age").agg(pl.col("population").sum()))
    return pl.concat([by_sex, lsoas], how="diagonal_relaxed")


def _practices(f: dict[str, pl.DataFrame], profile: Profile) -> pl.DataFrame:
    return f["practices"]


def _registered_patients_lsoa(f: dict[str, pl.DataFrame], profile: Profile) -> pl.DataFrame:
    """Persons of all ages per practice x LSOA (the file's age-sex breakdown rows are left out)."""
    frame = f["practice_lsoa"].filter(pl.col("lsoa_code").is_not_null(), pl.col("sex") == "P",
                                      pl.col("age_band") == "all")
    return frame.group_by("month", "practice_code", "lsoa_code").agg(pl.col("patients").sum())


def _workforce_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Annual means: trainees and locums come as one figure, so both columns stay empty and `gp_fte_all` is the
    sum of qualified GPs and that figure."""
    return frame.with_columns(
        pl.date(pl.col("year"), 1, 1).alias("month"),
        pl.lit("calendar_year_mean").alias("period_kind"),
        pl.col("patients").alias("registered_patients"),
        pl.col("gp_extgl_fte").alias("gp_fte_qualified"),
        (pl.col("gp_extgl_fte") + pl.col("locuum_trn_fte")).alias("gp_fte_all"),
        pl.lit(None, pl.Float64).alias("gp_fte_trainees"),
        pl.lit(None, pl.Float64).alias("gp_fte_locums"),
    )


def _workforce_practice(f: dict[str, pl.DataFrame], profile: Profile) -> pl.DataFrame:
    return _workforce_rows(f["gp_workforce"])


def _workforce_england(f: dict[str, pl.DataFrame], profile: Profile) -> pl.DataFrame:
    """England = every practice of the file: per staff group, the FTE and the registered patients of the
    practices reporting that group (a practice with no figure counts in neither, as in the system's rows)."""
    rows = _workforce_rows(f["gp_workforce"])
    reported = ["gp_fte_all", "gp_fte_qualified", "nurses_fte", "dpc_fte", "admin_fte"]
    groups = [rows.filter(pl.col(group).is_not_null()).group_by("month", "period_kind").agg(
        pl.lit(group).alias("staff_group"), pl.col(group).sum().alias("fte"), pl.col("registered_patients").sum())
        for group in reported]
    # trainees and locums come as one figure in the annual means: not published apart
    months = rows.select("month", "period_kind").unique()
    unpublished = [months.with_columns(pl.lit(group).alias("staff_group"), pl.lit(None, pl.Float64).alias("fte"))
                   .join(groups[0].select("month", "registered_patients"), on="month")
                   for group in ("gp_fte_trainees", "gp_fte_locums")]
    return pl.concat([*groups, *unpublished], how="diagonal_relaxed").sort("month", "staff_group")


def _ae_providers(f: dict[str, pl.DataFrame], profile: Profile) -> pl.DataFrame:
    frames = [f["ae_trust"].with_columns(pl.lit("trust_monthly").alias("series")),
              f["ae_trust_by_type"].with_columns(pl.lit("trust_by_type").alias("series"))]
    return pl.concat(frames, how="diagonal_relaxed").rename({"org_code": "provider_code"})


def _ae_icbs(f: dict[str, pl.DataFrame], profile: Profile) -> pl.DataFrame:
    return f["ae_icb"].rename({"org_code": "icb_code"})


#: Trafford Data Lab's extract of Fingertips names indicators without ids: the ones the catalogue uses, by name.
FINGERTIPS_IDS_BY_NAME = {
    "Emergency hospital admissions due to falls in people aged 65 and over": 22401,
    "Alcohol related admissions (narrow measure)": 92906,
    "Smoking Prevalence in adults - current smokers (APS)": 92443,
    "Healthy life expectancy at birth": 90362,
}


def _jsna(f: dict[str, pl.DataFrame], profile: Profile) -> pl.DataFrame:
    frame = f["fingertips"]
    named = pl.col("indicator_name").replace_strict(FINGERTIPS_IDS_BY_NAME, default=None, return_dtype=pl.Int64)
    frame = frame.with_columns(pl.coalesce(pl.col("indicator_id"), named).alias("indicator_id"))
    return (frame.filter(pl.col("indicator_id").is_not_null())
            .rename({"time_period_sortable": "period_sortable"})
            .unique(["indicator_id", "area_code", "sex", "age", "category_type", "category", "period"],
                    keep="first", maintain_order=True))


def _identity(role: str) -> Callable[[dict[str, pl.DataFrame], Profile], pl.DataFrame]:
    return lambda f, profile: f[role]


PUBLIC_ADAPTERS: dict[str, PublicAdapter] = {a.entity: a for a in (
    PublicAdapter("geography", (Role("lsoa11_lookup", ("lookup_lsoa11_sicbl22_icb22_lad22",)),
                                Role("lsoa21_lookup", ("lookup_lsoa21_sicbl24_icb24",)),
                                Role("lsoa_vintage_lookup", ("lookup_lsoa11_lsoa21_lad22",))), _geography,
                  "ONS LSOA 2011 (July 2022) and LSOA 2021 (April 2024) -> sub-ICB -> ICB lookups"),
    PublicAdapter("lsoa_vintages", (Role("lsoa_vintage_lookup", ("lookup_lsoa11_lsoa21_lad22",)),), _vintages,
                  "ONS LSOA 2011 -> LSOA 2021 -> LAD 2022 best-fit lookup"),
    PublicAdapter("imd", (Role("imd2019", ("iod2019_file7", "iod2019_file1", "iod2019_file2", "iod2019_file6"),
                               combine="merge_iod"),
                          Role("imd2025", ("iod2025_scores",))), _imd,
                  "IoD2019 (File 7 when held, else Files 1, 2 and 6 merged: no scores) and IoD2025"),
    PublicAdapter("practice_deprivation", (Role("practice_scores", ("fingertips_93553_practice_imd2019",)),),
                  _practice_scores, "OHID Fingertips 93553: IMD 2019 score of each practice's registered patients"),
    PublicAdapter("population_lsoa", (Role("lsoa_population", ("ons_sape_lsoa11_syoa_mid2020",
                                                               "ons_sape_lsoa11_syoa_mid2019",
                                                               "ons_sape_lsoa11_syoa_mid2017"), combine="all"),),
                  _population_lsoa, "ONS LSOA 2011 single-year-of-age estimates, persons, every mid-year held"),
    PublicAdapter("population_england", (Role("england_population", ("ons_mye_countries_sex_syoa_mid2023",)),
                                         Role("lsoa_population", ("ons_sape_lsoa11_syoa_mid2020",
                                                                  "ons_sape_lsoa11_syoa_mid2019",
                                                                  "ons_sape_lsoa11_syoa_mid2017"), combine="all")),
                  _population_england, "ONS mid-year estimates for countries by sex and age; other mid-years: "
                  "England's LSOA estimates summed (persons)"),
    PublicAdapter("practices", (Role("practices", ("gp_practice_map_2022_01", "gp_practice_map_2020_09")),),
                  _practices, "NHS England practice -> PCN -> sub-ICB -> ICB map (the latest held)"),
    PublicAdapter("registered_patients_lsoa",
                  (Role("practice_lsoa", ("gp_registered_patients_lsoa_pennine_2020_04",)),),
                  _registered_patients_lsoa, "Practice x LSOA 2011 registrations held (Pennine Lancashire only)"),
    PublicAdapter("workforce_practice", (Role("gp_workforce", ("gp_workforce_practice_annual",)),),
                  _workforce_practice, "GPW practice-level annual means (calendar years)"),
    PublicAdapter("workforce_england", (Role("gp_workforce", ("gp_workforce_practice_annual",)),),
                  _workforce_england, "England: the sum of every practice in the GPW practice annual means"),
    PublicAdapter("ae_monthly_providers", (Role("ae_trust", ("ae_trust_monthly_2021_04_2025_07",)),
                                           Role("ae_trust_by_type", ("ae_trust_by_type_2016_04_2019_03",))),
                  _ae_providers, "NHS England A&E by trust (April 2021 on) and by provider and type (2016-2019)"),
    PublicAdapter("jsna", (Role("fingertips", ("trafford_la_health_indicators",)),), _jsna,
                  "Fingertips local authority indicators (Trafford Data Lab extract; ids matched by name)"),
    PublicAdapter("ae_monthly_icbs", (Role("ae_icb", ("ae_icb_monthly_2022_04_2025_07",)),), _ae_icbs,
                  "NHS England system-level A&E series by ICB (April 2022 on)"),
    PublicAdapter("trust_successions", (Role("trust_successions", ("ods_trust_successions",)),),
                  _identity("trust_successions"), "ODS successions, with later mergers added"),
    PublicAdapter("trust_catchments", (Role("trust_catchments", ("trust_catchments_icb22",),
                                            reader=_trust_catchments),),
                  _identity("trust_catchments"), "OHID acute trust catchments by ICB (2022)"),
    PublicAdapter("trust_attribution", (Role("trust_attribution", ("ae_trust_attribution",),
                                             reader=_trust_attribution),),
                  _identity("trust_attribution"), "A&E provider -> acute trust attribution"),
)}
