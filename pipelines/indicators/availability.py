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
from pipelines.sources.entities import ENTITIES

#: Extra inputs a level needs, by the kind of the indicator's numerator (LSOA-based measures reach
#: neighbourhoods through practice x LSOA registrations).
LEVEL_INPUTS: dict[str, dict[str, tuple[str, ...]]] = {
    "neighbourhood": {kind: ("registered_patients_lsoa", "practices")
                      for kind in ("activity", "lsoa_count", "resident_count", "imd_score")},
}


def level_inputs(indicator: Indicator, level: str) -> tuple[str, ...]:
    extra = LEVEL_INPUTS.get(level, {}).get(indicator.numerator.kind, ())
    return tuple(dict.fromkeys((*indicator.inputs, *extra)))


def availability(catalogue: Catalogue, profile: Profile) -> pl.DataFrame:
    """One row per indicator x level it is published at: available, the inputs missing and the reason."""
    held = {name for name, layout in profile.layouts.items() if layout is not None}
    synthetic = set(profile.synthetic_entities)
    rows = []
    for indicator in catalogue.indicators:
        for level in indicator.levels:
            needs = level_inputs(indicator, level)
            missing = [name for name in needs if name not in held]
            rows.append({
                "indicator_id": indicator.id,
                "indicator_name": indicator.name,
                "family": indicator.family,
                "level": level,
                "available": not missing,
                "inputs": ", ".join(needs),
                "missing_inputs": ", ".join(missing) or None,
                "reason": "; ".join(f"needs {ENTITIES[name].needs}" for name in missing) or None,
                "synthetic_inputs": ", ".join(n for n in needs if n in synthetic) or None,
            })
    return pl.DataFrame(rows, schema={"indicator_id": pl.String, "indicator_name": pl.String, "family": pl.String,
                                      "level": pl.String, "available": pl.Boolean, "inputs": pl.String,
                                      "missing_inputs": pl.String, "reason": pl.String,
                                      "synthetic_inputs": pl.String})
