"""The indicator catalogue (`config/indicators.yaml`): loaded once, validated, and handed to the computing code.

The catalogue is the control panel of the indicator marts: each indicator states its numerator and denominator
(named *measures*), its method, multiplier, unit, polarity and the geography levels it is published at. The
computing code (`pipelines.indicators.compute`) reads nothing else to decide what to calculate, so adding an
indicator is an edit to the YAML (plus, at most, a new measure).

Validation here is strict and names the offending indicator and field: an unknown method, a measure that does
not exist, a level the method cannot produce, a duplicated id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from pipelines.config import PROJECT_DIR

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where built in: ten times faster

DEFAULT_CATALOGUE = PROJECT_DIR / "config" / "indicators.yaml"

FAMILIES = ("deprivation", "demand", "inequality", "right_drift", "primary_care", "jsna")
from schemas.entities import ENTITIES  # noqa: E402
from schemas.vocabulary import (  # noqa: E402
    COUNT_UNITS, LEVELS, METHOD_NAMES, PEOPLE, PERIOD_TYPES, QUANTILE_TYPES, STAFF_GROUPS)
POLARITIES = ("higher_is_worse", "higher_is_better", "no_polarity")

#: Measure kinds the computing code knows how to read, with the marts each reads from.
MEASURE_KINDS: dict[str, str] = {
    "activity": "marts.fct_activity",
    "resident_population": "marts.fct_population",
    "lsoa_count": "marts.dim_lsoa_deprivation",
    "resident_count": "marts.dim_lsoa_deprivation",
    "imd_score": "marts.dim_lsoa_deprivation",
    "workforce_fte": "marts.fct_gp_workforce",
    "registered_patients": "marts.fct_gp_workforce",
    "weighted_registered_patients": "marts.fct_registered_patients",
    "fingertips_count": "marts.fct_jsna_indicator_values",
    "fingertips_denominator": "marts.fct_jsna_indicator_values",
    "published_ae_activity": "marts.fct_ae_published_growth",
    "practice_imd_score": "marts.fct_practice_deprivation",
    "practice_patients": "marts.fct_practice_deprivation",
}

#: What each measure kind counts (schemas.vocabulary.COUNT_UNITS): disclosure control hides small counts of
#: people only, so a footprint's 3 Core20 LSOAs or a PCN's 2.4 GP FTE are published.
MEASURE_COUNTS: dict[str, str] = {
    "activity": PEOPLE, "resident_population": PEOPLE, "resident_count": PEOPLE, "registered_patients": PEOPLE,
    "weighted_registered_patients": PEOPLE, "fingertips_count": PEOPLE, "fingertips_denominator": PEOPLE,
    "published_ae_activity": PEOPLE, "practice_patients": PEOPLE,
    "lsoa_count": "LSOAs", "workforce_fte": "FTE staff", "imd_score": "score", "practice_imd_score": "score",
}
assert set(MEASURE_COUNTS) == set(MEASURE_KINDS) and set(MEASURE_COUNTS.values()) <= set(COUNT_UNITS)

#: Workforce columns a `workforce_fte` measure may name (the FTE columns of marts.fct_gp_workforce).
WORKFORCE_COLUMNS = STAFF_GROUPS

#: Methods: the numerator and denominator kinds each accepts and the levels it can produce.
METHODS: dict[str, dict[str, Any]] = {
    "crude_rate": {"numerator": {"activity", "fingertips_count"},
                   "denominator": {"resident_population", "fingertips_denominator"}, "levels": set(LEVELS)},
    "dsr": {"numerator": {"activity"}, "denominator": {"resident_population"}, "levels": set(LEVELS) - {"lsoa"}},
    "isr": {"numerator": {"activity"}, "denominator": {"resident_population"}, "levels": set(LEVELS)},
    "per_weighted_capita": {"numerator": {"activity"}, "denominator": {"resident_population"},
                            "levels": set(LEVELS)},
    "growth": {"numerator": {"activity", "published_ae_activity"}, "denominator": {"activity", "published_ae_activity"},
               "levels": {"england", "system", "footprint"}},
    "sii": {"numerator": {"activity"}, "denominator": {"resident_population"},
            "levels": {"system", "footprint", "neighbourhood"}},
    "proportion": {"numerator": {"lsoa_count", "resident_count", "fingertips_count"},
                   "denominator": {"lsoa_count", "resident_population", "fingertips_denominator"},
                   "levels": set(LEVELS) - {"lsoa"}},
    "population_weighted_mean": {"numerator": {"imd_score", "practice_imd_score"},
                                 "denominator": {"resident_population", "practice_patients"},
                                 "levels": set(LEVELS) - {"lsoa"}},
    "ratio_per_population": {"numerator": {"workforce_fte"},
                             "denominator": {"registered_patients", "weighted_registered_patients"},
                             "levels": {"england", "system", "footprint", "neighbourhood"}},
    "published": {"numerator": {"fingertips_count"}, "denominator": {"fingertips_denominator"},
                  "levels": {"england", "local_authority"}},
}

assert set(METHODS) == set(METHOD_NAMES), "schemas.vocabulary.METHOD_NAMES lists the catalogue's methods"

#: The period type an indicator gets from its method (growth) or its numerator's kind.
_PERIOD_TYPE_BY_KIND = {
    "activity": "financial_year",
    "lsoa_count": "imd_edition",
    "resident_count": "imd_edition",
    "imd_score": "imd_edition",
    "practice_imd_score": "imd_edition",
    "workforce_fte": "month",
    "fingertips_count": "fingertips_period",
}
#: Levels a Fingertips (local authority) indicator can reach: LAs, and aggregates of whole LAs.
_JSNA_LEVELS = {"england", "system", "footprint", "local_authority"}

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class CatalogueError(ValueError):
    """The indicator catalogue is malformed; the message names the file, the indicator and the field."""


@dataclass(frozen=True)
class Measure:
    id: str
    kind: str
    source: str
    description: str
    activity_measure: str | None = None  # kind activity: the value of fct_activity.measure
    deciles: tuple[int, ...] = ()  # kinds lsoa_count / resident_count: national IMD deciles counted (empty: all)
    column: str | None = None  # kind workforce_fte: the FTE column
    weighting_measure: str | None = None  # kind weighted_registered_patients: England activity used as weights

    @property
    def counts(self) -> str:
        """What the measure counts (MEASURE_COUNTS): "people", "LSOAs", "FTE staff" or "score"."""
        return MEASURE_COUNTS[self.kind]


@dataclass(frozen=True)
class Indicator:
    id: str
    family: str
    name: str
    definition: str
    numerator: Measure
    denominator: Measure | None
    method: str
    multiplier: float
    unit: str
    polarity: str
    levels: tuple[str, ...]
    period_type: str
    source: str
    caveats: str = ""
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    #: The entities (pipelines.sources.ENTITIES) the indicator needs: a profile that lacks one lists it as
    #: unavailable with that entity's reason (marts.fct_indicator_availability) instead of computing it.
    inputs: tuple[str, ...] = ()

    @property
    def measure(self) -> str | None:
        """The activity measure (fct_activity.measure) of an activity-based indicator."""
        return self.numerator.activity_measure


@dataclass(frozen=True)
class Settings:
    """Catalogue-wide settings (the `settings:` block)."""

    dsr_min_count: float = 10
    sii_repetitions: int = 10_000
    sii_seed: int = 20_240_401
    inequality_quantiles: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)
    sii_indicator_quantile: str = "national_decile"
    weighted_population_file: str | None = None
    jsna_footprint_share: float = 0.5
    jsna_system_share: float = 0.5
    neighbourhood_min_coverage: float = 0.8


@dataclass(frozen=True)
class Catalogue:
    settings: Settings
    measures: dict[str, Measure]
    indicators: tuple[Indicator, ...]
    source_path: Path | None = None

    def by_method(self, *methods: str) -> list[Indicator]:
        return [i for i in self.indicators if i.method in methods]

    def by_family(self, *families: str) -> list[Indicator]:
        return [i for i in self.indicators if i.family in families]

    def get(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)

    def available_to(self, held: set[str]) -> Catalogue:
        """The catalogue of the indicators whose every input is in `held` (the entities a profile holds)."""
        return replace(self, indicators=tuple(i for i in self.indicators if set(i.inputs) <= held))

    def activity_measures(self) -> list[str]:
        return sorted({i.measure for i in self.indicators if i.measure})




def _require(raw: dict, key: str, where: str) -> Any:
    if key not in raw or raw[key] in (None, ""):
        raise CatalogueError(f"{where}: missing field '{key}'")
    return raw[key]


def _measure(mid: str, raw: dict, where: str) -> Measure:
    if not _ID.match(mid):
        raise CatalogueError(f"{where}: measure id {mid!r} must be lower_snake_case")
    kind = _require(raw, "kind", f"{where}, measure {mid}")
    if kind not in MEASURE_KINDS:
        raise CatalogueError(f"{where}, measure {mid}: unknown kind {kind!r} (one of {', '.join(MEASURE_KINDS)})")
    source = str(raw.get("source", MEASURE_KINDS[kind]))
    if source != MEASURE_KINDS[kind]:
        raise CatalogueError(f"{where}, measure {mid}: kind {kind} reads {MEASURE_KINDS[kind]}, not {source}")
    deciles = tuple(int(d) for d in raw.get("deciles", []) or [])
    if any(not 1 <= d <= 10 for d in deciles):
        raise CatalogueError(f"{where}, measure {mid}: deciles must lie in 1..10")
    column = raw.get("column")
    if kind == "workforce_fte" and column not in WORKFORCE_COLUMNS:
        raise CatalogueError(f"{where}, measure {mid}: column must be one of {', '.join(WORKFORCE_COLUMNS)}")
    activity_measure = raw.get("activity_measure", mid) if kind in ("activity", "published_ae_activity") else None
    return Measure(
        id=mid,
        kind=kind,
        source=source,
        description=str(raw.get("description", "")),
        activity_measure=activity_measure,
        deciles=deciles,
        column=column,
        weighting_measure=raw.get("weighting_measure"),
    )


def _indicator(raw: dict, measures: dict[str, Measure], where: str) -> Indicator:
    iid = str(_require(raw, "id", where))
    where = f"{where}, indicator {iid}"
    if not _ID.match(iid):
        raise CatalogueError(f"{where}: id must be lower_snake_case")
    family = _require(raw, "family", where)
    if family not in FAMILIES:
        raise CatalogueError(f"{where}: family {family!r} is not one of {', '.join(FAMILIES)}")
    method = _require(raw, "method", where)
    if method not in METHODS:
        raise CatalogueError(f"{where}: method {method!r} is not one of {', '.join(METHODS)}")
    rules = METHODS[method]

    def measure_ref(key: str) -> Measure | None:
        ref = raw.get(key)
        if ref is None:
            return None
        mid = ref.get("measure") if isinstance(ref, dict) else ref
        if mid not in measures:
            raise CatalogueError(f"{where}: {key} names unknown measure {mid!r}")
        measure = measures[mid]
        declared = ref.get("source") if isinstance(ref, dict) else None
        if declared and declared != measure.source:
            raise CatalogueError(f"{where}: {key} source {declared!r} differs from measure {mid}'s {measure.source}")
        return measure

    numerator = measure_ref("numerator")
    if numerator is None:
        raise CatalogueError(f"{where}: missing field 'numerator'")
    denominator = measure_ref("denominator")
    if numerator.kind not in rules["numerator"]:
        raise CatalogueError(f"{where}: method {method} cannot take a numerator of kind {numerator.kind}")
    if denominator is None or denominator.kind not in rules["denominator"]:
        kinds = ", ".join(sorted(rules["denominator"]))
        raise CatalogueError(f"{where}: method {method} needs a denominator of kind {kinds}")
    polarity = _require(raw, "polarity", where)
    if polarity not in POLARITIES:
        raise CatalogueError(f"{where}: polarity {polarity!r} is not one of {', '.join(POLARITIES)}")
    levels = tuple(_require(raw, "levels", where))
    bad = [lvl for lvl in levels if lvl not in rules["levels"]]
    if bad:
        raise CatalogueError(f"{where}: method {method} cannot be published at level(s) {bad}")
    if numerator.kind == "fingertips_count" and not set(levels) <= _JSNA_LEVELS:
        raise CatalogueError(f"{where}: a JSNA indicator is published at {sorted(_JSNA_LEVELS)} only")
    period_type = "financial_year_growth" if method == "growth" else _PERIOD_TYPE_BY_KIND[numerator.kind]
    if period_type not in PERIOD_TYPES:
        raise CatalogueError(f"{where}: period_type {period_type!r} is not one of {', '.join(PERIOD_TYPES)}")
    try:
        multiplier = float(_require(raw, "multiplier", where))
    except (TypeError, ValueError):
        raise CatalogueError(f"{where}: multiplier must be a number") from None
    options = dict(raw.get("options") or {})
    if numerator.kind == "fingertips_count":
        if "fingertips_id" not in options:
            raise CatalogueError(f"{where}: a JSNA indicator needs options.fingertips_id")
        options["fingertips_id"] = int(options["fingertips_id"])
        options.setdefault("sex", "Persons")
    inputs = tuple(str(i) for i in _require(raw, "inputs", where))
    unknown = [i for i in inputs if i not in ENTITIES]
    if unknown:
        raise CatalogueError(f"{where}: inputs names unknown entities {unknown} (known: {', '.join(ENTITIES)})")
    if method == "sii" and options.get("quantile", "national_decile") not in QUANTILE_TYPES:
        raise CatalogueError(f"{where}: options.quantile must be one of {', '.join(QUANTILE_TYPES)}")
    return Indicator(
        id=iid,
        family=family,
        name=str(_require(raw, "name", where)),
        definition=" ".join(str(_require(raw, "definition", where)).split()),
        numerator=numerator,
        denominator=denominator,
        method=method,
        multiplier=multiplier,
        unit=str(_require(raw, "unit", where)),
        polarity=polarity,
        levels=levels,
        period_type=period_type,
        source=" ".join(str(_require(raw, "source", where)).split()),
        caveats=" ".join(str(raw.get("caveats", "") or "").split()),
        options=options,
        inputs=inputs,
    )


def _settings(raw: dict, where: str) -> Settings:
    quantiles = {str(level): tuple(types) for level, types in (raw.get("inequality_quantiles") or {}).items()}
    for level, types in quantiles.items():
        if level not in ("system", "footprint", "neighbourhood", "local_authority"):  # areas with LSOAs
            raise CatalogueError(f"{where}: settings.inequality_quantiles has unknown level {level!r}")
        bad = [t for t in types if t not in QUANTILE_TYPES]
        if bad:
            raise CatalogueError(f"{where}: settings.inequality_quantiles.{level} has unknown quantile types {bad}")
    settings = Settings(
        dsr_min_count=float(raw.get("dsr_min_count", 10)),
        sii_repetitions=int(raw.get("sii_repetitions", 10_000)),
        sii_seed=int(raw.get("sii_seed", 20_240_401)),
        inequality_quantiles=quantiles,
        sii_indicator_quantile=str(raw.get("sii_indicator_quantile", "national_decile")),
        weighted_population_file=raw.get("weighted_population_file"),
        jsna_footprint_share=float(raw.get("jsna_footprint_share", 0.5)),
        jsna_system_share=float(raw.get("jsna_system_share", 0.5)),
        neighbourhood_min_coverage=float(raw.get("neighbourhood_min_coverage", 0.8)),
    )
    if not 0 <= settings.neighbourhood_min_coverage <= 1:
        raise CatalogueError(f"{where}: settings.neighbourhood_min_coverage must lie in 0..1")
    if settings.sii_repetitions < 1000:
        raise CatalogueError(f"{where}: settings.sii_repetitions must be at least 1000")
    return settings


def load_catalogue(path: Path | str = DEFAULT_CATALOGUE) -> Catalogue:
    """Read and validate the catalogue; raise `CatalogueError` naming the file, indicator and field.

    A run asks for it at every indicator mart, output and check: the parsed catalogue (immutable) is kept per
    file and its modification time and size, so an edited catalogue is read again."""
    path = Path(path)
    try:
        stat = path.stat()
    except FileNotFoundError as exc:
        raise CatalogueError(f"indicator catalogue not found: {path}") from exc
    return _load_catalogue(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load_catalogue(path: Path, mtime_ns: int, size: int) -> Catalogue:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    except FileNotFoundError as exc:
        raise CatalogueError(f"indicator catalogue not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: not valid YAML ({exc})") from exc
    return parse_catalogue(raw, str(path), source_path=path)


def parse_catalogue(raw: Any, where: str = "catalogue", source_path: Path | None = None) -> Catalogue:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: expected a mapping with settings, measures and indicators")
    measures = {str(mid): _measure(str(mid), spec or {}, where) for mid, spec in (raw.get("measures") or {}).items()}
    indicators = tuple(_indicator(item, measures, where) for item in (raw.get("indicators") or []))
    seen: set[str] = set()
    for indicator in indicators:
        if indicator.id in seen:
            raise CatalogueError(f"{where}: indicator id {indicator.id!r} is declared twice")
        seen.add(indicator.id)
    if not indicators:
        raise CatalogueError(f"{where}: no indicators declared")
    for m in measures.values():
        if m.kind == "weighted_registered_patients":
            target = measures.get(m.weighting_measure or "")
            if target is None or target.kind != "activity":
                raise CatalogueError(f"{where}, measure {m.id}: weighting_measure must name an activity measure")
    return Catalogue(_settings(raw.get("settings") or {}, where), measures, indicators, source_path)
