"""The data dictionary: every mart table and column, every raw file layout and every indicator, from the models.

Nothing here is typed by hand: tables and columns come from the pandera models (`schemas/marts.py`,
`schemas/indicators.py`, `schemas/staging.py`, `schemas/raw/` through `schemas.registry`) via
`schemas.ddl.data_dictionary_rows`; indicators and measures from the catalogue (`config/indicators.yaml`).
`dictionary_sections()` is the one structure; `render_markdown` writes it as `docs/data-dictionary.md`
(`uv run ina dictionary`, kept current by tests/test_dictionary.py) and the HTML report renders the same
sections as a page (`pipelines/report/templates/dictionary.html`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandera.polars as pa

from pipelines.config import PROJECT_DIR
from pipelines.indicators.catalogue import DEFAULT_CATALOGUE, Catalogue, load_catalogue

DICTIONARY_PATH = PROJECT_DIR / "docs" / "data-dictionary.md"
COLUMN_FIELDS = ("column", "type", "nullable", "description", "checks")
INDICATOR_FIELDS = ("id", "name", "definition", "numerator", "denominator", "method", "multiplier", "unit",
                    "polarity", "levels", "period", "source", "caveats")
MEASURE_FIELDS = ("id", "kind", "source", "description")


@dataclass(frozen=True)
class Table:
    """One table or file layout: its name, where it lives, its grain (the model's docstring) and its columns."""

    name: str
    location: str  # e.g. "marts.fct_activity" or "data/raw/gp/gpw_practice_level_*.csv"
    grain: str
    model: str  # dotted path of the pandera model
    columns: list[dict[str, object]]
    notes: str = ""
    qualifier: str = ""  # e.g. "(public-data graph)", after the location in the heading

    @property
    def heading(self) -> str:
        return f"`{self.location}` {self.qualifier}".strip()

    @property
    def anchor(self) -> str:
        return github_anchor(self.heading)


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    tables: list[Table] = field(default_factory=list)
    indicators: list[dict[str, str]] = field(default_factory=list)  # the indicator section only
    measures: list[dict[str, str]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return github_anchor(self.title)


def github_anchor(heading: str) -> str:
    """The id GitHub gives a Markdown heading (lower case; punctuation but `-` and `_` dropped; spaces to `-`),
    so the contents links work on GitHub and in the HTML page alike."""
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _table(name: str, location: str, model: type[pa.DataFrameModel], notes: str = "", qualifier: str = "") -> Table:
    from schemas.ddl import data_dictionary_rows

    return Table(
        name=name,
        location=location,
        grain=_one_line(model.__doc__),
        model=f"{model.__module__}.{model.__name__}",
        columns=data_dictionary_rows(model),
        notes=notes,
        qualifier=qualifier,
    )


def mart_tables() -> list[Table]:
    """Every table of schema `marts` in data/marts/<profile>/ina.duckdb (the same for every profile)."""
    from schemas.indicators import INDICATOR_MODELS
    from schemas.marts import MART_MODELS

    from schemas.tiers import MART_TIERS, TIER_WORDS

    models = {**MART_MODELS, **INDICATOR_MODELS}
    return [_table(name, f"marts.{name}", model,
                   notes=f"Tier: {TIER_WORDS[MART_TIERS[name][0]]} ({MART_TIERS[name][1]}).")
            for name, model in models.items()]


def staging_tables() -> list[Table]:
    """Every staging contract (schemas/staging.py): one table per entity, whatever layout fills it."""
    from schemas.entities import ENTITIES
    from schemas.staging import STAGING_MODELS

    layouts = {e.table: ", ".join(e.layouts()) for e in ENTITIES.values()}
    return [_table(name, f"staging.{name}", model,
                   notes=f"Adapters: {layouts.get(name) or 'none'}. Tier: restricted working database only.")
            for name, model in STAGING_MODELS.items()]


def raw_tables() -> list[Table]:
    """Every raw file layout under data/raw/ (schemas.registry), plus the optional weighted-population file."""
    from schemas.indicators import WeightedPopulationFile
    from schemas.registry import RAW_SOURCES

    tables = []
    for source in RAW_SOURCES.values():
        level = "record level, confidential: never leaves data/raw/" if source.record_level else "published"
        partitions = (f"; partitioned by {source.partitioned_by}, which each file's name gives"
                      if source.partitioned_by else "")
        tables.append(_table(source.name, f"data/raw/{source.glob}", source.model,
                             notes=f"{_one_line(source.description)} ({level}; group `{source.group}`{partitions})"))
    tables.append(_table("weighted_population", "data/raw/<settings.weighted_population_file>",
                         WeightedPopulationFile, notes="Optional: named in config/indicators.yaml."))
    return tables


def indicator_rows(catalogue: Catalogue) -> list[dict[str, str]]:
    """One dict per catalogue indicator, in catalogue order (fields: `INDICATOR_FIELDS` plus `family`)."""
    rows = []
    for i in catalogue.indicators:
        rows.append({
            "family": i.family.replace("_", " "),
            "id": i.id,
            "name": i.name,
            "definition": i.definition,
            "numerator": f"{i.numerator.id} ({i.numerator.source})",
            "denominator": f"{i.denominator.id} ({i.denominator.source})" if i.denominator else "",
            "method": i.method,
            "multiplier": f"{i.multiplier:g}",
            "unit": i.unit,
            "polarity": i.polarity.replace("_", " "),
            "levels": ", ".join(i.levels),
            "period": i.period_type.replace("_", " "),
            "source": i.source,
            "caveats": i.caveats,
        })
    return rows


def measure_rows(catalogue: Catalogue) -> list[dict[str, str]]:
    return [{"id": m.id, "kind": m.kind, "source": m.source, "description": _one_line(m.description)}
            for m in catalogue.measures.values()]


def dictionary_sections(catalogue: Catalogue | None = None) -> list[Section]:
    catalogue = catalogue or load_catalogue(DEFAULT_CATALOGUE)
    return [
        Section("Marts", "The tables an analyst queries: schema `marts` of `data/marts/<profile>/ina.duckdb` (open "
                "it read-only: `duckdb -readonly data/marts/demo/ina.duckdb`), the same tables for every profile. Each table's columns are one pandera model; "
                "the DDL, the Dagster *Columns* tab, the blocking schema check and this page all come from it.",
                tables=mart_tables()),
        Section("Indicators", "Every indicator of the catalogue (`config/indicators.yaml`): the `indicator_id` "
                "values of `marts.fct_indicator_values`. Methods and levels: `docs/indicators.md`; statistics: "
                "`docs/statistics.md`.",
                indicators=indicator_rows(catalogue), measures=measure_rows(catalogue)),
        Section("Staging contracts", "Schema `staging`: one table per entity, the one shape every source adapter "
                "of that entity writes (local raw files or the publishers' files, `pipelines/sources/`); an entity "
                "the profile does not hold is an empty table.", tables=staging_tables()),
        Section("Raw files", "The input files under `data/raw/` and the model each file must satisfy before "
                "anything is loaded (`docs/raw-formats.md` has the publishers' layouts and the demo's code "
                "ranges).", tables=raw_tables()),
    ]


def family_title(family: str) -> str:
    return "JSNA" if family == "jsna" else family.capitalize()


# --- markdown ---------------------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _one_line(str(value)).replace("|", "\\|")


def _markdown_table(rows: list[dict[str, object]], fields: tuple[str, ...]) -> list[str]:
    lines = ["| " + " | ".join(fields) + " |", "|" + "---|" * len(fields)]
    lines += ["| " + " | ".join(_cell(row.get(f, "")) for f in fields) + " |" for row in rows]
    return lines


def render_markdown(sections: list[Section] | None = None) -> str:
    """The whole dictionary as Markdown (deterministic: no dates, models and catalogue order)."""
    sections = sections if sections is not None else dictionary_sections()
    lines = [
        "# Data dictionary",
        "",
        "<!-- Generated by `uv run ina dictionary` from the pandera models and config/indicators.yaml: "
        "do not edit by hand. -->",
        "",
        "Every mart table and column, every indicator and every raw file layout of the pipeline. Column *checks* "
        "are the rules the pipeline enforces (a mart that breaks one fails its blocking schema check; a raw file "
        "that breaks one is refused with its file, row and column).",
        "",
    ]
    for section in sections:
        lines.append(f"- [{section.title}](#{section.anchor})")
        lines += [f"  - [{t.heading}](#{t.anchor})" for t in section.tables]
    for section in sections:
        lines += ["", f"## {section.title}", "", section.intro]
        if section.indicators:
            families: dict[str, list[dict[str, str]]] = {}
            for row in section.indicators:
                families.setdefault(row["family"], []).append(row)
            lines += ["", f"{len(section.indicators)} indicators in {len(families)} families."]
            for family, rows in families.items():
                lines += ["", f"### {family_title(family)} ({len(rows)})", ""]
                lines += _markdown_table(rows, INDICATOR_FIELDS)
            lines += ["", "### Measures", "", "The numerators and denominators the indicators name.", ""]
            lines += _markdown_table(section.measures, MEASURE_FIELDS)
        for table in section.tables:
            lines += ["", f"### {table.heading}", "", table.grain]
            if table.notes:
                lines += ["", table.notes]
            lines += ["", f"Model: `{table.model}`.", ""]
            lines += _markdown_table(table.columns, COLUMN_FIELDS)
    return "\n".join(lines) + "\n"


def write_markdown(path: Path = DICTIONARY_PATH) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(), encoding="utf-8")
    return path


def is_current(path: Path = DICTIONARY_PATH) -> bool:
    """The file at `path` is exactly what `render_markdown()` gives now."""
    path = Path(path)
    return path.exists() and path.read_text(encoding="utf-8") == render_markdown()
