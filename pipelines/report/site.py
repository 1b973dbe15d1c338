"""Write the report: draw the figures, render the pages with jinja2, copy the stylesheet.

Pages: `index.html` (the system), `footprint-<code>.html` (one per footprint), `neighbourhoods.html` (every
neighbourhood), `data-dictionary.html`; figures in `img/`; `style.css`. Every link is relative and nothing is
fetched from the network, so the folder opens offline from disk or any static web server.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape  # noqa: E402

from pipelines.dictionary import dictionary_sections, family_title  # noqa: E402
from pipelines.report import charts, maps  # noqa: E402
from pipelines.report.pages import (  # noqa: E402
    MAPPED,
    Figure,
    Page,
    ReportInputs,
    about_sections,
    area_indicator_table,
    drift_panels,
    drift_table,
    gradient_panels,
    headline_cards,
    neighbourhood_tables,
    overview_table,
    with_values,
)

TEMPLATES = Path(__file__).parent / "templates"
IMG = "img"
DPI = 96


@dataclass
class ReportResult:
    directory: Path
    pages: list[Path]
    figures: list[Path]
    maps: int


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class _Figures:
    """Saves matplotlib figures into img/ and remembers them."""

    def __init__(self, directory: Path):
        self.directory = directory / IMG
        self.directory.mkdir(parents=True, exist_ok=True)
        self.saved: list[Path] = []
        self.maps = 0

    def save(self, fig, name: str, alt: str, caption: str, kind: str) -> Figure:
        path = self.directory / f"{name}.png"
        # maps keep their shape (set by the area drawn): crop the figure to what is drawn
        tight = {"bbox_inches": "tight", "pad_inches": 0.1} if kind == "map" else {}
        fig.savefig(path, dpi=DPI, metadata={"Software": None}, pil_kwargs={"compress_level": 3}, **tight)
        plt.close(fig)
        self.saved.append(path)
        if kind == "map":
            self.maps += 1
        return Figure(f"{IMG}/{path.name}", alt, caption, kind)


def _nav(inputs: ReportInputs) -> list[tuple[str, str]]:
    profile = inputs.tables.profile
    items = [("index.html", "System")]
    items += [(f"footprint-{_slug(f.code)}.html", f.name) for f in profile.footprints]
    return items + [("neighbourhoods.html", "Neighbourhoods"), ("data-dictionary.html", "Data dictionary")]


def _boundaries_for(inputs: ReportInputs, lsoa_codes: list[str]):
    if inputs.boundaries is None:
        return None
    selected = inputs.boundaries[inputs.boundaries["lsoa_code"].isin(lsoa_codes)]
    return None if selected.empty else selected


def _gradient(inputs: ReportInputs, figures: _Figures, level: str, code: str, label: str, name: str) -> list:
    items: list = []
    gradient = gradient_panels(inputs, level, code)
    if gradient:
        panels, period = gradient
        fig = charts.gradient_chart(panels, period)
        items.append(figures.save(
            fig, f"{name}-gradient", f"Bar charts of the age-standardised rate of each urgent care measure by "
            f"national deprivation decile for {label}, {period}, with 95% limits, England's rate and the slope "
            "index of inequality",
            "Directly age-standardised rates (ESP2013) per 100,000 residents by national IMD decile of the LSOA "
            "of residence (1 = most deprived 10% of England), with 95% confidence limits (Dobson). Dashed line: "
            "England; dotted: the area. SII: the slope index of inequality, the modelled gap in rate between the "
            "most and the least deprived ends of the area, with simulated 95% limits.", "gradient"))
    else:
        items.append("No deprivation gradient is computed at this level.")
    return items


def _drift(inputs: ReportInputs, figures: _Figures, level: str, code: str, label: str, name: str) -> list:
    items: list = []
    drift = drift_panels(inputs, level, code, label)
    if drift:
        panels, base = drift
        fig = charts.drift_chart(panels, base)
        items.append(figures.save(
            fig, f"{name}-drift", f"Line charts of activity growth since {base} for {label} against England and "
            "against growth expected from population size and age",
            f"Residents' activity indexed to {base} (= 100). England: England's growth over the same years. "
            "Expected from population size and age: the activity the area would have had if only its "
            "population had changed (England's base-year age–sex rates applied to each year's population). "
            "The gap between the area and England is the right drift.", "drift"))
        table = drift_table(inputs, level, code)
        if table:
            items.append(table)
    else:
        items.append("Right drift is computed for the system and footprints only.")
    return items


def _area_page(inputs: ReportInputs, figures: _Figures, level: str, code: str, name: str, file: str) -> Page:
    profile = inputs.tables.profile
    geography = inputs.geography
    if level == "system":
        heading, intro = name, (f"The Integrated Needs Assessment indicators of {name} ({code}) compared with "
                                "England: deprivation, demand for urgent and emergency care, inequality, right "
                                "drift, primary care capacity and JSNA indicators.")
        lsoas = geography["lsoa_code"].to_list()
        outline_code, outline_name, outline_label = "footprint_code", "footprint_name", "footprints"
        context = None
    else:
        heading, intro = f"{name} footprint", (f"The {name} footprint (place) of {profile.icb_name}, compared "
                                               "with England and the system.")
        lsoas = geography.filter(pl.col("footprint_code") == code)["lsoa_code"].to_list()
        outline_code, outline_name, outline_label = "neighbourhood_code", "neighbourhood_name", "neighbourhoods"
        system = profile.icb_code
        context = inputs.tables.latest().filter((pl.col("level") == "system") & (pl.col("area_code") == system))
    page = Page(file, heading, level, heading, intro)
    if level == "system":
        page.cards = headline_cards(inputs, level, code)

    stem = "system" if level == "system" else f"footprint-{_slug(code)}"
    map_items: list = []
    selected = _boundaries_for(inputs, lsoas)
    if selected is not None:
        outlines = maps.area_polygons(selected, geography.filter(pl.col("lsoa_code").is_in(lsoas)),
                                      outline_code, outline_name)
        fig = maps.deprivation_map(selected, inputs.deciles, outlines,
                                   f"{name}: LSOAs by national IMD {profile.imd_edition} decile, "
                                   f"{outline_label} outlined")
        map_items.append(figures.save(
            fig, f"{stem}-map", f"Map of the LSOAs of {heading} shaded by national deprivation decile, with the "
            f"{outline_label} outlined", f"Each LSOA (~1,500 residents, {profile.lsoa_vintage} boundaries) "
            f"shaded by its national IMD {profile.imd_edition} decile (dark = most deprived). Red lines: "
            f"{outline_label}" + (" (best-fit: each LSOA drawn in the neighbourhood holding most of its registered "
                                  "patients)" if level != "system" else "") + f". {inputs.boundary_note}", "map"))
    else:
        map_items.append(inputs.boundary_note or "No LSOA boundaries: maps are omitted.")

    context_label = "System" if context is not None else ""
    page.sections = [
        ("indicators", "Indicators", [area_indicator_table(inputs, level, code, context, context_label)]),
        ("map", "Map", map_items),
        ("gradient", "Deprivation gradient", _gradient(inputs, figures, level, code, heading, stem)),
        ("drift", "Right drift", _drift(inputs, figures, level, code, heading, stem)),
    ]
    if level == "footprint":
        codes = inputs.areas.filter((pl.col("level") == "neighbourhood") & (pl.col("parent_code") == code))[
            "area_code"].to_list()
        table = overview_table(inputs, codes)
        if table:
            table.caption = f"Neighbourhoods of {name}: latest value, coloured by comparison with England (95%)"
            page.sections.insert(1, ("neighbourhoods", "Neighbourhoods", [table]))
    return page


def _neighbourhood_page(inputs: ReportInputs, figures: _Figures) -> Page:
    profile = inputs.tables.profile
    page = Page("neighbourhoods.html", "Neighbourhoods", "neighbourhood", "Neighbourhoods",
                f"Every neighbourhood (primary care network) of {profile.icb_name}. A neighbourhood counts each "
                "LSOA's residents and activity by its share of the LSOA's GP-registered patients, so its counts "
                "can be fractional; small counts are suppressed as everywhere in the report.")
    latest = inputs.tables.latest().filter(pl.col("level") == "neighbourhood")
    items: list = []
    overview = overview_table(inputs)
    if overview:
        items.append(overview)
    page.sections.append(("overview", "At a glance", items))

    map_items: list = []
    chosen = with_values(latest, MAPPED, "neighbourhood", 2, compared=True)
    mapped = {i: inputs.catalogue.get(i).name for i in chosen if any(x.id == i for x in inputs.catalogue.indicators)}
    if inputs.boundaries is not None and mapped:
        areas = maps.area_polygons(inputs.boundaries, inputs.geography, "neighbourhood_code", "neighbourhood_name")
        footprints = maps.area_polygons(inputs.boundaries, inputs.geography, "footprint_code", "footprint_name")
        values = latest.filter(pl.col("indicator_id").is_in(list(mapped))).select(
            "indicator_id", "area_code", "comparison_95",
            pl.col("suppressed_columns").list.contains("value").alias("hidden"))
        periods = {i: latest.filter(pl.col("indicator_id") == i)["period"].max() for i in mapped}
        titles = {i: f"{name}, {periods[i]}" for i, name in mapped.items()}
        fig = maps.comparison_map(areas, values, footprints, titles)
        map_items.append(figures.save(
            fig, "neighbourhoods-map", "Maps of the neighbourhoods coloured by whether their "
            f"{' and '.join(mapped.values())} are better, similar or worse than England", "Neighbourhoods coloured by their "
            "comparison with England at 95% (green better, amber similar, red worse; grey suppressed). Black "
            "lines: footprints. A neighbourhood is drawn as the LSOAs whose registered patients are mostly its "
            f"own (best fit); its value counts every LSOA by registration shares. {inputs.boundary_note}", "map"))
    else:
        map_items.append(inputs.boundary_note or "No LSOA boundaries: maps are omitted.")
    page.sections.append(("map", "Map", map_items))

    compared = next(iter(mapped), None)
    if compared is not None:
        rows = latest.filter(pl.col("indicator_id") == compared)
        if rows.height:
            indicator = inputs.catalogue.get(compared)
            period = rows["period"].max()
            rows = rows.filter(pl.col("period") == period).with_columns(
                pl.coalesce("area_name", "area_code").alias("area_name"))
            england = rows["england_value"].drop_nulls()
            fig = charts.compare_chart(rows, f"{indicator.name}, {period}: neighbourhoods against England",
                                       indicator.unit, england[0] if england.len() else None)
            page.sections.append(("compare", "Neighbourhoods compared", [figures.save(
                fig, "neighbourhoods-compare", f"Bar chart of {indicator.name} for every neighbourhood with 95% "
                "limits against England", "Each neighbourhood's value with its 95% confidence limits, coloured by "
                "comparison with England (dashed line).", "compare")]))
    page.sections.append(("tables", "Indicator tables", neighbourhood_tables(inputs)))
    return page


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals["family_title"] = family_title
    return env


def build_report(inputs: ReportInputs, directory: Path) -> ReportResult:
    """Write every page, figure and the stylesheet under `directory` (created; existing files overwritten)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    figures = _Figures(directory)
    profile = inputs.tables.profile
    pages = [_area_page(inputs, figures, "system", profile.icb_code, profile.icb_name, "index.html")]
    for footprint in profile.footprints:
        pages.append(_area_page(inputs, figures, "footprint", footprint.code, footprint.name,
                                f"footprint-{_slug(footprint.code)}.html"))
    pages.append(_neighbourhood_page(inputs, figures))

    env = _environment()
    common = {"nav": _nav(inputs), "icb_name": profile.icb_name, "about": about_sections(inputs.tables),
              "rule": inputs.tables.rule.words, "synthetic_warning": inputs.tables.synthetic_warning,
              "unavailable": _unavailable(inputs.tables)}
    written = []
    for page in pages:
        html = env.get_template("page.html").render(page=page, **common)
        written.append(_write(directory / page.file, html))
    dictionary = env.get_template("dictionary.html").render(
        sections=dictionary_sections(inputs.catalogue), page=Page("data-dictionary.html", "Data dictionary",
                                                                  "dictionary", "Data dictionary", ""), **common)
    written.append(_write(directory / "data-dictionary.html", dictionary))
    shutil.copyfile(TEMPLATES / "style.css", directory / "style.css")
    return ReportResult(directory, written, figures.saved, figures.maps)


def _unavailable(tables) -> list[tuple[str, str, str]]:
    """(indicator, levels, reason) of every indicator the profile's data cannot give, for the system page."""
    frame = tables.unavailable
    if frame is None or frame.is_empty():
        return []
    grouped = (frame.group_by("indicator_id", "indicator_name", "reason", maintain_order=True)
               .agg(pl.col("level").str.join(", ")))
    return [(r["indicator_name"], r["level"], r["reason"]) for r in grouped.iter_rows(named=True)]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
