"""Validate raw files against their pandera models, in bounded memory, with errors a person can act on.

A file is streamed in batches (pyarrow's CSV stream reader, every column read as text), each batch is cast to
the model's dtypes by us (so a bad cell is reported with its line and its text) and then validated by pandera
on a collected polars DataFrame with `lazy=True` (a LazyFrame would skip the data checks). Keys are checked
for uniqueness across batches at the end. Any problem raises `RawFileError`, whose message is a table of
file, row (the line number a person sees in an editor or spreadsheet: header = 1), column, value and rule.

Line numbers are exact: the reader keeps blank lines as rows, and a quoted value holding a line break (none
of the contract's layouts has one) is refused, naming the line where its record starts, while every later row
is counted that many lines further down, so each later error still names its true line.

Before staging, a source's files are also checked as a set (`validate_source`): one file per source and
period (schemas.registry `duplicate_files`), and each month's rows against the source's own recent months
(`check_volumes`, overridable by a recorded decision: pipelines.sources.decisions).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import functools
import hashlib
import io
import json
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandera.polars as pa
import polars as pl
import pyarrow as pa_arrow
import pyarrow.csv as pa_csv
from pandera.errors import SchemaErrors

from schemas.introspect import (
    NOT_NULL,
    check_columns,
    check_label,
    column_specs,
    describe_check,
    unique_keys,
)
from schemas.screen import validate
from pipelines.sources.decisions import DECISIONS_FILE, Decisions, load_decisions
from schemas.registry import RawSource, VolumeRule, file_month

MAX_LISTED = 20  # lines of the error table
MAX_KEPT = 1_000  # failures kept in memory per file (all are counted)
MAX_KEPT_PER_RULE = 100
HEADER_SAMPLE_BYTES = 1 << 20
READ_BLOCK_BYTES = 1 << 21  # the CSV reader's block; it may hold 32 of them read ahead
GZIP_MAGIC = b"\x1f\x8b"
_LINE = "__line"

ALL_COLUMNS = "(all)"  # a problem with a whole line
WHOLE_FILE = "(file)"  # a problem with the file itself
HEADER_REPEATED = "header row repeated mid-file (files concatenated?)"
BLANK_LINE = "blank line"
CARRIAGE_RETURN = "a carriage return inside the line (mixed line ends?): lines must end in \\n or \\r\\n"
QUOTED_LINE_BREAK = "a line break inside a quoted value: every value must be on its record's line"
NUL_BYTE = "a NUL byte (\\x00) in the value: part of the file is binary, or saved as UTF-16"
ZIP_FILE = ("a zip archive, not a CSV (an .xlsx workbook or a zipped extract renamed .csv?): unzip it, or save "
            "the sheet as CSV UTF-8")
TRAILING_DELIMITER = "a trailing comma: the header ends with an empty extra column (every line ends with ','?)"
ODD_CHARACTERS = r"[\x00\r\n]"  # inside a value: a NUL byte, or a line break in a quoted value
DUPLICATE_FILE = "one file per source and period"
VOLUME_KIND = "volume against the source's recent months"


# --- results and errors ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """One problem in one file. `row` is the 1-based line number (header = 1); None if not tied to a line."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    rule: str
    kind: str = field(default="", compare=False, repr=False)  # the rule without row-specific detail


@dataclass
class FileReport:
    """What was validated: enough to identify the file (sha256) and to show in Dagster metadata.

    `check_counts` maps each rule (`"<column>: <rule in words>"`) to the number of cells or rows that broke it
    (all zero for a valid file).
    """

    path: Path
    source: str
    rows: int
    bytes: int
    sha256: str
    columns: tuple[str, ...]
    check_counts: dict[str, int] = field(default_factory=dict)
    failures: int = 0
    seconds: float = 0.0
    decisions: list[str] = field(default_factory=list)  # recorded decisions that accepted this file's findings

    @property
    def ok(self) -> bool:
        return self.failures == 0

    def to_metadata(self) -> dict[str, object]:
        """Plain values for Dagster metadata (the caller wraps them in `MetadataValue`s if it wants)."""
        return {
            "path": str(self.path),
            "source": self.source,
            "rows": self.rows,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "columns": list(self.columns),
            "checks": dict(self.check_counts),
            "failures": self.failures,
            "seconds": round(self.seconds, 3),
            "decisions": list(self.decisions),
        }


class RawFileError(ValueError):
    """A raw file (or a source's set of files) failed validation. The message is a readable table.

    Attributes: `failures` (the first problems found, up to `MAX_KEPT` per file), `total` (all problems),
    `reports` (one `FileReport` per file validated, failed ones included).
    """

    def __init__(
        self,
        message: str,
        failures: list[Failure] | None = None,
        total: int | None = None,
        reports: list[FileReport] | None = None,
    ) -> None:
        super().__init__(message)
        self.failures = failures or []
        self.total = len(self.failures) if total is None else total
        self.reports = reports or []


def format_failures(
    title: str, failures: list[Failure], total: int, counts: Counter[str] | None = None, limit: int = MAX_LISTED
) -> str:
    """`title`, then a table of the first `limit` failures (file, row, column, value, rule), then `and N more`."""

    def order(failure: Failure) -> tuple[str, int]:
        return failure.file, failure.row if failure.row is not None else 0

    # The first failure of each kind of problem, then the rest, by line: every kind shows, up to `limit`.
    ordered = sorted(failures, key=order)
    firsts: dict[tuple[str, str | None, str], Failure] = {}
    for failure in ordered:
        firsts.setdefault((failure.file, failure.column, failure.kind or failure.rule), failure)
    chosen = list(firsts.values())[:limit]
    picked = {id(failure) for failure in chosen}
    chosen += [failure for failure in ordered if id(failure) not in picked][: limit - len(chosen)]
    shown = sorted(chosen, key=order)
    header = ("file", "row", "column", "value", "rule")
    cells = [
        (
            f.file,
            "" if f.row is None else str(f.row),
            _clip(f.column or "", 60),
            _clip("(empty)" if f.value is None else repr(f.value) if _needs_repr(f.value) else f.value, 72),
            f.rule,
        )
        for f in shown
    ]
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header) - 1)]

    def line(row: tuple[str, ...]) -> str:
        left = [row[0].ljust(widths[0]), row[1].rjust(widths[1]), row[2].ljust(widths[2]), row[3].ljust(widths[3])]
        return "  " + "  ".join(left) + "  " + row[4]

    lines = [title, line(header), *(line(row) for row in cells)]
    if total > len(shown):
        lines.append(f"  … and {total - len(shown):,} more")
    if counts and len(counts) > 1:
        lines.append("  problems by rule:")
        lines += [f"    {n:>9,}  {rule}" for rule, n in counts.most_common(12)]
        if len(counts) > 12:
            lines.append(f"    … and {len(counts) - 12} more rules")
    return "\n".join(lines)


def _needs_repr(value: str) -> bool:
    """Shown quoted when spaces at its ends or a line break in it would otherwise not show (or break the table)."""
    return value.strip() != value or "\n" in value or "\r" in value


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# --- the file, the stream and the header -------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def _open_stream(path: Path) -> pa_arrow.NativeFile:
    """The file's bytes, decompressed if it is gzip (recognised by its magic bytes, whatever its name)."""
    return pa_arrow.input_stream(str(path), compression="gzip" if _is_gzip(path) else None)


def _text_lines(path: Path) -> Iterator[bytes]:
    """Physical lines as bytes (slow path, used only to locate a problem the fast reader cannot place)."""
    try:
        with _open_stream(path) as stream:
            buffered = io.BufferedReader(stream, buffer_size=1 << 20)  # type: ignore[arg-type]
            yield from buffered
    except (OSError, EOFError, pa_arrow.ArrowInvalid):
        return  # a truncated stream: the lines before the break are all there is


class _Collector:
    """Counts every failure of a file, per rule, and keeps the first few of each rule (`MAX_KEPT_PER_RULE`, and
    `MAX_KEPT` in all) so that the table shows every kind of problem, not the first rule's thousand rows."""

    def __init__(self, file: str, columns: tuple[str, ...] = ()) -> None:
        self.file = file
        self.columns = columns
        self.kept: list[Failure] = []
        self.total = 0
        self.counts: Counter[str] = Counter()
        self.kept_per_rule: Counter[str] = Counter()

    def _room(self, key: str) -> int:
        return max(0, min(MAX_KEPT_PER_RULE - self.kept_per_rule[key], MAX_KEPT - len(self.kept)))

    def add(self, row: int | None, column: str | None, value: object, rule: str, *, kind: str | None = None) -> None:
        """Record a failure; `kind` (default: `rule`) is the rule as counted, without row-specific detail."""
        key = f"{column}: {kind or rule}" if column else kind or rule
        self.total += 1
        self.counts[key] += 1
        if self._room(key):
            self.kept_per_rule[key] += 1
            self.kept.append(Failure(self.file, row, column, None if value is None else str(value), rule, kind or rule))

    def add_many(self, rows: Iterable[tuple[int | None, str | None, object, str]], *, kind: str | None = None) -> None:
        for row in rows:
            self.add(*row, kind=kind)

    def add_frame(self, failures: pl.DataFrame) -> None:
        """Record many failures at once: columns row, column, value, rule (all count, the first few are kept).

        Vectorised, so a file where every row is wrong costs no Python loop over its rows.
        """
        if not failures.height:
            return
        self.total += failures.height
        failures = failures.select(pl.col("row").cast(pl.Int64), "column", pl.col("value").cast(pl.String), "rule")
        for (column, rule), group in failures.partition_by("column", "rule", as_dict=True, maintain_order=True).items():
            key = f"{column}: {rule}"
            self.counts[key] += group.height
            room = self._room(key)
            if room:
                head = group.head(room)
                self.kept_per_rule[key] += head.height
                self.kept += [Failure(self.file, *row, rule) for row in head.iter_rows()]

    def column_at(self, position: int) -> str | None:
        return self.columns[position] if position < len(self.columns) else None


def _read_header(path: Path, found: _Collector) -> list[str] | None:
    """The header's fields; None (with the problem recorded) if the file cannot be read that far."""
    chunks: list[bytes] = []
    try:
        with _open_stream(path) as stream:
            while sum(map(len, chunks)) < HEADER_SAMPLE_BYTES and (chunk := stream.read(1 << 16)):
                chunks.append(chunk)
    except (OSError, EOFError, pa_arrow.ArrowInvalid) as exc:
        row = _readable_lines(path) + 1
        found.add(row, WHOLE_FILE, None, f"{_truncated(exc)}; it breaks off on this line", kind="truncated or corrupt")
        return None
    sample = b"".join(chunks)
    if not sample:
        found.add(1, WHOLE_FILE, None, "empty file (nothing after decompression): expected a header row")
        return None
    if sample[:4] == b"PK\x03\x04":
        found.add(1, WHOLE_FILE, None, ZIP_FILE, kind="zip archive")
        return None
    first = sample.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        text = first.decode("utf-8-sig")  # a BOM is accepted whatever the declared encoding
    except UnicodeDecodeError as exc:
        hint = " (the file looks like UTF-16)" if sample[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        value = first[max(0, exc.start - 10) : exc.end + 10]
        found.add(1, ALL_COLUMNS, value, f"header is not valid UTF-8{hint}: save the file as UTF-8", kind="UTF-8")
        return None
    if b"\x00" in first:
        # UTF-16 without a byte-order mark: every other byte of an ASCII header is NUL (and is valid UTF-8).
        halves = max(first[0::2].count(0), first[1::2].count(0))
        hint = ("the file looks like UTF-16 without a byte-order mark (a NUL byte between the characters)"
                if halves * 3 >= len(first) else "NUL bytes (\\x00) in the header: the file looks binary")
        found.add(1, ALL_COLUMNS, None, f"{hint}: save the file as UTF-8", kind="NUL bytes")
        return None
    if not text.strip():
        found.add(1, ALL_COLUMNS, None, "first line is blank: expected the header row")
        return None
    fields = _fields_of(text)
    if fields is None:
        found.add(1, ALL_COLUMNS, _clip(text, 60), f"header is not one line of CSV: {CARRIAGE_RETURN}")
    return fields


def _fields_of(text: str) -> list[str] | None:
    """The fields of one line of CSV; None if it is not one (a carriage return inside it, say)."""
    try:
        return next(csv.reader([text]), [])
    except csv.Error:
        return None


def _check_header(header: list[str], expected: tuple[str, ...], found: _Collector) -> None:
    """Missing, extra, renamed, duplicated or reordered columns, each named; a header separated by another
    character than the comma, or ending in a trailing comma, is named as such."""
    if len(header) == 1 and len(expected) > 1:
        for separator, words in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if header[0].split(separator) == list(expected):
                found.add(1, ALL_COLUMNS, _clip(header[0], 60), f"columns separated by {words}, not commas (a "
                          "spreadsheet's regional setting?): save the file as comma-separated CSV")
                return
    if len(header) == len(expected) + 1 and header[-1].strip() == "" and header[:-1] == list(expected):
        found.add(1, "(after the last column)", header[-1], TRAILING_DELIMITER)
        return
    counts = Counter(header)
    for name, n in counts.items():
        if n > 1:
            found.add(1, name, name, f"column appears {n} times in the header")
    missing = [name for name in expected if name not in counts]
    extra = [name for name in header if name not in expected]
    renamed: set[str] = set()
    if len(header) == len(expected):
        for position, (got, want) in enumerate(zip(header, expected, strict=True), start=1):
            if got != want and got in extra and want in missing:
                near = " (differs only in case or spaces)" if got.strip().lower() == want.strip().lower() else ""
                found.add(1, want, got, f"column {position} should be named {want!r}: renamed?{near}")
                renamed.update((got, want))
    for name in missing:
        if name not in renamed:
            found.add(1, name, None, f"missing column (expected as column {expected.index(name) + 1})")
    for name in extra:
        if name not in renamed:
            found.add(1, name, name, f"unexpected column (column {header.index(name) + 1}); not in the contract")
    if not missing and not extra and len(header) == len(expected) and header != list(expected):
        position = next(i for i, (got, want) in enumerate(zip(header, expected, strict=True)) if got != want)
        found.add(
            1,
            header[position],
            header[position],
            f"columns out of order: column {position + 1} should be {expected[position]!r}",
        )


# --- batch checks ------------------------------------------------------------------------------------------


@functools.cache
def _batch_schema(model: type[pa.DataFrameModel]) -> pa.DataFrameSchema:
    """The model's schema without its uniqueness rules: those are checked over the whole file, not per batch."""
    schema = model.to_schema()
    batch = schema.update_columns({name: {"unique": False} for name, column in schema.columns.items() if column.unique})
    batch = copy.copy(batch)
    batch.unique = None
    return batch


class _BatchValidator:
    """Casts and checks one batch of text columns; remembers keys for the cross-batch uniqueness check."""

    def __init__(self, source: RawSource, path: Path, found: _Collector, today: dt.date | None = None) -> None:
        self.source = source
        self.found = found
        self.today = today or dt.date.today()
        self.future_rule = f"not after the day of the run ({self.today:%Y-%m-%d}): the event has not happened yet"
        # Line breaks inside quoted values so far: every later row is that many lines further down the file.
        self.line_breaks = 0
        self.specs = column_specs(source.model)
        self.columns = [spec.name for spec in self.specs]
        schema = source.model.to_schema()
        self.schema = _batch_schema(source.model)
        # Keys whose repeats a quarantine rule of the source handles are left to it (schemas.registry).
        self.keys = [key for key in unique_keys(source.model) if tuple(key) not in source.deferred_keys]
        # Per key, the hash of every row's key (8 bytes a row, whatever the key's width); per batch, its lines
        # (None when they run on from `first_line` without a gap, the usual case).
        self.key_hashes: list[list[pl.Series]] = [[] for _ in self.keys]
        self.batch_lines: list[tuple[int, int, pl.Series | None]] = []
        # pandera's name for each check → the rule in words
        self.rule_of: dict[tuple[str, str], str] = {}
        for spec in self.specs:
            for check in spec.checks:
                self.rule_of[(spec.name, check_label(check))] = describe_check(check)
        self.table_checks = {check_label(check): check for check in schema.checks}
        self.period: tuple[pl.Expr, str] | None = None
        if source.file_period is not None:
            month = file_month(path)
            if month is None:
                found.add(None, source.file_period.column, path.name, "file name does not carry its month (_YYYY-MM)")
            else:
                self.period = source.file_period.rule(month)
        self.counts: Counter[str] = Counter(self._all_rules())

    def _all_rules(self) -> dict[str, int]:
        rules: dict[str, int] = {}
        for spec in self.specs:
            if spec.dtype != pl.String:
                rules[f"{spec.name}: {_type_rule(spec.dtype)}"] = 0
            if not spec.nullable:
                rules[f"{spec.name}: {NOT_NULL}"] = 0
            for rule in spec.rules:
                rules[f"{spec.name}: {rule}"] = 0
        for check in self.schema.checks:
            rules[f"{', '.join(check_columns(check)) or ALL_COLUMNS}: {describe_check(check)}"] = 0
        for key in self.keys:
            rules[f"{', '.join(key)}: {_unique_rule(key)}"] = 0
        if self.period is not None and self.source.file_period is not None:
            rules[f"{self.source.file_period.column}: {self.period[1]}"] = 0
        for column in self.source.not_future:
            rules[f"{column}: {self.future_rule}"] = 0
        return rules

    def check(self, text: pl.DataFrame, first_line: int) -> None:
        """Validate one batch whose first row is on line `first_line` of the file."""
        n = text.height
        # One pass for values holding a NUL byte or a line break; their lines are counted only if there are any.
        odd = text.select(
            pl.any_horizontal([pl.col(c).str.contains(ODD_CHARACTERS).fill_null(False) for c in self.columns])
        ).to_series() if n and self.columns else None
        breaks = 0
        if odd is not None and odd.any():
            lines, breaks = _line_numbers(text, self.columns, first_line + self.line_breaks)
            text = text.with_columns(lines)
            self._odd_values(text.filter(odd))
            self.line_breaks += breaks
        else:
            start = first_line + self.line_breaks
            text = text.with_columns(pl.int_range(start, start + n, dtype=pl.Int64, eager=True).alias(_LINE))

        # Header rows pasted mid-file and blank lines: report once, then leave them out of the other checks.
        repeated = pl.all_horizontal([(pl.col(c) == c).fill_null(False) for c in self.columns])
        blank = pl.all_horizontal([pl.col(c).is_null() for c in self.columns])
        odd = text.filter(repeated | blank)
        if odd.height:
            shown = pl.concat_str([pl.col(c).fill_null("") for c in self.columns[:4]], separator=",") + ",…"
            self.found.add_frame(
                odd.select(
                    pl.col(_LINE).alias("row"),
                    pl.lit(ALL_COLUMNS).alias("column"),
                    pl.when(blank).then(None).otherwise(shown).alias("value"),
                    pl.when(blank).then(pl.lit(BLANK_LINE)).otherwise(pl.lit(HEADER_REPEATED)).alias("rule"),
                )
            )
            text = text.filter(~(repeated | blank))

        typed, type_errors = self._cast(text)
        self._pandera(typed, type_errors)
        if self.period is not None and self.source.file_period is not None:
            column = self.source.file_period.column
            expr, words = self.period
            bad = typed.filter(~expr.fill_null(True))
            self.found.add_frame(_failures(bad, column, words))
        for column in self.source.not_future:
            self.found.add_frame(_failures(typed.filter(pl.col(column) > self.today), column, self.future_rule))
        if self.keys:
            gapless = typed.height == n and not breaks
            self.batch_lines.append((first_line, typed.height, None if gapless else typed[_LINE]))
        for key, hashes in zip(self.keys, self.key_hashes, strict=True):
            hashed = pl.col(key[0]).hash() if len(key) == 1 else pl.struct(key).hash()
            hashes.append(typed.select(hashed).to_series())

    def _odd_values(self, rows: pl.DataFrame) -> None:
        """Each cell holding a line break (a quoted value over lines; named at the line where its record
        starts) or a NUL byte."""
        for column in self.columns:
            for pattern, rule in ((r"[\r\n]", QUOTED_LINE_BREAK), (r"\x00", NUL_BYTE)):
                hits = rows.filter(pl.col(column).str.contains(pattern).fill_null(False))
                if hits.height:
                    shown = hits.with_columns(pl.col(column).str.replace_all("\r", "\\r", literal=True)
                                              .str.replace_all("\n", "\\n", literal=True)
                                              .str.replace_all("\x00", "\\x00", literal=True))
                    self.found.add_frame(_failures(shown, column, rule))

    def _cast(self, text: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame | None]:
        """Text → model dtypes. Returns the typed batch and the cells that would not cast (None if none)."""
        casts = {spec.name: _cast_expr(spec.name, spec.dtype) for spec in self.specs if spec.dtype != pl.String}
        if not casts:
            return text, None
        typed = text.with_columns(**casts)
        # A cell that did not cast: text not null, typed null. One pass over the batch for all columns.
        failed = pl.any_horizontal([pl.col(name).is_not_null() & pl.col(f"__typed_{name}").is_null() for name in casts])
        flagged = text.with_columns(typed.select(pl.col(name).alias(f"__typed_{name}") for name in casts))
        flagged = flagged.filter(failed)
        if not flagged.height:
            return typed, None
        dtypes = {spec.name: spec.dtype for spec in self.specs}
        for name in casts:
            hits = flagged.filter(pl.col(name).is_not_null() & pl.col(f"__typed_{name}").is_null())
            self.found.add_frame(_failures(hits, name, _type_rule(dtypes[name])))
        return typed, flagged.select(_LINE)

    def _pandera(self, typed: pl.DataFrame, type_errors: pl.DataFrame | None) -> None:
        """pandera's checks on the typed batch (a collected DataFrame: a LazyFrame would skip data checks)."""
        frame = typed.drop(_LINE)
        try:
            validate(self.schema, frame)
            return
        except SchemaErrors as errors:
            cases = errors.failure_cases
        # pandera's row index → the line in the file; rows with a cell that did not cast are already reported.
        lines = typed[_LINE]
        cases = cases.with_columns(
            pl.col("index").map_batches(lambda index: lines.gather(index), return_dtype=pl.Int64).alias("row")
        )
        if type_errors is not None:
            cases = cases.filter(~pl.col("row").is_in(type_errors[_LINE].implode()).fill_null(False))
        column_cases = cases.filter(pl.col("schema_context") == "Column")
        if column_cases.height:
            label = pl.concat_str("column", "check", separator="\x00")
            words = {f"{column}\x00{check}": rule for (column, check), rule in self.rule_of.items()}
            words |= {f"{spec.name}\x00not_nullable": NOT_NULL for spec in self.specs}
            self.found.add_frame(
                column_cases.select(
                    "row",
                    "column",
                    pl.col("failure_case").alias("value"),
                    label.replace_strict(words, default=pl.col("check"), return_dtype=pl.String).alias("rule"),
                )
            )
        rows = []
        for case in cases.filter(pl.col("schema_context") != "Column").iter_rows(named=True):
            label = case["check"]
            if label in self.table_checks:
                check = self.table_checks[label]
                involved = check_columns(check)
                value = _row_values(case["failure_case"], involved)
                rows.append((case["row"], ", ".join(involved) or ALL_COLUMNS, value, describe_check(check)))
            else:
                rows.append((case["row"], case["column"], case["failure_case"], label))
        self.found.add_many(rows)

    def check_keys(self, reread: Callable[[tuple[str, ...], set[int]], pl.DataFrame]) -> None:
        """Each key (a `unique=True` column, or `Config.unique`) is unique over the whole file.

        Only hashes are kept while streaming; rows whose hash repeats are re-read (`reread(key, lines)`, the
        key's text at those lines) and compared on their values, which also rules out hash collisions.
        """
        for key, hashes in zip(self.keys, self.key_hashes, strict=True):
            if not hashes:
                continue
            hashed = pl.concat(hashes)
            hashes.clear()
            ordered = hashed.sort()  # sorting finds repeats in far less memory than a hash table of 1M keys
            repeated = ordered.filter(ordered == ordered.shift(1)).unique()
            if repeated.is_empty():
                continue
            suspects = self._lines().filter(hashed.is_in(repeated.implode()))
            values = reread(key, set(suspects.to_list()))
            typed = values.with_columns(
                **{spec.name: _cast_expr(spec.name, spec.dtype) for spec in self.specs if spec.name in key}
            )
            # A required key cell that is empty (or did not cast) is reported as such, not as a duplicate.
            required = [spec.name for spec in self.specs if spec.name in key and not spec.nullable]
            typed = typed.drop_nulls(subset=required)
            duplicated = typed.filter(typed.select(key).is_duplicated())
            if not duplicated.height:
                continue
            first = duplicated.group_by(key, maintain_order=True).agg(pl.col(_LINE).min().alias("__first"))
            later = duplicated.join(first, on=list(key), nulls_equal=True).filter(pl.col(_LINE) != pl.col("__first"))
            rule = _unique_rule(key)
            for row in later.sort(_LINE).iter_rows(named=True):
                value = ", ".join("" if row[c] is None else str(row[c]) for c in key)
                first_row = row["__first"]
                self.found.add(row[_LINE], ", ".join(key), value, f"{rule}: first seen on row {first_row}", kind=rule)

    def _lines(self) -> pl.Series:
        """Line of every row whose key was hashed, in hashing order."""
        parts = [
            lines if lines is not None else pl.int_range(first, first + height, dtype=pl.Int64, eager=True)
            for first, height, lines in self.batch_lines
        ]
        return pl.concat(parts).rename(_LINE)


def _line_numbers(text: pl.DataFrame, columns: Iterable[str], first_line: int) -> tuple[pl.Series, int]:
    """The line each row of a batch starts on, and the line breaks inside its quoted values (counted so a row
    after such a value still gets its true line). `first_line`: the line of the batch's first row."""
    n = text.height
    columns = list(columns)
    total = 0
    if n and columns:
        breaks = text.select(
            pl.sum_horizontal([pl.col(c).str.count_matches("\n", literal=True).fill_null(0) for c in columns])
        ).to_series()
        total = int(breaks.sum())
    lines = pl.int_range(first_line, first_line + n, dtype=pl.Int64, eager=True)
    if total:
        lines = lines + (breaks.cum_sum() - breaks).cast(pl.Int64)
    return lines.alias(_LINE), total


def _failures(rows: pl.DataFrame, column: str, rule: str) -> pl.DataFrame:
    """Failures of one rule in one column, as `_Collector.add_frame` takes them."""
    return rows.select(
        pl.col(_LINE).alias("row"), pl.lit(column).alias("column"), pl.col(column).cast(pl.String).alias("value"),
        pl.lit(rule).alias("rule"),
    )  # fmt: skip


def _unique_rule(key: tuple[str, ...]) -> str:
    return "unique" if len(key) == 1 else "unique combination"


def _type_rule(dtype: pl.DataType) -> str:
    if dtype == pl.Date:
        return "not a date (YYYY-MM-DD)"
    if dtype.is_integer():
        return "not a whole number"
    if dtype.is_float():
        return "not a number"
    return f"not a valid {dtype}"


def _cast_expr(name: str, dtype: pl.DataType) -> pl.Expr:
    column = pl.col(name)
    if dtype == pl.Date:
        return pl.when(column.str.len_bytes() == 10).then(column.str.to_date("%Y-%m-%d", strict=False))
    if dtype.is_float():
        number = column.cast(dtype, strict=False)
        return pl.when(number.is_finite()).then(number)  # NaN / inf are not numbers a publisher means
    return column.cast(dtype, strict=False)


def _row_values(failure_case: object, columns: tuple[str, ...]) -> str:
    """`A=1, B=2` for the involved columns of a row-check failure (pandera gives the row as JSON)."""
    try:
        row = json.loads(str(failure_case))
    except (TypeError, ValueError):
        return str(failure_case)
    if not isinstance(row, dict) or not columns:
        return str(failure_case)
    return ", ".join(f"{c}={row.get(c)}" for c in columns)


# --- slow paths: place a problem the stream reader reports without a line ----------------------------------


def _truncated(exc: BaseException) -> str:
    return f"file is truncated or corrupt (compressed stream: {exc})"


def _readable_lines(path: Path) -> int:
    """Complete lines that can be read before a truncated or corrupt compressed stream breaks off.

    Decompressed with zlib piece by piece, so every byte before the break counts (a stream reader loses the
    block it was decoding when it fails, which would put the break on line 1 of a small file).
    """
    if not _is_gzip(path):
        lines = 0
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                lines += chunk.count(b"\n")
        return lines
    lines = 0
    inflate = zlib.decompressobj(wbits=31)  # gzip framing
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 16):
            while chunk:
                try:
                    lines += inflate.decompress(chunk).count(b"\n")
                except zlib.error:
                    return lines
                chunk = b""
                if inflate.eof and inflate.unused_data:  # a file of several gzip members: go on to the next
                    chunk, inflate = inflate.unused_data, zlib.decompressobj(wbits=31)
    return lines


def _locate_bad_utf8(path: Path, found: _Collector) -> bool:
    located = False
    for number, raw in enumerate(_text_lines(path), start=1):
        try:
            raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            fields = _fields_of(text) or []
            position = raw[: exc.start].count(b",")
            column = found.column_at(position)
            value = fields[position] if position < len(fields) else text
            byte = raw[exc.start : exc.start + 1]
            found.add(number, column, value, f"not valid UTF-8 (byte {byte!r}): save the file as UTF-8", kind="UTF-8")
            located = True
            if found.total >= MAX_KEPT:
                break
    return located


def _locate_bad_lines(path: Path, expected: int, found: _Collector) -> bool:
    located = False
    for number, raw in enumerate(_text_lines(path), start=1):
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if number == 1 or not text:
            continue
        fields = _fields_of(text)
        if fields is None or "\r" in text:
            found.add(number, ALL_COLUMNS, _clip(text, 60), CARRIAGE_RETURN)
            located = True
        elif len(fields) != expected or text.count('"') % 2:
            found.add(
                number,
                ALL_COLUMNS,
                _clip(text, 60),
                f"{len(fields)} fields where the header has {expected} (stray comma, or a quoted value over lines?)",
            )
            located = True
            if found.total >= MAX_KEPT:
                break
    return located


def _stream_text(
    path: Path, columns: tuple[str, ...], batch_rows: int, include: tuple[str, ...] = ()
) -> Iterator[pl.DataFrame]:
    """Batches of about `batch_rows` data rows, every column as text (empty cell = null), one row per line.

    pyarrow's reader reads up to 32 blocks ahead in the background, so blocks are kept small (`READ_BLOCK_BYTES`)
    to bound memory, and gathered into batches of `batch_rows` to keep pandera's per-call overhead low.
    """
    reader = pa_csv.open_csv(
        _open_stream(path),
        read_options=pa_csv.ReadOptions(block_size=READ_BLOCK_BYTES, use_threads=True),
        parse_options=pa_csv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa_arrow.string() for name in columns},
            include_columns=list(include) or None,
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        ),
    )
    pending: list[pa_arrow.RecordBatch] = []
    pending_rows = 0
    for batch in reader:
        pending.append(batch)
        pending_rows += batch.num_rows
        if pending_rows >= batch_rows:
            yield _frame(pending)
            pending, pending_rows = [], 0
    if pending_rows:
        yield _frame(pending)


def _frame(batches: list[pa_arrow.RecordBatch]) -> pl.DataFrame:
    frame = pl.from_arrow(pa_arrow.Table.from_batches(batches))
    assert isinstance(frame, pl.DataFrame)
    return frame.rechunk()


# --- public API --------------------------------------------------------------------------------------------


def validate_file(path: Path, source: RawSource, *, batch_rows: int = 250_000,
                  today: dt.date | None = None) -> FileReport:
    """Validate one raw file against `source.model`; return its report or raise `RawFileError`.

    Reads the file as a stream of batches of about `batch_rows` rows (memory stays bounded whatever the file's
    size). Reports, each with its line: wrong columns (missing, extra, renamed, out of order), cells that are
    not of the column's type, values breaking a rule of the model, rows outside the month in the file name,
    duplicated keys, header rows repeated mid-file, blank lines, malformed lines, line breaks inside quoted
    values, non-UTF-8 bytes, dates after `today` (default: the day of the run) in the source's `not_future`
    columns, and an empty, header-only, truncated or unreadable (gzip) file.
    """
    started = time.perf_counter()
    path = Path(path)
    found = _Collector(path.name)
    expected = source.columns
    size = path.stat().st_size
    sha = _sha256(path)

    def report(rows: int, counts: Counter[str]) -> FileReport:
        return FileReport(
            path=path,
            source=source.name,
            rows=rows,
            bytes=size,
            sha256=sha,
            columns=expected,
            check_counts=dict(counts),
            failures=found.total,
            seconds=time.perf_counter() - started,
        )

    def fail(rows: int, counts: Counter[str] | None = None) -> RawFileError:
        summary = report(rows, counts or found.counts)
        title = (
            f"Raw file failed validation: {path}\n"
            f"  source {source.name} (model {source.model.__name__}), {rows:,} data rows read, "
            f"{found.total:,} problem{'s' if found.total != 1 else ''}:"
        )
        return RawFileError(
            format_failures(title, found.kept, found.total, found.counts), found.kept, found.total, [summary]
        )

    if size == 0:
        found.add(1, WHOLE_FILE, None, "empty file (0 bytes): expected a header row")
        raise fail(0)
    header = _read_header(path, found)
    if header is None:
        raise fail(0)
    _check_header(header, expected, found)
    if found.total:
        raise fail(0)
    found.columns = expected

    validator = _BatchValidator(source, path, found, today)
    rows = 0
    try:
        for text in _stream_text(path, expected, batch_rows):
            validator.check(text, first_line=rows + 2)
            rows += text.height
    except pa_arrow.ArrowInvalid as exc:
        rows += validator.line_breaks  # the lines read so far, for the errors placed after them
        message = str(exc)
        if "UTF8" in message or "UTF-8" in message:
            if not _locate_bad_utf8(path, found):
                found.add(rows + 2, ALL_COLUMNS, None, f"not valid UTF-8: {message}", kind="UTF-8")
        elif "CSV parse error" in message:
            if not _locate_bad_lines(path, len(expected), found):
                found.add(rows + 2, ALL_COLUMNS, None, f"malformed CSV: {message}", kind="malformed CSV")
        else:
            found.add(rows + 2, WHOLE_FILE, None, f"unreadable: {message}", kind="unreadable")
        raise fail(rows) from exc
    except (OSError, EOFError) as exc:
        row = _readable_lines(path) + 1
        found.add(row, WHOLE_FILE, None, f"{_truncated(exc)}; it breaks off on this line", kind="truncated or corrupt")
        raise fail(rows) from exc

    if rows == 0:
        found.add(2, WHOLE_FILE, None, "header only: the file has no data rows")
        raise fail(0)

    def reread(key: tuple[str, ...], lines: set[int]) -> pl.DataFrame:
        wanted = pl.Series(sorted(lines), dtype=pl.Int64)
        parts, first_line = [], 2
        # Only the key's columns, unless a quoted value over lines moved rows down (the count needs them all).
        include = () if validator.line_breaks else key
        for text in _stream_text(path, expected, batch_rows, include=include):
            numbers, breaks = _line_numbers(text, expected if include == () else (), first_line)
            text = text.with_columns(numbers)
            parts.append(text.filter(pl.col(_LINE).is_in(wanted.implode())).select(*key, _LINE))
            first_line += text.height + breaks
        return pl.concat(parts)

    validator.check_keys(reread)
    validator.counts.update(found.counts)
    if found.total:
        raise fail(rows, validator.counts)
    return report(rows, validator.counts)


def validate_source(raw_dir: Path, source: RawSource, *, paths: list[Path] | None = None,
                    batch_rows: int = 250_000, today: dt.date | None = None,
                    decisions: Decisions | None = None) -> list[FileReport]:
    """Validate every file of `source` under `raw_dir` (its glob, plus gzipped copies), or only `paths` (the
    files of the partitions a run targets), then the files as a set: one file per period (a second file for a
    period is refused, naming both, before any is read) and, for a source with a volume rule, each month's rows
    against the source's previous months in `raw_dir` (`check_volumes`; `decisions` default: the raw folder's
    `decisions.yaml`).

    Raises `RawFileError` if no file matches, if a period has two files, after validating them all if any
    failed (one message, every failed file's table), or if a month's volume is out of range.
    """
    raw_dir = Path(raw_dir)
    paths = source.files(raw_dir) if paths is None else paths
    if not paths:
        raise RawFileError(f"No file of source {source.name} matches {raw_dir / source.glob} (or .gz)")
    duplicates = source.duplicate_files(paths)
    if duplicates:
        failures = [
            Failure(path.name, None, WHOLE_FILE, ", ".join(other.name for other in files if other != path),
                    f"{DUPLICATE_FILE}: {period} also has {', '.join(str(o) for o in files if o != path)}",
                    DUPLICATE_FILE)
            for period, files in duplicates for path in files
        ]
        title = f"{source.duplicates_message(paths)}\n  (no file was read)"
        raise RawFileError(format_failures(title, failures, len(failures)), failures, len(failures))
    reports: list[FileReport] = []
    errors: list[RawFileError] = []
    for path in paths:
        try:
            reports.append(validate_file(path, source, batch_rows=batch_rows, today=today))
        except RawFileError as error:
            errors.append(error)
            reports.extend(error.reports)
    if errors:
        message = f"{len(errors)} of {len(paths)} files of source {source.name} failed validation.\n\n"
        message += "\n\n".join(str(error) for error in errors)
        failures = [failure for error in errors for failure in error.failures]
        raise RawFileError(message, failures, sum(error.total for error in errors), reports)
    if source.volume is not None:
        check_volumes(raw_dir, source, reports, load_decisions(raw_dir) if decisions is None else decisions)
    return reports


# --- volume against the source's own history ---------------------------------------------------------------


def data_rows(path: Path) -> int:
    """Data rows of a file without validating it: its lines (a last line without its \\n counts) less the
    header; streamed, so a file of any size costs one read."""
    lines, last = 0, b"\n"
    try:
        with _open_stream(path) as stream:
            while chunk := stream.read(1 << 22):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
    except (OSError, EOFError, pa_arrow.ArrowInvalid):
        pass  # a file that cannot be read to the end has the rows before the break
    return max(0, lines + (last != b"\n") - 1)


@dataclass(frozen=True)
class Volume:
    """One month's rows against the months before it (`VolumeRule`)."""

    month: dt.date
    rows: int
    history: tuple[tuple[dt.date, int], ...]  # (month, rows) of the months compared with, oldest first

    @property
    def median(self) -> float:
        counts = sorted(rows for _, rows in self.history)
        middle = len(counts) // 2
        return float(counts[middle]) if len(counts) % 2 else (counts[middle - 1] + counts[middle]) / 2

    def outside(self, rule: VolumeRule) -> bool:
        if len(self.history) < rule.min_history:
            return False
        return not rule.low * self.median <= self.rows <= rule.high * self.median

    def words(self, rule: VolumeRule) -> str:
        counts = [rows for _, rows in self.history]
        ratio = self.rows / self.median if self.median else float("inf")
        return (f"{self.rows:,} data rows, {ratio:.2f}x the median {self.median:,.0f} of the previous "
                f"{len(self.history)} months ({self.history[0][0]:%Y-%m} to {self.history[-1][0]:%Y-%m}: "
                f"{min(counts):,} to {max(counts):,} rows); the rule: {rule.words}, so "
                f"{rule.low * self.median:,.0f} to {rule.high * self.median:,.0f}")


def volumes(raw_dir: Path, source: RawSource, reports: list[FileReport], decisions: Decisions) -> list[Volume]:
    """Each validated monthly file's rows with its history: the previous `rule.months` months of the source
    in `raw_dir` that have a file and no recorded decision (a month accepted as unusual is not a baseline).
    Rows of a file validated here come from its report; of the others, from a count of their lines."""
    assert source.volume is not None
    rule = source.volume
    rows = {report.path: report.rows for report in reports}
    held = {month: path for path in source.files(raw_dir) if (month := file_month(path)) is not None}
    baseline = sorted(month for month in held if decisions.find(source.name, month) is None)
    result = []
    for report in reports:
        month = file_month(report.path)
        if month is None:
            continue
        before = [m for m in baseline if m < month][-rule.months:]
        history = []
        for m in before:
            path = held[m]
            if path not in rows:
                rows[path] = data_rows(path)
            history.append((m, rows[path]))
        result.append(Volume(month, report.rows, tuple(history)))
    return result


def check_volumes(raw_dir: Path, source: RawSource, reports: list[FileReport], decisions: Decisions) -> None:
    """Refuse the months whose rows are out of the source's recent range (`VolumeRule`), with the figures,
    unless a decision in the raw folder's `decisions.yaml` accepts that source and month; a decision applied is
    recorded in the file's report (`FileReport.decisions`, shown in the raw asset's metadata)."""
    rule = source.volume
    assert rule is not None
    by_month = {file_month(report.path): report for report in reports}
    failures = []
    for volume in volumes(raw_dir, source, reports, decisions):
        if not volume.outside(rule):
            continue
        report = by_month[volume.month]
        decision = decisions.find(source.name, volume.month)
        if decision is not None:
            report.decisions.append(f"volume: {volume.words(rule)}; {decision.words()}")
            continue
        where = decisions.path or Path(raw_dir) / DECISIONS_FILE
        failures.append(Failure(
            report.path.name, None, WHOLE_FILE, f"{volume.rows:,} rows",
            f"{volume.words(rule)}. Cut short or delivered twice? If the month is right, record a decision in "
            f"{where} (docs/data-quality.md)", VOLUME_KIND))
    if failures:
        paths = "".join(f"\n  {report.path}" for report in reports if report.path.name in {f.file for f in failures})
        title = (f"{len(failures)} file(s) of source {source.name} outside the source's recent volume "
                 f"(each file is valid on its own; the month's rows are not plausible):{paths}")
        raise RawFileError(format_failures(title, failures, len(failures)), failures, len(failures), reports)
