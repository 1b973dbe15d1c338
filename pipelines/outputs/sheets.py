"""What the commissioner workbook says: its sheets, columns and the README text, from `CommissionerTables`.

Sheets: README, Definitions, System, Footprints, Neighbourhoods, Local authorities (each indicator's latest
period), Deprivation gradient and Inequality (latest year), Right drift (every year since the base year).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.outputs.tables import CommissionerTables
from pipelines.outputs.workbook import Column, Sheet, TextSheet, write_workbook

WORKBOOK_NAME = "ina_commissioner_indicators.xlsx"
#: The gradient sheet shows the levels where quantile counts are mostly publishable; the CSV has every level.
GRADIENT_SHEET_LEVELS = ("system", "footprint")

LEVEL_SHEETS: dict[str, str] = {
    "system": "System",
    "footprint": "Footprints",
    "neighbourhood": "Neighbourhoods",
    "local_authority": "Local authorities",
}

MEASURE_LABELS: dict[str, str] = {
    "ae_attendances_all": "A&E attendances, all types",
    "ae_attendances_type1": "A&E attendances, type 1",
    "emergency_admissions": "Emergency admissions",
    "emergency_bed_days": "Emergency bed days",
}
QUANTILE_LABELS: dict[str, str] = {
    "national_decile": "National IMD decile",
    "national_quintile": "National IMD quintile",
    "system_decile": "IMD decile within the system",
    "system_quintile": "IMD quintile within the system",
}


def _note(tables: CommissionerTables) -> str:
    return (f"* = suppressed: counts of people {tables.rule.words}, and any value computed from one or that would let one "
            "be worked out, are not shown (see README). Colours: green better, amber similar, red worse than "
            "England; blue higher/lower where no judgement applies.")


INDICATOR_COLUMNS = (
    Column("indicator_name", "Indicator", width=50),
    Column("area_name", "Area", width=30),
    Column("area_code", "Area code"),
    Column("period", "Period"),
    Column("numerator", "Numerator", "count"),
    Column("numerator_counts", "Numerator counts"),
    Column("denominator", "Denominator", "count"),
    Column("denominator_counts", "Denominator counts"),
    Column("value", "Value", "value"),
    Column("lower_ci_95", "Lower 95% limit", "value"),
    Column("upper_ci_95", "Upper 95% limit", "value"),
    Column("unit", "Unit", width=24),
    Column("england_value", "England value", "value"),
    Column("comparison_95", "Compared with England (95%)", "comparison", width=22),
    Column("comparison_99_8", "Compared with England (99.8%)", "comparison", width=22),
    Column("trend", "Recent trend (up to 5 periods)", width=30),
    Column("rate_ratio", "Most ÷ least deprived decile (ratio of age-standardised rates)", "value"),
    Column("rate_gap", "Most − least deprived decile (gap in age-standardised rate)", "value"),
    Column("gap_unit", "Unit of the gap"),
    Column("expected", "Expected events", "count"),
    Column("excess", "Excess events (observed − expected)", "count"),
    Column("suppression_reason", "Note", width=50),
    Column("indicator_id", "Indicator ID", width=30),
)

GRADIENT_COLUMNS = (
    Column("measure_label", "Measure", width=28),
    Column("area_name", "Area", width=28),
    Column("area_code", "Area code"),
    Column("level_label", "Level"),
    Column("period", "Period"),
    Column("quantile_label", "Deprivation quantiles", width=26),
    Column("quantile", "Quantile (1 = most deprived)", "integer"),
    Column("activity", "Activity (events)", "count"),
    Column("population", "Residents (population)", "count"),
    Column("crude_rate", "Crude rate per 1,000", "value"),
    Column("crude_lower_ci_95", "Crude rate lower 95% limit", "value"),
    Column("crude_upper_ci_95", "Crude rate upper 95% limit", "value"),
    Column("dsr", "Age-standardised rate per 100,000 (ESP2013)", "value"),
    Column("dsr_lower_ci_95", "DSR lower 95% limit", "value"),
    Column("dsr_upper_ci_95", "DSR upper 95% limit", "value"),
    Column("suppression_reason", "Note", width=50),
)

INEQUALITY_COLUMNS = (
    Column("measure_label", "Measure", width=28),
    Column("area_name", "Area", width=28),
    Column("area_code", "Area code"),
    Column("level_label", "Level"),
    Column("period", "Period"),
    Column("quantile_label", "Deprivation quantiles", width=26),
    Column("most_deprived_rate", "Most deprived quantile: rate", "value"),
    Column("least_deprived_rate", "Least deprived quantile: rate", "value"),
    Column("rate_ratio", "Ratio, most ÷ least deprived", "value"),
    Column("rate_gap", "Gap, most − least deprived", "value"),
    Column("sii", "Slope index of inequality (SII)", "value"),
    Column("sii_lower_ci_95", "SII lower 95% limit", "value"),
    Column("sii_upper_ci_95", "SII upper 95% limit", "value"),
    Column("rii", "Relative index of inequality (RII)", "value"),
    Column("rii_lower_ci_95", "RII lower 95% limit", "value"),
    Column("rii_upper_ci_95", "RII upper 95% limit", "value"),
    Column("rate_unit", "Unit of rates, gap and SII", width=28),
    Column("note", "Note", width=50),
)

DRIFT_COLUMNS = (
    Column("measure_label", "Measure", width=28),
    Column("area_name", "Area", width=28),
    Column("area_code", "Area code"),
    Column("level_label", "Level"),
    Column("base_period", "Base year"),
    Column("period", "Year"),
    Column("base_activity", "Base-year activity (events)", "count"),
    Column("activity", "Activity in the year (events)", "count"),
    Column("growth_pct", "Growth since base year, %", "value"),
    Column("england_growth_pct", "England growth, %", "value"),
    Column("demographic_growth_pct", "Demographic growth (size and age alone), %", "value"),
    Column("drift_vs_england_pp", "Drift against England (percentage points)", "value"),
    Column("drift_vs_demographic_pp", "Drift against demography (percentage points)", "value"),
    Column("demographic_expected_activity", "Expected activity from demography (events)", "count"),
    Column("excess_over_demographic", "Excess over demographic expectation (events)", "count"),
    Column("population_growth_pct", "Population growth, %", "value"),
    Column("suppression_reason", "Note", width=50),
)

UNAVAILABLE_COLUMNS = (
    Column("indicator_name", "Indicator", width=60),
    Column("indicator_id", "Indicator ID", width=30),
    Column("level", "Level", width=16),
    Column("missing_inputs", "Inputs not held", width=30),
    Column("reason", "Why not, and what would supply it", width=100),
)

DEFINITION_COLUMNS = (
    Column("indicator_id", "Indicator ID", width=30),
    Column("indicator_name", "Indicator", width=50),
    Column("family", "Family", width=14),
    Column("definition", "Definition", width=80),
    Column("numerator", "Numerator", width=40),
    Column("denominator", "Denominator", width=40),
    Column("method", "Method", width=20),
    Column("multiplier", "Multiplier", "count"),
    Column("unit", "Unit", width=28),
    Column("polarity", "Polarity", width=16),
    Column("levels", "Levels published", width=30),
    Column("period_type", "Period", width=16),
    Column("source", "Source", width=50),
    Column("caveats", "Caveats", width=60),
)


def _fy(year: int | None) -> str | None:
    return None if year is None else f"{year}/{str(year + 1)[-2:]}"


def _labelled(frame: pl.DataFrame) -> pl.DataFrame:
    exprs = []
    if "measure" in frame.columns:
        exprs.append(pl.col("measure").replace_strict(MEASURE_LABELS, default=pl.col("measure")).alias("measure_label"))
    if "quantile_type" in frame.columns:
        exprs.append(pl.col("quantile_type").replace_strict(QUANTILE_LABELS, default=pl.col("quantile_type"))
                     .alias("quantile_label"))
    if "level" in frame.columns:
        exprs.append(pl.col("level").str.replace("_", " ").str.to_titlecase().alias("level_label"))
    return frame.with_columns(exprs)


def _latest_year(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("financial_year") == pl.col("financial_year").max()) if frame.height else frame


def built_words(tables: CommissionerTables) -> str:
    """What the outputs were built from. No build date: the same marts give the same bytes (issue 12, item 8),
    and the release's content hash, not a clock, says which build a file belongs to."""
    return (f"From the pipeline's DuckDB marts (profile '{tables.profile.profile}'). Regenerated on every run: "
            "do not edit by hand. The same marts always give the same files, byte for byte, so the file carries "
            "no build date; the release's content hash identifies the build.")


def readme(tables: CommissionerTables) -> TextSheet:
    profile = tables.profile
    periods = tables.periods()
    years = [p for p in periods if len(p) == 7 and p[4] == "/"]
    footprints = ", ".join(f.name for f in profile.footprints)
    counts = {level: tables.indicators.filter(pl.col("level") == level)["area_code"].n_unique()
              for level in LEVEL_SHEETS}
    rule = tables.rule
    warning = [("SYNTHETIC DATA", tables.synthetic_warning)] if tables.synthetic_warning else []
    unavailable = tables.unavailable.height if tables.unavailable is not None else 0
    sections = [*warning,
        ("What this is",
         f"The Integrated Needs Assessment indicators of {profile.icb_name} ({profile.icb_code}), compared with "
         "England, for commissioners. Each indicator is shown at system, footprint (place), neighbourhood (primary "
         "care network) and local authority level, as in an OHID Fingertips profile: value, 95% confidence "
         "limits, England's value, whether the difference from England is statistically significant, the recent "
         "trend and the gap between the most and least deprived. The same tables, for every period, are in the "
         "CSV files beside this workbook."),
        ("Built", built_words(tables)),
        ("Geography",
         f"System: {profile.icb_name}. Footprints: {footprints}. Areas in this workbook: "
         f"{counts['system']} system, {counts['footprint']} footprints, {counts['neighbourhood']} neighbourhoods, "
         f"{counts['local_authority']} local authorities. Activity is counted by the patient's LSOA of residence "
         f"(LSOA {profile.lsoa_vintage} boundaries, IMD {profile.imd_edition}); a neighbourhood counts each LSOA "
         "by its share of the LSOA's GP-registered patients, so neighbourhood counts can be fractional."),
        ("Periods", f"NHS financial years (April to March) {years[0]} to {years[-1]}." if years else
         "See each sheet."),
        ("", "Workforce indicators are monthly censuses (the latest month is shown); deprivation profile "
             "indicators are by IMD edition; JSNA indicators use the periods OHID publishes. Each level sheet "
             "shows every indicator's latest period; the CSV files hold every period."),
        ("Sheets",
         "Definitions: what each indicator measures, its numerator, denominator, method, unit, polarity, source "
         "and caveats. System / Footprints / Neighbourhoods / Local authorities: every indicator for every area "
         "of that level. Deprivation gradient: activity and rates by deprivation quantile. Inequality: the ratio "
         "and gap between the most and least deprived quantiles, with the slope and relative indices of "
         "inequality (SII, RII). Right drift: growth in activity since the base year against England's growth "
         "and the growth expected from population size and age alone."),
        ("How to read significance",
         "'Compared with England' uses the Fingertips method: the area is similar to England when England's value "
         "lies within the area's confidence interval, otherwise better or worse (green or red) for indicators "
         "where higher is clearly worse or better, and higher or lower (blue) where there is no judgement. Two "
         "levels are given: 95% (the usual one) and 99.8% (stricter, fewer chance findings when many areas are "
         "compared). 'Not compared' means the indicator has no confidence limits (a census such as FTE GPs per "
         "100,000, growth, a weighted mean, an SII) or no England value."),
        ("Recent trend",
         "Whether the value is rising or falling over the latest five published periods (at least three): a "
         "line weighted by the precision of each value, significant at 95%. 'Increasing and getting worse' etc. "
         "where the indicator has a polarity; 'No significant change' otherwise. Values without limits give "
         "the direction only. Suppressed values are left out."),
        ("Most vs least deprived",
         "For activity indicators, the ratio and the gap between the age-standardised rates of the most and the "
         "least deprived national IMD deciles of the area's residents (fct_inequality_summary). A ratio of 2 "
         "means twice the rate in the most deprived tenth. The Inequality sheet has the SII (the modelled gap "
         "from the most to the least deprived end) and RII with confidence limits."),
        ("Suppression (disclosure control)",
         f"Counts {rule.words} are shown as '*' (zero is shown). So is every value computed from a suppressed "
         "count (rate, limits, expected, excess, England comparison, ratio, gap, SII). Where the cells of a group "
         "add up to a total that is shown (footprints to the system, neighbourhoods to their footprint and the "
         "system, deprivation deciles to the area, two deciles to their quintile) and only one cell is "
         "suppressed, the next smallest is suppressed too, so no suppressed count can be worked out by "
         "subtraction; the same holds when the suppressed cells together would still add up to a small number. "
         "Expected and excess values between these limits are also shown as '*'. The 'Note' column says why a "
         "row has a '*'. A value may also be missing for a statistical reason (e.g. an age-standardised rate on "
         "fewer than 10 events is not calculated, as in Fingertips); the Note says so."),
        ("Sources and licences",
         "English Indices of Deprivation (MHCLG), ONS population estimates and geography lookups, NHS England "
         "General Practice Workforce and Patients Registered at a GP Practice, NHS England A&E Attendances and "
         "Emergency Admissions, OHID Fingertips (JSNA indicators): all Open Government Licence v3.0. Emergency "
         "department attendances (ECDS) and admitted patient care (SUS) are the ICB's own confidential "
         "extracts: only suppressed aggregates appear here. Contains public sector information licensed under "
         "the Open Government Licence v3.0."),
        ("Methods", "Crude rates: exact Poisson / Byar's limits; proportions: Wilson; age-standardised rates: "
                    "ESP2013 with Dobson limits; indirectly standardised ratios: observed ÷ expected on England's "
                    "age–sex rates with exact / Byar's limits; SII/RII: weighted regression on the population-"
                    "midpoint rank, simulated limits (OHID PHEindicatormethods)."),
    ]
    if unavailable:
        sections.append(("Not available", f"{unavailable} indicator x level combinations cannot be computed from "
                         "this profile's data; the 'Not available' sheet lists each with the reason."))
    title = f"{profile.icb_name}: Integrated Needs Assessment indicators"
    return TextSheet("README", (f"{tables.synthetic_warning} " if tables.synthetic_warning else "") + title, sections)


def workbook_sheets(tables: CommissionerTables) -> list[Sheet | TextSheet]:
    note = _note(tables)
    # an area without a name (a PCN the lookup does not name) is shown by its code
    latest = tables.latest().with_columns(pl.coalesce("area_name", "area_code").alias("area_name"))
    sheets: list[Sheet | TextSheet] = [
        readme(tables),
        Sheet("Definitions", "Indicator definitions", tables.definitions, DEFINITION_COLUMNS,
              "From the indicator catalogue (config/indicators.yaml).", frozen_columns=2),
    ]
    for level, name in LEVEL_SHEETS.items():
        frame = latest.filter(pl.col("level") == level)
        sheets.append(Sheet(name, f"{name}: indicators compared with England, latest period", frame,
                            INDICATOR_COLUMNS, note))
    gradients = _labelled(_latest_year(tables.gradients).filter(pl.col("level").is_in(GRADIENT_SHEET_LEVELS)))
    sheets.append(Sheet("Deprivation gradient", "Activity and rates by deprivation quantile, system and "
                        "footprints, latest year (every area and year: deprivation_gradients.csv)",
                        gradients, GRADIENT_COLUMNS, note))
    inequality = _labelled(_latest_year(tables.inequality)).with_columns(
        pl.concat_str([pl.col("reason"), pl.col("suppression_reason")], separator="; ", ignore_nulls=True)
        .replace("", None).alias("note"))
    sheets.append(Sheet("Inequality", "Most vs least deprived: ratio, gap, SII and RII, latest year", inequality,
                        INEQUALITY_COLUMNS, note))
    drift = _labelled(tables.right_drift).with_columns(
        pl.col("base_financial_year").map_elements(_fy, return_dtype=pl.String).alias("base_period"))
    sheets.append(Sheet("Right drift", "Growth in activity since the base year: against England and demography",
                        drift, DRIFT_COLUMNS, note))
    if tables.unavailable is not None and tables.unavailable.height:
        sheets.append(Sheet("Not available", "Indicators this profile's data cannot give, and why",
                            tables.unavailable, UNAVAILABLE_COLUMNS,
                            "Declared by each indicator's inputs (config/indicators.yaml) and the profile's sources; "
                            "nothing is estimated where data are missing.", frozen_columns=1))
    return sheets


def write_commissioner_workbook(tables: CommissionerTables, directory: Path) -> Path:
    return write_workbook(Path(directory) / WORKBOOK_NAME, workbook_sheets(tables))
