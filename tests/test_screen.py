"""The one-pass screen (schemas/screen.py) says "passes" only where pandera itself finds nothing wrong.

Each raw layout's example file (schemas/examples.py), typed as the validator types it, and the same frame broken
one cell at a time (emptied, replaced by text no rule admits, made negative, made a repeated key): wherever
pandera rejects a frame the screen must not pass it, and wherever pandera accepts it the screen must too (or
every file would pay for pandera's own run)."""

from __future__ import annotations

import datetime as dt

import pandera.errors as pa_errors
import polars as pl
import pytest

from pipelines.sources.validation import _batch_schema, _cast_expr
from schemas.examples import example_frame
from schemas.introspect import column_specs
from schemas.marts import MART_MODELS
from schemas.registry import RAW_SOURCES
from schemas.screen import passes


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
