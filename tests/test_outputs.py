"""Commissioner outputs: the workbook and CSVs readable without the code, and no small count anywhere in them.

Unit tests run on a tiny hand-built world of indicator marts; the last tests scan the outputs that the session's
demo world (tests/conftest.py: every asset materialised on generated data) wrote to disk.
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook, load_workbook

from pipelines.config import DEFAULT_PROFILE, load_profile
from pipelines.disclosure import HIDDEN, DisclosureRule
from pipelines.indicators.catalogue import parse_catalogue
from pipelines.outputs import (
    WORKBOOK_NAME,
    build_tables,
    scan_outputs,
    write_commissioner_csvs,
    write_commissioner_workbook,
)
from pipelines.outputs.scan import is_count_like, scan_csv, scan_workbook
from pipelines.outputs.sheets import LEVEL_SHEETS
from pipelines.outputs.trend import trend_words
from pipelines.outputs.workbook import COMPARISON_STYLE, HEADER_ROW

EXPECTED_SHEETS = ["README", "Definitions", "System", "Footprints", "Neighbourhoods", "Local authorities",
                   "Deprivation gradient", "Inequality", "Right drift", "Not available"]
LEVEL_HEADERS = ["Indicator", "Area", "Area code", "Period", "Numerator", "Numerator counts", "Denominator",
                 "Denominator counts", "Value",
                 "Lower 95% limit", "Upper 95% limit", "Unit", "England value", "Compared with England (95%)"]

# --- a tiny world -----------------------------------------------------------------------------------------------

YEARS = {2021: "2021/22", 2022: "2022/23", 2023: "2023/24"}
#: neighbourhood -> footprint; emergency admissions by year (N2 has 3 in 2023/24: a small count)
NEIGHBOURHOODS = {"N1": ("F1", [120, 130, 150]), "N2": ("F1", [40, 20, 3]), "N3": ("F2", [300, 310, 330]),
                  "N4": ("F2", [90, 95, 100])}
LAS = {"L1": ["N1", "N2", "N3"], "L2": ["N4"]}


def _catalogue():
    return parse_catalogue({
        "measures": {
            "emergency_admissions": {"kind": "activity", "description": "Emergency admissions"},
            "resident_population": {"kind": "resident_population", "description": "Residents"},
        },
        "indicators": [
            {"id": "emergency_admissions_crude_rate", "family": "demand", "name": "Emergency admissions per 1,000",
             "definition": "Emergency admissions of residents per 1,000 residents.",
             "numerator": "emergency_admissions", "denominator": "resident_population", "method": "crude_rate",
             "inputs": ["admitted_spells", "geography", "population_lsoa"],
             "multiplier": 1000, "unit": "per 1,000", "polarity": "higher_is_worse",
             "levels": ["england", "system", "footprint", "neighbourhood", "local_authority"],
             "source": "The ICB's SUS extract"},
            {"id": "emergency_admissions_sii", "family": "inequality", "name": "Emergency admissions SII",
             "definition": "Slope index of inequality.", "numerator": "emergency_admissions",
             "denominator": "resident_population", "method": "sii", "multiplier": 100000,
             "inputs": ["admitted_spells", "geography", "population_lsoa", "imd"],
             "unit": "per 100,000", "polarity": "higher_is_worse", "levels": ["system", "footprint"],
             "source": "The ICB's SUS extract", "options": {"quantile": "national_decile"}},
        ],
    })


def _areas() -> pl.DataFrame:
    rows = [("system", "S", "Demo ICB", None, None), ("footprint", "F1", "East", "system", "S"),
            ("footprint", "F2", "West", "system", "S")]
    rows += [("neighbourhood", n, f"PCN {n}", "footprint", fp) for n, (fp, _) in NEIGHBOURHOODS.items()]
    rows += [("local_authority", la, f"Council {la}", "system", "S") for la in LAS]
    return pl.DataFrame(rows, schema=["level", "area_code", "area_name", "parent_level", "parent_code"],
                        orient="row").with_columns(pl.lit("demo").alias("geography_version"))


def _indicator_values() -> pl.DataFrame:
    counts: dict[tuple[str, str], list[float]] = {}
    for n, (fp, series) in NEIGHBOURHOODS.items():
        counts[("neighbourhood", n)] = series
        counts[("footprint", fp)] = [a + b for a, b in zip(counts.get(("footprint", fp), [0, 0, 0]), series)]
        counts[("system", "S")] = [a + b for a, b in zip(counts.get(("system", "S"), [0, 0, 0]), series)]
    for la, members in LAS.items():
        counts[("local_authority", la)] = [sum(NEIGHBOURHOODS[m][1][k] for m in members) for k in range(3)]
    names = dict(zip(_areas()["area_code"], _areas()["area_name"]))
    rows = []
    for (level, code), series in counts.items():
        for k, period in enumerate(YEARS.values()):
            numerator = float(series[k])
            denominator = 10_000.0
            value = numerator / denominator * 1000
            rows.append({
                "indicator_id": "emergency_admissions_crude_rate", "indicator_name": "Emergency admissions per 1,000",
                "level": level, "area_code": code, "area_name": names[code], "period": period,
                "period_type": "financial_year", "numerator": numerator, "denominator": denominator, "value": value,
                "lower_ci_95": value * 0.9, "upper_ci_95": value * 1.1, "lower_ci_99_8": value * 0.85,
                "upper_ci_99_8": value * 1.15, "unit": "per 1,000", "method": "crude_rate", "expected": None,
                "excess": None, "england_value": 20.0,
                "comparison_95": "worse" if value * 0.9 > 20 else "better" if value * 1.1 < 20 else "similar",
                "comparison_99_8": "similar", "suppressed": False, "suppression_reason": None,
            })
            if level in ("system", "footprint"):
                rows.append({**rows[-1], "indicator_id": "emergency_admissions_sii",
                             "indicator_name": "Emergency admissions SII", "value": 50.0, "lower_ci_95": 40.0,
                             "upper_ci_95": 60.0, "unit": "per 100,000", "method": "sii",
                             "comparison_95": "not_compared", "comparison_99_8": "not_compared"})
    return pl.DataFrame(rows)


def _gradients() -> pl.DataFrame:
    # F2's decile 10 has 4 admissions (small); every other cell is large
    rows = []
    for code, level in (("S", "system"), ("F1", "footprint"), ("F2", "footprint")):
        for decile in range(1, 11):
            activity = 4.0 if (code == "F2" and decile == 10) else 100.0 - 5 * decile
            rows.append((code, level, "national_decile", decile, activity))
    frame = pl.DataFrame(rows, schema=["area_code", "level", "quantile_type", "quantile", "activity"], orient="row")
    system = frame.filter(pl.col("level") == "footprint").group_by("quantile_type", "quantile").agg(
        pl.col("activity").sum())
    frame = frame.filter(pl.col("level") != "system").vstack(
        system.select(pl.lit("S").alias("area_code"), pl.lit("system").alias("level"), "quantile_type", "quantile",
                      "activity"))
    quintiles = frame.with_columns(((pl.col("quantile") + 1) // 2).alias("quantile")).group_by(
        "area_code", "level", "quantile").agg(pl.col("activity").sum()).with_columns(
        pl.lit("national_quintile").alias("quantile_type"))
    frame = pl.concat([frame, quintiles.select(frame.columns)])
    return frame.with_columns(
        pl.lit("emergency_admissions").alias("measure"), pl.col("area_code").alias("area_name"),
        pl.lit(2023, pl.Int32).alias("financial_year"), pl.lit("2023/24").alias("period"),
        pl.lit(2019, pl.Int32).alias("imd_edition"), pl.col("quantile").cast(pl.Int32),
        pl.lit(1000.0).alias("population"), (pl.col("activity")).alias("crude_rate"),
        (pl.col("activity") * 0.8).alias("crude_lower_ci_95"), (pl.col("activity") * 1.2).alias("crude_upper_ci_95"),
        (pl.col("activity") * 100).alias("dsr"), (pl.col("activity") * 80).alias("dsr_lower_ci_95"),
        (pl.col("activity") * 120).alias("dsr_upper_ci_95"), (pl.col("activity") * 70).alias("dsr_lower_ci_99_8"),
        (pl.col("activity") * 130).alias("dsr_upper_ci_99_8"), pl.lit(False).alias("suppressed"),
        pl.lit(None, pl.String).alias("suppression_reason"),
    )


def _inequality() -> pl.DataFrame:
    rows = []
    for code, level in (("S", "system"), ("F1", "footprint"), ("F2", "footprint")):
        for qtype, n in (("national_decile", 10), ("national_quintile", 5)):
            rows.append({"measure": "emergency_admissions", "level": level, "area_code": code, "area_name": code,
                         "financial_year": 2023, "period": "2023/24", "imd_edition": 2019, "quantile_type": qtype,
                         "n_quantiles": n, "n_quantiles_populated": n, "rate_unit": "per 100,000",
                         "most_deprived_rate": 9500.0, "least_deprived_rate": 5000.0, "rate_ratio": 1.9,
                         "rate_gap": 4500.0, "sii": 5000.0, "sii_lower_ci_95": 4000.0, "sii_upper_ci_95": 6000.0,
                         "sii_lower_ci_99_8": 3500.0, "sii_upper_ci_99_8": 6500.0, "rii": 1.8,
                         "rii_lower_ci_95": 1.5, "rii_upper_ci_95": 2.1, "rii_lower_ci_99_8": 1.4,
                         "rii_upper_ci_99_8": 2.2, "sii_repetitions": 10_000, "sii_computed": True, "reason": None})
    return pl.DataFrame(rows)


def _right_drift() -> pl.DataFrame:
    rows = []
    for code, level, base, growth in (("E92000001", "england", 5_000_000.0, 0.01), ("S", "system", 550.0, 0.05),
                                      ("F1", "footprint", 160.0, -0.02), ("F2", "footprint", 390.0, 0.08)):
        for year, period in YEARS.items():
            activity = base * (1 + growth * (year - 2021))
            expected = base * (1 + 0.01 * (year - 2021))
            rows.append({"measure": "emergency_admissions", "level": level, "area_code": code, "area_name": code,
                         "base_financial_year": 2021, "financial_year": year, "period": period,
                         "base_activity": base, "activity": activity, "growth_pct": (activity / base - 1) * 100,
                         "base_population": 10_000.0, "population": 10_100.0, "population_growth_pct": 1.0,
                         "demographic_expected_activity": expected, "demographic_growth_pct": 1.0,
                         "excess_over_demographic": activity - expected, "england_growth_pct": 1.0,
                         "england_demographic_growth_pct": 1.0, "drift_vs_england_pp": 0.0,
                         "drift_vs_demographic_pp": 0.0})
    return pl.DataFrame(rows)


@pytest.fixture(scope="module")
def tiny():
    marts = {"fct_indicator_values": _indicator_values(), "fct_deprivation_gradients": _gradients(),
             "fct_inequality_summary": _inequality(), "fct_right_drift": _right_drift(), "dim_areas": _areas()}
    return build_tables(marts, load_profile(DEFAULT_PROFILE), _catalogue())


@pytest.fixture(scope="module")
def written(tiny, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("outputs")
    write_commissioner_workbook(tiny, out)
    write_commissioner_csvs(tiny, out)
    return out


def _row(frame: pl.DataFrame, **where) -> dict:
    rows = frame.filter(*(pl.col(k) == v for k, v in where.items())).to_dicts()
    assert len(rows) == 1, where
    return rows[0]


# --- the disclosed tables ----------------------------------------------------------------------------------------


def test_a_small_neighbourhood_count_and_its_protector_are_hidden(tiny):
    crude = tiny.indicators.filter(pl.col("indicator_id") == "emergency_admissions_crude_rate",
                                   pl.col("period") == "2023/24")
    n2 = _row(crude, area_code="N2")
    assert n2["numerator"] is None and n2["value"] is None and n2["comparison_95"] is None
    assert "numerator from 1 to 7" in n2["suppression_reason"]
    # F1 = N1 + N2 is published, so N1 is hidden too; N3, N4 (other footprint) stand
    n1 = _row(crude, area_code="N1")
    assert n1["numerator"] is None and "cannot be worked out" in n1["suppression_reason"]
    assert _row(crude, area_code="N3")["numerator"] == 330 and _row(crude, area_code="F1")["numerator"] == 153
    # the neighbourhoods also add up to the system: N4 or N3 must not be the only one published beside it
    hidden = crude.filter(pl.col("level") == "neighbourhood", pl.col("numerator").is_null()).height
    assert hidden >= 2
    # L1 = N1 + N2 + N3 = 483 is not small; the local authorities are a separate group
    assert _row(crude, area_code="L1")["numerator"] == 483


def test_the_earlier_years_of_the_same_area_are_untouched(tiny):
    n2 = _row(tiny.indicators, indicator_id="emergency_admissions_crude_rate", area_code="N2", period="2022/23")
    assert n2["numerator"] == 20 and not n2["suppressed"]


def test_a_small_decile_hides_another_decile_its_quintile_partner_and_the_sii(tiny):
    f2 = tiny.gradients.filter(pl.col("area_code") == "F2", pl.col("quantile_type") == "national_decile")
    hidden = f2.filter(pl.col("activity").is_null())["quantile"].to_list()
    assert 10 in hidden and len(hidden) >= 2
    # quintile 5 (= deciles 9 + 10) is published, so decile 9 is hidden as well
    assert 9 in hidden
    summary = _row(tiny.inequality, area_code="F2", quantile_type="national_decile")
    assert summary["sii"] is None and summary["rii"] is None and summary["rate_ratio"] is None
    assert summary["least_deprived_rate"] is None and summary["most_deprived_rate"] == 9500.0
    # F1's decile 10 is hidden too (the system's decile 10 = F1's + F2's), so F1's SII goes; the system's stays
    assert _row(tiny.inequality, area_code="F1", quantile_type="national_decile")["sii"] is None
    assert _row(tiny.inequality, area_code="S", quantile_type="national_decile")["sii"] == 5000.0
    # ... and the SII row of the indicator table
    sii = _row(tiny.indicators, indicator_id="emergency_admissions_sii", area_code="F2", period="2023/24")
    assert sii["value"] is None and "deprivation quantile" in sii["suppression_reason"]


def test_footprints_gradient_cells_protect_each_other_across_areas(tiny):
    deciles = tiny.gradients.filter(pl.col("quantile_type") == "national_decile", pl.col("quantile") == 10)
    # system decile 10 = F1 + F2: with F2's hidden, F1's must be hidden too
    assert _row(deciles, area_code="F1")["activity"] is None
    assert _row(deciles, area_code="S")["activity"] is not None


def test_trend_gap_and_right_drift(tiny):
    s = _row(tiny.indicators, indicator_id="emergency_admissions_crude_rate", area_code="S", period="2023/24")
    assert s["trend"] in {"Increasing and getting worse", "No significant change", "Decreasing and getting better"}
    assert s["rate_ratio"] == 1.9 and s["rate_gap"] == 4500.0
    f2 = _row(tiny.indicators, indicator_id="emergency_admissions_crude_rate", area_code="F2", period="2023/24")
    assert f2["rate_ratio"] is None and "rate_ratio" in f2[HIDDEN]  # the gap there comes from a hidden decile
    assert "hidden deprivation decile" in f2["suppression_reason"] and f2["numerator"] == 430
    england = tiny.right_drift.filter(pl.col("level") == "england")
    assert england.height == 3 and not england["suppressed"].any()
    assert tiny.right_drift.filter(pl.col("level") != "england")["activity"].null_count() == 0


@pytest.mark.parametrize("values, polarity, expected", [
    ([10, 12, 14, 16, 18], "higher_is_worse", "Increasing and getting worse"),
    ([18, 16, 14, 12, 10], "higher_is_worse", "Decreasing and getting better"),
    ([10, 12, 14, 16, 18], "higher_is_better", "Increasing and getting better"),
    ([10, 12, 14, 16, 18], None, "Increasing"),
    ([10, 10.2, 9.9, 10.1, 10], "higher_is_worse", "No significant change"),
    ([10, 12], "higher_is_worse", "Not enough data"),
    ([10, None, None, 12], "higher_is_worse", "Not enough data"),
])
def test_trend_words(values, polarity, expected):
    lower = [None if v is None else v - 0.5 for v in values]
    upper = [None if v is None else v + 0.5 for v in values]
    assert trend_words(values, lower, upper, polarity) == expected


def test_trend_without_limits_gives_the_direction_only():
    assert trend_words([1, 2, 3], [None] * 3, [None] * 3) == "Rising (no limits to test)"


# --- the files ---------------------------------------------------------------------------------------------------


def test_workbook_has_the_expected_sheets_headers_and_layout(written):
    workbook = load_workbook(written / WORKBOOK_NAME)
    assert workbook.sheetnames == EXPECTED_SHEETS[:-1]  # the tiny world has no availability mart: no "Not available"
    for name in LEVEL_SHEETS.values():
        ws = workbook[name]
        headers = [c.value for c in ws[HEADER_ROW]]
        assert headers[: len(LEVEL_HEADERS)] == LEVEL_HEADERS
        assert {"Recent trend (up to 5 periods)", "Note", "Compared with England (99.8%)"} <= set(headers)
        assert ws.freeze_panes == f"C{HEADER_ROW + 1}"
        assert "* = suppressed" in ws["A2"].value
    readme = "\n".join(str(c.value) for row in workbook["README"].iter_rows() for c in row if c.value)
    for words in ("Suppression", "from 1 to 7", "Open Government Licence", "95%", "Footprints", "Recent trend"):
        assert words in readme
    definitions = workbook["Definitions"]
    assert [c.value for c in definitions[HEADER_ROW]][:4] == ["Indicator ID", "Indicator", "Family", "Definition"]
    assert definitions.max_row == HEADER_ROW + 2


def test_suppressed_cells_show_a_star_and_the_note_says_why(written):
    ws = load_workbook(written / WORKBOOK_NAME)["Neighbourhoods"]
    headers = [c.value for c in ws[HEADER_ROW]]
    col = {h: i for i, h in enumerate(headers)}
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=HEADER_ROW + 1)]
    n2 = next(r for r in rows if r[col["Area code"]] == "N2")
    assert n2[col["Numerator"]] == "*" and n2[col["Value"]] == "*"
    assert n2[col["Compared with England (95%)"]] == "*"
    assert n2[col["Denominator"]] == 10_000  # the population is not a small count
    assert "from 1 to 7" in n2[col["Note"]]
    n3 = next(r for r in rows if r[col["Area code"]] == "N3")
    assert n3[col["Numerator"]] == 330 and n3[col["Numerator counts"]] == "people"


def test_significance_is_in_words_and_colour(written):
    ws = load_workbook(written / WORKBOOK_NAME)["Footprints"]
    headers = [c.value for c in ws[HEADER_ROW]]
    j = headers.index("Compared with England (95%)") + 1
    cells = [ws.cell(r, j) for r in range(HEADER_ROW + 1, ws.max_row + 1)]
    words = {c.value for c in cells}
    assert words <= {"Better than England", "Similar to England", "Worse than England", "Not compared", "*"}
    worse = [c for c in cells if c.value == "Worse than England"]
    assert worse and all(c.fill.fgColor.rgb.endswith(COMPARISON_STYLE["worse"][0]) for c in worse)


def test_csvs_are_tidy_and_carry_the_same_suppression(written, tiny):
    files = sorted(p.name for p in (written / "csv").glob("*.csv"))
    assert files == sorted(["indicators_system.csv", "indicators_footprint.csv", "indicators_neighbourhood.csv",
                            "indicators_local_authority.csv", "deprivation_gradients.csv",
                            "inequality_summary.csv", "right_drift.csv", "definitions.csv", "not_available.csv"])
    frame = pl.read_csv(written / "csv" / "indicators_neighbourhood.csv")
    if "data_warning" in frame.columns:  # a synthetic profile's files open with the warning
        assert frame["data_warning"].str.starts_with("SYNTHETIC DATA").all()
        frame = frame.drop("data_warning")
    assert frame.columns[:6] == ["indicator_id", "indicator_name", "level", "area_code", "area_name", "period"]
    n2 = _row(frame, area_code="N2", period="2023/24", indicator_id="emergency_admissions_crude_rate")
    assert n2["numerator"] is None and n2["suppressed"] is True and "numerator" in n2["suppressed_columns"]
    with (written / "csv" / "indicators_neighbourhood.csv").open() as handle:
        header = next(csv.reader(handle))  # one header row
        assert len(header) - (header[0] == "data_warning") == frame.width


def test_no_small_count_in_any_output(written):
    files, findings = scan_outputs(written)
    assert len(files) == 10  # the workbook and nine CSVs (not_available.csv among them)
    assert findings == [], "\n".join(map(str, findings))


# --- the scanner itself --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("header, counted", [
    ("numerator", True), ("Count (numerator)", True), ("Expected events", True), ("Excess events (observed − expected)", True),
    ("excess_over_demographic", True), ("Residents (population)", True), ("base_activity", True),
    ("population_growth_pct", False), ("Crude rate per 1,000", False), ("Value", False), ("rate_gap", False),
    ("Lower 95% limit", False), ("Area code", False),
])
def test_scanner_knows_count_columns(header, counted):
    assert is_count_like(header) is counted


def test_scanner_finds_a_planted_small_count(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet"
    ws.append(["A title"])
    ws.append(["Area", "Count (numerator)", "Value"])
    ws.append(["X", 12, 3.0])
    ws.append(["Y", "*", "*"])
    ws.append(["Z", 5, 50.0])
    ws.append(["W", "4", 1.0])
    wb.save(tmp_path / "bad.xlsx")
    found = scan_workbook(tmp_path / "bad.xlsx")
    assert [(f.cell, f.value) for f in found] == [("B5", 5), ("B6", "4")]
    (tmp_path / "bad.csv").write_text("area,numerator,value,excess\nX,12,3.0,-4\nY,,,\nZ,0.5,1.0,9\nW,7,2,0\n")
    assert [(f.cell, f.column) for f in scan_csv(tmp_path / "bad.csv")] == [("row 4", "numerator"),
                                                                           ("row 5", "numerator")]
    # the profile's threshold decides: 1 to 3 keeps 7 and still catches the fraction 0.5
    assert [f.value for f in scan_csv(tmp_path / "bad.csv", DisclosureRule(1, 3))] == ["0.5"]


def test_scanner_reads_what_each_count_counts(tmp_path):
    """A count column's unit column (`X counts` / `x_counts`) frees rows that count LSOAs or staff FTE; a row
    counting people, or with no unit, is still a finding."""
    wb = Workbook()
    ws = wb.active
    ws.append(["Area", "Numerator", "Numerator counts", "Denominator", "Denominator counts"])
    ws.append(["Craven", 3, "LSOAs", 30, "LSOAs"])
    ws.append(["PCN A", 2.4, "FTE staff", 9000, "people"])
    ws.append(["PCN B", 4, "people", 5, "people"])
    ws.append(["PCN C", 6, None, 900, ""])
    wb.save(tmp_path / "units.xlsx")
    assert [(f.cell, f.value) for f in scan_workbook(tmp_path / "units.xlsx")] == [
        ("B4", 4), ("D4", 5), ("B5", 6)]
    (tmp_path / "units.csv").write_text("area,numerator,numerator_counts,denominator,denominator_counts\n"
                                        "Craven,3,LSOAs,30,LSOAs\nPCN B,4,people,5,people\nPCN C,6,,900,\n")
    assert [(f.cell, f.column) for f in scan_csv(tmp_path / "units.csv")] == [
        ("row 3", "numerator"), ("row 4", "numerator"), ("row 3", "denominator")]


# --- the real graph on the demo world --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_outputs(demo_world) -> Path:
    out = demo_world.marts_dir / "outputs"
    if not (out / WORKBOOK_NAME).exists():
        failures = [e.step_key for e in demo_world.result.all_events if e.event_type_value == "STEP_FAILURE"]
        pytest.fail(f"the demo world wrote no commissioner workbook (failed steps: {failures})")
    return out


def test_demo_outputs_have_every_file_and_sheet(demo_outputs):
    assert (demo_outputs / WORKBOOK_NAME).exists()
    assert len(list((demo_outputs / "csv").glob("*.csv"))) == 9
    assert not (demo_outputs / ".building").exists()
    workbook = load_workbook(demo_outputs / WORKBOOK_NAME, read_only=True)
    assert workbook.sheetnames == EXPECTED_SHEETS
    footprints = workbook["Footprints"]
    header = next(footprints.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True))
    assert list(header[: len(LEVEL_HEADERS)]) == LEVEL_HEADERS
    assert footprints.max_row > HEADER_ROW + 5 * 10  # five footprints, every indicator
    workbook.close()


def test_demo_outputs_publish_no_count_from_1_to_7(demo_outputs, demo_world):
    rule = DisclosureRule.from_profile(demo_world.profile)
    files, findings = scan_outputs(demo_outputs, rule)
    assert len(files) == 10  # the workbook and nine CSVs (not_available.csv among them)
    assert findings == [], "\n".join(map(str, findings[:20]))


def test_demo_outputs_do_suppress_something_and_say_why(demo_outputs):
    frame = pl.read_csv(demo_outputs / "csv" / "deprivation_gradients.csv", infer_schema_length=None)
    hidden = frame.filter(pl.col("suppressed") & pl.col("suppressed_columns").str.contains("activity"))
    assert hidden.height > 0 and hidden["activity"].null_count() == hidden.height
    assert hidden["suppression_reason"].null_count() == 0


def test_demo_outputs_publish_counts_of_lsoas_and_staff(demo_outputs):
    """Counts of LSOAs and staff FTE are not counts of people: shown whatever their size, and labelled."""
    frame = pl.read_csv(demo_outputs / "csv" / "indicators_neighbourhood.csv", infer_schema_length=None)
    lsoas = frame.filter(pl.col("indicator_id") == "imd_core20_lsoa_share")
    assert lsoas.height > 0 and set(lsoas["numerator_counts"]) == {"LSOAs"}
    assert lsoas["numerator"].null_count() == 0 and (lsoas["numerator"] < 8).any()
    fte = frame.filter(pl.col("indicator_id") == "gp_fte_qualified_per_100k")
    assert set(fte["numerator_counts"]) == {"FTE staff"} and set(fte["denominator_counts"]) == {"people"}


def test_demo_outputs_hide_the_same_count_everywhere_or_nowhere(demo_outputs):
    """A count shown in one table and hidden in another would be no protection: the crude rate, DSR, ISR, per
    weighted capita and growth rows of a measure share one activity count, and so does the right-drift table."""
    from pipelines.indicators.catalogue import load_catalogue

    measures = {i.id: i.measure for i in load_catalogue().indicators
                if i.measure and i.method in ("crude_rate", "dsr", "isr", "per_weighted_capita", "growth")}
    frames = [pl.read_csv(demo_outputs / "csv" / f"indicators_{level}.csv", infer_schema_length=None)
              for level in ("system", "footprint", "neighbourhood", "local_authority")]
    values = pl.concat([f.select("indicator_id", "level", "area_code", "period", "numerator") for f in frames]).filter(
        pl.col("indicator_id").is_in(list(measures))).with_columns(
        pl.col("indicator_id").replace_strict(measures).alias("measure"))
    by_count = values.group_by("measure", "level", "area_code", "period").agg(
        pl.col("numerator").is_null().sum().alias("hidden"), pl.len().alias("rows"))
    mixed = by_count.filter((pl.col("hidden") > 0) & (pl.col("hidden") < pl.col("rows")))
    assert mixed.is_empty(), mixed.head()
    drift = pl.read_csv(demo_outputs / "csv" / "right_drift.csv", infer_schema_length=None).filter(
        pl.col("level") != "england").select("measure", "level", "area_code", "period",
                                             pl.col("activity").is_null().alias("drift_hidden"))
    joined = by_count.join(drift, on=["measure", "level", "area_code", "period"])
    assert joined.height > 0
    assert joined.filter(pl.col("drift_hidden") != (pl.col("hidden") > 0)).is_empty()


def test_scanners_read_fractional_counts_as_a_reader_sees_them(tmp_path):
    """7.09 and 7.38 (shown 7.1 and 7.4, read as 7) are findings under a threshold of 7, and so is 6.6 that an
    integer format shows as 7; 7.5 is not (issue 12, row 17)."""
    from pipelines.outputs.scan import shown_number

    wb = Workbook()
    ws = wb.active
    ws.append(["Area", "Numerator", "Denominator"])
    for area, numerator in (("A", 7.09), ("B", 7.38), ("C", 7.5), ("D", 12.0)):
        ws.append([area, numerator, 900])
        ws.cell(ws.max_row, 2).number_format = "#,##0.0"
    ws.append(["E", 6.6, 900])
    ws.cell(ws.max_row, 2).number_format = "#,##0"  # shown as 7
    wb.save(tmp_path / "fractions.xlsx")
    assert [(f.cell, f.value) for f in scan_workbook(tmp_path / "fractions.xlsx")] == [
        ("B2", 7.09), ("B3", 7.38), ("B6", 6.6)]
    # under 1 to 6, 6.6 (shown as 7) is published; 7.09 and 7.38 too
    assert scan_workbook(tmp_path / "fractions.xlsx", DisclosureRule(1, 6)) == []
    assert shown_number(7.45, "#,##0.0") == 7.5 and shown_number(7.5, "#,##0") == 8.0
    assert shown_number(2.5, "0") == 3.0 and shown_number(7.38, "General") == 7.38
    (tmp_path / "fractions.csv").write_text("area,numerator\nA,7.09\nB,7.38\nC,7.5\nD,7.4999\n")
    assert [f.value for f in scan_csv(tmp_path / "fractions.csv")] == ["7.09", "7.38", "7.4999"]
