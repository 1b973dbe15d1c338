"""Which catalogue indicators a profile's data allow, at which levels, and why not where they do not.

Declared, not discovered: each indicator names its `inputs` (config/indicators.yaml) and the profile names the
layout of each entity (pipelines.sources). An indicator is available when the profile holds every input; a
level of it can need more (a neighbourhood of an LSOA-based indicator needs practice x LSOA registrations).
The rows become `marts.fct_indicator_availability`, which every output lists beside the values.
"""

from __future__ import annotations

import polars as pl

from pipelines.config import Profile
from pipelines.indicators.catalogue import Catalogue, Indicator
from schemas.entities import ENTITIES

#: Extra inputs a level needs, by the kind of the indicator's numerator (LSOA-based measures reach
#: neighbourhoods through practice x LSOA registrations).
LEVEL_INPUTS: dict[str, dict[str, tuple[str, ...]]] = {
    "neighbourhood": {kind: ("registered_patients_lsoa", "practices")
                      for kind in ("activity", "lsoa_count", "resident_count", "imd_score")},
}


def level_inputs(indicator: Indicator, level: str) -> tuple[str, ...]:
    extra = LEVEL_INPUTS.get(level, {}).get(indicator.numerator.kind, ())
    return tuple(dict.fromkeys((*indicator.inputs, *extra)))


#: Where an entity's periods are, to say which periods each input covers when an indicator has no rows.
PERIOD_COLUMNS: dict[str, str] = {
    "population_lsoa": "year", "population_england": "year", "england_activity": "financial_year",
    "ed_attendances": "month", "admitted_spells": "month", "ae_monthly_providers": "month",
    "workforce_practice": "month", "workforce_england": "month", "registered_patients_lsoa": "month",
    "imd": "imd_edition", "jsna": "period", "practice_deprivation": "imd_edition",
}


def availability(catalogue: Catalogue, profile: Profile, rows: dict[tuple[str, str], int] | None = None,
                 coverage: dict[str, str] | None = None) -> pl.DataFrame:
    """One row per indicator x level it is published at: available, the inputs missing and the reason.

    `rows` (indicator, level) -> rows in fct_indicator_values: a level whose inputs are all held but that has
    no rows is unavailable too, for data coverage (no period or area has every input, e.g. population estimates
    for no year of activity), with `coverage` (entity -> the periods it holds) in the reason."""
    held = {name for name, layout in profile.layouts.items() if layout is not None}
    synthetic = set(profile.synthetic_entities)
    out = []
    for indicator in catalogue.indicators:
        for level in indicator.levels:
            needs = level_inputs(indicator, level)
            missing = [name for name in needs if name not in held]
            reason = "; ".join(f"needs {ENTITIES[name].needs}" for name in missing) or None
            if not missing and rows is not None and not rows.get((indicator.id, level)):
                periods = "; ".join(f"{name}: {coverage[name]}" for name in needs if coverage and name in coverage)
                reason = ("its inputs are held, but no period and area has them all (data coverage)"
                          + (f"; periods held: {periods}" if periods else ""))
            out.append({
                "indicator_id": indicator.id,
                "indicator_name": indicator.name,
                "family": indicator.family,
                "level": level,
                "available": reason is None,
                "inputs": ", ".join(needs),
                "missing_inputs": ", ".join(missing) or None,
                "reason": reason,
                "synthetic_inputs": ", ".join(n for n in needs if n in synthetic) or None,
            })
    return pl.DataFrame(out, schema={"indicator_id": pl.String, "indicator_name": pl.String, "family": pl.String,
                                      "level": pl.String, "available": pl.Boolean, "inputs": pl.String,
                                      "missing_inputs": pl.String, "reason": pl.String,
                                      "synthetic_inputs": pl.String})


def coverage_sql(table: str, column: str) -> str:
    """A query giving one text: the periods a staging table holds (first to last, and how many)."""
    return (f'SELECT CASE WHEN count(*) = 0 THEN \'none\' ELSE min("{column}")::VARCHAR || \' to \' || '
            f'max("{column}")::VARCHAR || \' (\' || count(DISTINCT "{column}") || \')\' END '
            f'FROM staging."{table}"')
