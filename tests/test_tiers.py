"""The shared marts file holds what schemas/tiers.py releases, and nothing else (issue 12, item 7: Five Safes).

Built from the demo world's restricted working database (`.build/ina.duckdb`) with the real release function.
"""

from __future__ import annotations

import shutil

import duckdb
import polars as pl
import pytest

from pipelines.disclosure import DisclosureRule
from pipelines.indicators.catalogue import load_catalogue
from pipelines.shared_database import UndeclaredTableError, write_shared_database
from schemas.indicators import INDICATOR_MODELS
from schemas.marts import MART_MODELS
from schemas.tiers import DISCLOSED, MART_TIERS, RESTRICTED, SHARED, tier_of


@pytest.fixture(scope="module")
def shared(demo_world, tmp_path_factory):
    target = tmp_path_factory.mktemp("shared") / "ina.duckdb"
    summary = write_shared_database(demo_world.marts_dir / ".build" / "ina.duckdb", target, demo_world.profile,
                                    load_catalogue())
    return target, summary


def _tables(path) -> set[tuple[str, str]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return set(con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall())


def test_every_mart_model_has_a_tier():
    assert set(MART_TIERS) == set(MART_MODELS) | set(INDICATOR_MODELS)


def test_every_table_the_build_makes_has_a_tier(demo_world):
    built = _tables(demo_world.marts_dir / ".build" / "ina.duckdb")
    assert built and all(tier_of(schema, table) is not None for schema, table in built)


def test_the_shared_file_holds_the_shared_and_disclosed_marts_only(shared):
    target, summary = shared
    tables = _tables(target)
    assert {schema for schema, _ in tables} == {"marts"}  # no staging schema
    released = {table for _, table in tables}
    assert released == {t for t, (tier, _) in MART_TIERS.items() if tier in (SHARED, DISCLOSED)}
    assert not released & {t for t, (tier, _) in MART_TIERS.items() if tier == RESTRICTED}
    assert "staging.stg_uec__ed_attendances" in summary.restricted


def test_no_count_of_people_from_1_to_7_is_released(shared, demo_world):
    """Every count column of a disclosed table, where the row's count is of people, is 0, null or above the
    threshold: what a reader of the shared file sees, read back from it."""
    target, _ = shared
    rule = DisclosureRule.from_profile(demo_world.profile)
    checks = {
        "fct_indicator_values": [("numerator", "numerator_counts"), ("denominator", "denominator_counts"),
                                 ("expected", None), ("excess", None)],
        "fct_deprivation_gradients": [("activity", None), ("population", None)],
        "fct_right_drift": [("base_activity", None), ("activity", None), ("base_population", None),
                            ("population", None)],
    }
    with duckdb.connect(str(target), read_only=True) as con:
        for table, columns in checks.items():
            for column, unit in columns:
                people = f"AND coalesce({unit}, 'people') = 'people'" if unit else ""
                small = con.execute(
                    f"SELECT count(*) FROM marts.{table} WHERE level <> 'england' {people} "
                    f"AND {column} > {rule.min_suppressed - 1} AND {column} < {rule.max_suppressed + 0.5}"
                ).fetchone()[0]
                assert small == 0, f"{table}.{column}: {small} small counts released"


def test_the_shared_file_hides_what_the_commissioner_csvs_hide(shared, demo_world):
    target, _ = shared
    csv = pl.read_csv(demo_world.marts_dir / "outputs" / "csv" / "indicators_neighbourhood.csv",
                      infer_schema_length=0)
    with duckdb.connect(str(target), read_only=True) as con:
        released = con.execute(
            "SELECT count(*) FILTER (WHERE suppressed), count(*) FROM marts.fct_indicator_values "
            "WHERE level = 'neighbourhood'").fetchone()
    assert released == (csv.filter(pl.col("suppressed") == "true").height, csv.height)
    assert released[0] > 0


def test_shared_tables_are_copied_whole(shared, demo_world):
    target, _ = shared
    with duckdb.connect(str(target), read_only=True) as con:
        con.execute(f"ATTACH '{demo_world.marts_dir / '.build' / 'ina.duckdb'}' AS build (READ_ONLY)")
        for table in ("fct_population", "dim_geography", "fct_gp_workforce"):
            difference = con.execute(
                f"SELECT count(*) FROM (SELECT * FROM marts.{table} EXCEPT ALL SELECT * FROM build.marts.{table})"
            ).fetchone()[0]
            rows = con.execute(f"SELECT count(*) FROM marts.{table}").fetchone()[0]
            assert difference == 0 and rows > 0, table


def test_an_undeclared_table_stops_the_release(demo_world, tmp_path):
    working = tmp_path / "working.duckdb"
    shutil.copyfile(demo_world.marts_dir / ".build" / "ina.duckdb", working)
    with duckdb.connect(str(working)) as con:
        con.execute("CREATE TABLE marts.fct_new_detail AS SELECT 1 AS attendances")
    with pytest.raises(UndeclaredTableError, match="marts.fct_new_detail has no tier"):
        write_shared_database(working, tmp_path / "shared.duckdb", demo_world.profile, load_catalogue())
    assert not (tmp_path / "shared.duckdb").exists()


def test_the_pipelines_release_is_the_shared_file(shared, demo_world):
    """The file the run published is this module's shared file, content for content: no restricted table, no
    staging schema, in what the intelligence team opens."""
    from pipelines.publish import content_hash

    target, _ = shared
    assert content_hash(demo_world.database) == content_hash(target)
    released = _tables(demo_world.database)
    assert not {t for s, t in released if tier_of(s, t) == RESTRICTED}
    assert {s for s, _ in released} == {"marts"}


def test_the_working_database_is_the_owners_only(demo_world):
    import stat

    working = demo_world.working
    assert stat.S_IMODE(working.stat().st_mode) == 0o600
    assert stat.S_IMODE(working.parent.stat().st_mode) == 0o700
