"""Synthetic local extracts on the real geography of Lancashire and South Cumbria (the "mixed profile").

The generator reads the real public files (../shared/data/real, or $INA_SHARED_DIR/data/real: tests/shared_paths.py;
skipped, saying why, without them); every check below reads the files it wrote, and the real files, independently
of the generator's own bookkeeping.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from pipelines.config import PROJECT_DIR
from pipelines.sources.fetch import load_manifest, resolve_path
from pipelines.sources.readers import read_source
from pipelines.sources.validation import validate_source
from schemas.registry import RAW_SOURCES
from shared_paths import REAL_DIR as REAL
from shared_paths import require, skip_reason

pytestmark = pytest.mark.needs_shared("data/real")

ICB = "E54000048"
PROVIDERS = ["RXR", "RXL", "RXN", "RTX"]  # as config/profiles/lsc.yaml
FY = 2023
SCALE = 0.02
SEED = 11
SOURCES = ("ecds_attendances", "apc_spells", "england_activity")
EMERGENCY = ["21", "22", "23", "24", "25", "2A", "2B", "2C", "2D", "28"]


def _generate(out: Path) -> dict:
    from demo.real_geography import generate_local_extracts

    return generate_local_extracts(out, public_dir=REAL, icb_code=ICB, providers=PROVIDERS,
                                   first_financial_year=FY, last_financial_year=FY, seed=SEED, scale=SCALE)


def _hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Path, dict]:
    require("data/real")
    out = tmp_path_factory.mktemp("local")
    return out, _generate(out)


@pytest.fixture(scope="module")
def real() -> dict[str, pl.DataFrame]:
    """The ICB's LSOAs (lookup), their IMD 2019 deciles and their mid-2020 persons, read from the real files."""
    require("data/real")
    entries = {e["id"]: e for e in load_manifest(PROJECT_DIR / "config" / "sources.yaml")}

    def read(sid: str) -> pl.DataFrame:
        path = resolve_path(entries[sid], REAL)
        if path is None:
            pytest.skip(skip_reason(f"data/real/{entries[sid]['mirror_path']}"))
        return read_source(entries[sid], path)

    lsoas = read("lookup_lsoa11_sicbl22_icb22_lad22").filter(pl.col("icb_code") == ICB).select("lsoa_code")
    iod = read("iod2019_file1").select("lsoa_code", "imd_decile")
    pop = (read("ons_sape_lsoa11_syoa_mid2020").filter(pl.col("lsoa_code").is_in(lsoas["lsoa_code"].implode()))
           .group_by("lsoa_code").agg(pl.col("population").sum()))  # fmt: skip
    return {"lsoas": lsoas.join(iod, on="lsoa_code", how="left").join(pop, on="lsoa_code", how="left")}


@pytest.fixture(scope="module")
def records(run) -> dict[str, pl.DataFrame]:
    out, _ = run
    ecds = pl.read_csv(sorted(out.glob("uec/ecds/*.csv")), infer_schema=False)
    apc = pl.read_csv(sorted(out.glob("uec/sus_apc/*.csv")), infer_schema=False)
    return {"ecds": ecds, "apc": apc, "emergency": apc.filter(pl.col("ADMISSION_METHOD").is_in(EMERGENCY))}


def test_every_file_validates_against_its_raw_model(run):
    out, summary = run
    for name in SOURCES:
        reports = validate_source(out, RAW_SOURCES[name])
        assert sum(r.rows for r in reports) == summary["rows"][name] > 0
    months = [f"{FY}-{m:02d}" for m in range(4, 13)] + [f"{FY + 1}-{m:02d}" for m in range(1, 4)]
    assert sorted(p.name for p in out.glob("uec/ecds/*.csv")) == [f"ecds_attendances_{m}.csv" for m in months]
    assert sorted(p.name for p in out.glob("uec/sus_apc/*.csv")) == [f"apc_spells_{m}.csv" for m in months]
    england = pl.read_csv(out / "uec" / "england_activity_by_age_sex.csv", infer_schema=False)
    assert england["FINANCIAL_YEAR"].unique().to_list() == [f"{FY}-{(FY + 1) % 100:02d}"]


def test_synthetic_note_lists_every_file_written(run):
    out, summary = run
    note = (out / "SYNTHETIC.md").read_text(encoding="utf-8")
    assert note.startswith("# SYNTHETIC DATA")
    listed = set(re.findall(r"^\| `(uec/[^`]+)` \|", note, flags=re.M))
    written = {p.relative_to(out).as_posix() for p in out.rglob("*.csv")}
    assert listed == written == set(summary["files"])
    assert str(REAL) not in note  # no machine-specific path: the note is as deterministic as the files


def test_every_lsoa_is_a_real_lsoa_of_the_icb(records, real):
    lsc = set(real["lsoas"]["lsoa_code"].to_list())
    assert len(lsc) == 1058
    for name in ("ecds", "apc"):
        written = set(records[name]["LSOA_OF_RESIDENCE"].unique().to_list())
        assert written <= lsc, sorted(written - lsc)[:5]
    assert len(set(records["ecds"]["LSOA_OF_RESIDENCE"].to_list())) >= 0.95 * len(lsc)


def test_providers_are_the_profiles_acute_trusts(records, run):
    _, summary = run
    profile = PROJECT_DIR / "config" / "profiles" / "lsc.yaml"
    if profile.exists():
        from pipelines.config import load_profile

        assert list(load_profile(profile).providers) == PROVIDERS
    outside = set(summary["icb"]["out_of_area_providers"])
    outside |= {successor for _, successor in summary["icb"]["successions"].values()}
    assert not outside & set(PROVIDERS)
    for name in ("ecds", "apc"):
        codes = records[name]["PROVIDER_CODE"]
        assert set(codes.unique().to_list()) <= set(PROVIDERS) | outside
        assert set(PROVIDERS) <= set(codes.unique().to_list())
        assert codes.is_in(PROVIDERS).mean() >= 0.9  # West Lancashire looks to Ormskirk and Southport
    # Southport and Ormskirk (RVY) became part of RBN on 1 July 2023
    ecds = records["ecds"].with_columns(month=pl.col("ARRIVAL_DATE").str.slice(0, 7))
    assert ecds.filter(pl.col("PROVIDER_CODE") == "RVY")["month"].max() <= "2023-06"
    assert ecds.filter(pl.col("PROVIDER_CODE") == "RBN")["month"].min() >= "2023-07"


def test_volumes_per_capita_are_plausible_at_scale_one(records, real, run):
    _, summary = run
    people = real["lsoas"]["population"].sum()  # real mid-2020 persons of the ICB
    assert 1.6e6 < people < 1.9e6
    per_1000 = {k: records[k].height / SCALE / people * 1000 for k in ("ecds", "emergency")}
    assert 250 <= per_1000["ecds"] <= 550, per_1000
    assert 70 <= per_1000["emergency"] <= 170, per_1000
    # observed counts agree with the generator's expectation within Poisson noise
    expected = summary["expected"]["icb_expected_counts"][str(FY)]
    for name, measure in (("ecds", "ae_attendances_all"), ("emergency", "emergency_admissions")):
        mu = expected[measure]
        assert abs(records[name].height - mu) < 5 * np.sqrt(mu), (name, records[name].height, mu)
    # England's activity carries the same scale
    england = pl.read_csv(run[0] / "uec" / "england_activity_by_age_sex.csv")
    ae = england.filter(pl.col("MEASURE") == "ae_attendances_all")["ACTIVITY"].sum()
    assert 250 <= ae / SCALE / summary["england_population_by_year"][str(FY)] * 1000 <= 550


def test_more_deprived_lsoas_use_more_urgent_care(records, real):
    lsoas = real["lsoas"]
    for name in ("ecds", "emergency"):
        counts = records[name].group_by("LSOA_OF_RESIDENCE").agg(n=pl.len()).rename({"LSOA_OF_RESIDENCE": "lsoa_code"})
        by_decile = (lsoas.join(counts, on="lsoa_code", how="left").with_columns(pl.col("n").fill_null(0))
                     .group_by("imd_decile").agg(pl.col("n").sum(), pl.col("population").sum())
                     .with_columns(rate=pl.col("n") / pl.col("population")).sort("imd_decile"))  # fmt: skip
        rate = dict(zip(by_decile["imd_decile"].to_list(), by_decile["rate"].to_list(), strict=True))
        assert rate[1] > 1.2 * rate[10], (name, rate)


def test_same_seed_gives_identical_bytes(run, tmp_path):
    out, _ = run
    again = tmp_path / "again"
    _generate(again)
    assert _hashes(again) == _hashes(out)
