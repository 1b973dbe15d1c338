"""Outputs safe in spreadsheets: no text of a commissioner output can be a formula (OWASP CSV injection).

Text beginning with = + - @, a tab or a carriage return is written with a single quote in front
(`pipelines.outputs.safe_text`) in the workbook (every sheet, every cell typed as a string) and in every CSV;
numbers are untouched. The tiny hand-built world of tests/test_outputs.py, with hostile names put into it.
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from pipelines.config import DEFAULT_PROFILE, load_profile
from pipelines.disclosure import SUPPRESSED_MARK
from pipelines.outputs import (
    WORKBOOK_NAME,
    build_tables,
    scan_outputs,
    write_commissioner_csvs,
    write_commissioner_workbook,
)
from pipelines.outputs.safe_text import (
    FORMULA_PREFIX,
    FORMULA_TRIGGERS,
    neutralise_formula_text,
    neutralise_text_columns,
    restore_formula_text,
)
from pipelines.outputs.scan import scan_csv, scan_workbook
from pipelines.outputs.workbook import Column, Sheet, TextSheet, write_workbook
from test_outputs import _areas, _catalogue, _gradients, _indicator_values, _inequality, _right_drift

EVIL = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
AREA_CODES = ["S", "F1", "F2", "N1", "N2", "N3", "N4", "L1", "L2"]
PROFILE = load_profile(DEFAULT_PROFILE)


def _named(frame: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    return frame.with_columns(pl.col("area_code").replace_strict(names, default=pl.col("area_code"))
                              .alias("area_name"))


def _availability(name: str) -> pl.DataFrame:
    return pl.DataFrame({"indicator_id": ["ae_sii"], "indicator_name": [name], "level": ["system"],
                         "missing_inputs": [name], "reason": [name], "available": [False]})


def _tables(names: dict[str, str], indicator_names: tuple[str, str]):
    """The tiny world with `names` as area names (every table) and `indicator_names` for its two indicators
    (marts, catalogue and the availability mart)."""
    crude, sii = indicator_names
    catalogue = _catalogue()
    renamed = {"emergency_admissions_crude_rate": crude, "emergency_admissions_sii": sii}
    catalogue = dataclasses.replace(catalogue, indicators=type(catalogue.indicators)(
        dataclasses.replace(i, name=renamed[i.id], caveats=sii, source=crude) for i in catalogue.indicators))
    values = _named(_indicator_values(), names).with_columns(
        pl.col("indicator_id").replace_strict(renamed).alias("indicator_name"))
    marts = {"fct_indicator_values": values, "fct_deprivation_gradients": _named(_gradients(), names),
             "fct_inequality_summary": _named(_inequality(), names), "fct_right_drift": _named(_right_drift(), names),
             "dim_areas": _named(_areas(), names), "fct_indicator_availability": _availability(crude)}
    return build_tables(marts, PROFILE, catalogue)


def _write(tables, out: Path) -> Path:
    write_commissioner_workbook(tables, out)
    write_commissioner_csvs(tables, out)
    return out


def _workbook_cells(out: Path):
    workbook = load_workbook(out / WORKBOOK_NAME, data_only=False)
    return [(ws.title, cell) for ws in workbook.worksheets for row in ws.iter_rows() for cell in row]


def _csv_rows(out: Path) -> dict[str, list[dict[str, str]]]:
    rows = {}
    for path in sorted((out / "csv").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows[path.name] = list(csv.DictReader(handle))
    return rows


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _unsafe_workbook_cells(out: Path) -> list[tuple[str, str, object]]:
    """Every formula cell, and every text cell beginning with a trigger."""
    return [(sheet, cell.coordinate, cell.value) for sheet, cell in _workbook_cells(out)
            if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS))]


def _unsafe_csv_fields(out: Path) -> list[tuple[str, str, str]]:
    """Every CSV field (header included) beginning with a trigger that is not a number (-0.02 is a number)."""
    found = []
    for name, rows in _csv_rows(out).items():
        with (out / "csv" / name).open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle), [])
        found += [(name, "header", h) for h in header if h.startswith(FORMULA_TRIGGERS)]
        found += [(name, column, value) for row in rows for column, value in row.items()
                  if value.startswith(FORMULA_TRIGGERS) and not _is_number(value)]
    return found


# --- the rule itself -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", EVIL)
def test_text_beginning_with_a_trigger_is_prefixed_and_restored(text):
    assert neutralise_formula_text(text) == FORMULA_PREFIX + text
    assert restore_formula_text(neutralise_formula_text(text)) == text


@pytest.mark.parametrize("value", ["PCN North", "*", "", "'already quoted", " =leading space", 12, -3.5, None])
def test_other_values_are_left_alone(value):
    assert neutralise_formula_text(value) == value
    assert restore_formula_text(value) == value


def test_text_already_quoted_is_not_quoted_twice():
    """"'=x" cannot run: it is written as it is (a reader of the outputs takes it for the prefixed "=x")."""
    assert neutralise_formula_text("'=x") == "'=x"


def test_only_text_columns_of_a_frame_are_prefixed():
    frame = pl.DataFrame({"name": ["-2+3", "Fine", None], "growth": [-0.5, 1.0, None],
                          "kind": pl.Series(["@x", "y", "@x"], dtype=pl.Categorical)})
    out = neutralise_text_columns(frame)
    assert out["name"].to_list() == ["'-2+3", "Fine", None]
    assert out["growth"].to_list() == [-0.5, 1.0, None] and out["growth"].dtype == pl.Float64
    assert out["kind"].to_list() == ["'@x", "y", "'@x"]


# --- the commissioner outputs of a hostile world ---------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    names = {code: EVIL[k % len(EVIL)] for k, code in enumerate(AREA_CODES)}
    return _write(_tables(names, (EVIL[0], EVIL[3])), tmp_path_factory.mktemp("hostile"))


def test_no_workbook_cell_is_a_formula(hostile):
    cells = _workbook_cells(hostile)
    assert {sheet for sheet, _ in cells} >= {"README", "Definitions", "System", "Neighbourhoods", "Not available"}
    assert _unsafe_workbook_cells(hostile) == []
    texts = {cell.value for _, cell in cells if isinstance(cell.value, str)}
    # every hostile name is there, prefixed (XML reads a stored carriage return back as a newline)
    assert {(FORMULA_PREFIX + text).replace("\r", "\n") for text in EVIL} <= texts
    assert all(cell.data_type == "s" for _, cell in cells if isinstance(cell.value, str))


def test_workbook_numbers_stay_numbers_and_the_star_stays_a_star(hostile):
    workbook = load_workbook(hostile / WORKBOOK_NAME)
    drift = [c for row in workbook["Right drift"].iter_rows(min_row=4) for c in row]
    negative = [c for c in drift if isinstance(c.value, (int, float)) and c.value < 0]
    assert negative and all(c.data_type == "n" for c in negative)  # F1's fall in activity: a number, no prefix
    neighbourhoods = [c.value for row in workbook["Neighbourhoods"].iter_rows(min_row=4) for c in row]
    assert SUPPRESSED_MARK in neighbourhoods


def test_every_hostile_csv_value_is_prefixed(hostile):
    rows = _csv_rows(hostile)
    assert _unsafe_csv_fields(hostile) == []
    neighbourhood = {r["area_code"]: r["area_name"] for r in rows["indicators_neighbourhood.csv"]}
    for k, code in enumerate(AREA_CODES):
        if code in neighbourhood:
            assert neighbourhood[code] == FORMULA_PREFIX + EVIL[k % len(EVIL)]
    assert {r["indicator_name"] for r in rows["indicators_system.csv"]} == {FORMULA_PREFIX + EVIL[0],
                                                                           FORMULA_PREFIX + EVIL[3]}
    assert {r["indicator_name"] for r in rows["definitions.csv"]} == {FORMULA_PREFIX + EVIL[0],
                                                                     FORMULA_PREFIX + EVIL[3]}
    assert rows["not_available.csv"][0]["reason"] == FORMULA_PREFIX + EVIL[0]
    drift = rows["right_drift.csv"]
    assert any(r["growth_pct"].startswith("-") and _is_number(r["growth_pct"]) for r in drift)  # numbers as numbers


def test_the_scanner_reads_the_hostile_outputs(hostile):
    files, findings = scan_outputs(hostile)
    assert len(files) == 10
    assert findings == [], "\n".join(map(str, findings))


def test_a_prefixed_small_count_is_still_found_by_the_scanner(tmp_path):
    """A count written as text "+5" is prefixed ("'+5") by the writers; the scanner still reads 5."""
    frame = neutralise_text_columns(pl.DataFrame({"area": ["=A", "B"], "numerator": ["+5", "120"],
                                                  "numerator_counts": ["people", "people"]}))
    frame.write_csv(tmp_path / "counts.csv")
    assert (tmp_path / "counts.csv").read_text().splitlines()[1].startswith("'=A,'+5")
    assert [(f.cell, f.value) for f in scan_csv(tmp_path / "counts.csv")] == [("row 2", "'+5")]
    sheet = Sheet("Counts", "Counts", frame, [Column("area", "Area"), Column("numerator", "Numerator"),
                                              Column("numerator_counts", "Numerator counts")])
    write_workbook(tmp_path / "counts.xlsx", [sheet])
    assert [(f.cell, f.value) for f in scan_workbook(tmp_path / "counts.xlsx")] == [("B4", "'+5")]


def test_every_sheet_kind_writes_text_not_formulas(tmp_path):
    """Titles, notes, headers, prose (README-like sheets) and comparison words all go through the rule."""
    frame = pl.DataFrame({"name": ["=1+1"], "comparison": ["=2+2"], "value": [-4.0]})
    sheets = [TextSheet("=README", "=TITLE()", [("=HEADING", "-text"), ("", "@more")]),
              Sheet("Data", "+title", frame, [Column("name", "=Name"), Column("comparison", "-cmp", "comparison"),
                                              Column("value", "@value", "value")], note="=note")]
    write_workbook(tmp_path / "kinds.xlsx", sheets)
    workbook = load_workbook(tmp_path / "kinds.xlsx", data_only=False)
    cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = sorted(c.value for c in cells if isinstance(c.value, str))
    assert texts == sorted(["'=TITLE()", "'=HEADING", "'-text", "'@more", "'+title", "'=note", "'=Name", "'-cmp",
                            "'@value", "'=1+1", "'=2+2"])
    assert [c.value for c in cells if not isinstance(c.value, str)] == [-4.0]


# --- any text at all --------------------------------------------------------------------------------------------

#: Text openpyxl can store at all (XML 1.0: no C0 controls but tab, newline and carriage return; no surrogates).
_STORABLE = st.characters(exclude_categories=("Cs",), exclude_characters="\ufffe\uffff").filter(
    lambda ch: not ILLEGAL_CHARACTERS_RE.match(ch))
_TEXT = st.one_of(
    st.text(_STORABLE, max_size=12),
    st.builds(lambda head, tail: head + tail, st.sampled_from(FORMULA_TRIGGERS), st.text(_STORABLE, max_size=12)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(_TEXT, min_size=len(AREA_CODES), max_size=len(AREA_CODES)))
@example(EVIL + EVIL[:3])
def test_no_area_name_can_become_a_formula(tmp_path_factory, names):
    out = _write(_tables(dict(zip(AREA_CODES, names)), ("Emergency admissions per 1,000", "SII")),
                 tmp_path_factory.mktemp("any"))
    assert _unsafe_workbook_cells(out) == []
    assert _unsafe_csv_fields(out) == []
    assert scan_outputs(out)[1] == []  # whatever the names, the scanner reads the files and finds no count
    shown = {r["area_code"]: r["area_name"] for rows in _csv_rows(out).values() for r in rows
             if "area_code" in r and r["area_code"] in AREA_CODES}
    for code, name in zip(AREA_CODES, names):
        if code in shown:  # the CSV holds the name, prefixed only when it begins with a trigger
            assert shown[code] == neutralise_formula_text(name), code
