"""The bad-input corpus: one small, deterministic bad file per kind of problem, made from a good demo file.

Each `BadInput` names the demo file it replaces, how to break it (`make`: good file -> bad bytes) and what
the pipeline must do:

- `reject`: the raw asset fails with a `RawFileError` whose table names the file, the row (line, header = 1),
  the column and the rule; nothing downstream runs, nothing is published.
- `quarantine`: the lines are set aside in `staging.quarantine_rows` with the reason; everything else goes on,
  and the published marts are unchanged (the bad lines are additions to a good file, so leaving them out
  gives back exactly the good marts).

docs/data-quality.md lists the cases and what each produces; tests/test_bad_inputs.py runs them.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class BadInput:
    name: str
    source: str  # the raw source (schemas.registry) the file belongs to
    file: str  # the demo file replaced, relative to the raw folder
    make: Callable[[Path, Path], bytes]  # (good file, raw folder) -> the bad file's bytes
    outcome: Literal["reject", "quarantine"]
    column: str  # reject: the column named; quarantine: the column whose value is quarantined
    rule: str  # reject: (part of) the rule named; quarantine: (part of) the reason
    row: int | None = None  # reject: the line named (None: any line)
    lines: tuple[int, ...] = ()  # quarantine: the lines set aside
    rename: str | None = None  # the bad file's name, if not the good one's (e.g. gzipped)


# --- line and cell edits (files are the demo's: UTF-8, comma separated, "\n" line ends) --------------------


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines()


def _join(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _fields(line: str) -> list[str]:
    return next(csv.reader([line]))


def _line(fields: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return out.getvalue()


def set_cell(line_no: int, column: str, value: str) -> Callable[[Path, Path], bytes]:
    def make(path: Path, raw_dir: Path) -> bytes:
        lines = _lines(path)
        header = _fields(lines[0])
        fields = _fields(lines[line_no - 1])
        fields[header.index(column)] = value
        lines[line_no - 1] = _line(fields)
        return _join(lines)

    return make


def drop_column(column: str) -> Callable[[Path, Path], bytes]:
    def make(path: Path, raw_dir: Path) -> bytes:
        rows = [_fields(line) for line in _lines(path)]
        index = rows[0].index(column)
        return _join([_line(row[:index] + row[index + 1:]) for row in rows])

    return make


def add_column(name: str, value: str) -> Callable[[Path, Path], bytes]:
    def make(path: Path, raw_dir: Path) -> bytes:
        lines = _lines(path)
        return _join([lines[0] + f",{name}", *(line + f",{value}" for line in lines[1:])])

    return make


def copy_line(source_line: int, to_line: int) -> Callable[[Path, Path], bytes]:
    def make(path: Path, raw_dir: Path) -> bytes:
        lines = _lines(path)
        lines[to_line - 1] = lines[source_line - 1]
        return _join(lines)

    return make


def repeat_header_at(line_no: int) -> Callable[[Path, Path], bytes]:
    def make(path: Path, raw_dir: Path) -> bytes:
        lines = _lines(path)
        return _join(lines[: line_no - 1] + [lines[0]] + lines[line_no - 1:])

    return make


def empty(path: Path, raw_dir: Path) -> bytes:
    return b""


def truncated_gzip(path: Path, raw_dir: Path) -> bytes:
    data = gzip.compress(path.read_bytes(), mtime=0)
    return data[: len(data) * 3 // 5]


def latin1_cell(line_no: int, column: str, text: str) -> Callable[[Path, Path], bytes]:
    """A cell with a non-ASCII character, the whole file saved as Windows-1252 (Excel's "CSV" default)."""

    def make(path: Path, raw_dir: Path) -> bytes:
        lines = _lines(path)
        header = _fields(lines[0])
        fields = _fields(lines[line_no - 1])
        fields[header.index(column)] = text
        lines[line_no - 1] = _line(fields)
        return ("\n".join(lines) + "\n").encode("cp1252")

    return make


def insert_lines(at: tuple[int, ...], build: Callable[[list[str], list[str], Path], list[str]]):
    """Insert the lines `build(header, a good line's fields, raw_dir)` returns so they land on lines `at`."""

    def make(path: Path, raw_dir: Path) -> bytes:
        lines = _lines(path)
        header = _fields(lines[0])
        new = build(header, _fields(lines[1]), raw_dir)
        for line_no, line in sorted(zip(at, new, strict=True)):
            lines.insert(line_no - 1, line)
        return _join(lines)

    return make


def _with(header: list[str], fields: list[str], **values: str) -> str:
    fields = list(fields)
    for column, value in values.items():
        fields[header.index(column.replace("__", " "))] = value
    return _line(fields)


def unknown_lsoa_attendances(header, fields, raw_dir):
    return [_with(header, fields, EC_IDENT=f"BADINPUT{i}", LSOA_OF_RESIDENCE="E01999999") for i in (1, 2)]


def lsoa_2021_population(header, fields, raw_dir):
    """An LSOA numbered just after the lookup's last LSOA 2011 code: how ONS numbered the LSOAs new in 2021."""
    with (raw_dir / "geography" / "lsoa11_sicbl_icb_lad.csv").open(encoding="utf-8") as handle:
        last = max(row["LSOA11CD"] for row in csv.DictReader(handle))
    code = f"E01{int(last[3:]) + 7:06d}"
    return [_with(header, fields, LSOA__Code=code, LSOA__Name="New 2021 LSOA")]


def practice_in_two_pcns(header, fields, raw_dir):
    """A practice of the system listed under two PCNs (it is not in the good file, so leaving out both of its
    lines gives back the good marts; kept, it would add a practice to dim_practices)."""
    return [_with(header, fields, PRACTICE_CODE="Z99990", PRACTICE_NAME="TWO PCN SURGERY", PCN_CODE=pcn)
            for pcn in ("UZ0040", "UZ0005")]


ECDS_APRIL = "uec/ecds/ecds_attendances_2019-04.csv"
APC_APRIL = "uec/sus_apc/apc_spells_2019-04.csv"

CASES: tuple[BadInput, ...] = (
    BadInput("missing column", "gp_workforce_practice", "gp/gpw_practice_level_2019-04.csv",
             drop_column("TOTAL_NURSES_FTE"), "reject", "TOTAL_NURSES_FTE", "missing column", row=1),
    BadInput("extra column", "ae_monthly", "uec/ae_monthly/monthly_ae_2019-04.csv",
             add_column("Notes", "checked"), "reject", "Notes", "unexpected column", row=1),
    BadInput("wrong type", "population_england", "population/mye_england_sex_syoa_mid2019.csv",
             set_cell(5, "count", "3O5447"), "reject", "count", "not a whole number", row=5),
    BadInput("empty file", "england_activity", "uec/england_activity_by_age_sex.csv",
             empty, "reject", "(file)", "empty file", row=1),
    BadInput("truncated gzip", "apc_spells", APC_APRIL, truncated_gzip, "reject", "(file)", "truncated",
             rename="apc_spells_2019-04.csv.gz"),
    BadInput("wrong encoding", "fingertips", "jsna/fingertips_indicators.csv",
             latin1_cell(7, "Area Name", "Bronté Borough"), "reject", "Area Name", "not valid UTF-8", row=7),
    BadInput("duplicate keys", "gp_patients_age_sex", "gp/gp-reg-pat-prac-quin-age_2019-04.csv",
             copy_line(3, 12), "reject", "ORG_CODE, SEX, AGE_GROUP_5", "unique combination: first seen on row 3",
             row=12),
    BadInput("negative counts", "gp_patients_lsoa", "gp/gp-reg-pat-prac-lsoa-all_2019-04.csv",
             set_cell(9, "NUMBER_OF_PATIENTS", "-5"), "reject", "NUMBER_OF_PATIENTS", "≥ 0", row=9),
    BadInput("dates outside the period", "ecds_attendances", ECDS_APRIL,
             set_cell(6, "ARRIVAL_DATE", "2019-05-02"), "reject", "ARRIVAL_DATE", "within 2019-04", row=6),
    BadInput("ages over 120", "apc_spells", APC_APRIL,
             set_cell(7, "AGE_ON_ADMISSION", "121"), "reject", "AGE_ON_ADMISSION", "from 0 to 120", row=7),
    BadInput("sex codes outside the standard", "ecds_attendances", ECDS_APRIL,
             set_cell(8, "STATED_GENDER", "M"), "reject", "STATED_GENDER", "one of 1, 2, 9, X", row=8),
    BadInput("header repeated mid-way", "gp_workforce_national", "gp/gpw_national_summary.csv",
             repeat_header_at(10), "reject", "(all)", "header row repeated", row=10),
    BadInput("unknown LSOA codes", "ecds_attendances", "uec/ecds/ecds_attendances_2019-05.csv",
             insert_lines((4, 9), unknown_lsoa_attendances), "quarantine", "LSOA_OF_RESIDENCE",
             "unknown LSOA code", lines=(4, 9)),
    BadInput("LSOA 2021 codes in a 2011 source", "population_lsoa", "population/sape_lsoa11_mid2020_males.csv",
             insert_lines((3,), lsoa_2021_population), "quarantine", "LSOA Code", "LSOA 2021 code in a 2011 source",
             lines=(3,)),
    BadInput("a practice in two PCNs", "gp_practice_map", "gp/gp-reg-pat-prac-map.csv",
             insert_lines((5, 6), practice_in_two_pcns), "quarantine", "PRACTICE_CODE",
             "practice in 2 PCNs (UZ0005, UZ0040)", lines=(5, 6)),
)


def write_case(case: BadInput, raw_dir: Path) -> Path:
    """Swap the case's bad file into `raw_dir` (built from good files); returns the bad file's path."""
    good = raw_dir / case.file
    content = case.make(good.resolve(), raw_dir)
    good.unlink()
    bad = good.with_name(case.rename or good.name)
    bad.write_bytes(content)
    return bad
