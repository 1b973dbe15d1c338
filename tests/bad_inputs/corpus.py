"""The bad-input corpus: one small, deterministic bad file per kind of problem, made from a good demo file.

Each `BadInput` names the demo file it replaces, how to break it (`make`: good file -> bad bytes) and what
the pipeline must do:

- `reject`: the raw asset fails with a `RawFileError` whose table names the file, the row (line, header = 1),
  the column and the rule; nothing downstream runs, nothing is published.
- `quarantine`: the lines are set aside in `staging.quarantine_rows` with the reason; everything else goes on,
  and the published marts are unchanged (the bad lines are additions to a good file, so leaving them out
  gives back exactly the good marts).
- `refuse`: a set of files the run cannot take (a period delivered twice): `ina materialize` stops before
  running, naming every file; a run given the range anyway fails at the raw asset, naming them; nothing is
  published.
- `check`: every file is valid on its own, but a blocking mart check finds the figures wrong against another
  source (ED attendances against NHS England's published A&E): the check names the file, the column and the
  figures, nothing downstream of the mart runs, nothing is published.
- `accept`: an input that looks odd but is right (CRLF line ends, a month a recorded decision accepts): the
  source's downstream runs (or only its raw asset, `raw_only`) and the published marts are unchanged.

A `make` may also write other files into the raw folder (a second copy, `decisions.yaml`): the case's file is
the one whose bytes it returns.

docs/data-quality.md lists the cases and what each produces; tests/test_bad_inputs.py runs them.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import zipfile
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
    outcome: Literal["reject", "quarantine", "refuse", "check", "accept"]
    column: str  # reject: the column named; quarantine: the column whose value is quarantined
    rule: str  # reject / refuse / accept: (part of) the rule named (accept: of the decision recorded)
    row: int | None = None  # reject: the line named (None: any line; NO_ROW: the file as a whole)
    lines: tuple[int, ...] = ()  # quarantine: the lines set aside
    rename: str | None = None  # the bad file's name, if not the good one's (e.g. gzipped)
    named: str | None = None  # the file the error names, if not the bad one (e.g. the month decisions.yaml lacks)
    raw_only: bool = False  # accept: run only the raw asset (the input is accepted, its downstream would change)
    check: str | None = None  # check: the mart check that fails (`<mart>.<check>`)


NO_ROW = 0  # `row` of a problem with a whole file (its volume, a second copy): the table's row cell is empty


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


def halve(path: Path, raw_dir: Path) -> bytes:
    """The first half of the records, cut cleanly at a line boundary (an extract that stopped half-way)."""
    lines = _lines(path)
    return _join(lines[: 1 + (len(lines) - 1) // 2])


def double(path: Path, raw_dir: Path) -> bytes:
    """Every record twice, the copies with new identifiers (the month delivered twice over, in one file)."""
    lines = _lines(path)
    copies = [_line([f"{fields[0]}B", *fields[1:]]) for fields in map(_fields, lines[1:])]
    return _join([*lines, *copies])


def without_provider(code: str) -> Callable[[Path, Path], bytes]:
    """The month's records of every provider but `code` (one provider's feed missing from the extract: the
    month's volume stays within its usual range)."""

    def make(path: Path, raw_dir: Path) -> bytes:
        lines = _lines(path)
        column = _fields(lines[0]).index("PROVIDER_CODE")
        kept = [line for line in lines[1:] if _fields(line)[column] != code]
        assert len(kept) < len(lines) - 1, f"no record of provider {code} in {path}"
        return _join([lines[0], *kept])

    return make


def second_copy_gzipped(path: Path, raw_dir: Path) -> bytes:
    """The month's file left as it is and a gzipped copy put beside it (`..._2019-04.csv.gz`)."""
    target = next(raw_dir.rglob(path.name))  # the raw folder's file (the good file given is what it links to)
    target.with_name(path.name + ".gz").write_bytes(gzip.compress(path.read_bytes(), mtime=0))
    return path.read_bytes()


def crlf(path: Path, raw_dir: Path) -> bytes:
    return path.read_bytes().replace(b"\n", b"\r\n")


def utf16_without_bom(path: Path, raw_dir: Path) -> bytes:
    return path.read_text(encoding="utf-8").encode("utf-16-le")


def zipped(path: Path, raw_dir: Path) -> bytes:
    """The CSV zipped and the archive saved under the CSV's name."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(path.name, date_time=(2020, 1, 1, 0, 0, 0)), path.read_bytes())
    return out.getvalue()


def trailing_comma(path: Path, raw_dir: Path) -> bytes:
    return _join([line + "," for line in _lines(path)])


def semicolons(path: Path, raw_dir: Path) -> bytes:
    """Saved by a spreadsheet whose regional setting separates columns with semicolons."""
    rows = [_fields(line) for line in _lines(path)]
    return _join([";".join(row) for row in rows])


def nul_byte(line_no: int, column: str) -> Callable[[Path, Path], bytes]:
    def make(path: Path, raw_dir: Path) -> bytes:
        lines = _lines(path)
        header, fields = _fields(lines[0]), _fields(lines[line_no - 1])
        fields[header.index(column)] += "\x00"
        lines[line_no - 1] = _line(fields)
        return _join(lines)

    return make


def quoted_line_break(line_no: int, column: str, later: tuple[int, str, str]) -> Callable[[Path, Path], bytes]:
    """A value of `column` on `line_no` holding a line break (quoted), and a bad `later` cell (line as the
    file is read in an editor, column, value): its error must name that true line, not one less."""

    def make(path: Path, raw_dir: Path) -> bytes:
        lines = _lines(path)
        header = _fields(lines[0])
        later_line, later_column, later_value = later
        fields = _fields(lines[later_line - 2])  # the line break moves every later record down one line
        fields[header.index(later_column)] = later_value
        lines[later_line - 2] = _line(fields)
        fields = _fields(lines[line_no - 1])
        value = fields[header.index(column)]
        # quoted by hand: the csv module quotes a line break only when it is part of the line terminator
        cells = [_line([cell]) for cell in fields]
        cells[header.index(column)] = '"' + (value[:2] + "\n" + value[2:]).replace('"', '""') + '"'
        lines[line_no - 1] = ",".join(cells)
        return _join(lines)

    return make


def spell(line_no: int, *, discharge: Callable[[dt.date], dt.date], stay: Callable[[int], int] = lambda days: days):
    """A spell on `line_no` discharged on `discharge(admission)`, its length of stay `stay(the dates' days)`."""

    def make(path: Path, raw_dir: Path) -> bytes:
        lines = _lines(path)
        header, fields = _fields(lines[0]), _fields(lines[line_no - 1])
        admitted = dt.date.fromisoformat(fields[header.index("ADMISSION_DATE")])
        discharged = discharge(admitted)
        fields[header.index("DISCHARGE_DATE")] = discharged.isoformat()
        fields[header.index("LENGTH_OF_STAY")] = str(stay((discharged - admitted).days))
        lines[line_no - 1] = _line(fields)
        return _join(lines)

    return make


def extract_date_of(month: str) -> Callable[[Path, Path], bytes]:
    """Every row's EXTRACT_DATE set to another month's (`01Apr2019`): that month's file saved under this name."""

    def make(path: Path, raw_dir: Path) -> bytes:
        lines = _lines(path)
        index = _fields(lines[0]).index("EXTRACT_DATE")
        stamp = dt.date.fromisoformat(f"{month}-01").strftime("%d%b%Y")
        rows = [_fields(line) for line in lines[1:]]
        return _join([lines[0], *(_line(row[:index] + [stamp] + row[index + 1:]) for row in rows)])

    return make


def _decisions(raw_dir: Path) -> str:
    """The raw folder's decisions.yaml text (the demo generator's), '' if none."""
    path = raw_dir / "decisions.yaml"
    return path.resolve().read_text(encoding="utf-8") if path.exists() else "decisions:\n"


def without_decision_for(source: str) -> Callable[[Path, Path], bytes]:
    """decisions.yaml without the entries of `source` (the demo's pandemic year, say, never recorded)."""

    def make(path: Path, raw_dir: Path) -> bytes:
        text = path.read_text(encoding="utf-8")
        head, *entries = text.split("\n  - ")
        kept = [entry for entry in entries if not entry.startswith(f"source: {source}\n")]
        assert len(kept) < len(entries), f"no decision for {source} in {path}"
        return "\n  - ".join([head, *kept]).encode("utf-8")

    return make


def halved_with_decision(month: str, source: str) -> Callable[[Path, Path], bytes]:
    """The month halved, and a decision recorded in decisions.yaml that accepts it (its reason and who)."""

    def make(path: Path, raw_dir: Path) -> bytes:
        decisions = raw_dir / "decisions.yaml"
        text = _decisions(raw_dir).rstrip("\n") + "\n" + "\n".join([
            f"  - source: {source}", f"    periods: {month}", "    rule: volume",
            "    reason: provider A's system migration; its attendances arrive in next month's extract",
            "    decided_by: BI team lead", "    date: 2019-06-03"]) + "\n"
        if decisions.exists() or decisions.is_symlink():
            decisions.unlink()
        decisions.write_text(text, encoding="utf-8")
        return halve(path, raw_dir)

    return make


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
    # --- completeness and plausibility (issue 12, item 1) ----------------------------------------------------
    BadInput("a month delivered twice (.csv and .csv.gz)", "ecds_attendances", ECDS_APRIL, second_copy_gzipped,
             "refuse", "(file)", "more than one file for 1 period(s)"),
    BadInput("registered patients (age, sex) extract date not the file's month", "gp_patients_age_sex",
             "gp/gp-reg-pat-prac-quin-age_2019-05.csv", extract_date_of("2019-04"), "reject", "EXTRACT_DATE",
             "an extract date in 2019-05 (the month in the file name)", row=2),
    BadInput("registered patients (LSOA) extract date not the file's month", "gp_patients_lsoa",
             "gp/gp-reg-pat-prac-lsoa-all_2019-07.csv", extract_date_of("2019-04"), "reject", "EXTRACT_DATE",
             "an extract date in 2019-07 (the month in the file name)", row=2),
    BadInput("a discharge in the future (2034, a 5,753-day stay)", "apc_spells", APC_APRIL,
             spell(5, discharge=lambda admitted: admitted + dt.timedelta(days=5_753)), "reject", "DISCHARGE_DATE",
             "not after the day of the run", row=5),
    BadInput("discharge before admission", "apc_spells", APC_APRIL,
             spell(6, discharge=lambda admitted: admitted - dt.timedelta(days=3), stay=lambda days: 0), "reject",
             "ADMISSION_DATE, DISCHARGE_DATE", "DISCHARGE_DATE is on or after ADMISSION_DATE", row=6),
    BadInput("length of stay not the dates' difference", "apc_spells", APC_APRIL,
             spell(8, discharge=lambda admitted: admitted + dt.timedelta(days=4), stay=lambda days: days + 2),
             "reject", "LENGTH_OF_STAY, ADMISSION_DATE, DISCHARGE_DATE", "LENGTH_OF_STAY = DISCHARGE_DATE", row=8),
    BadInput("an implausible length of stay (over five years)", "apc_spells", APC_APRIL,
             spell(9, discharge=lambda admitted: dt.date(2025, 1, 2)), "reject", "LENGTH_OF_STAY", "from 0 to 1826",
             row=9),
    BadInput("a month's extract cut in half", "ecds_attendances", ECDS_APRIL, halve, "reject", "(file)",
             "data rows, 0.5", row=NO_ROW),
    BadInput("a month's records twice over", "ecds_attendances", "uec/ecds/ecds_attendances_2019-09.csv", double,
             "reject", "(file)", "data rows, 2.0", row=NO_ROW),
    BadInput("an unusual month without a recorded decision", "ecds_attendances", "decisions.yaml",
             without_decision_for("ecds_attendances"), "reject", "(file)", "record a decision in", row=NO_ROW,
             named="ecds_attendances_2020-04.csv"),
    BadInput("a recorded decision accepts an unusual month", "ecds_attendances", "uec/ecds/ecds_attendances_2019-05.csv",
             halved_with_decision("2019-05", "ecds_attendances"), "accept", "(file)",
             "accepted by BI team lead on 2019-06-03: provider A's system migration", raw_only=True),
    BadInput("one provider's records missing from a month (volume within range)", "ecds_attendances",
             "uec/ecds/ecds_attendances_2019-06.csv", without_provider("ZA1"), "check", "PROVIDER_CODE = ZA1",
             "0 attendances in the extract", check="fct_activity.ed_reconciles_with_published_ae"),
    BadInput("a line break inside a quoted value", "ecds_attendances", ECDS_APRIL,
             quoted_line_break(4, "PROVIDER_CODE", later=(12, "STATED_GENDER", "M")), "reject", "PROVIDER_CODE",
             "a line break inside a quoted value", row=4),
    BadInput("errors after a quoted line break name their true line", "ae_monthly",
             "uec/ae_monthly/monthly_ae_2019-06.csv",
             quoted_line_break(3, "Org name", later=(9, "A&E attendances Type 1", "-4")), "reject",
             "A&E attendances Type 1", "≥ 0", row=9),
    # --- how files are saved -------------------------------------------------------------------------------
    BadInput("CRLF line ends", "gp_workforce_practice", "gp/gpw_practice_level_2019-04.csv", crlf, "accept", "",
             ""),
    BadInput("UTF-16 without a byte-order mark", "gp_patients_lsoa", "gp/gp-reg-pat-prac-lsoa-all_2019-04.csv",
             utf16_without_bom, "reject", "(all)", "looks like UTF-16 without a byte-order mark", row=1),
    BadInput("a NUL byte in a value", "gp_workforce_practice", "gp/gpw_practice_level_2019-04.csv",
             nul_byte(7, "PRAC_NAME"), "reject", "PRAC_NAME", "a NUL byte", row=7),
    BadInput("a zip archive renamed .csv", "fingertips", "jsna/fingertips_indicators.csv", zipped, "reject",
             "(file)", "a zip archive, not a CSV", row=1),
    BadInput("a trailing comma on every line", "ae_monthly", "uec/ae_monthly/monthly_ae_2019-04.csv",
             trailing_comma, "reject", "(after the last column)", "a trailing comma", row=1),
    BadInput("semicolon-separated columns", "gp_workforce_national", "gp/gpw_national_summary.csv", semicolons,
             "reject", "(all)", "columns separated by semicolons", row=1),
)


def write_case(case: BadInput, raw_dir: Path) -> Path:
    """Swap the case's bad file into `raw_dir` (built from good files); returns the bad file's path."""
    good = raw_dir / case.file
    content = case.make(good.resolve(), raw_dir)
    good.unlink()
    bad = good.with_name(case.rename or good.name)
    bad.write_bytes(content)
    return bad
