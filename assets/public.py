"""The public-data graph: what real published files can say about an ICB, for a profile with `source: public`.

Real public files come in the publishers' layouts (docs/real-data-sources.md), not the raw-file contract of the
demo graph, and record-level activity by LSOA does not exist publicly. So this graph has its own two layers:

* `staging/stg_public__<role>`: one table per role (a source or an IoD edition), read by the readers in
  `pipelines/readers/` from the files `config/sources.yaml` lists, found under the raw folder either where a
  download lands (`file`) or in the mirror layout (`mirror_path`): `ina fetch --mirror ../shared/data/real`
  fills `data/raw/`, or `--raw-dir` can point at the mirror itself. The profile's `public.sources` overrides
  which manifest ids fill a role.
* `marts/<table>`: `dim_geography`, `dim_practices`, `dim_lsoa_deprivation` (the demo marts' names and
  models where the shape matches) and `public_*` tables (models in `schemas/public.py`) where it does not:
  the deprivation profile, A&E growth and right drift against England, GP FTE per 100,000 patients against
  England, the headline figures beside the ICB's published ones, and `public_unavailable`: what the public
  data cannot give, and why. Nothing is estimated where data are missing.

SQL lives in `assets/sql/public/`; marts whose logic needs the readers' succession and coverage functions or
the statistics package are built in Python below, from staging tables, and validated against the same models.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import polars as pl

from assets.common import MartCheck, mart_check_results, mart_check_specs, profile_params, table_metadata
from assets.staging import stg_config__footprints
from pipelines.config import PROJECT_DIR, Profile
from pipelines.fetch import load_manifest, resolve_path, sha256_file
from pipelines.readers import read_source
from pipelines.readers.iod import merge_iod
from pipelines.readers.nhs_ae import apply_successions, month_coverage, resolve_successors
from pipelines.resources import InaSettings, MartsDatabase
from pipelines.sql import _bound, insert_select, sql_text
from pipelines.stats import wilson_limits
from schemas.ddl import create_table_sql, dagster_table_schema
from schemas.public import PUBLIC_MART_MODELS

MANIFEST = PROJECT_DIR / "config" / "sources.yaml"
SQL = "public"

# ---------------------------------------------------------------------------------------------------------------
# Staging: one table per role, read with the manifest's readers
# ---------------------------------------------------------------------------------------------------------------


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


def _population_totals(frame: pl.DataFrame) -> pl.DataFrame:
    """Single years of age summed to one row per LSOA and mid-year (only totals weight the deprivation shares)."""
    return frame.group_by("year", "lsoa_code", "lsoa_vintage").agg(pl.col("population").sum()).sort("lsoa_code")


@dataclass(frozen=True)
class PublicSource:
    role: str
    ids: tuple[str, ...]  # manifest ids in order of preference
    group: str
    grain: str
    combine: str = "first"  # "first": the first id present; "merge_iod": every id present, merged (one edition)
    reader: Callable[[Path], pl.DataFrame] | None = None  # for files the manifest reads directly
    shape: Callable[[pl.DataFrame], pl.DataFrame] | None = None

    @property
    def table(self) -> str:
        return f"stg_public__{self.role}"


PUBLIC_SOURCES: tuple[PublicSource, ...] = (
    PublicSource("lsoa11_lookup", ("lookup_lsoa11_sicbl22_icb22_lad22",), "geography",
                 "One row per LSOA 2011 in England: sub-ICB location, ICB, local authority (ONS, July 2022)."),
    PublicSource("lsoa21_lookup", ("lookup_lsoa21_sicbl24_icb24",), "geography",
                 "One row per LSOA 2021 in England: sub-ICB location and ICB (ONS, April 2024)."),
    PublicSource("lsoa_vintage_lookup", ("lookup_lsoa11_lsoa21_lad22",), "geography",
                 "One row per LSOA 2011 x LSOA 2021 best-fit pair, with the change code and LAD 2022 (ONS)."),
    PublicSource("imd2019", ("iod2019_file7", "iod2019_file1", "iod2019_file2", "iod2019_file6"), "deprivation",
                 "One row per LSOA 2011 in England: IoD2019 scores (File 7 only), ranks, deciles, denominators.",
                 combine="merge_iod"),
    PublicSource("imd2025", ("iod2025_scores",), "deprivation",
                 "One row per LSOA 2021 in England: IoD2025 IMD and domain scores, ranks and deciles."),
    PublicSource("lsoa_population", ("ons_sape_lsoa11_syoa_mid2020", "ons_sape_lsoa11_syoa_mid2019"), "population",
                 "One row per LSOA 2011 (England and Wales) x mid-year: resident population, all ages (ONS).",
                 shape=_population_totals),
    PublicSource("practices", ("gp_practice_map_2022_01", "gp_practice_map_2020_09"), "gp",
                 "One row per GP practice in England: PCN, sub-ICB location (CCG), ICB (STP) (NHS England)."),
    PublicSource("practice_lsoa", ("gp_registered_patients_lsoa_pennine_2020_04",), "gp",
                 "One row per practice x LSOA 2011 of residence: registered patients (Pennine Lancashire, April 2020)."),
    PublicSource("gp_workforce", ("gp_workforce_practice_annual",), "gp",
                 "One row per GP practice in England x calendar year: mean registered patients and FTE by staff group."),
    PublicSource("ae_icb", ("ae_icb_monthly_2022_04_2025_07",), "uec",
                 "One row per ICB x month: A&E attendances and emergency admissions (NHS England system-level sheet)."),
    PublicSource("ae_trust", ("ae_trust_monthly_2021_04_2025_07",), "uec",
                 "One row per NHS trust x month from April 2021: A&E attendances and total emergency admissions."),
    PublicSource("ae_trust_by_type", ("ae_trust_by_type_2016_04_2019_03",), "uec",
                 "One row per A&E provider x month, April 2016 - March 2019: attendances by department type, "
                 "admissions via A&E."),
    PublicSource("trust_successions", ("ods_trust_successions",), "uec",
                 "One row per ODS succession (old code -> new code, effective date), with later mergers added."),
    PublicSource("trust_catchments", ("trust_catchments_icb22",), "uec",
                 "One row per acute trust x ICB: share of the trust's patients from the ICB (OHID catchments, 2022).",
                 reader=_trust_catchments),
    PublicSource("trust_attribution", ("ae_trust_attribution",), "uec",
                 "One row per A&E provider x acute trust: share of its attendances attributed to that acute trust.",
                 reader=_trust_attribution),
)


class MissingPublicFile(dg.Failure):
    pass


def _manifest() -> dict[str, dict]:
    return {entry["id"]: entry for entry in load_manifest(MANIFEST)}


def role_ids(source: PublicSource, profile: Profile) -> tuple[str, ...]:
    overrides = (profile.public.get("sources") or {}).get(source.role)
    return tuple(overrides) if overrides else source.ids


def read_public_source(source: PublicSource, raw_dir: Path, profile: Profile) -> tuple[pl.DataFrame, list[dict]]:
    """The role's canonical frame (with `source_id`) and, per file read, its path and checksum verdict."""
    manifest = _manifest()
    ids = role_ids(source, profile)
    unknown = [i for i in ids if i not in manifest]
    if unknown:
        raise MissingPublicFile(f"{source.role}: {unknown} not in {MANIFEST}")
    present = [(i, path) for i in ids if (path := resolve_path(manifest[i], raw_dir)) is not None]
    if not present:
        wanted = ", ".join(f"{manifest[i].get('file') or manifest[i].get('mirror_path')}" for i in ids)
        raise MissingPublicFile(
            f"{source.role}: none of {list(ids)} found under {raw_dir} (looked for {wanted}). "
            f"Run `ina fetch --mirror ../shared/data/real` (or `ina fetch --only {ids[0]}`), or point --raw-dir "
            "at the mirror."
        )
    if source.combine == "first":
        present = present[:1]
    files, frames = [], []
    for sid, path in present:
        entry = manifest[sid]
        frame = source.reader(path) if source.reader else read_source(entry, path)
        frames.append(frame)
        digest = sha256_file(path)
        expected = {entry.get("sha256"), entry.get("mirror_sha256")} - {None}
        files.append({"id": sid, "path": str(path), "sha256": digest, "rows": frame.height,
                      "verified": digest in expected if expected else None})
    if source.combine == "merge_iod":
        frame = merge_iod(*frames)
    else:
        frame = frames[0]
    if source.shape:
        frame = source.shape(frame)
    return frame.with_columns(pl.lit(",".join(sid for sid, _ in present)).alias("source_id")), files


def staging_key(role: str) -> dg.AssetKey:
    return dg.AssetKey(["staging", f"stg_public__{role}"])


def build_public_staging_asset(source: PublicSource) -> dg.AssetsDefinition:
    @dg.asset(
        key=staging_key(source.role),
        group_name=source.group,
        description=f"{source.grain}\n\nRead by the manifest's reader from the first of {list(source.ids)} found "
        "under the raw folder" + (" (every one present, merged)" if source.combine == "merge_iod" else "")
        + "; `public.sources` in the profile overrides the list.",
        kinds={"duckdb", "polars"},
        tags={"layer": "staging", "data": "public"},
    )
    def _staging(settings: InaSettings, marts_db: MartsDatabase) -> dg.MaterializeResult:
        frame, files = read_public_source(source, settings.raw_path, settings.profile())
        with marts_db.connect() as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS staging")
            con.register("public_frame", frame.to_arrow())
            con.execute(f'CREATE OR REPLACE TABLE staging."{source.table}" AS SELECT * FROM public_frame')
            con.unregister("public_frame")
            metadata = table_metadata(con, f"staging.{source.table}")
        rows = "\n".join(f"| {f['id']} | `{f['path']}` | {f['rows']:,} | `{f['sha256'][:12]}` | {f['verified']} |"
                         for f in files)
        metadata["files"] = dg.MetadataValue.md(
            "| id | file | rows | sha256 | matches manifest |\n|---|---|---|---|---|\n" + rows)
        combined = hashlib.sha256("".join(f["sha256"] for f in files).encode()).hexdigest()
        return dg.MaterializeResult(metadata=metadata, data_version=dg.DataVersion(combined))

    return _staging


# ---------------------------------------------------------------------------------------------------------------
# Marts built in Python (the rest are SQL files in assets/sql/public/)
# ---------------------------------------------------------------------------------------------------------------

NHS_TRUST = r"^[RT][A-Z0-9]{2}$"
# The OHID catchment file names trusts by their April 2022 codes: older codes are followed to those, and
# trusts that merged later get the activity-weighted share of the merging trusts (see _catchment_shares).
CATCHMENT_CODES_AS_OF = date(2022, 4, 1)
AE_SERIES = {  # series -> staging role
    "icb_monthly": "ae_icb",
    "trust_monthly": "ae_trust",
    "trust_by_type": "ae_trust_by_type",
}
AE_COUNTS = ["attendances_all", "attendances_type1", "attendances_type2", "attendances_other",
             "attendances_over_4h", "emergency_admissions", "emergency_admissions_via_ae"]


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pl.DataFrame:
    return con.execute(sql, params).pl()


def _catchment_shares(trust_rows: pl.DataFrame, successions: pl.DataFrame, catchments: pl.DataFrame,
                      attribution: pl.DataFrame) -> pl.DataFrame:
    """`org_code, month, catchment_share`: the share of a trust's A&E activity attributed to the ICB.

    A provider's attendances go to acute trusts by the attribution table (non-acute providers to the acute trust
    they feed; an acute trust to itself), and an acute trust's to the ICB by its OHID catchment share. Codes
    older than the catchment file are followed to their April 2022 successor. A merger after April 2022
    (RVY -> RBN July 2023, RA4 -> RH5 April 2023) gives the successor, from the merger month, the
    attendance-weighted share of the merging trusts over the twelve months before the merger. A trust split
    between successors (RW6 -> RM3 and R0A, October 2021), its successors and their predecessors have no share
    in any year. A trust the catchment file lists only for other ICBs has share 0; one it does not list at all
    (and that no attribution row covers) has no share: its activity is left out, and reported."""
    to_2022 = resolve_successors(successions, as_of=CATCHMENT_CODES_AS_OF)
    code_2022 = dict(zip(to_2022["old_code"], to_2022["successor_code"]))
    # A split trust's activity cannot be shared between its successors, and the successors' catchments include
    # it: the split trust, its successors and their predecessors are left out in every year (no false growth).
    published = set(trust_rows["org_code"])
    split_old = set(resolve_successors(successions).filter(pl.col("split"))["old_code"]) & published
    split_new = set(successions.filter(pl.col("old_code").is_in(list(split_old)))["new_code"])
    split = split_old | split_new | {old for old, new in code_2022.items() if new in split_new}
    known_acute = set(catchments["trust_code"])
    icb_share = dict(zip(catchments["trust_code"], catchments["share"]))
    attributed: dict[str, list[tuple[str, float]]] = {}
    for row in attribution.iter_rows(named=True):
        attributed.setdefault(row["provider_code"], []).append((row["acute_trust_code"], row["share"]))

    def share_of(code: str) -> float | None:
        if code in split:
            return None
        code = code_2022.get(code) or code
        if code in attributed:
            return float(sum(share * icb_share.get(acute, 0.0) for acute, share in attributed[code]))
        if code in known_acute or code in icb_share:
            return float(icb_share.get(code, 0.0))
        return None

    codes = trust_rows.select("org_code").unique()
    shares = codes.with_columns(
        pl.col("org_code").map_elements(share_of, return_dtype=pl.Float64).alias("catchment_share"))
    out = trust_rows.select("org_code", "month", "attendances_all").join(shares, on="org_code", how="left")
    later = successions.filter(pl.col("effective_date") > CATCHMENT_CODES_AS_OF,
                               pl.col("old_code") != pl.col("new_code"))
    for (new_code, effective), group in later.group_by("new_code", "effective_date"):
        merging = [*group["old_code"].to_list(), new_code]
        first = date(effective.year - 1, effective.month, 1)
        window = out.filter(pl.col("org_code").is_in(merging), pl.col("month") >= first,
                            pl.col("month") < effective, pl.col("catchment_share").is_not_null(),
                            pl.col("attendances_all").is_not_null())
        if window.is_empty() or window["attendances_all"].sum() == 0:
            continue
        blended = float((window["attendances_all"] * window["catchment_share"]).sum() / window["attendances_all"].sum())
        out = out.with_columns(
            pl.when((pl.col("org_code") == new_code) & (pl.col("month") >= effective))
            .then(pl.lit(blended)).otherwise(pl.col("catchment_share")).alias("catchment_share"))
    return out.select("org_code", "month", "catchment_share")


def build_ae_monthly(con: duckdb.DuckDBPyConnection, params: dict, profile: Profile) -> pl.DataFrame:
    """Every published A&E series in one long table, one row per series x organisation x month of its span."""
    successions = _frame(con, "SELECT old_code, new_code, effective_date, note FROM staging.stg_public__trust_successions")
    catchments = _frame(con, "SELECT trust_code, share FROM staging.stg_public__trust_catchments WHERE icb_code = $icb",
                        {"icb": profile.icb_code})
    all_catchment_trusts = _frame(con, "SELECT DISTINCT trust_code FROM staging.stg_public__trust_catchments")
    catchments = all_catchment_trusts.join(catchments, on="trust_code", how="left").with_columns(
        pl.col("share").fill_null(0.0))
    attribution = _frame(con, "SELECT provider_code, acute_trust_code, share FROM staging.stg_public__trust_attribution")
    frames = []
    for series, role in AE_SERIES.items():
        rows = _frame(con, f'SELECT * FROM staging."stg_public__{role}"')  # role: from code, not input
        source_id = rows["source_id"][0]
        coverage = month_coverage(rows)
        missing = (coverage.select("org_code", pl.col("missing_months").alias("month")).explode("month")
                   .drop_nulls("month").with_columns(pl.lit(False).alias("reported")))
        rows = rows.with_columns(pl.lit(True).alias("reported"))
        org_level = rows["org_level"][0]
        rows = pl.concat([rows, missing.with_columns(pl.lit(org_level).alias("org_level"))], how="diagonal_relaxed")
        rows = rows.with_columns(pl.lit(series).alias("series"), pl.lit(source_id).alias("source_id"))
        if org_level == "trust":
            rows = apply_successions(rows, successions)
            split = set(resolve_successors(successions).filter(pl.col("split"))["old_code"])
            rows = rows.with_columns(
                pl.when(pl.col("org_code").is_in(list(split))).then(None).otherwise(pl.col("org_code_current"))
                .alias("org_code_current"))
            rows = rows.join(_catchment_shares(rows, successions, catchments, attribution),
                             on=["org_code", "month"], how="left")
            rows = rows.with_columns(
                pl.when(pl.col("org_code").str.contains(NHS_TRUST)).then(pl.col("catchment_share"))
                .alias("catchment_share"))
        else:
            rows = rows.with_columns(pl.col("org_code").alias("org_code_current"),
                                     pl.lit(None, dtype=pl.Float64).alias("catchment_share"))
        frames.append(rows)
    out = pl.concat(frames, how="diagonal_relaxed")
    providers = list(profile.providers)
    out = out.with_columns(
        pl.col("month").dt.year().sub(pl.when(pl.col("month").dt.month() < 4).then(1).otherwise(0))
        .cast(pl.Int32).alias("financial_year"),
        ((pl.col("org_level") == "icb") & (pl.col("org_code") == profile.icb_code)).alias("is_system"),
        ((pl.col("org_level") == "trust")
         & (pl.col("org_code").is_in(providers) | pl.col("org_code_current").is_in(providers)).fill_null(False))
        .alias("is_profile_provider"),
        ((pl.col("org_level") == "trust") & pl.col("org_code").str.contains(NHS_TRUST)).alias("is_nhs_trust"),
    )
    return out.select("series", "source_id", "month", "financial_year", "org_level", "org_code", "org_code_current",
                      "reported", "is_system", "is_profile_provider", "is_nhs_trust", "catchment_share",
                      *AE_COUNTS).sort("series", "org_code", "month")


def add_wilson_limits(frame: pl.DataFrame, pairs: dict[str, tuple[str, str]]) -> pl.DataFrame:
    """`<pct>_lower` / `<pct>_upper` (95% Wilson, as %) for each `pct: (numerator, denominator)`."""
    columns = []
    for pct, (x, n) in pairs.items():
        lower, upper = wilson_limits(frame[x].to_numpy().astype(float), frame[n].to_numpy().astype(float))
        columns += [pl.Series(f"{pct}_lower", np.round(lower * 100, 6)),
                    pl.Series(f"{pct}_upper", np.round(upper * 100, 6))]
    return frame.with_columns(columns)


def build_deprivation_profile(con: duckdb.DuckDBPyConnection, params: dict, profile: Profile) -> pl.DataFrame:
    """The SQL's counts and shares, with Wilson limits (pipelines.stats) on the LSOA shares."""
    frame = _sql_frame(con, "public_deprivation_profile", params)
    return add_wilson_limits(frame, {"pct_lsoas_decile_1_2": ("lsoas_decile_1_2", "lsoas"),
                                     "pct_lsoas_decile_1": ("lsoas_decile_1", "lsoas")})


@dataclass(frozen=True)
class Unavailable:
    indicator: str
    reason: str
    needs: str
    published_figure: str | None = None


CONFIDENTIAL = ("Record-level activity (ECDS attendances, SUS/HES spells) with LSOA of residence, age and sex is "
                "confidential: no public file gives A&E attendances or emergency admissions by LSOA, age or sex")
EXTRACTS = "the ICB's own ECDS and SUS extracts in data/raw/uec/ (docs/raw-formats.md), run with a `source: raw` profile"

UNAVAILABLE: tuple[Unavailable, ...] = (
    Unavailable("Demand per capita by LSOA, neighbourhood or footprint (crude rate per 1,000)", CONFIDENTIAL, EXTRACTS),
    Unavailable("Directly age-standardised rates (DSR, ESP2013) of A&E attendances and emergency admissions",
                CONFIDENTIAL + "; the published monthly series are by provider or ICB, with no age or sex", EXTRACTS),
    Unavailable("Indirectly standardised ratios (ISR) against England and excess admissions",
                "Needs the system's activity by age and sex and England's age-sex rates; neither is published "
                "monthly by provider or ICB", EXTRACTS + ", and England activity by age and sex (HES summaries)",
                "NEL admissions per weighted capita 20% above national (over 30,000 admissions)"),
    Unavailable("A&E attendances per weighted capita against England",
                "Needs observed / expected on England's age-sex rates (or a published weighted population); the "
                "ICB-level series has no age or sex and no weighted population is in the sources", EXTRACTS,
                "A&E attendances per weighted capita ~1% higher"),
    Unavailable("Deprivation gradients of activity (rates by IMD decile, SII, RII)",
                CONFIDENTIAL + " or deprivation decile", EXTRACTS,
                "People in the most deprived deciles use UEC services far more frequently"),
    Unavailable("Emergency admissions growth FY2018/19 -> FY2023/24, system and England",
                "No single published measure spans both years: the April 2016 - March 2019 series gives emergency "
                "admissions via A&E only, the April 2021+ series total emergency admissions only (no split); "
                "provider-level A&E for April 2019 - March 2021 is not in the sources",
                "the monthly provider files for FY2018/19 with 'Other emergency admissions' (NHS England A&E "
                "statistics, `read_ae_monthly_provider_csv`)", "+18% vs +0.7% nationally"),
    Unavailable("Type 1 A&E attendances from FY2021/22, and their growth since FY2018/19",
                "The April 2021+ trust and ICB compilations hold all-type totals only",
                "the publisher's monthly provider CSVs (`read_ae_monthly_provider_csv`)"),
    Unavailable("Emergency (occupied) bed days and their growth",
                "Bed days come from admitted patient care spells (SUS/HES); no public monthly series by provider "
                "or ICB is in the sources", EXTRACTS + ", or the KH03 bed availability and occupancy returns",
                "Occupied bed days rose by 11%"),
    Unavailable("Demographic growth expected from FY2018/19 (growth from population size and age alone)",
                "Needs the system's population by age and sex for both years; the LSOA estimates held are persons "
                "only, mid-2017/2019/2020, LSOA 2011", "ONS mid-year LSOA estimates by sex and age for mid-2018 "
                "and mid-2023 (and England's age-sex activity rates)"),
    Unavailable("GP FTE per 100,000 weighted patients; trend of GP capacity since 2018",
                "The workforce file held is practice annual means for 2023-2025 only, with no weighted "
                "(Carr-Hill) list sizes", "the GPW monthly practice CSVs since 2018 and NHS Payments to General "
                "Practice (weighted lists)", "12.5% fewer GPs per capita, steeper decline since 2018"),
    Unavailable("Neighbourhood (PCN) of each LSOA outside Pennine Lancashire",
                "Practice x LSOA registrations are held for Pennine Lancashire only (April 2020); dim_geography's "
                "neighbourhood is empty elsewhere", "NHS England gp-reg-pat-prac-lsoa-all for the whole ICB"),
)


def build_unavailable(con: duckdb.DuckDBPyConnection, params: dict, profile: Profile) -> pl.DataFrame:
    rows = [asdict(u) for u in UNAVAILABLE]
    no_scores = con.execute("SELECT imd_edition FROM marts.dim_lsoa_deprivation GROUP BY 1 "
                            "HAVING count(imd_score) = 0 ORDER BY 1").fetchall()
    for (edition,) in no_scores:
        rows.append(asdict(Unavailable(
            f"Population-weighted IMD {edition} score",
            f"The IoD{edition} files read (ranks, deciles, denominators) carry no LSOA scores",
            f"the publisher's IoD{edition} File 7 (`ina fetch --only iod{edition}_file7`), read automatically when present")))
    return pl.DataFrame(rows, schema={"indicator": pl.String, "reason": pl.String, "needs": pl.String,
                                      "published_figure": pl.String})


def build_headline_figures(con: duckdb.DuckDBPyConnection, params: dict, profile: Profile) -> pl.DataFrame:
    """The SQL's pipeline values joined to the figures the ICB published (profile `public.published`)."""
    values = _sql_frame(con, "public_headline_figures", params)
    published = pl.DataFrame(
        [{"figure_id": str(p["id"]), "published_value": float(p["value"]) if p.get("value") is not None else None,
          "published_text": p.get("text")} for p in (profile.public.get("published") or [])],
        schema={"figure_id": pl.String, "published_value": pl.Float64, "published_text": pl.String},
    )
    return (values.join(published, on="figure_id", how="left")
            .with_columns((pl.col("pipeline_value") - pl.col("published_value")).alias("difference")))


def _sql_frame(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> pl.DataFrame:
    """The rows of the SELECT in `assets/sql/public/<name>.sql`, with the parameters it names bound."""
    text = sql_text(f"{SQL}/{name}")
    return con.execute(text, _bound(text, params)).pl()


# ---------------------------------------------------------------------------------------------------------------
# Mart assets
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicMart:
    name: str
    upstream: tuple[str, ...]  # "staging.<table>" or "marts.<table>"
    build: Callable[[duckdb.DuckDBPyConnection, dict, Profile], pl.DataFrame] | None = None  # else SQL file
    checks: tuple[MartCheck, ...] = field(default=())

    @property
    def model(self):
        return PUBLIC_MART_MODELS[self.name]


def _stg(role: str) -> str:
    return f"staging.stg_public__{role}"


PUBLIC_MARTS: tuple[PublicMart, ...] = (
    PublicMart("public_lsoa_geography",
               (_stg("lsoa11_lookup"), _stg("lsoa21_lookup"), _stg("lsoa_vintage_lookup"),
                "staging.stg_config__footprints"),
               checks=(MartCheck("every_system_lsoa_in_a_footprint",
                             "Every LSOA the lookups place in the ICB is in one of the profile's footprints"),)),
    PublicMart("dim_practices", (_stg("practices"), "staging.stg_config__footprints")),
    PublicMart("dim_geography", ("marts.public_lsoa_geography", "marts.dim_practices", _stg("practice_lsoa")),
               checks=(MartCheck("every_system_lsoa_in_one_footprint",
                             "Every system LSOA of the profile's vintage appears once, in one footprint"),)),
    PublicMart("dim_lsoa_deprivation",
               (_stg("imd2019"), _stg("imd2025"), _stg("lsoa_population"), _stg("lsoa_vintage_lookup"),
                "marts.public_lsoa_geography"),
               checks=(MartCheck("every_system_lsoa_has_a_decile",
                             "Every system LSOA of each edition's vintage has an IMD decile"),)),
    PublicMart("public_deprivation_profile", ("marts.dim_lsoa_deprivation", "marts.public_lsoa_geography"),
               build=build_deprivation_profile,
               checks=(MartCheck("footprints_sum_to_the_system", "Footprint LSOA counts add up to the system's"),)),
    PublicMart("public_ae_monthly",
               (_stg("ae_icb"), _stg("ae_trust"), _stg("ae_trust_by_type"), _stg("trust_successions"),
                _stg("trust_catchments"), _stg("trust_attribution")),
               build=build_ae_monthly),
    PublicMart("public_ae_annual", ("marts.public_ae_monthly",),
               checks=(MartCheck("profile_providers_match_the_icb_series",
                             "The profile's providers' emergency admissions are within 2% of the ICB-level series "
                             "(tests the trust attribution where both exist)", blocking=False),)),
    PublicMart("public_ae_right_drift", ("marts.public_ae_annual",)),
    PublicMart("public_gp_workforce", (_stg("gp_workforce"), "marts.dim_practices"),
               checks=(MartCheck("practices_reach_a_footprint",
                             "At least 95% of the system's registered patients are in practices mapped to a "
                             "footprint", blocking=False),)),
    PublicMart("public_gp_capacity", (_stg("gp_workforce"), "marts.public_gp_workforce")),
    PublicMart("public_unavailable", ("marts.dim_lsoa_deprivation",), build=build_unavailable),
    PublicMart("public_headline_figures",
               ("marts.public_deprivation_profile", "marts.public_ae_right_drift", "marts.public_gp_capacity",
                "marts.public_unavailable"),
               build=build_headline_figures),
)



def public_params(profile: Profile) -> dict[str, object]:
    return {**profile_params(profile), "base_year": profile.base_financial_year, "icb_name": profile.icb_name}


def _upstream_key(qualified: str) -> dg.AssetKey:
    layer, table = qualified.split(".")
    return dg.AssetKey([layer, table])


def build_public_mart_asset(mart: PublicMart) -> dg.AssetsDefinition:
    model = mart.model
    key = dg.AssetKey(["marts", mart.name])
    how = f"built in `assets.public.{mart.build.__name__}`" if mart.build else f"SQL: `assets/sql/public/{mart.name}.sql`"
    specs = mart_check_specs(key, model, mart.checks)

    @dg.asset(
        key=key,
        deps=[_upstream_key(u) for u in mart.upstream],
        group_name="marts",
        description=f"{' '.join((model.__doc__ or '').split())}\n\n{how}; schema: `{model.__module__}.{model.__name__}`.",
        kinds={"duckdb", "sql"} if mart.build is None else {"duckdb", "polars"},
        tags={"layer": "marts", "data": "public"},
        metadata={"dagster/column_schema": dagster_table_schema(model)},
        check_specs=specs,
    )
    def _mart(settings: InaSettings, marts_db: MartsDatabase) -> dg.MaterializeResult:
        profile = settings.profile()
        params = public_params(profile)
        table = f"marts.{mart.name}"
        with marts_db.connect() as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS marts")
            con.execute("BEGIN TRANSACTION")
            con.execute(create_table_sql(model, table))
            if mart.build is None:
                insert_select(con, table, f"{SQL}/{mart.name}", params)
            else:
                frame = mart.build(con, params, profile)
                con.register("mart_frame", frame.to_arrow())
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM mart_frame")  # table: from code
                con.unregister("mart_frame")
            con.execute("COMMIT")
            results = mart_check_results(con, mart.name, model, mart.checks, f"{SQL}/checks", params)
            metadata = table_metadata(con, table)
        return dg.MaterializeResult(metadata=metadata, check_results=results)

    return _mart


public_staging_assets = [build_public_staging_asset(source) for source in PUBLIC_SOURCES]
public_mart_assets = [build_public_mart_asset(mart) for mart in PUBLIC_MARTS]
public_assets = [*public_staging_assets, stg_config__footprints, *public_mart_assets]
