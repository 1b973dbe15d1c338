"""Data quality: quarantine rules (SQL in staging), the Great Expectations suites on the marts (and their Data
Docs), the blocking of publication by a failing suite, and the record-level field guard."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import polars as pl
import pytest

from assets.staging import QUARANTINE_CHECK, QuarantineLimitError, quarantine
from pipelines.derived import install_macros
from pipelines.publish import content_hash
from pipelines.quality.record_level import record_level_fields, scan_database, scan_output_files
from pipelines.quality.runner import run_suites
from pipelines.quality.suites import SUITES, SUITES_BY_NAME, run_parameters
from pipelines.sql import SQL_DIR, replace_partitions, run_sql
from pipelines.sources.validation import validate_file
from schemas.ddl import duckdb_types
from schemas.examples import example_frame, write_example
from schemas.registry import RAW_SOURCES

ECDS = RAW_SOURCES["ecds_attendances"]
LOOKUP = [f"E0190{i:04d}" for i in range(1, 11)]  # E01900001 … E01900010: the last LSOA 2011 code is E01900010


# --- quarantine: the rules are SQL, run by the staging asset ------------------------------------------------


def lookup_db(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "q.duckdb"))
    install_macros(con)
    con.execute("CREATE SCHEMA staging")
    con.execute("CREATE TABLE staging.stg_geography__lsoas AS SELECT unnest($codes) AS lsoa_code", {"codes": LOOKUP})
    return con


def write_ecds(path: Path, lsoas: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    month = re.search(r"_(\d{4}-\d{2})\.csv", path.name).group(1)
    rows = [f"EC{i:08d},{month}-{1 + i % 28:02d},{code},{i % 90},{'12'[i % 2]},ZA1,01" for i, code in enumerate(lsoas)]
    path.write_text("\n".join([",".join(ECDS.columns), *rows]) + "\n", encoding="utf-8")
    return path


def params_for(source, paths: list[Path]) -> dict:
    return {"files": [str(p) for p in paths], "file_names": [p.name for p in paths],
            "columns": duckdb_types(source.model), "source": source.name}



def stage(con, table: str, params: dict) -> None:
    """Build one staging table as its asset does: the contract's DDL, then the SQL's rows."""
    from pipelines.sql import insert_select
    from schemas.ddl import create_table_sql
    from schemas.staging import STAGING_MODELS

    con.execute(create_table_sql(STAGING_MODELS[table], f"staging.{table}"))
    insert_select(con, f"staging.{table}", f"staging/{table}", params)


def test_lsoa_rule_quarantines_unknown_and_2021_codes_with_their_lines(tmp_path):
    con = lookup_db(tmp_path)
    ecds = tmp_path / "uec" / "ecds"
    first = write_ecds(ecds / "ecds_attendances_2019-04.csv", [LOOKUP[i % 10] for i in range(10)])
    # A big second file (the reader works in blocks of rows): bad codes on known lines, deep in the file.
    lsoas = [LOOKUP[i % 10] for i in range(150_000)]
    lsoas[3] = "E01999999"  # line 5: unknown
    lsoas[120_000] = "E01900015"  # line 120,002: numbered just after the last 2011 code -> a 2021 code
    lsoas[149_998] = "E01999999"  # line 150,000
    second = write_ecds(ecds / "ecds_attendances_2019-05.csv", lsoas)
    counts = quarantine(con, ECDS, [first, second], params_for(ECDS, [first, second]))
    rows = con.execute("SELECT file, line, column_name, value, reason FROM staging.quarantine_rows "
                       "ORDER BY file, line").fetchall()
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        (second.name, 5, "LSOA_OF_RESIDENCE", "E01999999"),
        (second.name, 120_002, "LSOA_OF_RESIDENCE", "E01900015"),
        (second.name, 150_000, "LSOA_OF_RESIDENCE", "E01999999"),
    ]
    assert rows[0][4] == "unknown LSOA code (not in the LSOA 2011 lookup)"
    assert rows[1][4].startswith("LSOA 2021 code in a 2011 source (numbered after E01900010")
    assert dict(zip(counts["reason"], counts["lines"])) == {rows[0][4]: 2, rows[1][4]: 1}

    # The staging table leaves the quarantined lines out, and only them.
    replace_partitions(con, "staging.stg_uec__ed_attendances", "staging/stg_uec__ed_attendances",
                       params_for(ECDS, [first, second]), "month", [dt.date(2019, 4, 1), dt.date(2019, 5, 1)])
    total, bad = con.execute("SELECT sum(attendances), count(*) FILTER (WHERE lsoa_code NOT LIKE 'E019000%') "
                             "FROM staging.stg_uec__ed_attendances").fetchone()
    assert (total, bad) == (10 + 150_000 - 3, 0)

    # Run again: the source's rows are replaced, not added to.
    quarantine(con, ECDS, [first, second], params_for(ECDS, [first, second]))
    assert con.execute("SELECT count(*) FROM staging.quarantine_rows").fetchone()[0] == 3


def test_quarantine_is_for_a_few_lines_not_a_wrong_file(tmp_path):
    con = lookup_db(tmp_path)
    path = write_ecds(tmp_path / "ecds_attendances_2019-04.csv", ["E01999999"] * 60 + LOOKUP * 4)
    with pytest.raises(QuarantineLimitError, match=r"60 of 100 lines of source ecds_attendances fail "
                                                   r"lsoa_in_lookup\(LSOA_OF_RESIDENCE\) \(more than 5%\)"):
        quarantine(con, ECDS, [path], params_for(ECDS, [path]))


def test_practice_in_two_pcns_passes_validation_and_is_quarantined(tmp_path):
    source = RAW_SOURCES["gp_practice_map"]
    frame = example_frame("gp_practice_map")
    twice = frame.head(1).with_columns(PCN_CODE=pl.lit("UZ9999"))
    path = write_example(tmp_path, "gp_practice_map", frame=frame.vstack(twice))
    assert validate_file(path, source).ok  # the repeated key is the quarantine rule's, not a reason to reject
    con = lookup_db(tmp_path)
    counts = quarantine(con, source, [path], params_for(source, [path]))
    rows = con.execute("SELECT line, value, reason FROM staging.quarantine_rows ORDER BY line").fetchall()
    code = frame["PRACTICE_CODE"][0]
    pcns = ", ".join(sorted([frame["PCN_CODE"][0], "UZ9999"]))
    assert rows == [(2, code, f"practice in 2 PCNs ({pcns})"), (frame.height + 2, code, f"practice in 2 PCNs ({pcns})")]
    assert counts["lines"].to_list() == [2]
    stage(con, "stg_gp__practices", params_for(source, [path]))
    kept = con.execute("SELECT count(*) FROM staging.stg_gp__practices WHERE practice_code = ?", [code]).fetchone()
    assert kept == (0,)


def test_every_source_with_a_rule_leaves_its_quarantined_lines_out_of_staging():
    from schemas.entities import ENTITIES

    for entity in ENTITIES.values():
        if entity.local is None:
            continue
        source = RAW_SOURCES[entity.local]
        text = (SQL_DIR / "staging" / f"{entity.table}.sql").read_text()
        for rule in source.quarantine:
            assert (SQL_DIR / "staging" / "quarantine" / f"{rule.rule}.sql").exists()
            assert "staging.quarantine_rows" in text and f"column_name = '{rule.column}'" in text, entity.table


def test_demo_world_quarantines_nothing_and_says_so(demo_world):
    evaluations = [e for e in demo_world.result.get_asset_check_evaluations() if e.check_name == QUARANTINE_CHECK]
    assert {e.asset_key.path[-1] for e in evaluations} == {
        "stg_imd__lsoa_deprivation", "stg_population__lsoa_age_sex", "stg_gp__practices",
        "stg_gp__registered_patients_lsoa", "stg_uec__ed_attendances", "stg_uec__admitted_spells"}
    assert all(e.passed and e.metadata["quarantined_lines"].value == 0 for e in evaluations)
    with demo_world.connect() as con:
        assert con.execute("SELECT count(*) FROM staging.quarantine_rows").fetchone()[0] == 0
    events = demo_world.result.get_asset_materialization_events()
    raw = {m.asset_key.path[-1]: m.materialization.metadata for m in events if m.asset_key.path[0] == "raw"}
    assert raw["ecds_attendances"]["policy"].value.startswith("reject on the model's rules; quarantine rows")
    assert raw["ae_monthly"]["policy"].value.startswith("reject:")


# --- Great Expectations suites ------------------------------------------------------------------------------


def test_every_suite_is_a_check_on_a_mart_with_its_query():
    from pipelines.platform.definitions import build_definitions

    checks = {(k.asset_key.to_user_string(), k.name)
              for k in build_definitions().resolve_asset_graph().asset_check_keys}
    for suite in SUITES:
        assert (f"marts/{suite.table}", suite.check_name) in checks
        if suite.query:
            assert (SQL_DIR / "quality" / f"{suite.query}.sql").exists()
    assert len({s.name for s in SUITES}) == len(SUITES)


def test_demo_world_meets_every_suite_and_builds_data_docs(demo_world):
    evaluations = {e.check_name: e for e in demo_world.result.get_asset_check_evaluations()
                   if e.check_name.startswith("gx_")}
    assert set(evaluations) == {suite.check_name for suite in SUITES}
    assert all(e.passed for e in evaluations.values()), {k: e.metadata for k, e in evaluations.items() if not e.passed}
    index = demo_world.marts_dir / "data_docs" / "index.html"
    assert index.exists() and evaluations["gx_fct_activity_every_month"].metadata["data_docs"].value == str(index)
    text = index.read_text(encoding="utf-8")
    listed = set(re.findall(r"validations/([a-z0-9_]+)/", text))
    assert listed == {suite.name for suite in SUITES}  # every suite's latest result, whichever step ran it
    # a plain-HTML summary that needs no JavaScript from a CDN: every suite, passed, linked to its page
    summary = text[text.index('<section id="ina-summary"'):text.index("</section>")]
    assert summary.count("<b>passed</b>") == len(SUITES)
    for link in re.findall(r'href="(validations/[^"]+)"', summary):
        assert (index.parent / link).exists()


def test_a_suite_names_what_failed():
    suite = SUITES_BY_NAME["fct_activity_every_month"]
    good = {"month": pd.Timestamp("2019-04-01"), "measure": "ae_attendances_all", "activity": 3}
    batch = pd.DataFrame([good, {**good, "month": pd.Timestamp("2019-05-01")},
                          {**good, "month": pd.Timestamp("2030-01-01")},  # a month outside the profile's
                          {**good, "month": pd.Timestamp("2019-06-01"), "activity": 0}])  # a month with no activity
    from pipelines.config import DEFAULT_PROFILE, load_profile

    result = run_suites([suite], {suite.name: batch}, run_parameters(load_profile(DEFAULT_PROFILE)))[suite.name]
    assert not result.success
    failed = {f.expectation: f for f in result.failed}
    assert set(failed) == {"ExpectColumnValuesToBeBetween(month)", "ExpectColumnValuesToBeBetween(activity)"}
    assert failed["ExpectColumnValuesToBeBetween(activity)"].unexpected == 1
    # the failing row is named by the suite's identifying columns, with the failing value
    assert failed["ExpectColumnValuesToBeBetween(month)"].sample == ("month=2030-01-01, measure=ae_attendances_all",)
    assert failed["ExpectColumnValuesToBeBetween(activity)"].sample == (
        "month=2019-06-01, measure=ae_attendances_all, activity=0",)
    assert "ExpectColumnValuesToBeBetween(month)" in result.failures_markdown()


@pytest.fixture
def good_marts(demo_world, tmp_path) -> Path:
    """A copy of the demo world's marts folder: the published file and the working copy behind it."""
    marts = tmp_path / "marts"
    (marts / ".build").mkdir(parents=True)
    shutil.copyfile(demo_world.database, marts / "ina.duckdb")
    shutil.copyfile(demo_world.marts_dir / ".build" / "ina.duckdb", marts / ".build" / "ina.duckdb")
    return marts


def test_a_failing_blocking_suite_stops_publication(demo_world, good_marts):
    """An LSOA-year missing from the population estimates: every model-level check passes, the GX grid suite
    (row counts against dim_geography) fails, and the published marts stay as they were."""
    from pipelines.platform.definitions import demo_graph
    ALL_ASSETS, ALL_CHECKS = demo_graph()
    from assets.resources import InaSettings, build_resources

    before = content_hash(good_marts / "ina.duckdb")
    with duckdb.connect(str(good_marts / ".build" / "ina.duckdb")) as con:
        con.execute("DELETE FROM staging.stg_population__lsoa_age_sex WHERE year = 2020 AND lsoa_code = "
                    "(SELECT min(lsoa_code) FROM marts.dim_geography)")
    settings = InaSettings(raw_dir=str(demo_world.raw_dir), marts_dir=str(good_marts),
                           profile_path=str(demo_world.profile.source_path))
    result = dg.materialize([*ALL_ASSETS, *ALL_CHECKS], selection=["marts/fct_population", "published/ina_duckdb"],
                            resources=build_resources(settings), instance=dg.DagsterInstance.ephemeral(),
                            raise_on_error=False)
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert checks["conforms_to_model"].passed and checks["reconciles_with_estimates"].passed
    grid = checks["gx_fct_population_complete_grid"]
    assert not grid.passed
    assert "ExpectColumnPairValuesToBeEqual(rows_in_mart, rows_expected)" in grid.metadata["failures"].value
    assert checks["gx_fct_population_plausible_lsoas"].passed  # a warning suite of the same mart still reports
    published = [m for m in result.get_asset_materialization_events() if m.asset_key.path[0] == "published"]
    assert not published and not result.success
    assert content_hash(good_marts / "ina.duckdb") == before
    assert "fct_population_complete_grid" in (good_marts / "data_docs" / "index.html").read_text(encoding="utf-8")


# --- no record-level field in any mart or output ------------------------------------------------------------


def test_record_level_fields_come_from_the_record_level_models():
    fields = record_level_fields()
    assert {"EC_IDENT", "SPELL_ID", "ARRIVAL_DATE", "ADMISSION_DATE", "DISCHARGE_DATE", "AGE_AT_ARRIVAL",
            "AGE_ON_ADMISSION", "LENGTH_OF_STAY", "NHS_NUMBER", "DATE_OF_BIRTH"} <= fields
    # aggregated fields of the same extracts are not record level
    assert not {"LSOA_OF_RESIDENCE", "PROVIDER_CODE", "AGE_BAND", "SEX", "ACTIVITY", "MONTH"} & fields


def test_no_mart_or_output_has_a_record_level_field(demo_world):
    with demo_world.connect() as con:
        tables = con.execute("SELECT count(DISTINCT table_name) FROM information_schema.tables "
                             "WHERE table_schema = 'marts'").fetchone()[0]
        assert tables >= 14 and scan_database(con, ("marts", "staging")) == []
    outputs = demo_world.marts_dir / "outputs"
    assert list(outputs.rglob("*.csv")) and list(outputs.rglob("*.xlsx"))
    assert scan_output_files(outputs) == []
    evaluations = [e for e in demo_world.result.get_asset_check_evaluations()
                   if e.check_name == "no_record_level_fields"]
    assert len(evaluations) >= 18 and all(e.passed for e in evaluations)


def test_the_guard_finds_a_record_level_field(tmp_path):
    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.fct_oops (lsoa_code VARCHAR, \"Arrival Date\" DATE, spell_id VARCHAR)")
        found = [str(f) for f in scan_database(con)]
    assert found == ["marts.fct_oops: 'Arrival Date' is a record-level field",
                     "marts.fct_oops: 'spell_id' is a record-level field"]
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "x.csv").write_text("area_code,EC_IDENT,value\n")
    assert [f.column for f in scan_output_files(tmp_path)] == ["EC_IDENT"]


def _indicator_values(con, rows) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute("CREATE TABLE marts.fct_indicator_values (indicator_id VARCHAR, level VARCHAR, area_code VARCHAR, "
                "period VARCHAR, value DOUBLE)")
    con.executemany("INSERT INTO marts.fct_indicator_values VALUES (?, ?, ?, ?, ?)", rows)


def test_an_earlier_value_that_moved_since_the_last_release_is_a_warning(tmp_path):
    from assets.quality import attach_last_release
    from pipelines.quality.runner import load_batch
    from pipelines.quality.suites import RELEASE_DRIFT

    suite = SUITES_BY_NAME["fct_indicator_values_against_last_release"]
    assert not suite.blocking
    last = [("crude", "system", "S1", "2022/23", 100.0), ("crude", "system", "S1", "2023/24", 100.0),
            ("crude", "footprint", "F1", "2022/23", 50.0), ("crude", "lsoa", "L1", "2022/23", 5.0),
            ("dsr", "system", "S1", "2022/23", None)]  # suppressed in the release: nothing to compare
    now = [("crude", "system", "S1", "2022/23", 100.0 * (1 + RELEASE_DRIFT / 2)),  # a revision: within the rule
           ("crude", "system", "S1", "2023/24", 150.0),  # the latest period: a new month moves it by design
           ("crude", "footprint", "F1", "2022/23", 60.0),  # history rewritten by 20%: the finding
           ("crude", "lsoa", "L1", "2022/23", 10.0),  # LSOAs are not compared (small numbers move)
           ("dsr", "system", "S1", "2022/23", 80.0), ("dsr", "system", "S1", "2023/24", 80.0)]
    with duckdb.connect(str(tmp_path / "release.duckdb")) as con:
        _indicator_values(con, last)
    con = duckdb.connect()
    _indicator_values(con, now)
    attach_last_release(con, tmp_path / "release.duckdb", {suite.table})
    batch = load_batch(con, suite, {})
    assert len(batch) == 2  # system and footprint 2022/23
    result = run_suites([suite], {suite.name: batch}, {})[suite.name]
    assert not result.success
    (failed,) = result.failed
    assert failed.unexpected == 1 and "area_code=F1" in str(failed.sample) and "period=2022/23" in str(failed.sample)

    first = duckdb.connect()  # before the first release: the suite runs on no rows and passes
    _indicator_values(first, now)
    attach_last_release(first, None, {suite.table})
    batch = load_batch(first, suite, {})
    assert batch.empty and run_suites([suite], {suite.name: batch}, {})[suite.name].success
