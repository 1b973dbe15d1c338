"""The commissioner workbook: tables that read like an OHID profile, written with openpyxl.

Each data sheet has a title (row 1), a note on suppression and colours (row 2), one header row (row 3) and one
row per record from row 4; headers are frozen and filtered. A cell hidden by disclosure control shows "*"
(see `SUPPRESSED_MARK`), and the row's "Note" column says why. England comparisons are written in words and
coloured as in Fingertips (green better, amber similar, red worse; blues for higher/lower without polarity).

The same tables give the same bytes (issue 12, item 8): openpyxl stamps the workbook's created and modified
times (docProps/core.xml) and every zip entry with the clock; here both are `FIXED_TIMESTAMP` (1 January 2000,
or `$SOURCE_DATE_EPOCH` when set, the reproducible-builds convention), entries are written in openpyxl's fixed
order with fixed permissions, so two runs on the same marts write byte-identical workbooks. When the data were
built is not a property of the file: the release's content hash (`pipelines.publish.content_hash`) and the
README sheet's latest period say what it holds.

Every value goes into its cell through `_put`: text that a spreadsheet would run as a formula (beginning with
= + - @, a tab or a carriage return) is prefixed with a single quote (`safe_text.neutralise_formula_text`, OWASP's
CSV-injection rule) and every text cell is typed as a string, so no cell of the workbook is ever a formula.
"""

from __future__ import annotations

import datetime
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import polars as pl
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from pipelines.disclosure import HIDDEN, SUPPRESSED_MARK
from pipelines.outputs.safe_text import neutralise_formula_text

HEADER_ROW = 3
FIRST_DATA_ROW = HEADER_ROW + 1

#: Fingertips benchmark colours (fill, font) by comparison label.
COMPARISON_STYLE: dict[str, tuple[str, str]] = {
    "better": ("92D050", "000000"),
    "similar": ("FFC000", "000000"),
    "worse": ("C00000", "FFFFFF"),
    "higher": ("5555E6", "FFFFFF"),
    "lower": ("BED2FF", "000000"),
    "not_compared": ("FFFFFF", "000000"),
}
COMPARISON_WORDS: dict[str, str] = {
    "better": "Better than England",
    "similar": "Similar to England",
    "worse": "Worse than England",
    "higher": "Higher than England",
    "lower": "Lower than England",
    "not_compared": "Not compared",
}

_HEADER_FILL = PatternFill("solid", fgColor="005EB8")  # NHS blue
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_TITLE_FONT = Font(bold=True, size=14)
_NOTE_FONT = Font(italic=True, size=9)


@dataclass(frozen=True)
class Column:
    """One column of a data sheet: the frame's field, its header and how to format it.

    kind: text | count (thousands, whole or 1 dp) | value (1 dp) | comparison (words + colour) | integer
    """

    field: str
    header: str
    kind: str = "text"
    width: int | None = None


@dataclass
class Sheet:
    name: str
    title: str
    frame: pl.DataFrame
    columns: Sequence[Column]
    note: str = ""
    frozen_columns: int = 2  # columns kept in view when scrolling right


@dataclass
class TextSheet:
    """A sheet of prose: (heading, paragraph) pairs; a heading of "" continues the previous section."""

    name: str
    title: str
    sections: Sequence[tuple[str, str]] = field(default_factory=list)


def fixed_timestamp() -> datetime.datetime:
    """The time every workbook says it was created and modified, and every zip entry's date: 1 January 2000
    (UTC), or `$SOURCE_DATE_EPOCH` (seconds since 1970, clamped to the zip format's 1980 floor) when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        moment = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc).replace(tzinfo=None)
        return max(moment, datetime.datetime(1980, 1, 1))
    return datetime.datetime(2000, 1, 1)


class _FixedTimeZip(ZipFile):
    """A zip whose every entry carries `fixed_timestamp()` and the same permissions, whatever the clock."""

    def __init__(self, file, moment: datetime.datetime):
        super().__init__(file, "w", ZIP_DEFLATED, allowZip64=True)
        self._date_time = moment.timetuple()[:6]

    def _info(self, name: str) -> ZipInfo:
        info = ZipInfo(name, date_time=self._date_time)
        info.compress_type = ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        info.create_system = 3  # the same on every platform
        return info

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, ZipInfo):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl streams each worksheet to a temporary file and adds it with write(), which would stamp the
        # temporary file's modification time
        with open(filename, "rb") as handle:
            self.writestr(self._info(arcname or os.path.basename(filename)), handle.read())


def write_workbook(path: Path, sheets: Sequence[Sheet | TextSheet]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.name)
        if isinstance(sheet, TextSheet):
            _write_text(ws, sheet)
        else:
            _write_table(ws, sheet)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.xlsx")
    save_deterministic(workbook, tmp)
    tmp.replace(path)  # a reader never sees a half-written workbook
    return path


def save_deterministic(workbook: Workbook, path: Path) -> Path:
    """`workbook.save(path)` without the clock: created, modified and every zip entry's date are
    `fixed_timestamp()` (openpyxl's own save sets `modified` to now), so the bytes depend on the cells only."""
    moment = fixed_timestamp()
    workbook.properties.created = moment
    workbook.properties.modified = moment
    workbook.properties.lastModifiedBy = None
    with _FixedTimeZip(path, moment) as archive:
        ExcelWriter(workbook, archive).write_data()
    return path


def _put(cell: Cell, value: object) -> Cell:
    """Set a cell's value; text is neutralised (never a formula) and typed as a string. Numbers, dates and
    None are written as they are."""
    value = neutralise_formula_text(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl types any str beginning with "=" as a formula; this one is text
    return cell


def _write_text(ws: Worksheet, sheet: TextSheet) -> None:
    _put(ws["A1"], sheet.title).font = _TITLE_FONT
    row = 3
    for heading, text in sheet.sections:
        if heading:
            _put(ws.cell(row, 1), heading).font = Font(bold=True)
        cell = _put(ws.cell(row, 2), text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row, 1).alignment = Alignment(vertical="top", wrap_text=True)
        lines = sum(max(1, math.ceil(len(part) / 110)) for part in str(text).split("\n"))
        ws.row_dimensions[row].height = max(15, 15 * lines)
        row += 1
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 120


def _write_table(ws: Worksheet, sheet: Sheet) -> None:
    columns = [c for c in sheet.columns if c.field in sheet.frame.columns]
    _put(ws.cell(1, 1), sheet.title).font = _TITLE_FONT
    if sheet.note:
        _put(ws.cell(2, 1), sheet.note).font = _NOTE_FONT
    for j, column in enumerate(columns, start=1):
        cell = _put(ws.cell(HEADER_ROW, j), column.header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[HEADER_ROW].height = 45

    hidden_lists = sheet.frame[HIDDEN].to_list() if HIDDEN in sheet.frame.columns else [None] * sheet.frame.height
    widths = [min(max(len(c.header) // 2 + 2, 8), 40) for c in columns]
    fields = [c.field for c in columns]
    for i, (row, hidden) in enumerate(zip(sheet.frame.select(fields).iter_rows(), hidden_lists)):
        r = FIRST_DATA_ROW + i
        hidden = set(hidden or ())
        for j, (column, value) in enumerate(zip(columns, row), start=1):
            cell = ws.cell(r, j)
            if column.field in hidden:
                _put(cell, SUPPRESSED_MARK)
                cell.alignment = Alignment(horizontal="right")
                continue
            _set(cell, column, value)
            shown = len(str(cell.value)) if cell.value is not None else 0
            widths[j - 1] = max(widths[j - 1], min(shown + 2, 60 if column.kind == "text" else 16))

    for j, (column, width) in enumerate(zip(columns, widths), start=1):
        ws.column_dimensions[get_column_letter(j)].width = column.width or width
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, sheet.frozen_columns + 1)
    if columns:
        last = FIRST_DATA_ROW + max(sheet.frame.height, 1) - 1
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{last}"


def _set(cell, column: Column, value) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        cell.value = None
        return
    if column.kind == "comparison":
        key = str(value)
        _put(cell, COMPARISON_WORDS.get(key, key))
        fill, font = COMPARISON_STYLE.get(key, ("FFFFFF", "000000"))
        cell.fill = PatternFill("solid", fgColor=fill)
        cell.font = Font(color=font)
        return
    _put(cell, value)
    if column.kind == "count" and isinstance(value, (int, float)):
        cell.number_format = "#,##0" if float(value).is_integer() else "#,##0.0"
    elif column.kind == "value" and isinstance(value, (int, float)):
        cell.number_format = "#,##0.0" if abs(value) >= 1 or value == 0 else "0.000"
    elif column.kind == "integer":
        cell.number_format = "0"
