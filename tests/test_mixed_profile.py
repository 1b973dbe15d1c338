"""The mixed profile: synthetic local ECDS/SUS extracts on the real LSC geography, public files for the rest.

One graph: `config/profiles/lsc-with-extracts.yaml` differs from the real public-data profile only in the layout
of three entities. The run here is the README's: fetch the public files from the mirror, `ina demo-data` for
the profile (synthetic extracts onto the real geography), materialise. It asserts that every catalogue
indicator is present at system, footprint and neighbourhood level or listed as unavailable with its reason, and
that every output says on its first line or page that it is built from synthetic records.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from pipelines.config import PROJECT_DIR, load_profile
from pipelines.sources.fetch import fetch_sources
from pipelines.indicators.catalogue import load_catalogue
from pipelines.platform.run import materialize_all
from shared_paths import REAL_DIR

PROFILE = PROJECT_DIR / "config" / "profiles" / "lsc-with-extracts.yaml"
LEVELS = ("system", "footprint", "neighbourhood")

pytestmark = [pytest.mark.slow, pytest.mark.needs_shared("data/real")]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    from demo.real_geography import generate_local_extracts

    profile = load_profile(PROFILE)
    raw = tmp_path_factory.mktemp("mixed_raw")
    marts = tmp_path_factory.mktemp("mixed_marts")
    fetch_sources(PROJECT_DIR / "config" / "sources.yaml", raw, mirror_dir=REAL_DIR)
    generate_local_extracts(raw, public_dir=raw, icb_code=profile.icb_code, providers=list(profile.providers),
                            first_financial_year=profile.first_financial_year,
                            last_financial_year=profile.last_financial_year, seed=7, scale=0.02,
                            sources=("ecds_attendances", "apc_spells", "england_activity"))
    lines: list[str] = []
    ok = materialize_all(raw_dir=raw, marts_dir=marts, profile=PROFILE, echo=lines.append)
    assert ok, "\n".join(lines[-40:])
    con = duckdb.connect(str(marts / ".build" / "ina.duckdb"), read_only=True)  # the working database: every table
    yield con, marts, profile
    con.close()


def test_the_profile_takes_three_entities_from_local_files_and_the_rest_from_public_ones():
    layouts = load_profile(PROFILE).layouts
    assert {name for name, layout in layouts.items() if layout == "local"} == {
        "ed_attendances", "admitted_spells", "england_activity"}
    assert layouts["geography"] == layouts["imd"] == layouts["workforce_practice"] == "public"


def test_every_indicator_is_present_at_each_level_or_listed_unavailable_with_a_reason(mixed):
    con, _, _ = mixed
    availability = con.execute("SELECT * FROM marts.fct_indicator_availability").pl()
    counts = {(i, level): n for i, level, n in con.execute(
        "SELECT indicator_id, level, count(*) FROM marts.fct_indicator_values GROUP BY ALL").fetchall()}
    problems = []
    for indicator in load_catalogue().indicators:
        for level in LEVELS:
            if level not in indicator.levels:
                continue
            row = availability.filter((pl.col("indicator_id") == indicator.id) & (pl.col("level") == level))
            assert row.height == 1, (indicator.id, level)
            available, reason = row["available"][0], row["reason"][0]
            if available and not counts.get((indicator.id, level)):
                problems.append(f"{indicator.id} at {level}: available but no rows")
            if not available and not reason:
                problems.append(f"{indicator.id} at {level}: unavailable with no reason")
    assert not problems, problems
    # the local extracts make the activity indicators real rows on the real geography
    demand = availability.filter(pl.col("family") == "demand", pl.col("level") == "system")
    assert demand["available"].all()
    assert counts[("emergency_admissions_isr", "footprint")] > 0
    assert counts[("emergency_admissions_isr", "neighbourhood")] > 0
    # and the synthetic inputs are named
    isr = availability.filter(pl.col("indicator_id") == "emergency_admissions_isr", pl.col("level") == "system")
    assert "admitted_spells" in isr["synthetic_inputs"][0]


def test_activity_is_on_the_real_lsoas_of_the_icb(mixed):
    con, _, _ = mixed
    outside = con.execute("SELECT count(*) FROM marts.fct_activity WHERE lsoa_code NOT IN "
                          "(SELECT lsoa_code FROM marts.dim_geography)").fetchone()[0]
    lsoas = con.execute("SELECT count(DISTINCT lsoa_code) FROM marts.fct_activity").fetchone()[0]
    assert outside == 0 and lsoas > 1000


def test_every_output_says_it_is_built_from_synthetic_records(mixed):
    _, marts, _ = mixed
    outputs = marts / "outputs"
    workbook = openpyxl.load_workbook(outputs / "ina_commissioner_indicators.xlsx", read_only=True)
    first = workbook["README"]["A1"].value
    assert first.startswith("SYNTHETIC DATA"), first
    csvs = sorted((outputs / "csv").glob("*.csv"))
    assert csvs
    for path in csvs:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("data_warning"), path.name
        assert all("SYNTHETIC DATA" in line for line in lines[1:]), path.name
    pages = sorted((outputs / "report").glob("*.html"))
    assert pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        body = html[html.index("<body"):]
        assert 'class="synthetic-warning"' in body[:600], page.name


def test_the_real_public_profile_says_nothing_of_synthetic_data():
    assert load_profile(PROJECT_DIR / "config" / "profiles" / "lsc.yaml").synthetic_entities == ()


def test_outputs_list_what_the_data_cannot_give(mixed):
    _, marts, _ = mixed
    frame = pl.read_csv(marts / "outputs" / "csv" / "not_available.csv")
    assert frame.height > 0 and frame["reason"].null_count() == 0
    html = (marts / "outputs" / "report" / "index.html").read_text(encoding="utf-8")
    assert "Not available from this profile" in html
