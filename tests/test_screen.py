"""The one-pass screen (schemas/screen.py) says "passes" only where pandera itself finds nothing wrong.

Each raw layout's example file (schemas/examples.py), typed as the validator types it, and the same frame broken
one cell at a time (emptied, replaced by text no rule admits, made negative, made a repeated key): wherever
pandera rejects a frame the screen must not pass it, and wherever pandera accepts it the screen must too (or
every file would pay for pandera's own run)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandera.errors as pa_errors
import polars as pl
import pytest

from pipelines.sources.validation import _batch_schema, _cast_expr
from schemas.examples import example_frame
from schemas.introspect import column_specs
from schemas.marts import MART_MODELS
from schemas.registry import RAW_SOURCES
from schemas.ddl import create_table_sql
from schemas.screen import passes, screen_table
from schemas.staging import STAGING_MODELS


def typed_example(name: str) -> pl.DataFrame:
    source = RAW_SOURCES[name]
    text = example_frame(name).select(pl.all().cast(pl.String))
    specs = column_specs(source.model)
    return text.with_columns(**{s.name: _cast_expr(s.name, s.dtype) for s in specs if s.dtype != pl.String})


def alike(name: str) -> set[str]:
    """Columns of the layout whose rules repeat an earlier column's (the 91 ages of a population file): each rule
    is broken once, in its first column."""
    seen, repeats = set(), set()
    for spec in column_specs(RAW_SOURCES[name].model):
        rules = (spec.dtype, spec.nullable, spec.unique, tuple(repr(c) for c in spec.checks))
        if rules in seen:
            repeats.add(spec.name)
        seen.add(rules)
    return repeats


def broken(frame: pl.DataFrame, skip: set[str] = frozenset()) -> list[pl.DataFrame]:
    frames = []
    for name, dtype in frame.schema.items():
        if name in skip:
            continue
        frames.append(frame.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(None)
                                         .otherwise(pl.col(name)).alias(name)))
        if dtype == pl.String:
            frames.append(frame.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("?? not a code"))
                                             .otherwise(pl.col(name)).alias(name)))
        elif dtype.is_numeric():
            frames.append(frame.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(-pl.col(name).abs() - 1)
                                             .otherwise(pl.col(name)).alias(name)))
    frames.append(pl.concat([frame, frame.head(1)]))
    frames.append(frame.drop(frame.columns[0]))
    return frames


def pandera_accepts(schema, frame: pl.DataFrame) -> bool:
    try:
        schema.validate(frame, lazy=True)
        return True
    except (pa_errors.SchemaErrors, pa_errors.SchemaError):
        return False


@pytest.mark.parametrize("name", sorted(RAW_SOURCES))
def test_the_screen_agrees_with_pandera_on_every_raw_layout(name):
    schema = _batch_schema(RAW_SOURCES[name].model)
    good = typed_example(name)
    assert pandera_accepts(schema, good) and passes(schema, good)
    verdicts = [(pandera_accepts(schema, frame), passes(schema, frame)) for frame in broken(good, alike(name))]
    assert all(accepted == screened for accepted, screened in verdicts), verdicts
    assert any(not accepted for accepted, _ in verdicts)  # the broken frames do break rules


def test_the_screen_checks_a_models_keys_when_asked():
    schema = MART_MODELS["fct_activity"].to_schema()
    row = {"lsoa_code": "E01900001", "month": dt.date(2019, 4, 1), "financial_year": 2019, "age_band": "0-4",
           "sex": "M", "measure": "ae_attendances_all", "activity": 3}
    frame = pl.DataFrame([row]).cast({"financial_year": pl.Int32, "activity": pl.Int64})
    key = ["lsoa_code", "month", "age_band", "sex", "measure"]
    assert passes(schema, frame) and passes(schema, frame, unique=[key])
    assert not passes(schema, pl.concat([frame, frame]))  # the model's own Config.unique
    assert not passes(schema, pl.concat([frame, frame]), unique=[key])
    assert not passes(schema, frame.with_columns(activity=pl.lit(0, pl.Int64)), unique=[key])


# --- screen_table: a DuckDB table in batches, its keys in SQL ------------------------------------------------


def _activity_table(rows: int) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute(create_table_sql(MART_MODELS["fct_activity"], "marts.fct_activity"))
    con.execute("""INSERT INTO marts.fct_activity
        SELECT 'E01' || lpad(CAST(900000 + i AS VARCHAR), 6, '0'), DATE '2019-04-01', 2019, '0-4', 'M',
               'ae_attendances_all', 3
        FROM range($rows) AS t(i)""", {"rows": rows})
    return con


def test_screen_table_reads_a_table_in_batches_and_asks_its_keys_of_the_whole_table():
    schema = MART_MODELS["fct_activity"].to_schema()
    con = _activity_table(1_000)
    assert screen_table(con, "marts.fct_activity", schema, batch_rows=300) == 1_000
    # a key repeated across two batches: no batch alone shows it
    con.execute("INSERT INTO marts.fct_activity SELECT * FROM marts.fct_activity WHERE lsoa_code = 'E01900000'")
    assert screen_table(con, "marts.fct_activity", schema, batch_rows=300) is None
    con.execute("DELETE FROM marts.fct_activity")
    assert screen_table(con, "marts.fct_activity", schema) == 0  # empty: the columns and types still screened


def test_screen_table_fails_a_bad_value_in_a_later_batch():
    schema = MART_MODELS["fct_activity"].to_schema()
    con = _activity_table(1_000)
    con.execute("UPDATE marts.fct_activity SET activity = -1 WHERE lsoa_code = 'E01900999'")
    assert screen_table(con, "marts.fct_activity", schema, batch_rows=300) is None
    with pytest.raises(pa_errors.SchemaErrors):  # what the caller then runs, on the table read whole
        schema.validate(con.execute("SELECT * FROM marts.fct_activity").pl(), lazy=True)


def test_every_table_the_demo_built_passes_the_table_screen(demo_world):
    """The screen passes every good mart and staging table of a real run, so none is read whole to be checked
    (DuckDB's Arrow batches give the models' dtypes)."""
    with demo_world.connect() as con:
        for schema_name, models in (("marts", MART_MODELS), ("staging", STAGING_MODELS)):
            for table, model in models.items():
                qualified = f'{schema_name}."{table}"'
                rows = con.execute(f"SELECT count(*) FROM {qualified}").fetchone()[0]
                assert screen_table(con, qualified, model.to_schema()) == rows, qualified
