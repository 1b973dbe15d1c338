"""Polars helpers shared by the table-level functions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

_DUMMY = "__stats_all__"


def group_columns(group_by: str | Sequence[str] | None) -> list[str]:
    if group_by is None:
        return []
    if isinstance(group_by, str):
        return [group_by]
    return list(group_by)


def with_dummy_group(df: pl.DataFrame, groups: list[str]) -> tuple[pl.DataFrame, list[str], bool]:
    """Ungrouped input is treated as one group under a temporary key."""
    if groups:
        return df, groups, False
    return df.with_columns(pl.lit(0, dtype=pl.Int8).alias(_DUMMY)), [_DUMMY], True


def drop_dummy(df: pl.DataFrame, dummy: bool) -> pl.DataFrame:
    return df.drop(_DUMMY) if dummy else df


def sum_propagating_null(col: str) -> pl.Expr:
    """Group sum that is null if any member is null (R's ``sum`` without ``na.rm``)."""
    return pl.when(pl.col(col).null_count() > 0).then(None).otherwise(pl.col(col).sum()).alias(col)


def to_series(name: str, values: np.ndarray) -> pl.Series:
    return pl.Series(name, np.asarray(values, dtype=np.float64), dtype=pl.Float64, nan_to_null=True)


def float_col(df: pl.DataFrame, col: str) -> np.ndarray:
    s = df.get_column(col)
    if not (s.dtype.is_numeric() or s.dtype == pl.Null):
        raise ValueError(f"column {col!r} must be numeric, got {s.dtype}")
    return s.cast(pl.Float64).fill_null(float("nan")).to_numpy()
