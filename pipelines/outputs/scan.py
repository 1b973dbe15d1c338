"""The disclosure scanner: read every commissioner output back from disk and report any small count.

It trusts nothing about how the files were made. It opens each workbook with openpyxl and each CSV as text,
finds the count-like columns by their header (a word such as numerator, denominator, count, observed, expected,
excess, population, activity, attendances, admissions, events, patients, residents or LSOAs, and no word of a
rate, share or change such as rate, ratio, growth, %), and reports every cell whose value
is a small count under the disclosure rule (`DisclosureRule.is_small`: 1 to 7 by default, and fractions that
would be read as one, 0.4 or 7.38). What is tested is what a reader sees: a CSV cell's text as written, an HTML
cell's text, and a workbook cell both as stored (the formula bar) and as its number format shows it
(`shown_number`: "#,##0" shows 7.4 as 7). Used by the output assets' checks and by the tests.

Only counts of people are disclosive. A count column `X` may have a unit column beside it, headed `X counts`
(or `x_counts` in a CSV), saying what each row's count counts; a cell whose unit says something other than
`people` (LSOAs, FTE staff, score) is not a finding. A missing or empty unit is read as people.

Text the writers prefixed with a single quote against formula injection (`safe_text`: "'+5", "'-3") is read
without its prefix, so the prefix can never hide a small count from the scanner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from pipelines.disclosure import DEFAULT_RULE, DisclosureRule
from pipelines.outputs.safe_text import restore_formula_expr, restore_formula_text
from schemas.vocabulary import PEOPLE

COUNT_WORDS = frozenset({
    "numerator", "denominator", "count", "counts", "observed", "expected", "excess", "population", "activity",
    "attendances", "admissions", "events", "patients", "residents", "lsoas", "spells", "deaths",
})
#: Words that make a header a rate, share or change rather than a count ("population growth, %").
NOT_COUNT_WORDS = frozenset({
    "pct", "percent", "percentage", "rate", "rates", "ratio", "share", "growth", "gap", "per", "value", "limit",
    "lower", "upper", "ci", "pp", "sii", "rii", "unit", "index", "score", "mean", "trend",
})


@dataclass(frozen=True)
class Finding:
    file: str
    sheet: str | None
    cell: str  # "D17" in a workbook, "row 17" in a CSV
    column: str
    value: object

    def __str__(self) -> str:
        where = f"{self.file}[{self.sheet}]" if self.sheet else self.file
        return f"{where} {self.cell} ({self.column}): {self.value!r}"


def is_count_like(header: object) -> bool:
    tokens = set(re.split(r"[^a-z]+", str(header or "").lower()))
    return bool(tokens & COUNT_WORDS) and not tokens & NOT_COUNT_WORDS


def unit_columns(headers: dict[int, object]) -> dict[int, int]:
    """Count column position -> the position of its unit column (`X counts` / `x_counts`), where one exists."""
    by_name = {str(h).strip().lower(): j for j, h in headers.items() if h is not None}
    found = {}
    for j, header in headers.items():
        name = str(header or "").strip().lower()
        for unit in (f"{name} counts", f"{name}_counts"):
            if unit in by_name:
                found[j] = by_name[unit]
    return found


def counts_people(unit: object) -> bool:
    """A unit cell's verdict: empty or `people` is a count of people."""
    text = str(restore_formula_text(unit) or "").strip().lower()
    return text in ("", PEOPLE)


def _number(value: object) -> float | None:
    value = restore_formula_text(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).replace(",", "").strip())
    except ValueError:
        return None


def shown_number(value: float, number_format: str | None) -> float:
    """The number a spreadsheet shows for `value` under `number_format`: rounded half away from zero (as Excel
    and LibreOffice do) to the format's decimal places ("#,##0" none, "#,##0.0" one); "General" or no format
    shows the value as stored. Percent formats are left alone (no count column carries one)."""
    text = str(number_format or "General").split(";")[0]
    if text == "General" or "%" in text or not re.search(r"[0#]", text):
        return value
    decimals = len(re.search(r"\.([0#]*)", text).group(1)) if re.search(r"\.([0#]*)", text) else 0
    step = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP))


def scan_workbook(path: Path, rule: DisclosureRule = DEFAULT_RULE) -> list[Finding]:
    """Every small value under a count-like header, in every sheet. A sheet's header row is its first row of
    two or more cells that are all text (a title or a note above it is a single cell)."""
    findings: list[Finding] = []
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in workbook.worksheets:
            headers: dict[int, object] | None = None
            units: dict[int, int] = {}
            for r, cells in enumerate(ws.iter_rows(), start=1):
                row = tuple(getattr(c, "value", None) for c in cells)
                if headers is None:
                    texts = [v for v in row if v is not None]
                    if len(texts) >= 2 and all(isinstance(v, str) for v in texts):
                        headers = dict(enumerate(row))
                        units = unit_columns(headers)
                    continue
                for j, value in enumerate(row):
                    header = headers.get(j)
                    if not is_count_like(header):
                        continue
                    if j in units and units[j] < len(row) and not counts_people(row[units[j]]):
                        continue
                    number = _number(value)
                    if number is None:
                        continue
                    shown = shown_number(number, getattr(cells[j], "number_format", None))
                    if rule.is_small(number) or rule.is_small(shown):
                        findings.append(Finding(path.name, ws.title, f"{get_column_letter(j + 1)}{r}", str(header),
                                                value))
    finally:
        workbook.close()
    return findings


def scan_csv(path: Path, rule: DisclosureRule = DEFAULT_RULE) -> list[Finding]:
    """Every small value in a count-like column of a CSV (read as text, so nothing is coerced away)."""
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    findings: list[Finding] = []
    units = unit_columns(dict(enumerate(frame.columns)))
    for j, column in enumerate(frame.columns):
        if not is_count_like(column):
            continue
        people = (restore_formula_expr(pl.col(frame.columns[units[j]])).fill_null("").str.strip_chars()
                  .str.to_lowercase().is_in(["", PEOPLE]) if j in units else pl.lit(True))
        numbers = frame.select(
            pl.int_range(2, frame.height + 2).alias("row"),  # the header is line 1
            pl.col(column).alias("text"),
            restore_formula_expr(pl.col(column)).str.replace_all(",", "").str.strip_chars()
            .cast(pl.Float64, strict=False).alias("number"),
            people.alias("people"),
        )
        for row, text, _, _ in numbers.filter(rule.small("number") & pl.col("people")).iter_rows():
            findings.append(Finding(path.name, None, f"row {row}", column, text))
    return findings


def scan_outputs(directory: Path, rule: DisclosureRule = DEFAULT_RULE) -> tuple[list[Path], list[Finding]]:
    """Scan every .xlsx and .csv under `directory`: the files scanned and the findings."""
    files = sorted(p for p in Path(directory).rglob("*") if p.suffix.lower() in (".xlsx", ".csv"))
    findings: list[Finding] = []
    for path in files:
        findings += scan_workbook(path, rule) if path.suffix.lower() == ".xlsx" else scan_csv(path, rule)
    return files, findings
