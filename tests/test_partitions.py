"""Partitions: activity by month, population by mid-year, IMD by edition (assets/partitions.py).

Each test starts from a copy of the demo world's marts (published file and working copy) and a raw folder of
symlinks to its files, runs a range of partitions through the real graph, and compares the staging tables and
marts before and after: a backfill of a range is one run per kind of partition, and re-running a partition
replaces that partition's rows and nothing else.
"""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from bad_inputs.harness import copy_marts, materialize, overlay_raw
from typer.testing import CliRunner

from assets.raw import raw_asset_key
from assets.staging import staging_asset_key
from pipelines.platform.cli import app
from pipelines.config import DEFAULT_PROFILE, load_profile
from pipelines.platform.definitions import demo_graph
from assets.partitions import (
    BY_EDITION,
    IMD_EDITIONS,
    POPULATION_YEARS,
    YEARLY,
    PartitionFilesError,
    partitionings,
)
from assets.partitions import parse_range as _parse_range

ALL_ASSETS, _ = demo_graph()
PARTS = partitionings(load_profile(DEFAULT_PROFILE).first_month)  # the demo profile's partitions
MONTHLY = PARTS["month"]
ACTIVITY_MONTHS = MONTHLY.definition


def parse_range(kind, text):
    return _parse_range(kind, text, PARTS)
from pipelines.increments import LEDGER
from pipelines.publish import content_hash
from pipelines.platform.run import partition_selection, partitioned_keys

ECDS_STAGING = staging_asset_key("stg_uec__ed_attendances")
FCT_ACTIVITY = dg.AssetKey(["marts", "fct_activity"])


STAGED_BY_MONTH = "SELECT month, sum(attendances) FROM staging.stg_uec__ed_attendances GROUP BY 1"
# the shared file holds no fct_activity (restricted): the system's attendances are the crude rate's numerator
PUBLISHED_BY_YEAR = ("SELECT CAST(left(period, 4) AS INTEGER), numerator FROM marts.fct_indicator_values "
                     "WHERE indicator_id = 'ae_attendances_all_crude_rate' AND level = 'system'")


def totals(database: Path, query: str) -> dict:
    with duckdb.connect(str(database), read_only=True) as con:
        return dict(con.execute(query).fetchall())


def staged_partitions(result, key: dg.AssetKey) -> list[str]:
    return sorted(e.partition for e in result.get_asset_materialization_events() if e.asset_key == key)


@pytest.fixture
def world(demo_world, tmp_path):
    """(raw folder of symlinks, marts folder copied from the demo world, profile path)."""
    marts = copy_marts(demo_world.marts_dir, tmp_path / "marts")
    raw = overlay_raw(demo_world.raw_dir, tmp_path / "raw")
    return raw, marts, demo_world.profile.source_path


def test_partitioned_assets_and_their_definitions():
    by_key = {key: asset for asset in ALL_ASSETS for key in asset.keys}
    expected = {
        ACTIVITY_MONTHS: ["ecds_attendances", "apc_spells", "ae_monthly", "gp_patients_age_sex",
                          "gp_workforce_practice"],
        POPULATION_YEARS: ["population_lsoa", "population_england"],
        IMD_EDITIONS: ["imd_file7"],
    }
    staging = {"ecds_attendances": "stg_uec__ed_attendances", "apc_spells": "stg_uec__admitted_spells",
               "ae_monthly": "stg_uec__ae_monthly_providers", "gp_patients_age_sex": "stg_gp__registered_patients_age_sex",
               "gp_workforce_practice": "stg_gp__workforce_practice", "population_lsoa": "stg_population__lsoa_age_sex",
               "population_england": "stg_population__england_age_sex", "imd_file7": "stg_imd__lsoa_deprivation"}
    for definition, sources in expected.items():
        for source in sources:
            for key in (raw_asset_key(source), staging_asset_key(staging[source])):
                assert by_key[key].partitions_def == definition, key
                assert by_key[key].backfill_policy == dg.BackfillPolicy.single_run(), key
    partitioned = {key for key, asset in by_key.items() if asset.partitions_def is not None}
    assert len(partitioned) == 16  # the marts above roll the partitions up; they are not partitioned
    assert ACTIVITY_MONTHS.get_first_partition_key() == "2018-04-01"  # April of the profile's first FY


def test_a_backfill_of_a_range_is_one_run_and_changes_nothing_when_the_files_have_not(world):
    raw, marts, profile = world
    before = content_hash(marts / ".build" / "ina.duckdb", ("staging",))
    monthly_only = partitioned_keys(ALL_ASSETS, ACTIVITY_MONTHS)
    result = materialize(raw, marts, profile, monthly_only, ranges={"month": ("2019-04-01", "2019-06-01")})

    assert result.success
    assert len(result.results) == 1  # three months of five sources: one run
    months = ["2019-04-01", "2019-05-01", "2019-06-01"]
    for key in monthly_only:
        assert staged_partitions(result, key) == months, key
    assert content_hash(marts / ".build" / "ina.duckdb", ("staging",)) == before  # same files, same rows


def test_rerunning_one_month_replaces_that_month_and_nothing_else(world):
    raw, marts, profile = world
    june = raw / "uec" / "ecds" / "ecds_attendances_2021-06.csv"
    lines = june.resolve().read_text(encoding="utf-8").splitlines(keepends=True)
    june.unlink()
    june.write_text("".join(lines[:-40]), encoding="utf-8")  # a corrected extract: 40 records fewer
    staged_before = totals(marts / ".build" / "ina.duckdb", STAGED_BY_MONTH)
    published_before = totals(marts / "ina.duckdb", PUBLISHED_BY_YEAR)

    # the month's partitions and everything unpartitioned (publication releases only a whole build): what
    # `ina materialize --months` runs
    selection = partition_selection(ALL_ASSETS, {"month"})
    result = materialize(raw, marts, profile, selection, ranges={"month": ("2021-06-01", "2021-06-01")})

    assert result.success
    assert staged_partitions(result, ECDS_STAGING) == ["2021-06-01"]
    assert staged_partitions(result, staging_asset_key("stg_population__england_age_sex")) == []  # other kinds
    assert any(m.asset_key.path[0] == "published" for m in result.get_asset_materialization_events())
    staged_after = totals(marts / ".build" / "ina.duckdb", STAGED_BY_MONTH)
    changed = {month: staged_before[month] - staged_after[month] for month in staged_before
               if staged_after.get(month) != staged_before[month]}
    assert {month.isoformat(): fewer for month, fewer in changed.items()} == {"2021-06-01": 40}
    # the financial-year rollup was rebuilt and published: FY2021/22 has 40 attendances fewer, other years as were
    published_after = totals(marts / "ina.duckdb", PUBLISHED_BY_YEAR)
    assert {year: published_before[year] - published_after[year] for year in published_before} == {
        year: 40 if year == 2021 else 0 for year in published_before}

    # the corrected month rewrote an earlier year: the warning against the last release names that year only
    (drift,) = [e for e in result.get_asset_check_evaluations()
                if e.check_name == "gx_fct_indicator_values_against_last_release"]
    assert drift.metadata["rows"].value > 0 and not drift.passed and not drift.blocking
    periods = set(re.findall(r"period=([0-9/]+)", drift.metadata["failures"].value))
    assert periods == {"2021/22"}, drift.metadata["failures"].value  # a small footprint's rate moved by 9%

    # fct_activity was rebuilt for FY2021/22 only (pipelines/increments.py) and is what a full rebuild gives
    (activity,) = [m for m in result.get_asset_materialization_events() if m.asset_key == FCT_ACTIVITY]
    assert activity.materialization.metadata["parts"].value == "1 of 7 parts rebuilt: 2021"
    working = marts / ".build" / "ina.duckdb"
    incremental = content_hash(working, ("marts",))
    with duckdb.connect(str(working)) as con:
        con.execute(f"DROP TABLE {LEDGER}")  # no ledger: the next build is of the whole table
    rebuilt = materialize(raw, marts, profile, [FCT_ACTIVITY])
    assert rebuilt.success
    (activity,) = [m for m in rebuilt.get_asset_materialization_events() if m.asset_key == FCT_ACTIVITY]
    assert activity.materialization.metadata["parts"].value == "whole table built (7 parts)"
    assert content_hash(working, ("marts",)) == incremental


def test_rerunning_one_mid_year_leaves_the_other_years_alone(world):
    raw, marts, profile = world
    working = marts / ".build" / "ina.duckdb"
    with duckdb.connect(str(working)) as con:
        con.execute("DELETE FROM staging.stg_population__england_age_sex WHERE year = 2023")
        con.execute("UPDATE staging.stg_population__england_age_sex SET population = 0 WHERE year = 2019")
    keys = partitioned_keys(ALL_ASSETS, POPULATION_YEARS)
    result = materialize(raw, marts, profile, keys, ranges={"year": ("2023", "2023")})

    assert result.success
    with duckdb.connect(str(working), read_only=True) as con:
        totals = dict(con.execute("SELECT year, sum(population) FROM staging.stg_population__england_age_sex "
                                  "GROUP BY 1").fetchall())
    assert totals[2023] > 50_000_000  # reloaded from its file
    assert totals[2019] == 0  # not touched: only 2023 was replaced
    assert set(totals) == set(range(2018, 2025))


def test_a_new_imd_edition_is_a_new_partition_beside_the_old_one(world):
    """The 2019 file copied under an IoD2015 name (same layout): loading it adds edition 2015 and leaves the
    2019 rows exactly as they were."""
    raw, marts, profile = world
    (edition_2019,) = (raw / "imd").glob("*IoD2019*")
    edition_2019.with_name(edition_2019.name.replace("IoD2019", "IoD2015")).symlink_to(edition_2019.resolve())
    query = "SELECT imd_edition, count(*), sum(hash(s)) FROM staging.stg_imd__lsoa_deprivation AS s GROUP BY 1"
    with duckdb.connect(str(marts / ".build" / "ina.duckdb"), read_only=True) as con:
        before = dict((edition, rest) for edition, *rest in con.execute(query).fetchall())
    keys = partitioned_keys(ALL_ASSETS, IMD_EDITIONS)
    result = materialize(raw, marts, profile, keys, ranges={"edition": ("2015", "2015")})

    assert result.success
    assert staged_partitions(result, staging_asset_key("stg_imd__lsoa_deprivation")) == ["2015"]
    with duckdb.connect(str(marts / ".build" / "ina.duckdb"), read_only=True) as con:
        after = dict((edition, rest) for edition, *rest in con.execute(query).fetchall())
    assert after[2019] == before[2019] and after[2015][0] == before[2019][0]


def test_a_range_with_a_month_missing_fails_naming_the_month_and_publishes_nothing(world):
    raw, marts, profile = world
    before = content_hash(marts / "ina.duckdb")
    (raw / "uec" / "ecds" / "ecds_attendances_2021-06.csv").unlink()
    selection = partition_selection(ALL_ASSETS, {"month"}) - dg.AssetSelection.key_prefixes("outputs")
    result = materialize(raw, marts, profile, selection, ranges={"month": ("2021-04-01", "2021-09-01")})

    assert not result.success
    failed = {e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"}
    assert failed == {"raw__ecds_attendances"}
    message = next(e.event_specific_data.error for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    while message.cause is not None:
        message = message.cause
    assert "ecds_attendances" in message.message and "2021-06" in message.message
    assert not any(m.asset_key.path[0] == "published" for m in result.get_asset_materialization_events())
    assert content_hash(marts / "ina.duckdb") == before


def test_file_names_give_partitions_and_ranges_are_checked(tmp_path):
    assert MONTHLY.key_of(Path("ecds_attendances_2024-06.csv.gz")) == "2024-06-01"
    assert MONTHLY.key_of(Path("ecds_attendances_2024-13.csv")) is None
    assert BY_EDITION.key_of(Path("File_7_-_All_IoD2025_Scores.csv")) == "2025"
    with pytest.raises(PartitionFilesError, match="outside the month partitions"):
        MONTHLY.keys_of_files([tmp_path / "ecds_attendances_2016-01.csv"], "ecds_attendances")
    with pytest.raises(PartitionFilesError, match="must carry its month"):
        MONTHLY.keys_of_files([tmp_path / "ecds_attendances.csv"], "ecds_attendances")
    assert parse_range("month", "2024-04..2024-06") == ("2024-04-01", "2024-06-01")
    assert parse_range("year", "2023") == ("2023", "2023")
    for kind, text, problem in [("month", "2024-6", "YYYY-MM"), ("month", "2017-01", "not a month partition"),
                                ("year", "2024..2019", "after the last"), ("edition", "19", "YYYY")]:
        with pytest.raises(ValueError, match=problem):
            parse_range(kind, text)
    result = CliRunner().invoke(app, ["materialize", "--months", "2024-13"])
    assert result.exit_code == 2 and "YYYY-MM" in result.output


def test_one_file_per_source_and_period(tmp_path):
    """A period of a source held by two files (a .csv and its .csv.gz, or two names carrying the month) is
    refused, naming both, wherever partitions are read from files (ina materialize's phases, the sensor, the
    raw asset's files for its partitions); population's two files a year (males, females) are one delivery."""
    april, copy = tmp_path / "ecds_attendances_2019-04.csv", tmp_path / "ecds_attendances_2019-04.csv.gz"
    may = tmp_path / "ecds_attendances_2019-05.csv"
    with pytest.raises(PartitionFilesError, match="more than one file for 1 period") as caught:
        MONTHLY.keys_of_files([april, copy, may], "ecds_attendances")
    assert f"2019-04: {april} and {copy}" in str(caught.value)
    with pytest.raises(PartitionFilesError, match=re.escape(str(copy))):
        MONTHLY.files_for([april, copy, may], ["2019-04-01"], "ecds_attendances")
    assert MONTHLY.files_for([april, copy, may], ["2019-05-01"], "ecds_attendances") == [may]
    renamed = tmp_path / "ecds_attendances_resent_2019-04.csv"
    with pytest.raises(PartitionFilesError, match="resent"):
        MONTHLY.keys_of_files([april, renamed], "ecds_attendances")
    sexes = [tmp_path / "sape_lsoa11_mid2019_males.csv", tmp_path / "sape_lsoa11_mid2019_females.csv"]
    assert YEARLY.keys_of_files(sexes, "population_lsoa") == ["2019"]
    with pytest.raises(PartitionFilesError, match="mid2019 males"):
        YEARLY.keys_of_files([*sexes, tmp_path / "sape_lsoa11_mid2019_males.csv.gz"], "population_lsoa")


def test_a_month_missing_from_the_staged_rows_stops_publication(world):
    """A working copy where a month was never loaded (rows deleted here): the marts built from it have a gap,
    and the blocking suite `gx_fct_activity_every_month` stops the run before publication."""
    raw, marts, profile = world
    before = content_hash(marts / "ina.duckdb")
    with duckdb.connect(str(marts / ".build" / "ina.duckdb")) as con:
        con.execute("DELETE FROM staging.stg_uec__ed_attendances WHERE month = DATE '2021-06-01'")
    selection = (dg.AssetSelection.assets(dg.AssetKey(["marts", "fct_activity"])).downstream()
                 - dg.AssetSelection.key_prefixes("outputs"))
    result = materialize(raw, marts, profile, selection)

    assert not result.success
    (gap,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "gx_fct_activity_every_month"]
    assert not gap.passed and "2021-06-01" in gap.metadata["failures"].value
    materialised = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()}
    assert "marts/fct_activity" in materialised and "published/ina_duckdb" not in materialised
    assert content_hash(marts / "ina.duckdb") == before


def test_a_range_on_a_graph_without_partitions_is_an_error_not_a_silent_success(tmp_path):
    """The public-data graph (config/profiles/lsc.yaml) has no partitions: `--months` there runs nothing and
    must say so."""
    from pipelines.config import PROJECT_DIR
    from pipelines.platform.run import materialize_all

    lines = []
    ok = materialize_all(raw_dir=tmp_path, marts_dir=tmp_path / "marts",
                         profile=PROJECT_DIR / "config" / "profiles" / "lsc.yaml",
                         ranges={"month": ("2024-06-01", "2024-06-01")}, instance=dg.DagsterInstance.ephemeral(),
                         echo=lines.append)
    assert not ok
    assert "matches no asset" in "\n".join(lines)


def test_sources_covering_different_months_each_run_their_own_range(world):
    """ECDS held from April 2019 only, the other monthly sources from April 2018: with no range given, ECDS
    runs its 72 months and the others their 84, instead of ECDS failing for the year it does not have."""
    raw, marts, profile = world
    for path in (raw / "uec" / "ecds").glob("ecds_attendances_201[89]-*.csv"):
        if path.name < "ecds_attendances_2019-04.csv":
            path.unlink()
    monthly_only = partitioned_keys(ALL_ASSETS, ACTIVITY_MONTHS)
    result = materialize(raw, marts, profile, monthly_only)

    assert result.success
    assert len(result.results) == 2
    ecds = staged_partitions(result, ECDS_STAGING)
    spells = staged_partitions(result, staging_asset_key("stg_uec__admitted_spells"))
    assert (ecds[0], ecds[-1], len(ecds)) == ("2019-04-01", "2025-03-01", 72)
    assert (spells[0], spells[-1], len(spells)) == ("2018-04-01", "2025-03-01", 84)


def test_an_older_edition_found_after_a_newer_one_still_loads(world):
    """Dynamic partitions keep the order they were added in (2019, then 2015): editions run one by one, by key,
    so no range over that order is ever needed."""
    raw, marts, profile = world
    instance = dg.DagsterInstance.ephemeral()
    keys = partitioned_keys(ALL_ASSETS, IMD_EDITIONS)
    assert materialize(raw, marts, profile, keys, instance=instance).success
    (edition_2019,) = (raw / "imd").glob("*IoD2019*")
    edition_2019.with_name(edition_2019.name.replace("IoD2019", "IoD2015")).symlink_to(edition_2019.resolve())
    result = materialize(raw, marts, profile, keys, instance=instance)

    assert result.success and len(result.results) == 2
    assert instance.get_dynamic_partitions("imd_editions") == ["2019", "2015"]
    assert staged_partitions(result, staging_asset_key("stg_imd__lsoa_deprivation")) == ["2015", "2019"]
    with pytest.raises(PartitionFilesError, match="No IMD file for edition 1999 to 1999"):
        from pipelines.platform.run import _editions
        _editions(raw, ("1999", "1999"))


def test_a_month_rerun_ignores_quarantine_rows_another_month_left(world):
    """A quarantine row of June (say, an LSOA unknown to the lookup June was staged with) must not take that
    LSOA's rows out of July when July is re-run: each run filters by its own files' quarantine rows."""
    raw, marts, profile = world
    working = marts / ".build" / "ina.duckdb"
    with duckdb.connect(str(working)) as con:
        lsoa, july = con.execute("SELECT lsoa_code, sum(attendances) FROM staging.stg_uec__ed_attendances "
                                 "WHERE month = DATE '2021-07-01' GROUP BY 1 ORDER BY 2 DESC LIMIT 1").fetchone()
        con.execute("INSERT INTO staging.quarantine_rows VALUES ('ecds_attendances', "
                    "'ecds_attendances_2021-06.csv', 2, 'LSOA_OF_RESIDENCE', $lsoa, 'unknown LSOA code')",
                    {"lsoa": lsoa})
    monthly_only = partitioned_keys(ALL_ASSETS, ACTIVITY_MONTHS)
    assert materialize(raw, marts, profile, monthly_only, ranges={"month": ("2021-07-01", "2021-07-01")}).success
    with duckdb.connect(str(working), read_only=True) as con:
        after = con.execute("SELECT sum(attendances) FROM staging.stg_uec__ed_attendances "
                            "WHERE month = DATE '2021-07-01' AND lsoa_code = $lsoa", {"lsoa": lsoa}).fetchone()[0]
        june_row = con.execute("SELECT count(*) FROM staging.quarantine_rows WHERE file LIKE '%2021-06%'").fetchone()
    assert after == july
    assert june_row == (1,)  # June's row is June's business: July's run neither used nor removed it
