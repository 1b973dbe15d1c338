"""Tables rebuilt by parts (pipelines/increments.py), on marts.fct_activity's own SQL over staging tables made
here: each build gives the rows a whole rebuild gives, and rebuilds only the financial years whose inputs changed.

The real graph's one-month refresh (tests/test_partitions.py) checks the same through Dagster.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from assets.marts import MART_TABLES
from pipelines.derived import install_macros
from pipelines.increments import LEDGER, build_by_parts
from schemas.ddl import create_table_sql

SPEC = next(spec for spec in MART_TABLES if spec.name == "fct_activity")
TABLE = "marts.fct_activity"
PARAMS = {"first_month": "2018-04-01", "last_month": "2020-03-01"}  # FY2018/19 and FY2019/20


def world() -> duckdb.DuckDBPyConnection:
    con = install_macros(duckdb.connect())
    con.execute("CREATE SCHEMA staging")
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE staging.stg_uec__ed_attendances (month DATE, lsoa_code VARCHAR, age_band VARCHAR, "
                "sex VARCHAR, department_type INTEGER, provider_code VARCHAR, attendances BIGINT)")
    con.execute("CREATE TABLE staging.stg_uec__admitted_spells (month DATE, lsoa_code VARCHAR, age_band VARCHAR, "
                "sex VARCHAR, is_emergency BOOLEAN, spells BIGINT, bed_days BIGINT)")
    con.execute("CREATE TABLE marts.dim_geography AS SELECT unnest(['E01000001', 'E01000002']) AS lsoa_code")
    months = [dt.date(2018 + (m - 1) // 12, (m - 1) % 12 + 1, 1) for m in range(4, 28)]  # 2018-04 .. 2020-03
    con.executemany("INSERT INTO staging.stg_uec__ed_attendances VALUES (?, ?, '20-24', 'F', ?, 'RXN', ?)",
                    [(m, lsoa, t, 3 + i % 5) for i, m in enumerate(months) for lsoa in ("E01000001", "E01000002")
                     for t in (1, 3)])
    con.executemany("INSERT INTO staging.stg_uec__admitted_spells VALUES (?, ?, '85-89', 'M', true, ?, ?)",
                    [(m, "E01000001", 1 + i % 3, 4 + i % 7) for i, m in enumerate(months)])
    return con


def build(con):
    con.execute("BEGIN TRANSACTION")
    done = build_by_parts(con, TABLE, "marts/fct_activity", create_table_sql(SPEC.model, TABLE), SPEC.parts,
                          PARAMS)
    con.execute("COMMIT")
    return done


def rows(con) -> tuple:
    return con.execute(f"SELECT count(*), sum(hash(t)), sum(activity) FROM {TABLE} AS t").fetchone()


def whole(con) -> tuple:
    """The table as a whole rebuild gives it (no ledger), on a copy of the inputs."""
    copy = duckdb.connect()
    install_macros(copy)
    for schema in ("staging", "marts"):
        copy.execute(f"CREATE SCHEMA {schema}")
    for table in ("staging.stg_uec__ed_attendances", "staging.stg_uec__admitted_spells", "marts.dim_geography"):
        copy.register("rows", con.execute(f"SELECT * FROM {table}").arrow())
        copy.execute(f"CREATE TABLE {table} AS SELECT * FROM rows")
        copy.unregister("rows")
    assert build(copy).whole
    return rows(copy)


def test_the_first_build_is_whole_and_an_unchanged_rebuild_keeps_every_row():
    con = world()
    first = build(con)
    assert first.whole and first.parts == ["2018", "2019"]
    before = rows(con)
    again = build(con)
    assert not again.whole and again.rebuilt == [] and again.describe() == "no part changed (of 2): rows kept as built"
    assert rows(con) == before == whole(con)


def test_a_changed_month_rebuilds_its_financial_year_only():
    con = world()
    build(con)
    con.execute("UPDATE staging.stg_uec__ed_attendances SET attendances = attendances + 100 "
                "WHERE month = DATE '2019-06-01' AND lsoa_code = 'E01000002'")
    con.execute("INSERT INTO staging.stg_uec__admitted_spells VALUES ('2019-07-01', 'E01000002', '0-4', 'F', true, "
                "1, 0)")
    done = build(con)
    assert (done.whole, done.rebuilt, done.removed) == (False, ["2019"], [])
    assert done.describe() == "1 of 2 parts rebuilt: 2019"
    assert rows(con) == whole(con)


def test_a_year_whose_inputs_are_gone_is_removed():
    con = world()
    build(con)
    con.execute("DELETE FROM staging.stg_uec__ed_attendances WHERE month < DATE '2019-04-01'")
    con.execute("DELETE FROM staging.stg_uec__admitted_spells WHERE month < DATE '2019-04-01'")
    done = build(con)
    assert (done.rebuilt, done.removed) == ([], ["2018"])
    assert con.execute(f"SELECT DISTINCT financial_year FROM {TABLE}").fetchall() == [(2019,)]
    assert rows(con) == whole(con)


@pytest.mark.parametrize("change", [
    "DELETE FROM marts.dim_geography WHERE lsoa_code = 'E01000002'",  # another geography: every year changes
    f"UPDATE {LEDGER} SET fingerprint = 'an older SQL' WHERE part = '*'",  # built by other SQL or parameters
    "DROP TABLE marts.fct_activity",
])
def test_a_change_to_the_whole_rebuilds_the_whole(change):
    con = world()
    build(con)
    con.execute(change)
    done = build(con)
    assert done.whole and done.rebuilt == ["2018", "2019"]
    assert rows(con) == whole(con)


def test_a_failed_build_leaves_table_and_ledger_as_they_were():
    con = world()
    build(con)
    before = rows(con), con.execute(f"SELECT * FROM {LEDGER} ORDER BY ALL").fetchall()
    con.execute("UPDATE staging.stg_uec__ed_attendances SET attendances = attendances + 1 "
                "WHERE month = DATE '2018-05-01'")
    con.execute("BEGIN TRANSACTION")
    build_by_parts(con, TABLE, "marts/fct_activity", create_table_sql(SPEC.model, TABLE), SPEC.parts, PARAMS)
    con.execute("ROLLBACK")  # what the table factory's transaction does when a later step fails
    assert (rows(con), con.execute(f"SELECT * FROM {LEDGER} ORDER BY ALL").fetchall()) == before
