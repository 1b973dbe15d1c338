"""What each page of the report shows, as plain data for the templates: rows, cells, figures to draw.

Input is `ReportInputs`: the commissioner tables after disclosure control (`pipelines.outputs.build_tables`,
the same pass the workbook and CSVs are written from), the catalogue, the geography and, when present, the
LSOA boundaries. A hidden cell is null in those tables and named in `suppressed_columns`; here it becomes "*"
with the row's note, exactly as the workbook shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import polars as pl
from markupsafe import escape

from pipelines.disclosure import HIDDEN, REASON, SUPPRESSED_MARK
from pipelines.indicators.catalogue import Catalogue
from pipelines.outputs.sheets import MEASURE_LABELS, readme
from pipelines.outputs.tables import CommissionerTables
from pipelines.outputs.workbook import COMPARISON_STYLE, COMPARISON_WORDS
from pipelines.report.charts import DriftPanel, GradientPanel
from schemas.vocabulary import PEOPLE

#: Indicators shown as headline cards (system page) and as the columns of the neighbourhood overview, when the
#: profile's data give them a value at the level (`with_values`).
HEADLINES = (
    "emergency_admissions_isr",
    "ae_attendances_all_isr",
    "emergency_bed_days_isr",
    "imd_core20_population_share",
    "gp_fte_qualified_per_100k",
    "emergency_admissions_growth",
)
OVERVIEW = (
    "imd_core20_population_share",
    "ae_attendances_all_isr",
    "ae_attendances_type1_isr",
    "emergency_admissions_isr",
    "emergency_bed_days_isr",
    "gp_fte_qualified_per_100k",
    "gp_fte_qualified_per_100k_weighted",
    "imd_core20_lsoa_share",
    "imd_score_practice_weighted",
    "nurses_fte_per_100k",
    "dpc_fte_per_100k",
)
OVERVIEW_COLUMNS = 7
#: The neighbourhood maps: areas coloured by their comparison with England on the first two of these that the
#: data give (with limits, so a comparison exists); the first one is also the "compare areas" chart.
MAPPED = ("emergency_admissions_isr", "ae_attendances_all_isr", "imd_core20_population_share",
          "imd_decile1_population_share")


def with_values(latest: pl.DataFrame, ids: tuple[str, ...], level: str, limit: int | None = None,
                compared: bool = False) -> list[str]:
    """The indicators of `ids`, in order, that have a shown value at `level` (and a comparison with England,
    when `compared`): a report column or map is never drawn for an indicator the data cannot give."""
    rows = latest.filter(pl.col("level") == level, pl.col("value").is_not_null())
    if compared:
        rows = rows.filter(pl.col("comparison_95").is_not_null(), pl.col("comparison_95") != "not_compared")
    present = set(rows["indicator_id"].unique().to_list())
    return [i for i in ids if i in present][:limit]


@dataclass
class ReportInputs:
    tables: CommissionerTables
    catalogue: Catalogue
    areas: pl.DataFrame  # marts.dim_areas
    geography: pl.DataFrame  # marts.dim_geography
    deciles: pl.DataFrame  # lsoa_code, imd_decile: the system's LSOAs, the profile's IMD edition
    boundaries: gpd.GeoDataFrame | None = None
    boundary_note: str = ""


@dataclass
class Cell:
    text: str
    css: str = ""  # a class of style.css
    title: str = ""  # tooltip: why a cell is hidden
    style: str = ""  # inline colours of a comparison cell
    counts: str = ""  # what a count cell counts when not people (LSOAs, FTE staff): data-counts, for the scanner


@dataclass
class Row:
    cells: list[Cell]
    indicator_id: str = ""


@dataclass
class RowGroup:
    title: str
    rows: list[Row]


@dataclass
class Column:
    header: str
    kind: str = "text"  # text | count | value: `data-kind` in the HTML, read by the disclosure scanner
    css: str = ""


@dataclass
class Table:
    caption: str
    columns: list[Column]
    groups: list[RowGroup]
    anchor: str = ""
    note: str = ""


@dataclass
class Figure:
    file: str  # relative to the report folder
    alt: str
    caption: str
    kind: str  # gradient | drift | map | compare


@dataclass
class Card:
    title: str
    value: str
    unit: str
    period: str
    words: str
    style: str


@dataclass
class Page:
    file: str
    title: str
    level: str
    heading: str
    intro: str
    cards: list[Card] = field(default_factory=list)
    sections: list[tuple[str, str, list]] = field(default_factory=list)  # (id, heading, [Table | Figure | str])


# --- formatting ---------------------------------------------------------------------------------------------------


def fmt_value(value: float | None) -> str:
    if value is None:
        return ""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 1 or value == 0:
        return f"{value:,.1f}"
    return f"{value:.3g}"  # small values to three significant figures: 0.9, not 0.900


def fmt_count(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def comparison_style(key: str | None) -> str:
    fill, font = COMPARISON_STYLE.get(key or "not_compared", ("FFFFFF", "000000"))
    return f"background:#{fill};color:#{font}"


def _cell(row: dict, column: str, kind: str) -> Cell:
    """A value cell: "*" when disclosure hid it (the note as tooltip), else the formatted number."""
    if column in (row.get(HIDDEN) or []):
        return Cell(SUPPRESSED_MARK, "hidden", row.get(REASON) or "suppressed")
    formatter = fmt_count if kind == "count" else fmt_value
    counts = row.get(f"{column}_counts") or ""
    return Cell(formatter(row.get(column)), "num", counts="" if counts == PEOPLE else counts)


def _limits(row: dict) -> Cell:
    hidden = set(row.get(HIDDEN) or [])
    if {"lower_ci_95", "upper_ci_95"} & hidden:
        return Cell(SUPPRESSED_MARK, "hidden", row.get(REASON) or "suppressed")
    lo, hi = row.get("lower_ci_95"), row.get("upper_ci_95")
    return Cell("" if lo is None or hi is None else f"{fmt_value(lo)} – {fmt_value(hi)}", "num")


def _comparison(row: dict) -> Cell:
    if "comparison_95" in (row.get(HIDDEN) or []):
        return Cell(SUPPRESSED_MARK, "hidden", row.get(REASON) or "suppressed")
    key = row.get("comparison_95")
    if key is None:
        return Cell("")
    return Cell(COMPARISON_WORDS.get(key, key), "cmp", style=comparison_style(key))


def _note(row: dict) -> Cell:
    return Cell(row.get(REASON) or "", "note")


def _ordered(frame: pl.DataFrame, catalogue: Catalogue) -> pl.DataFrame:
    rank = {i.id: n for n, i in enumerate(catalogue.indicators)}
    return frame.with_columns(
        pl.col("indicator_id").replace_strict(rank, default=len(rank), return_dtype=pl.Int32).alias("_rank")
    ).sort("_rank", "area_name", "area_code").drop("_rank")


def _families(catalogue: Catalogue) -> dict[str, str]:
    from pipelines.dictionary import family_title

    return {i.id: family_title(i.family.replace("_", " ")) for i in catalogue.indicators}


def indicator_link(indicator_id: str, name: str) -> str:
    """The indicator's name, linked to its definition in the data dictionary page (cell css "html")."""
    return f'<a href="data-dictionary.html#ind-{escape(indicator_id)}">{escape(name)}</a>'


# --- the indicator tables -----------------------------------------------------------------------------------------

AREA_COLUMNS = [
    Column("Indicator", css="name"),
    Column("Period"),
    Column("Numerator", "count"),
    Column("Value", "value"),
    Column("95% limits", "value"),
    Column("Unit", css="unit"),
    Column("England", "value"),
    Column("Compared with England (95%)"),
    Column("Recent trend"),
    Column("Most ÷ least deprived decile (ratio)", "value"),
    Column("Note", css="note"),
]


def area_indicator_table(inputs: ReportInputs, level: str, area_code: str,
                         context: pl.DataFrame | None = None, context_label: str = "") -> Table:
    """Every indicator of one area, latest period, grouped by family (the workbook's level sheet, one area).

    `context`: the latest rows of a parent area (the system, on a footprint page) shown in an extra column.
    """
    latest = inputs.tables.latest()
    frame = _ordered(latest.filter((pl.col("level") == level) & (pl.col("area_code") == area_code)),
                     inputs.catalogue)
    families = _families(inputs.catalogue)
    context_rows = {}
    if context is not None:
        context_rows = {(r["indicator_id"], r["period"]): r for r in context.iter_rows(named=True)}
    columns = list(AREA_COLUMNS)
    if context is not None:
        columns.insert(6, Column(context_label, "value"))
    groups: dict[str, list[Row]] = {}
    for row in frame.iter_rows(named=True):
        cells = [
            Cell(indicator_link(row["indicator_id"], row["indicator_name"]), "name html"),
            Cell(row["period"]),
            _cell(row, "numerator", "count"),
            _cell(row, "value", "value"),
            _limits(row),
            Cell(row["unit"], "unit"),
            Cell(fmt_value(row.get("england_value")), "num"),
            _comparison(row),
            Cell(row.get("trend") or ""),
            _cell(row, "rate_ratio", "value"),
            _note(row),
        ]
        if context is not None:
            parent = context_rows.get((row["indicator_id"], row["period"]))
            cells.insert(6, _cell(parent, "value", "value") if parent else Cell(""))
        groups.setdefault(families.get(row["indicator_id"], "Other"), []).append(Row(cells, row["indicator_id"]))
    return Table("Indicators compared with England, latest period of each", columns,
                 [RowGroup(title, rows) for title, rows in groups.items()], anchor="indicators")


NEIGHBOURHOOD_COLUMNS = [
    Column("Neighbourhood", css="name"),
    Column("Footprint"),
    Column("Period"),
    Column("Numerator", "count"),
    Column("Value", "value"),
    Column("95% limits", "value"),
    Column("England", "value"),
    Column("Compared with England (95%)"),
    Column("Recent trend"),
    Column("Note", css="note"),
]


def neighbourhood_tables(inputs: ReportInputs) -> list[Table]:
    """One table per indicator: every neighbourhood, latest period."""
    latest = inputs.tables.latest().filter(pl.col("level") == "neighbourhood")
    parents = _neighbourhood_footprints(inputs)
    tables = []
    for indicator in inputs.catalogue.indicators:
        frame = latest.filter(pl.col("indicator_id") == indicator.id)
        if frame.is_empty():
            continue
        frame = frame.with_columns(pl.col("area_code").replace_strict(parents, default="").alias("_fp")).sort(
            "_fp", "area_name", "area_code")
        rows = [Row([
            Cell(r["area_name"] or r["area_code"], "name"),
            Cell(r["_fp"]),
            Cell(r["period"]),
            _cell(r, "numerator", "count"),
            _cell(r, "value", "value"),
            _limits(r),
            Cell(fmt_value(r.get("england_value")), "num"),
            _comparison(r),
            Cell(r.get("trend") or ""),
            _note(r),
        ], indicator.id) for r in frame.iter_rows(named=True)]
        tables.append(Table(f"{indicator.name} ({indicator.unit})", NEIGHBOURHOOD_COLUMNS,
                            [RowGroup("", rows)], anchor=f"n-{indicator.id}"))
    return tables


def _neighbourhood_footprints(inputs: ReportInputs) -> dict[str, str]:
    names = dict(inputs.areas.filter(pl.col("level") == "footprint").select("area_code", "area_name").iter_rows())
    links = inputs.areas.filter(pl.col("level") == "neighbourhood").select("area_code", "parent_code")
    return {code: names.get(parent, parent or "") for code, parent in links.iter_rows()}


def overview_table(inputs: ReportInputs, codes: list[str] | None = None) -> Table | None:
    """Neighbourhoods (rows) x headline indicators (columns): value coloured by comparison with England."""
    everything = inputs.tables.latest()
    ids = [i for i in with_values(everything, OVERVIEW, "neighbourhood", OVERVIEW_COLUMNS)
           if _has(inputs.catalogue, i)]
    if not ids:
        return None
    latest = everything.filter((pl.col("level") == "neighbourhood") & pl.col("indicator_id").is_in(ids))
    if codes is not None:
        latest = latest.filter(pl.col("area_code").is_in(codes))
    if latest.is_empty():
        return None
    cells = {(r["area_code"], r["indicator_id"]): r for r in latest.iter_rows(named=True)}
    parents = _neighbourhood_footprints(inputs)
    areas = latest.select("area_code", "area_name").unique().with_columns(
        pl.col("area_code").replace_strict(parents, default="").alias("_fp")).sort("_fp", "area_name", "area_code")
    columns = [Column("Neighbourhood", css="name"), Column("Footprint")]
    periods = {}
    for i in ids:
        indicator = inputs.catalogue.get(i)
        period = latest.filter(pl.col("indicator_id") == i)["period"].max()
        periods[i] = period
        columns.append(Column(f"{indicator.name}, {period}", "value"))
    rows = []
    for code, name, footprint in areas.iter_rows():
        row_cells = [Cell(name or code, "name"), Cell(footprint)]
        for i in ids:
            r = cells.get((code, i))
            if r is None:
                row_cells.append(Cell(""))
                continue
            cell = _cell(r, "value", "value")
            if cell.text != SUPPRESSED_MARK and r.get("comparison_95") not in (None, "not_compared"):
                cell.style = comparison_style(r["comparison_95"])
                cell.title = COMPARISON_WORDS.get(r["comparison_95"], "")
            row_cells.append(cell)
        rows.append(Row(row_cells))
    return Table("Neighbourhoods at a glance: latest value, coloured by comparison with England (95%)", columns,
                 [RowGroup("", rows)], anchor="overview",
                 note="Green better, amber similar, red worse than England; blue higher or lower where there is "
                      "no judgement; no colour: not compared (no confidence limits). * = suppressed.")


def _has(catalogue: Catalogue, indicator_id: str) -> bool:
    return any(i.id == indicator_id for i in catalogue.indicators)


def headline_cards(inputs: ReportInputs, level: str, area_code: str) -> list[Card]:
    latest = inputs.tables.latest().filter((pl.col("level") == level) & (pl.col("area_code") == area_code))
    rows = {r["indicator_id"]: r for r in latest.iter_rows(named=True)}
    cards = []
    for indicator_id in HEADLINES:
        r = rows.get(indicator_id)
        if r is None:
            continue
        value = _cell(r, "value", "value").text
        key = r.get("comparison_95")
        words = "" if key in (None, "not_compared") else COMPARISON_WORDS.get(key, key)
        england = r.get("england_value")
        if not words and england is not None:
            words = f"England {fmt_value(england)}"
        cards.append(Card(r["indicator_name"], value, r["unit"], r["period"], words,
                          comparison_style(key) if words and key not in (None, "not_compared") else ""))
    return cards


# --- charts' data ---------------------------------------------------------------------------------------------------


def measures(inputs: ReportInputs) -> list[str]:
    present = set(inputs.tables.gradients["measure"].unique().to_list()) | set(
        inputs.tables.right_drift["measure"].unique().to_list())
    return [m for m in inputs.catalogue.activity_measures() if m in present]


def latest_year(frame: pl.DataFrame) -> tuple[int, str] | None:
    if frame.is_empty():
        return None
    year = int(frame["financial_year"].max())
    return year, frame.filter(pl.col("financial_year") == year)["period"][0]


def gradient_panels(inputs: ReportInputs, level: str, area_code: str) -> tuple[list[GradientPanel], str] | None:
    tables, catalogue = inputs.tables, inputs.catalogue
    quantile_type = "national_decile"  # the charts compare every area with England's deciles
    area = tables.gradients.filter((pl.col("level") == level) & (pl.col("area_code") == area_code)
                                   & (pl.col("quantile_type") == quantile_type))
    latest = latest_year(area)
    if latest is None:
        return None
    year, period = latest
    dsr_ids = {i.measure: i.id for i in catalogue.by_method("dsr") if i.measure}
    panels = []
    for measure in measures(inputs):
        deciles = area.filter((pl.col("measure") == measure) & (pl.col("financial_year") == year))
        if deciles.is_empty():
            continue
        indicator = tables.indicators.filter(
            (pl.col("indicator_id") == dsr_ids.get(measure, "")) & (pl.col("level") == level)
            & (pl.col("area_code") == area_code) & (pl.col("period") == period))
        england = indicator["england_value"][0] if indicator.height else None
        area_value = indicator["value"][0] if indicator.height else None
        summary = tables.inequality.filter(
            (pl.col("measure") == measure) & (pl.col("level") == level) & (pl.col("area_code") == area_code)
            & (pl.col("financial_year") == year) & (pl.col("quantile_type") == quantile_type))
        sii, note = None, ""
        if summary.height:
            s = summary.row(0, named=True)
            if "sii" in (s.get(HIDDEN) or []):
                note = "suppressed (computed from a suppressed decile)"
            elif s["sii"] is not None and s["sii_lower_ci_95"] is not None:
                sii = (s["sii"], s["sii_lower_ci_95"], s["sii_upper_ci_95"])
            else:
                note = s.get("reason") or "not computed"
        unit = summary["rate_unit"][0] if summary.height else "per 100,000"
        panels.append(GradientPanel(MEASURE_LABELS.get(measure, measure),
                                    deciles.select("quantile", "dsr", "dsr_lower_ci_95", "dsr_upper_ci_95"),
                                    unit, england, area_value, sii, note))
    return panels, period


def drift_panels(inputs: ReportInputs, level: str, area_code: str, area_label: str
                 ) -> tuple[list[DriftPanel], str] | None:
    drift = inputs.tables.right_drift
    area = drift.filter((pl.col("level") == level) & (pl.col("area_code") == area_code))
    if area.is_empty():
        return None
    base = int(area["base_financial_year"][0])
    base_label = f"{base}/{str(base + 1)[-2:]}"
    system = drift.filter(pl.col("level") == "system") if level == "footprint" else None
    panels = []
    for measure in measures(inputs):
        rows = area.filter(pl.col("measure") == measure).sort("financial_year")
        if rows.is_empty():
            continue

        def index(column: str, frame: pl.DataFrame = rows) -> list[float | None]:
            return [None if v is None else 100 + v for v in frame[column].to_list()]

        system_line = None
        if system is not None:
            sys_rows = rows.select("financial_year").join(system.filter(pl.col("measure") == measure),
                                                          on="financial_year", how="left").sort("financial_year")
            system_line = index("growth_pct", sys_rows)
        panels.append(DriftPanel(MEASURE_LABELS.get(measure, measure), rows["period"].to_list(),
                                 index("growth_pct"), index("england_growth_pct"), index("demographic_growth_pct"),
                                 system_line, area_label))
    return panels, base_label


def drift_table(inputs: ReportInputs, level: str, area_code: str) -> Table | None:
    """Latest year's growth against England and demography, one row per measure (the chart's numbers)."""
    drift = inputs.tables.right_drift.filter((pl.col("level") == level) & (pl.col("area_code") == area_code))
    if drift.is_empty():
        return None
    year = drift["financial_year"].max()
    frame = drift.filter(pl.col("financial_year") == year)
    columns = [Column("Measure", css="name"), Column("Base year"), Column("Year"),
               Column("Base-year activity (events)", "count"), Column("Activity in the year (events)", "count"),
               Column("Growth, %", "value"), Column("England growth, %", "value"),
               Column("Demographic growth, %", "value"), Column("Drift against England (percentage points)", "value"),
               Column("Drift against demography (percentage points)", "value"), Column("Note", css="note")]
    order = {m: n for n, m in enumerate(measures(inputs))}
    rows = []
    for r in sorted(frame.iter_rows(named=True), key=lambda r: order.get(r["measure"], 99)):
        base = int(r["base_financial_year"])
        rows.append(Row([
            Cell(MEASURE_LABELS.get(r["measure"], r["measure"]), "name"),
            Cell(f"{base}/{str(base + 1)[-2:]}"), Cell(r["period"]),
            _cell(r, "base_activity", "count"), _cell(r, "activity", "count"),
            _cell(r, "growth_pct", "value"), _cell(r, "england_growth_pct", "value"),
            _cell(r, "demographic_growth_pct", "value"), _cell(r, "drift_vs_england_pp", "value"),
            _cell(r, "drift_vs_demographic_pp", "value"), _note(r),
        ]))
    return Table("Growth since the base year, latest year", columns, [RowGroup("", rows)], anchor="drift-table")


def about_sections(tables: CommissionerTables) -> list[tuple[str, str]]:
    """The workbook's README sections (one text for both; no build date, so pages are byte-identical)."""
    skip = {"Sheets"}  # the sheets are the workbook's
    return [(h, t) for h, t in readme(tables).sections if h not in skip]
