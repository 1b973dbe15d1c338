"""Bad public files and downstream model failures (issue 12, rows 6 and 15): what breaks and what the one
error must say. The files are made in the tests from a real file of the shared mirror (`make_xlsx` writes the
first lines of a real CSV as the publisher's workbook, then `PublicCase.mutate` breaks it); nothing is
committed. Used by tests/bad_inputs/test_public_files.py; the local-file corpus is tests/bad_inputs/corpus.py.
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from openpyxl import Workbook, load_workbook

SHEET = "IMD2019"
TITLE_ROWS = 2  # a title and a note above the header, as MHCLG publishes
HEADER_ROW = TITLE_ROWS + 1


def make_xlsx(real_csv_gz: Path, out: Path, lines: int = 25) -> Path:
    """The first `lines` records of a real (gzipped) CSV as an xlsx workbook: title rows, header, data."""
    text = gzip.open(real_csv_gz, "rt", encoding="utf-8-sig").read().splitlines()[: lines + 1]
    import csv

    rows = list(csv.reader(text))
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(["English Indices of Deprivation 2019"])
    ws.append(["File 1: index of multiple deprivation"])
    for row in rows:
        ws.append(row)
    wb.save(out)
    return out


def _with_workbook(edit: Callable) -> Callable[[Path], None]:
    def mutate(path: Path) -> None:
        wb = load_workbook(path)
        edit(wb[SHEET])
        wb.save(path)
    return mutate


def _duplicate_header(ws) -> None:
    ws.cell(HEADER_ROW, 4).value = ws.cell(HEADER_ROW, 2).value  # two "LSOA name (2011)" columns


def _merge_header(ws) -> None:
    # the LAD name's header cell merged across the rank's: the rank column keeps its values but loses its header
    ws.merge_cells(start_row=HEADER_ROW, start_column=4, end_row=HEADER_ROW, end_column=5)


def _truncate_sheet_xml(path: Path) -> None:
    """Cut `xl/worksheets/sheet1.xml` in the middle of a tag, keeping the zip itself valid."""
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            zf.writestr(info, data)
    path.write_bytes(buffer.getvalue())


@dataclass(frozen=True)
class PublicCase:
    name: str
    breaks: str  # what is wrong, in words
    mutate: Callable[[Path], None] | None  # the change to the good workbook (None: a downstream case)
    expect: tuple[str, ...]  # parts the one error line must contain (a regular expression each)


PUBLIC_CASES: list[PublicCase] = [
    PublicCase("duplicated header", "two columns of the header row carry the same name",
               _with_workbook(_duplicate_header),
               (r"sheet 'IMD2019'", rf"row {HEADER_ROW}\b", r"column 'LSOA name \(2011\)'", r"\bD\b",
                r"duplicate|twice")),
    PublicCase("damaged sheet xml", "xl/worksheets/sheet1.xml cut in half inside the zip",
               _truncate_sheet_xml,
               (r"sheet 'IMD2019'", r"unreadable|damaged", r"row \d+|row unknown", r"column")),
    PublicCase("merged header cell", "a header cell merged across the next column: that column has no name",
               _with_workbook(_merge_header),
               (r"sheet 'IMD2019'", rf"row {HEADER_ROW}\b", r"merged", r"D{HEADER_ROW}:E{HEADER_ROW}".format(
                   HEADER_ROW=HEADER_ROW), r"column 'E'|column E")),
    PublicCase("pcn spelt two ways", "one practice of a PCN spells the PCN's name differently in the practice map",
               None,
               (r"marts\.dim_areas", r"\(level, area_code\) must be unique", r"area_code='[A-Z0-9]+'",
                r"area_name", r"gp/gp-reg-pat-prac-map\.csv", r"line \d+ \(PCN_NAME '[^']+'\)")),
]


def matches(case: PublicCase, message: str) -> list[str]:
    """The expected parts the message lacks (empty: it says all)."""
    return [part for part in case.expect if not re.search(part, message)]
