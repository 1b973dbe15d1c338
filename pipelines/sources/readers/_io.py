"""Shared plumbing for the real-data readers: opening files, locating rows, casting with clear errors.

Every reader reads the publisher's file *as text* first (all columns ``String``), then casts column by
column. A value that will not cast raises :class:`ReaderError` naming the file, the 1-based line (CSV,
counting the header as line 1 and following quoted line breaks) or sheet row (Excel/ODS) and the column.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

ROW = "__row"  # 0-based index of a data record, kept so errors can name the line

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")

# Markers the publishers use for "no value" in numeric cells (suppressed, not applicable, not available).
NUMERIC_NA = ("", "NA", "N/A", "NaN", "nan", "NULL", "null", "None", "..", ":", "*", "-", "x", "z", "c")

LSOA_CODE_RE = r"^[EW]01\d{6}$"
# ONS issued new LSOA codes from E01033769 onwards in 2021; 2011 codes stop at E01033768.
LAST_LSOA11_ENGLAND = 33768


class ReaderError(ValueError):
    """A real file did not match its documented layout.

    ``line`` is 1-based: the physical line of a CSV (header = line 1) or the sheet row of a spreadsheet.
    """

    def __init__(
        self,
        path: Path | str,
        message: str,
        *,
        line: int | None = None,
        column: str | None = None,
        sheet: str | None = None,
        value: object = None,
        unit: str = "line",
    ) -> None:
        self.path = Path(path)
        self.message = message
        self.line = line
        self.column = column
        self.sheet = sheet
        self.value = value
        where = [str(self.path)]
        if sheet is not None:
            where.append(f"sheet {sheet!r}")
        if line is not None:
            where.append(f"{unit} {line}")
        if column is not None:
            where.append(f"column {column!r}")
        text = message if value is None else f"{message} (found {value!r})"
        super().__init__(", ".join(where) + ": " + text)


@dataclass
class RawTable:
    """A file read as text, with what is needed to turn a record index back into a line number."""

    path: Path
    df: pl.DataFrame
    kind: str  # "csv" or "sheet"
    header: bool = True
    sheet: str | None = None
    first_data_row: int = 2  # sheet row of the first data record (spreadsheets only)
    text: str | None = None
    _starts: list[int] | None = field(default=None, repr=False)

    # -- locating ---------------------------------------------------------------------------------
    def line_of(self, record: int) -> int:
        """1-based physical line (CSV) or sheet row (spreadsheet) where data record ``record`` starts."""
        if self.kind == "sheet":
            return self.first_data_row + record
        if self._starts is None:
            reader = csv.reader(io.StringIO(self.text or "", newline=""))
            starts, end = [], 0
            for _ in reader:
                starts.append(end + 1)
                end = reader.line_num
            self._starts = starts[1:] if self.header else starts
        if record < len(self._starts):
            return self._starts[record]
        return record + (2 if self.header else 1)

    @property
    def header_line(self) -> int:
        return self.first_data_row - 1 if self.kind == "sheet" else 1

    def error(self, message: str, *, record: int | None = None, column: str | None = None,
              value: object = None, line: int | None = None) -> ReaderError:
        if record is not None:
            line = self.line_of(record)
        return ReaderError(self.path, message, line=line, column=column, sheet=self.sheet, value=value,
                           unit="row" if self.kind == "sheet" else "line")

    def first_bad(self, mask: pl.Series) -> int | None:
        """Record index (the ROW column) of the first True in ``mask``, or None."""
        hits = self.df[ROW].filter(mask.fill_null(False))
        return None if hits.is_empty() else int(hits[0])

    # -- columns ----------------------------------------------------------------------------------
    @property
    def columns(self) -> list[str]:
        return [c for c in self.df.columns if c != ROW]

    def resolve(self, aliases: Mapping[str, Sequence[str]], *, required: Iterable[str] = ()) -> dict[str, str]:
        """Map canonical names to the file's headers (case- and whitespace-insensitive)."""
        index = {norm_header(c): c for c in self.columns}
        found: dict[str, str] = {}
        for canon, names in aliases.items():
            for name in names:
                hit = index.get(norm_header(name))
                if hit is not None:
                    found[canon] = hit
                    break
        for canon in required:
            if canon not in found:
                raise self.error(
                    f"missing required column (expected one of {list(aliases[canon])}); "
                    f"the file has {self.columns}",
                    column=aliases[canon][0], line=self.header_line)
        return found

    def has(self, *names: str) -> bool:
        cols = {norm_header(c) for c in self.columns}
        return all(norm_header(n) in cols for n in names)

    def text_col(self, name: str | None) -> pl.Series:
        if name is None:
            return pl.Series(values=[None] * self.df.height, dtype=pl.String)
        return self.df[name]

    # -- casting ----------------------------------------------------------------------------------
    def require(self, name: str, *, canonical: str | None = None) -> pl.Series:
        s = self.df[name]
        bad = self.first_bad(s.is_null())
        if bad is not None:
            raise self.error(f"empty value in required column{_as(canonical)}", record=bad, column=name)
        return s

    def to_int(self, name: str | None, *, required: bool = False, canonical: str | None = None,
               lo: int | None = None, hi: int | None = None, na: Sequence[str] = NUMERIC_NA) -> pl.Series:
        """Whole numbers; thousands separators ("29,199") and a trailing ".0" are accepted."""
        if name is None:
            return pl.Series(values=[None] * self.df.height, dtype=pl.Int64)
        s = _numeric_text(self.df[name], na)
        out = s.cast(pl.Int64, strict=False)
        failed = s.is_not_null() & out.is_null()
        if failed.any():  # "1302555.0" style whole numbers written as floats
            f = s.cast(pl.Float64, strict=False)
            whole = f.is_not_null() & f.is_finite() & (f == f.round(0))
            out = pl.select(pl.when(failed & whole).then(f.cast(pl.Int64)).otherwise(out)).to_series()
            bad = self.first_bad(failed & ~whole.fill_null(False))
            if bad is not None:
                raise self.error(f"not a whole number{_as(canonical)}", record=bad, column=name,
                                 value=self.df[name][self._pos(bad)])
        return self._check_range(out, name, required, canonical, lo, hi)

    def to_ints(self, names: Sequence[str], *, required: bool = False, lo: int | None = None,
                canonical: str | None = None) -> pl.DataFrame:
        """Many whole-number columns at once (one vectorised pass); falls back to :meth:`to_int` per column
        only to name the first bad cell."""
        fast = self.df.select(
            pl.col(list(names)).str.replace_all(",", "", literal=True).cast(pl.Int64, strict=False))
        lost = (fast.null_count().row(0) != self.df.select(list(names)).null_count().row(0))
        bad_range = lo is not None and bool(fast.select(pl.any_horizontal(pl.all() < lo).any()).item())
        missing = required and bool(fast.select(pl.any_horizontal(pl.all().is_null()).any()).item())
        if lost or bad_range or missing:
            for n in names:  # raises on the first offending cell
                self.to_int(n, required=required, lo=lo, canonical=canonical)
        return fast

    def to_float(self, name: str | None, *, required: bool = False, canonical: str | None = None,
                 lo: float | None = None, hi: float | None = None, na: Sequence[str] = NUMERIC_NA) -> pl.Series:
        if name is None:
            return pl.Series(values=[None] * self.df.height, dtype=pl.Float64)
        s = _numeric_text(self.df[name], na)
        out = s.cast(pl.Float64, strict=False)
        bad = self.first_bad(s.is_not_null() & (out.is_null() | out.is_nan()) & ~s.str.to_lowercase().is_in(["nan"]))
        if bad is not None:
            raise self.error(f"not a number{_as(canonical)}", record=bad, column=name,
                             value=self.df[name][self._pos(bad)])
        return self._check_range(out, name, required, canonical, lo, hi)

    def to_month(self, name: str, *, required: bool = True, canonical: str | None = None) -> pl.Series:
        """First day of the month named in ``name`` (see :func:`parse_month_text`)."""
        raw = self.df[name]
        out = parse_month_text(raw)
        bad = self.first_bad(raw.is_not_null() & out.is_null())
        if bad is not None:
            raise self.error(f"not a recognisable month or date{_as(canonical)}", record=bad, column=name,
                             value=raw[self._pos(bad)])
        if required:
            self.require(name, canonical=canonical)
        return out

    def to_date(self, name: str | None, fmt: str = "%Y%m%d", *, canonical: str | None = None) -> pl.Series:
        if name is None:
            return pl.Series(values=[None] * self.df.height, dtype=pl.Date)
        raw = self.df[name]
        out = raw.str.replace(r"\.0$", "").str.strptime(pl.Date, fmt, strict=False)
        bad = self.first_bad(raw.is_not_null() & out.is_null())
        if bad is not None:
            raise self.error(f"not a date in format {fmt}{_as(canonical)}", record=bad, column=name,
                             value=raw[self._pos(bad)])
        return out

    def check_pattern(self, name: str, pattern: str, *, what: str, allow_null: bool = False) -> pl.Series:
        s = self.df[name]
        mask = s.is_not_null() & ~s.str.contains(pattern)
        if not allow_null:
            mask = mask | s.is_null()
        bad = self.first_bad(mask)
        if bad is not None:
            raise self.error(f"not a valid {what} (pattern {pattern})", record=bad, column=name,
                             value=s[self._pos(bad)])
        return s

    def check_in(self, name: str, allowed: Iterable[str], *, what: str) -> pl.Series:
        allowed = list(allowed)
        s = self.df[name]
        bad = self.first_bad(s.is_null() | ~s.is_in(allowed))
        if bad is not None:
            raise self.error(f"unexpected {what}; expected one of {allowed}", record=bad, column=name,
                             value=s[self._pos(bad)])
        return s

    # -- helpers ----------------------------------------------------------------------------------
    def _pos(self, record: int) -> int:
        """Position in df of the record with ROW == record."""
        return int(self.df[ROW].search_sorted(record))

    def _check_range(self, out: pl.Series, name: str, required: bool, canonical: str | None,
                     lo: float | None, hi: float | None) -> pl.Series:
        if required:
            bad = self.first_bad(out.is_null())
            if bad is not None:
                raise self.error(f"empty value in required column{_as(canonical)}", record=bad, column=name)
        if lo is not None:
            bad = self.first_bad(out < lo)
            if bad is not None:
                raise self.error(f"value below {lo}{_as(canonical)}", record=bad, column=name,
                                 value=self.df[name][self._pos(bad)])
        if hi is not None:
            bad = self.first_bad(out > hi)
            if bad is not None:
                raise self.error(f"value above {hi}{_as(canonical)}", record=bad, column=name,
                                 value=self.df[name][self._pos(bad)])
        return out


def _as(canonical: str | None) -> str:
    return f" (read as {canonical})" if canonical else ""


def _numeric_text(s: pl.Series, na: Sequence[str]) -> pl.Series:
    s = s.str.strip_chars()
    s = pl.select(pl.when(s.is_in(list(na))).then(None).otherwise(s)).to_series()
    if s.str.contains(",", literal=True).any():  # thousands separators, "29,199"
        s = s.str.replace_all(",", "", literal=True)
    return s


def norm_header(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\ufeff", "")).strip().lower()


def snake(name: str) -> str:
    """Publisher header -> snake_case (``Practice.Code`` -> ``practice_code``)."""
    s = re.sub(r"[^0-9a-zA-Z]+", "_", name.replace("\ufeff", "")).strip("_").lower()
    return re.sub(r"_+", "_", s)


# -- opening files ------------------------------------------------------------------------------------

def _payload(path: Path, member: str | None) -> tuple[bytes, str]:
    """File bytes (decompressed) and the effective name (without .gz, or the zip member's name)."""
    name = path.name
    low = name.lower()
    if low.endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            return fh.read(), name[:-3]
    if low.endswith(".zip"):
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
            if member is not None:
                pick = [n for n in names if Path(n).name.lower() == member.lower()]
            else:
                pick = [n for n in names if n.lower().endswith((".csv",) + EXCEL_SUFFIXES)]
            if len(pick) != 1:
                raise ReaderError(path, f"expected exactly one data file in the zip archive, found {names}")
            return zf.read(pick[0]), Path(pick[0]).name
    return path.read_bytes(), name


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older NHS extracts are Windows-1252; anything else is a malformed file.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:  # pragma: no cover - cp1252 decodes almost anything
            raise ReaderError(path, f"not UTF-8 or Windows-1252 text: {exc}") from exc


def load_table(
    path: Path | str,
    *,
    header: bool = True,
    names: Sequence[str] | None = None,
    sheet: str | int | None = None,
    header_hint: str | Sequence[str] | None = None,
    member: str | None = None,
) -> RawTable:
    """Read a CSV (plain, .gz or .zip) or a spreadsheet (.xlsx/.xls/.ods) as text.

    ``names`` names the columns of a headerless file (``header=False``); the file must have exactly that
    many fields on every line. For spreadsheets, the sheet is ``sheet`` or else the first sheet holding a
    header cell equal to (one of) ``header_hint``; the header row is found the same way (publishers put
    titles and notes above it).
    """
    path = Path(path)
    if not path.exists():
        raise ReaderError(path, "file not found")
    data, name = _payload(path, member)
    if name.lower().endswith(EXCEL_SUFFIXES):
        return _load_sheet(path, data, sheet=sheet, header_hint=header_hint, header=header, names=names)
    text = _decode(data, path)
    if not text.strip():
        raise ReaderError(path, "file is empty")
    try:
        df = pl.read_csv(
            io.StringIO(text),
            has_header=header,
            new_columns=list(names) if (names is not None and not header) else None,
            infer_schema=False,
            quote_char='"',
        )
    except (pl.exceptions.ComputeError, pl.exceptions.ShapeError, pl.exceptions.NoDataError) as exc:
        raise _ragged_error(path, text, header, names) or ReaderError(path, f"unreadable CSV: {exc}") from exc
    if names is not None and not header and df.width != len(names):
        raise _ragged_error(path, text, header, names) or ReaderError(
            path, f"expected {len(names)} fields, found {df.width}")
    df = df.rename({c: c.replace("\ufeff", "").strip() for c in df.columns})
    # polars raises on a long line but pads a short one with nulls in the trailing columns: only then scan
    short_possible = df.height > 0 and df[df.columns[-1]].null_count() > 0
    raw = RawTable(path=path, df=_tidy(df), kind="csv", header=header, text=text)
    if short_possible:
        _check_field_counts(raw, names)
    return raw


def _tidy(df: pl.DataFrame) -> pl.DataFrame:
    """Strip cells (quoted line breaks leave "\\r\\n" inside some names), blank -> null, drop blank lines."""
    stripped = pl.all().str.strip_chars()
    df = df.select(pl.when(stripped == "").then(None).otherwise(stripped).name.keep())
    df = df.with_row_index(ROW)
    return df.filter(~pl.all_horizontal(pl.exclude(ROW).is_null()))


def _check_field_counts(raw: RawTable, names: Sequence[str] | None) -> None:
    """polars pads short lines with nulls; a short or long line is a malformed file, so find it."""
    expected = len(names) if (names is not None and not raw.header) else len(raw.columns)
    err = _scan_fields(raw.path, raw.text or "", expected)
    if err is not None:
        raise err


def _ragged_error(path: Path, text: str, header: bool, names: Sequence[str] | None) -> ReaderError | None:
    return _scan_fields(path, text, None if header else (len(names) if names else None))


def _scan_fields(path: Path, text: str, expected: int | None) -> ReaderError | None:
    """First record whose field count differs from ``expected`` (default: the first record's)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for rec in reader:
        if rec:
            if expected is None:
                expected = len(rec)
            elif len(rec) != expected:
                return ReaderError(path, f"expected {expected} fields, found {len(rec)}", line=start)
        start = reader.line_num + 1
    return None


def _load_sheet(path: Path, data: bytes, *, sheet: str | int | None, header_hint, header: bool,
                names: Sequence[str] | None) -> RawTable:
    import fastexcel

    hints = [header_hint] if isinstance(header_hint, str) else list(header_hint or [])
    hints_n = {norm_header(h) for h in hints}
    try:
        book = fastexcel.read_excel(data)
    except Exception as exc:  # fastexcel raises its own error types
        raise ReaderError(path, f"unreadable spreadsheet: {_first_line(exc)}") from exc
    candidates = [sheet] if sheet is not None else list(book.sheet_names)
    for cand in candidates:
        cand_name = cand if isinstance(cand, str) else (
            book.sheet_names[cand] if isinstance(cand, int) and 0 <= cand < len(book.sheet_names) else str(cand))
        try:
            grid = book.load_sheet(cand, header_row=None, dtypes="string").to_polars()
        except Exception as exc:  # calamine's errors (damaged XML, a missing part): one ReaderError
            raise _damaged_sheet(path, data, cand_name, exc) from exc
        grid = grid.select(pl.all().cast(pl.String))
        hdr = 0
        if header and hints_n:
            hdr = None
            for i, row in enumerate(grid.head(40).iter_rows()):
                if any(norm_header(str(v)) in hints_n for v in row if v is not None):
                    hdr = i
                    break
            if hdr is None:
                continue
        sheet_name = cand if isinstance(cand, str) else book.sheet_names[cand]
        if header:
            heads = [("" if v is None else str(v)).strip() for v in grid.row(hdr)]
            _check_header(path, data, sheet_name, grid, hdr, heads)
            keep = [i for i, h in enumerate(heads) if h]
            body = grid.slice(hdr + 1).select([grid.columns[i] for i in keep])
            body.columns = [heads[i] for i in keep]
            first = hdr + 2
        else:
            body = grid
            if names is not None:
                if body.width < len(names):
                    raise ReaderError(path, f"expected {len(names)} columns, found {body.width}", sheet=sheet_name)
                body = body.select(body.columns[: len(names)])
                body.columns = list(names)
            first = 1
        return RawTable(path=path, df=_tidy(body), kind="sheet", header=header, sheet=sheet_name,
                        first_data_row=first)
    raise ReaderError(path, f"no sheet has a header row containing {hints}; sheets: {book.sheet_names}")


# -- spreadsheet damage: one ReaderError naming file, sheet, row and column ----------------------------

def _first_line(exc: BaseException) -> str:
    return " ".join(str(exc).split("\n")[0].split())


def column_letter(index: int) -> str:
    """Spreadsheet column letters of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _check_header(path: Path, data: bytes, sheet: str, grid: pl.DataFrame, hdr: int, heads: list[str]) -> None:
    """The header row must name every column once: a merged header cell (which leaves the next columns
    nameless, so their values would be dropped) or an empty header over values, and a name used twice, are
    errors naming the sheet row and the column."""
    row = hdr + 1  # sheet row of the header
    for merged in _merged_ranges(data, sheet):
        first_col, first_row, last_col, last_row = merged
        if first_row <= row <= last_row and last_col > first_col:
            ref = f"{column_letter(first_col)}{first_row}:{column_letter(last_col)}{last_row}"
            nameless = ", ".join(column_letter(c) for c in range(first_col + 1, last_col + 1))
            raise ReaderError(path, f"header cell {ref} is merged across {last_col - first_col + 1} columns, so "
                              f"column {nameless} has no header of its own (its values would be lost); unmerge it "
                              "and name each column", sheet=sheet, line=row, column=column_letter(first_col + 1),
                              unit="row")
    body = grid.slice(hdr + 1)
    for i, head in enumerate(heads):
        if not head and body[body.columns[i]].drop_nulls().str.strip_chars().ne("").any():
            raise ReaderError(path, "a column holds values but has no header (a merged or blank header cell?)",
                              sheet=sheet, line=row, column=column_letter(i), unit="row")
    seen: dict[str, int] = {}
    for i, head in enumerate(heads):
        if not head:
            continue
        key = norm_header(head)
        if key in seen:
            raise ReaderError(path, f"duplicate header: columns {column_letter(seen[key])} and {column_letter(i)} "
                              "both carry this name", sheet=sheet, line=row, column=head, unit="row")
        seen[key] = i


def _sheet_xml(data: bytes, sheet: str) -> bytes | None:
    """The worksheet XML of `sheet` in an xlsx/xlsm (None for other formats or when it cannot be found)."""
    import xml.etree.ElementTree as ET

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return None
    with zf:
        try:
            workbook = ET.fromstring(zf.read("xl/workbook.xml"))
            rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        except (KeyError, ET.ParseError):
            return None
        rid = None
        for element in workbook.iter():
            if element.tag.endswith("}sheet") and element.get("name") == sheet:
                rid = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
        target = next((r.get("Target") for r in rels if r.get("Id") == rid), None) if rid else None
        if target is None:
            return None
        name = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        try:
            return zf.read(name)
        except KeyError:
            return None


def _merged_ranges(data: bytes, sheet: str) -> list[tuple[int, int, int, int]]:
    """(first column, first row, last column, last row) of every merged range of an xlsx sheet (0-based
    columns, 1-based rows); empty for other formats."""
    xml = _sheet_xml(data, sheet)
    if xml is None:
        return []
    found = []
    for ref in re.findall(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"', xml):
        c1, r1, c2, r2 = (v.decode() for v in ref)
        found.append((_column_index(c1), int(r1), _column_index(c2), int(r2)))
    return found


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _damaged_sheet(path: Path, data: bytes, sheet: str, exc: BaseException) -> ReaderError:
    """A sheet the library cannot load: where its XML breaks (the last cell read whole), if it is an xlsx."""
    import xml.etree.ElementTree as ET

    detail = _first_line(exc).removeprefix("calamine error: ")
    xml = _sheet_xml(data, sheet)
    if xml is None:
        return ReaderError(path, f"unreadable sheet (damaged file?): {detail}", sheet=sheet)
    last_cell = None
    parser = ET.XMLPullParser(events=("start",))
    try:
        parser.feed(xml)
        for _, element in parser.read_events():
            if element.tag.endswith("}c") and element.get("r"):
                last_cell = element.get("r")
        parser.close()
    except ET.ParseError as err:
        for _, element in parser.read_events():
            if element.tag.endswith("}c") and element.get("r"):
                last_cell = element.get("r")
        where = re.match(r"([A-Z]+)(\d+)", last_cell or "")
        at = f"the XML breaks at its line {err.position[0]}, character {err.position[1]}"
        if where:
            return ReaderError(path, f"damaged sheet XML: {at}, in or after cell {last_cell} ({detail})",
                               sheet=sheet, line=int(where.group(2)), column=where.group(1), unit="row")
        return ReaderError(path, f"damaged sheet XML: {at}, before any cell; row and column unknown ({detail})",
                           sheet=sheet)
    return ReaderError(path, f"unreadable sheet: {detail}; row unknown, column unknown", sheet=sheet)


# -- months -------------------------------------------------------------------------------------------

def parse_month_text(s: pl.Series) -> pl.Series:
    """First day of the month for the month labels the publishers use.

    Accepted: "April 2022", "Apr 2022", "APRIL 2022", "2022-04", "2022-04-01", "2022-04-01 00:00:00",
    "01APR2020", "01Apr2022", "01-Sep-20", "01/04/2022", "20220401", "MSitAE-APRIL-2019".
    Unrecognised text gives null (the caller turns that into a ReaderError).
    """
    t = s.str.strip_chars().str.replace_all(r"\s+", " ")
    t = t.str.replace(r"(?i)^MSitAE-", "").str.replace(r"^([A-Za-z]+)-(\d{4})$", "$1 $2")
    t = t.str.replace(r"^(\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}(:\d{2})?(\.\d+)?$", "$1")
    title = t.str.to_titlecase()
    attempts = [
        t.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        (t + "-01").str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        title.str.strptime(pl.Date, "%B %Y", strict=False),
        title.str.strptime(pl.Date, "%b %Y", strict=False),
        t.str.strptime(pl.Date, "%d%b%Y", strict=False),
        t.str.strptime(pl.Date, "%d-%b-%y", strict=False),
        t.str.strptime(pl.Date, "%d-%b-%Y", strict=False),
        t.str.strptime(pl.Date, "%d/%m/%Y", strict=False),
        t.str.strptime(pl.Date, "%Y%m%d", strict=False),
    ]
    out = pl.select(pl.coalesce(attempts)).to_series()
    return out.dt.truncate("1mo").alias(s.name)


def month_from_name(path: Path | str) -> str | None:
    """``YYYY-MM`` found in a file name such as ``gp-reg-pat-prac-all_2021-01.csv.gz``."""
    m = re.search(r"(?<!\d)(\d{4})-(\d{2})(?!\d)", Path(path).name)
    return f"{m.group(1)}-{m.group(2)}" if m else None


def infer_lsoa_vintage(codes: pl.Series, declared: int | None, raw: RawTable, column: str) -> int:
    """2011 or 2021. A code above E01033768 exists only in the 2021 set; it contradicts a declared 2011."""
    num = codes.drop_nulls().filter(codes.drop_nulls().str.starts_with("E01")).str.slice(3).cast(pl.Int64)
    has_2021_only = bool((num > LAST_LSOA11_ENGLAND).any()) if len(num) else False
    if declared == 2011 and has_2021_only:
        first = raw.first_bad(codes.str.slice(3).cast(pl.Int64, strict=False) > LAST_LSOA11_ENGLAND)
        raise raw.error("LSOA code exists only in the 2021 LSOA set, but the file is declared LSOA 2011",
                        record=first, column=column)
    if declared is not None:
        return declared
    return 2021 if has_2021_only else 2011


def null_frame_cols(df: pl.DataFrame, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """Add any canonical column missing from ``df`` as typed nulls, then order as ``schema``."""
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in schema.items() if c not in df.columns]
    if missing:
        df = df.with_columns(missing)
    extras = [c for c in df.columns if c not in schema]
    return df.select([pl.col(c).cast(t) for c, t in schema.items()] + extras)
