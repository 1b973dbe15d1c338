"""Synthetic record-level extracts on the real geography of an English ICB: the "mixed profile".

An ICB with its own record-level ECDS and SUS extracts uses the public files for everything else. Those
extracts are confidential, so this module writes synthetic ones, on the ICB's real geography:

* its real LSOA 2011 codes and sub-ICB locations (ONS LSOA11 -> SICBL22 -> ICB22 lookup);
* its real population by LSOA and single year of age (ONS SAPE, persons, the mid-years the public folder
  holds), split into sexes by England's real mid-2023 sex ratio at each age (ONS countries MYE), and England's
  real population by age and sex (the same files) for England's rates;
* its real deprivation (IoD2019 national IMD ranks and deciles of its LSOAs);
* its real acute providers (the caller's list, e.g. RXR, RXL, RXN, RTX for Lancashire and South Cumbria),
  and where the LSC footprints' residents are known to be treated outside the ICB (Southport and Ormskirk
  for West Lancashire, Airedale and North Cumbria for the edges of the patch), with the trusts' mergers.

Every event is drawn by the demo world's own rate model (`rates.build_rates`) and record generator
(`activity.ActivityGenerator`), fed the real geography through `area.IcbArea`: England's age-sex rates, the
planted deprivation gradient, standardised ratios and growth of docs/raw-formats.md ("What the demo world
plants"), seasonality and the pandemic years. The *records* are synthetic: they say nothing about the real
ICB's activity. `scale` has the demo's meaning (1.0 = demo-world volumes, ~850,000 attendances a year for an
ICB of ~1.8 million).

    generate_local_extracts(out_dir, public_dir=..., icb_code="E54000048", providers=["RXR", "RXL", "RXN", "RTX"],
                            first_financial_year=2018, last_financial_year=2024)

writes `uec/ecds/ecds_attendances_YYYY-MM.csv`, `uec/sus_apc/apc_spells_YYYY-MM.csv` (every month of the
years) and `uec/england_activity_by_age_sex.csv` (England's age-sex activity, which the pipeline's indirect
standardisation needs and NHS England does not publish) in the contract layouts, plus `SYNTHETIC.md`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.config import PROJECT_DIR
from demo import contract, params
from demo.activity import ActivityGenerator
from demo.area import IcbArea
from demo.national import write_england_activity
from demo.periods import fy_slash, months, stream
from demo.population import Population
from demo.rates import build_rates
from demo.writers import Writer, write_pandemic_decisions
from pipelines.sources.fetch import load_manifest, resolve_path
from pipelines.sources.readers import read_source
from pipelines.sources.readers.iod import LSOAS_IN_ENGLAND
from pipelines.sources.readers.nhs_ae import LATER_SUCCESSIONS

SOURCES = ("ecds_attendances", "apc_spells", "england_activity")
MANIFEST = PROJECT_DIR / "config" / "sources.yaml"
LOOKUP_ID = "lookup_lsoa11_sicbl22_icb22_lad22"
SAPE_PREFIX = "ons_sape_lsoa11_syoa_mid"  # every mid-year of LSOA 2011 single-year-of-age persons found is used
MYE_READER = "read_mye_country_sex_syoa"  # England by sex and single year of age (the countries MYE file)
IOD_IDS = ("iod2019_file7", "iod2019_file1", "iod2019_domains_tidy", "iod2019_file2")  # first found wins
AE_BY_TYPE_ID = "ae_trust_by_type_2016_04_2019_03"  # optional: department types of the trusts
SUCCESSIONS_ID = "ods_trust_successions"  # optional: trust mergers (RNL -> RNN, RVY -> RBN ...)
AGES = 91  # 0 ... 89, 90 = 90 and over

# Where each sub-ICB location's residents are treated, for the ICBs we know: (home trust, share treated by
# trusts outside the ICB, {those trusts: weight}). Codes as in April 2018; mergers follow from the successions
# (North Cumbria RNL -> RNN October 2019, Southport and Ormskirk RVY -> RBN July 2023).
# Shares are rounded judgements of the local geography (West Lancashire looks to Ormskirk and Southport), not
# published figures. Another ICB: its providers in turn, nobody treated outside.
TREATMENT: dict[str, dict[str, tuple[str, float, dict[str, float]]]] = {
    "E54000048": {  # Lancashire and South Cumbria
        "00Q": ("RXR", 0.02, {"RMC": 0.6, "RRF": 0.4}),  # Blackburn with Darwen: Bolton, Wigan
        "01A": ("RXR", 0.03, {"RCF": 0.6, "RMC": 0.4}),  # East Lancashire: Airedale, Bolton
        "00R": ("RXL", 0.02, {"RRF": 0.5, "RVY": 0.5}),  # Blackpool
        "02M": ("RXL", 0.02, {"RRF": 0.5, "RVY": 0.5}),  # Fylde and Wyre
        "00X": ("RXN", 0.04, {"RRF": 0.8, "RVY": 0.2}),  # Chorley and South Ribble: Wigan
        "01E": ("RXN", 0.02, {"RRF": 0.6, "RVY": 0.4}),  # Greater Preston
        "02G": ("RXN", 0.55, {"RVY": 0.85, "RRF": 0.15}),  # West Lancashire: Ormskirk and Southport
        "01K": ("RTX", 0.04, {"RNL": 0.6, "RCF": 0.4}),  # Morecambe Bay: Millom (West Cumberland), Bentham
    }
}
TYPE1_FACTOR_RANGE = (0.8, 1.2)  # the home trust's type 1 share relative to the ICB's, clipped


class _SelectiveWriter(Writer):
    """A Writer that writes only the files of the chosen sources (the others are still drawn: each file has
    its own random stream, so leaving one out changes no other)."""

    PREFIXES = {"ecds_attendances": "uec/ecds/", "apc_spells": "uec/sus_apc/",
                "england_activity": contract.ENGLAND_ACTIVITY}  # fmt: skip

    def __init__(self, out_dir: Path, sources: tuple[str, ...]):
        super().__init__(out_dir)
        self.prefixes = tuple(self.PREFIXES[s] for s in sources)

    def csv(self, relpath: str, frame: pl.DataFrame, columns, *, bom: bool = False) -> None:
        if relpath.startswith(self.prefixes):
            super().csv(relpath, frame, columns, bom=bom)


# --- reading the public files ----------------------------------------------------------------------------------
class _Public:
    def __init__(self, public_dir: Path, manifest_path: Path):
        self.dir = Path(public_dir)
        self.entries = {e["id"]: e for e in load_manifest(manifest_path)}
        self.used: list[tuple[str, str, str]] = []  # (id, path relative to the public folder, sha256)

    def path(self, sid: str) -> Path | None:
        entry = self.entries.get(sid)
        return None if entry is None else resolve_path(entry, self.dir)

    def read(self, sid: str) -> pl.DataFrame:
        path = self.path(sid)
        if path is None:
            entry = self.entries.get(sid, {})
            expected = entry.get("mirror_path") or entry.get("file")
            raise FileNotFoundError(
                f"public source {sid!r} not found under {self.dir} (expected {expected}); "
                f"`ina fetch --mirror` fills a folder laid out like ../shared/data/real"
            )
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        self.used.append((sid, path.relative_to(self.dir).as_posix(), digest))
        return read_source(self.entries[sid], path)

    def first(self, ids) -> str:
        for sid in ids:
            if self.path(sid) is not None:
                return sid
        raise FileNotFoundError(f"none of the public sources {list(ids)} found under {self.dir}")

    def ids_where(self, pred) -> list[str]:
        return sorted(sid for sid, e in self.entries.items() if pred(sid, e) and self.path(sid) is not None)


def _geography(pub: _Public, icb_code: str) -> pl.DataFrame:
    lookup = pub.read(LOOKUP_ID)
    icb = lookup.filter((pl.col("icb_code") == icb_code) | (pl.col("icb_nhs_code") == icb_code))
    if icb.is_empty():
        raise ValueError(f"ICB {icb_code!r} has no LSOA in {LOOKUP_ID} (ONS E54 or NHS code expected)")
    if icb["sub_icb_nhs_code"].null_count():
        raise ValueError(f"{LOOKUP_ID}: some LSOAs of {icb_code} have no sub-ICB NHS code")
    return icb.sort("lsoa_code")


def _deprivation(pub: _Public, codes: list[str]) -> tuple[np.ndarray, np.ndarray, str]:
    sid = pub.first(IOD_IDS)
    iod = pub.read(sid).filter(pl.col("imd_edition") == 2019)
    n_england = LSOAS_IN_ENGLAND[2019]
    got = pl.DataFrame({"lsoa_code": codes}).join(iod.select("lsoa_code", "imd_rank", "imd_decile"),
                                                  on="lsoa_code", how="left")  # fmt: skip
    if got["imd_rank"].null_count():
        missing = got.filter(pl.col("imd_rank").is_null())["lsoa_code"].head(5).to_list()
        raise ValueError(f"{sid}: no IMD 2019 rank for {got['imd_rank'].null_count()} LSOAs, e.g. {missing}")
    rank = got["imd_rank"].to_numpy().astype(np.int64)
    from_rank = (rank - 1) * 10 // n_england + 1  # a file with ranks only
    decile = np.where(got["imd_decile"].is_null().to_numpy(), from_rank, got["imd_decile"].fill_null(0).to_numpy())
    return (rank - 0.5) / n_england, decile.astype(np.int64), sid


def _interpolate(known: dict[int, np.ndarray], year: int) -> np.ndarray:
    """Linear between the known years; beyond them, the nearest segment's growth compounded."""
    ks = sorted(known)
    if year in known:
        return known[year].astype(float)
    if len(ks) == 1:
        return known[ks[0]].astype(float)
    if ks[0] < year < ks[-1]:
        hi = next(k for k in ks if k > year)
        lo = max(k for k in ks if k < year)
        f = (year - lo) / (hi - lo)
        return (1 - f) * known[lo] + f * known[hi]
    a, b = (ks[0], ks[1]) if year < ks[0] else (ks[-2], ks[-1])
    ratio = np.where(known[a] > 0, known[b] / np.maximum(known[a], 1), 1.0)
    ratio = np.clip(ratio, 0.8, 1.25) ** (1 / (b - a))  # per year; a jump between editions is not a trend
    base, steps = (known[a], year - a) if year < ks[0] else (known[b], year - b)
    return base * ratio**steps


def _population(pub: _Public, codes: list[str], years: list[int]) -> tuple[Population, dict]:
    """Real LSOA persons by single year of age (the SAPE mid-years found), England by age and sex."""
    mye_ids = pub.ids_where(lambda sid, e: str(e.get("reader") or "").endswith(":" + MYE_READER))
    if not mye_ids:
        raise FileNotFoundError(f"no England population by sex and age (reader {MYE_READER}) under {pub.dir}")
    mye = pl.concat([pub.read(sid) for sid in mye_ids]).filter(pl.col("area_code") == "E92000001")
    mye_year = int(mye["year"].max())
    mye = mye.filter(pl.col("year") == mye_year)
    by_sex = np.zeros((2, AGES))
    for s, sex in enumerate(("M", "F")):
        part = mye.filter(pl.col("sex") == sex)
        by_sex[s, part["age"].to_numpy()] = part["population"].to_numpy()
    if (by_sex.sum(axis=0) <= 0).any():
        raise ValueError(f"{mye_ids}: England mid-{mye_year} lacks some single years of age 0..90")
    male_share = by_sex[0] / by_sex.sum(axis=0)

    sape_ids = pub.ids_where(lambda sid, e: sid.startswith(SAPE_PREFIX) and e.get("lsoa_vintage") == 2011)
    if not sape_ids:
        raise FileNotFoundError(f"no LSOA 2011 single-year-of-age population ({SAPE_PREFIX}*) under {pub.dir}")
    index = pl.DataFrame({"lsoa_code": codes, "i": np.arange(len(codes))})
    lsoa_known: dict[int, np.ndarray] = {}
    england_known: dict[int, np.ndarray] = {}
    for sid in sape_ids:
        long = pub.read(sid)
        if "P" in long["sex"].unique().to_list():
            long = long.filter(pl.col("sex") == "P")
        else:  # a file by sex (the publisher's male and female sheets): persons are their sum
            long = long.group_by("year", "lsoa_code", "age", maintain_order=True).agg(pl.col("population").sum())
        year = int(long["year"][0])
        eng = long.filter(pl.col("lsoa_code").str.starts_with("E")).group_by("age").agg(pl.col("population").sum())
        england_known[year] = np.zeros(AGES)
        england_known[year][eng["age"].to_numpy()] = eng["population"].to_numpy()
        mine = long.join(index, on="lsoa_code", how="inner")
        arr = np.zeros((len(codes), AGES))
        arr[mine["i"].to_numpy(), mine["age"].to_numpy()] = mine["population"].to_numpy()
        missing = len(codes) - mine["lsoa_code"].n_unique()
        if missing:
            raise ValueError(f"{sid}: {missing} of the ICB's {len(codes)} LSOAs have no population")
        lsoa_known[year] = arr
    england_known.setdefault(mye_year, by_sex.sum(axis=0))

    england, icb = {}, {}
    for y in years:
        if y == mye_year:
            england[y] = np.rint(by_sex).astype(np.int64)
        else:
            persons = _interpolate(england_known, y)
            males = np.rint(persons * male_share)
            england[y] = np.vstack([males, np.rint(persons) - males]).astype(np.int64)
        if y in lsoa_known or min(lsoa_known) < y < max(lsoa_known):
            persons = np.rint(_interpolate(lsoa_known, y))
        else:  # outside the LSOA years: the nearest LSOA year, grown as England at each age
            k = min(lsoa_known, key=lambda k: (abs(k - y), -k))
            growth = _interpolate(england_known, y) / np.maximum(_interpolate(england_known, k), 1)
            persons = np.rint(lsoa_known[k] * growth[None, :])
        males = np.rint(persons * male_share[None, :])
        icb[y] = np.stack([males, persons - males], axis=1).astype(np.int64)
    info = {"lsoa_population_mid_years": sorted(lsoa_known), "england_by_sex_mid_year": mye_year,
            "england_persons_mid_years": sorted(england_known)}  # fmt: skip
    return Population(years=years, england=england, icb=icb, mid2015={}), info


def _successions(pub: _Public) -> dict[str, tuple[dt.date, str]]:
    frame = LATER_SUCCESSIONS.select("old_code", "new_code", "effective_date")
    if pub.path(SUCCESSIONS_ID) is not None:
        frame = pub.read(SUCCESSIONS_ID).select("old_code", "new_code", "effective_date")
    # an old code split between successors has no single heir: it keeps its code
    single = frame.group_by("old_code").agg(pl.len().alias("n"), pl.col("new_code").first(),
                                            pl.col("effective_date").first()).filter(pl.col("n") == 1)  # fmt: skip
    return {r["old_code"]: (r["effective_date"], r["new_code"]) for r in single.iter_rows(named=True)}


def _department_types(pub: _Public, providers: list[str]) -> tuple[dict[str, float], set[str]]:
    """Type 1 share of attendances, and whether a type 2 department exists, per trust (FY2018/19, the last year
    of the published by-type series); empty when the file is absent."""
    if pub.path(AE_BY_TYPE_ID) is None:
        return {}, set()
    quiet = logging.getLogger("pipelines.sources.readers.nhs_ae")  # gaps in other trusts' series are not our concern
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        frame = pub.read(AE_BY_TYPE_ID)
    finally:
        quiet.setLevel(level)
    fy2018 = pl.col("month").is_between(dt.date(2018, 4, 1), dt.date(2019, 3, 1))
    df = frame.filter(pl.col("org_code").is_in(providers) & fy2018)
    agg = df.group_by("org_code").agg(pl.col("attendances_type1").sum(), pl.col("attendances_type2").sum(),
                                      pl.col("attendances_all").sum())  # fmt: skip
    share = {r["org_code"]: r["attendances_type1"] / r["attendances_all"]
             for r in agg.iter_rows(named=True) if r["attendances_all"]}  # fmt: skip
    type2 = {r["org_code"] for r in agg.iter_rows(named=True) if r["attendances_type2"]}
    return share, type2


def _area(geo: pl.DataFrame, pct: np.ndarray, decile: np.ndarray, providers: list[str], pub: _Public,
          persons: np.ndarray) -> tuple[IcbArea, dict]:
    """Footprints are the sub-ICB locations; where their residents are treated comes from TREATMENT."""
    subs = sorted(geo["sub_icb_nhs_code"].unique().to_list())
    footprint = geo["sub_icb_nhs_code"].replace_strict({s: i for i, s in enumerate(subs)},
                                                       return_dtype=pl.Int64).to_numpy()  # fmt: skip
    known = TREATMENT.get(geo["icb_code"][0], {})
    outside = sorted({t for s in subs if s in known for t in known[s][2]} - set(providers))
    n_icb, all_providers = len(providers), providers + outside
    probs = np.zeros((len(subs), len(all_providers)))
    home_of = {}
    for k, sub in enumerate(subs):
        home_code, out, weights = known.get(sub, (None, 0.0, {}))
        home = providers.index(home_code) if home_code in providers else k % n_icb
        weights = {t: w for t, w in weights.items() if t in outside}
        out = out if weights else 0.0
        others = [p for p in range(n_icb) if p != home]
        other = params.OTHER_ICB_PROVIDER_SHARE if others else 0.0
        probs[k, home] = 1 - other - out
        probs[k, others] = other / max(len(others), 1)
        for t, w in weights.items():
            probs[k, all_providers.index(t)] = out * w / sum(weights.values())
        home_of[sub] = providers[home]
    share1, type2 = _department_types(pub, all_providers)
    people = np.bincount(footprint, weights=persons, minlength=len(subs))
    home_share = np.array([share1.get(home_of[s], np.nan) for s in subs])
    if np.isfinite(home_share).all():
        mean = float((home_share * people).sum() / people.sum())
        type1 = np.clip(home_share / mean, *TYPE1_FACTOR_RANGE)
    else:
        type1 = np.ones(len(subs))
    area = IcbArea(
        lsoa_codes=geo["lsoa_code"].to_list(),
        footprint=footprint,
        n_footprints=len(subs),
        imd_percentile=pct,
        imd_decile=decile,
        providers=all_providers,
        n_icb_providers=n_icb,
        provider_probs=probs,
        type2_ok=np.array([p in type2 for p in all_providers], dtype=bool),
        type1_factor=type1,
        successions={c: v for c, v in _successions(pub).items() if c in all_providers},
    )
    info = {
        "sub_icb_locations": {s: {"lsoas": int((footprint == k).sum()), "home_provider": home_of[s],
                                  "type1_factor": round(float(type1[k]), 4),
                                  "treated_outside_icb": round(float(probs[k, n_icb:].sum()), 4)}
                              for k, s in enumerate(subs)},
        "out_of_area_providers": outside,
        "successions": {c: [d.isoformat(), n] for c, (d, n) in sorted(area.successions.items())},
        "type2_providers": sorted(type2),
    }  # fmt: skip
    return area, info


# --- the run ---------------------------------------------------------------------------------------------------
def generate_local_extracts(
    out_dir: Path,
    *,
    public_dir: Path,
    icb_code: str,
    providers: list[str],
    first_financial_year: int,
    last_financial_year: int,
    seed: int = 20260401,
    scale: float = 0.1,
    sources: tuple[str, ...] = SOURCES,
    manifest_path: Path = MANIFEST,
) -> dict:
    """Write synthetic ECDS attendances and SUS spells (and England's activity by age and sex) for the real
    geography of `icb_code`, every month of FY`first_financial_year` ... FY`last_financial_year`, under
    `out_dir` (laid out like data/raw/); return a summary. Same inputs and seed give byte-identical files.

    `public_dir` is a folder laid out like ../shared/data/real (what `ina fetch --mirror` produces): the files
    are found through the manifest (`manifest_path`). `providers` are the ICB's acute trusts (ODS codes); the
    LSOA, population and deprivation are real, the records synthetic (SYNTHETIC.md says so beside them).
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    first, last = int(first_financial_year), int(last_financial_year)
    if first > last:
        raise ValueError(f"first_financial_year {first} is after last_financial_year {last}")
    unknown = sorted(set(sources) - set(SOURCES))
    if unknown or not sources:
        raise ValueError(f"sources must be a non-empty selection of {SOURCES}; unknown: {unknown}")
    providers = [str(p).strip().upper() for p in providers]
    bad = [p for p in providers if not (3 <= len(p) <= 5 and p.isalnum())]
    if not providers or bad or len(set(providers)) != len(providers):
        raise ValueError(f"providers must be distinct ODS codes of 3-5 letters or digits, got {providers!r}")
    seed = int(seed)
    sources = tuple(s for s in SOURCES if s in sources)
    out_dir = Path(out_dir)
    pub = _Public(Path(public_dir), Path(manifest_path))

    # --- the real geography -----------------------------------------------------------------------------------
    geo = _geography(pub, icb_code)
    codes = geo["lsoa_code"].to_list()
    pct, decile, iod_id = _deprivation(pub, codes)
    years = list(range(first, last + 1))
    model_years = list(range(min(first, params.BASE_FY), max(last, params.COMPARE_FY) + 1))  # rates calibrate
    pop, pop_info = _population(pub, codes, model_years)
    area, area_info = _area(geo, pct, decile, providers, pub, pop.icb[params.COMPARE_FY].sum(axis=(1, 2)))

    # --- the demo's rate model and record generator, on that geography -------------------------------------------
    rates = build_rates(area, pop, scale, stream(seed, "real-geography", "rates"))
    out_dir.mkdir(parents=True, exist_ok=True)
    writer = _SelectiveWriter(out_dir, sources)
    if "england_activity" in sources:
        write_england_activity(rates, writer, years)
    activity = ActivityGenerator(area, pop, rates, seed)
    if {"ecds_attendances", "apc_spells"} & set(sources):
        for month in months(first, last):
            activity.month(month, writer)
        write_pandemic_decisions(out_dir, months(first, last),
                                 tuple(s for s in ("ecds_attendances", "apc_spells") if s in sources))

    icb_name = geo["icb_name"][0]
    summary = {
        "seed": seed,
        "scale": scale,
        "financial_years": [fy_slash(y) for y in years],
        "sources": list(sources),
        "icb": {
            "ons_code": geo["icb_code"][0],
            "nhs_code": geo["icb_nhs_code"][0],
            "name": icb_name,
            "lsoas": len(codes),
            "providers": providers,
            "core20_lsoa_share": round(float((decile <= 2).mean()), 4),
            "lsoas_by_imd_decile": {str(d): int((decile == d).sum()) for d in range(1, 11)},
            **area_info,
        },
        "population_by_year": {str(y): int(pop.icb[y].sum()) for y in years},
        "england_population_by_year": {str(y): int(pop.england[y].sum()) for y in years},
        "population_sources": pop_info,
        "imd_source": iod_id,
        "records_by_financial_year": {
            fy_slash(y): {k: v.get(y, 0) for k, v in activity.records.items()} for y in years
        } if {"ecds_attendances", "apc_spells"} & set(sources) else {},
        "inputs": [{"id": sid, "path": path, "sha256": digest} for sid, path, digest in pub.used],
        "expected": rates.expected,
    }
    summary["files"] = writer.summary()
    summary["rows"] = {
        s: sum(f["rows"] for p, f in summary["files"].items() if p.startswith(_SelectiveWriter.PREFIXES[s]))
        for s in sources
    }
    _write_note(out_dir, summary)
    return summary


def _write_note(out_dir: Path, summary: dict) -> None:
    icb = summary["icb"]
    years = summary["financial_years"]
    period = f"FY{years[0]}" if len(years) == 1 else f"FY{years[0]} to FY{years[-1]}"
    lines = [
        "# SYNTHETIC DATA: not real patients, not the ICB's real activity",
        "",
        f"Every file listed below is **synthetic**: record-level emergency care attendances (ECDS-like) and admitted "
        f"patient care spells (SUS-like) drawn at random for the residents of {icb['name']} ({icb['ons_code']} / "
        f"{icb['nhs_code']}), {period}, by `demo/real_geography.py` "
        f"(seed {summary['seed']}, scale {summary['scale']}).",
        "",
        "Real (read from the public files below): the ICB's LSOA 2011 codes and sub-ICB locations, its population "
        "by LSOA and single year of age, England's population by age and sex, IMD 2019 deciles, the acute trusts' "
        "codes and department types. Synthetic: every record, and so every count, rate, ratio, trend and "
        "deprivation gradient computed from them. The event rates are the demo world's model and its planted "
        "effects (docs/raw-formats.md, \"What the demo world plants\"), not this ICB's measured performance. "
        "`uec/england_activity_by_age_sex.csv` is synthetic too (England's age-sex activity is not published).",
        "",
        "Never report figures computed from these files as the ICB's. Replace them with the ICB's own extracts "
        "(same names and layouts, docs/raw-formats.md §6).",
        "",
        "## Files written",
        "",
        "| file | rows | bytes |",
        "|---|---:|---:|",
    ]
    lines += [f"| `{path}` | {f['rows']} | {f['bytes']} |" for path, f in summary["files"].items()]
    lines += ["", "## Public files read", "", "| manifest id | file (under the public folder) | sha256 |",
              "|---|---|---|"]
    lines += [f"| `{i['id']}` | `{i['path']}` | `{i['sha256']}` |" for i in summary["inputs"]]
    lines += ["", "## Records by financial year", "", "| year | attendances | type 1 | spells | emergency spells | "
              "emergency bed days |", "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    for fy, r in summary["records_by_financial_year"].items():
        lines.append(f"| {fy} | {r['ecds_attendances']} | {r['ecds_type1']} | {r['apc_spells']} | "
                     f"{r['emergency_spells']} | {r['emergency_bed_days']} |")  # fmt: skip
    (out_dir / "SYNTHETIC.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
