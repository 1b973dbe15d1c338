"""Text that a spreadsheet cannot run: the CSV-injection (formula-injection) rule for every commissioner output.

A spreadsheet opening a CSV, or a workbook cell typed as a formula, runs text that begins with `=`, `+`, `-` or
`@` (and, in some programs, after a leading tab or carriage return) as a formula: a PCN name such as
`=HYPERLINK("http://x","y")` would become a live link. Following OWASP's guidance on CSV injection
(https://owasp.org/www-community/attacks/CSV_Injection), every text value that begins with one of
`FORMULA_TRIGGERS` is written with a single quote in front (`FORMULA_PREFIX`), so it is shown as text, never
evaluated. Numbers are never prefixed (a negative number stored as a number is not text); text such as "-2" is.

`neutralise_formula_text` is the one rule. The workbook writer (workbook.py) applies it to every text cell of
every sheet and also types the cell as a string; the CSV writer (csvs.py) applies it to every text column
through `neutralise_text_columns`; the disclosure scanner (scan.py) reads a prefixed value back through
`restore_formula_text` / `restore_formula_expr`, so that a prefixed "+5" is still seen as the count 5.
"""

from __future__ import annotations

import polars as pl

#: First characters that make a spreadsheet read a cell as a formula (OWASP: = + - @ tab, carriage return).
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: What is put in front of such a text.
FORMULA_PREFIX = "'"

_TEXT_DTYPES = (pl.String, pl.Categorical, pl.Enum)


def neutralise_formula_text(value: object) -> object:
    """`value` with `FORMULA_PREFIX` in front when it is text beginning with a formula trigger; anything
    else (other text, numbers, None, dates) is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return FORMULA_PREFIX + value
    return value


def restore_formula_text(value: object) -> object:
    """The inverse, for readers of the outputs (the scanner): a prefixed text loses its prefix."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIX) and value[len(FORMULA_PREFIX):].startswith(
            FORMULA_TRIGGERS):
        return value[len(FORMULA_PREFIX):]
    return value


def neutralise_text_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of `frame` through `neutralise_formula_text` (other columns untouched).

    Each column's distinct values that need a prefix are mapped through the one rule, so a large frame of
    repeated names costs one call per distinct name, not one per row."""
    exprs = []
    for name, dtype in frame.schema.items():
        if not isinstance(dtype, _TEXT_DTYPES):
            continue
        text = frame.get_column(name).cast(pl.String)
        risky = text.filter(text.str.slice(0, 1).is_in(FORMULA_TRIGGERS)).unique().to_list()
        mapping = {value: neutralise_formula_text(value) for value in risky}
        if mapping:
            exprs.append(pl.col(name).cast(pl.String).replace(mapping).alias(name))
    return frame.with_columns(exprs) if exprs else frame


def restore_formula_expr(text: pl.Expr) -> pl.Expr:
    """`restore_formula_text` as a polars expression on a text column (the CSV scanner reads files as text)."""
    prefixed = text.str.starts_with(FORMULA_PREFIX) & text.str.slice(len(FORMULA_PREFIX), 1).is_in(FORMULA_TRIGGERS)
    return pl.when(prefixed).then(text.str.slice(len(FORMULA_PREFIX))).otherwise(text)
