"""Read a pandera polars model's columns, constraints and checks in plain terms.

Shared by the DDL / Dagster / data-dictionary generators (schemas.ddl) and the raw-file validator
(pipelines.sources.validation), so a rule reads the same in an error message as in the data dictionary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandera.polars as pa
import polars as pl

NOT_NULL = "required (no empty cells)"
UNIQUE = "unique"


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a model: name as in the data, polars dtype, constraints and checks in words."""

    name: str
    dtype: pl.DataType
    nullable: bool
    unique: bool
    description: str | None
    checks: tuple[pa.Check, ...]

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(describe_check(check) for check in self.checks)


def _fmt(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def describe_check(check: pa.Check) -> str:
    """A check in words, e.g. `between 0 and 120`, `one of 1, 2, 9, X`, `matches ^E01\\d{6}$`."""
    stats = check.statistics or {}
    name = check.name
    if name == "equal_to":
        return f"equals {_fmt(stats['value'])}"
    if name == "not_equal_to":
        return f"differs from {_fmt(stats['value'])}"
    if name == "greater_than":
        return f"> {_fmt(stats['min_value'])}"
    if name == "greater_than_or_equal_to":
        return f"≥ {_fmt(stats['min_value'])}"
    if name == "less_than":
        return f"< {_fmt(stats['max_value'])}"
    if name == "less_than_or_equal_to":
        return f"≤ {_fmt(stats['max_value'])}"
    if name == "in_range":
        low = "from" if stats.get("include_min", True) else "above"
        high = "to" if stats.get("include_max", True) else "below"
        return f"{low} {_fmt(stats['min_value'])} {high} {_fmt(stats['max_value'])}"
    if name == "isin":
        return "one of " + ", ".join(_fmt(v) for v in stats["allowed_values"])
    if name == "notin":
        return "none of " + ", ".join(_fmt(v) for v in stats["forbidden_values"])
    if name == "str_matches":
        return f"matches {stats['pattern']}"
    if name == "str_contains":
        return f"contains {stats['pattern']}"
    if name == "str_startswith":
        return f"starts with {stats['string']}"
    if name == "str_endswith":
        return f"ends with {stats['string']}"
    if name == "str_length":
        if stats.get("exact_value") is not None:
            return f"{stats['exact_value']} characters long"
        low, high = stats.get("min_value"), stats.get("max_value")
        if high is None:
            return "not empty" if low == 1 else f"at least {low} characters long"
        if low is None:
            return f"at most {high} characters long"
        return f"{low} to {high} characters long"
    return check.description or check.name or repr(check)


def check_label(check: pa.Check) -> str:
    """How pandera names a check in `SchemaErrors.failure_cases["check"]`."""
    return check.error or check.name or repr(check)


def column_specs(model: type[pa.DataFrameModel]) -> list[ColumnSpec]:
    """The model's columns in order."""
    schema = model.to_schema()
    return [
        ColumnSpec(
            name=name,
            dtype=column.dtype.type,
            nullable=bool(column.nullable),
            unique=bool(column.unique),
            description=column.description,
            checks=tuple(column.checks),
        )
        for name, column in schema.columns.items()
    ]


def table_checks(model: type[pa.DataFrameModel]) -> list[pa.Check]:
    """Row-wise checks across columns (`@pa.dataframe_check`)."""
    return list(model.to_schema().checks)


def check_columns(check: pa.Check) -> tuple[str, ...]:
    """Columns a table check reads, as declared in its `statistics={"columns": [...]}`."""
    return tuple((check.statistics or {}).get("columns", ()))


def unique_keys(model: type[pa.DataFrameModel]) -> list[tuple[str, ...]]:
    """Every uniqueness constraint: each `unique=True` column alone, then `Config.unique` (composite)."""
    schema = model.to_schema()
    keys = [(name,) for name, column in schema.columns.items() if column.unique]
    if schema.unique:
        composite = (schema.unique,) if isinstance(schema.unique, str) else tuple(schema.unique)
        keys.append(composite)
    return keys
