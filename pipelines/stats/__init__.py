"""Statistical methods for the population-health pipeline (OHID / Fingertips conventions).

Pure, vectorised functions over numpy arrays and polars DataFrames; no Dagster imports.
See ``docs/statistics.md`` for formulas and references.
"""

from .limits import byars_limits, exact_poisson_limits, poisson_limits, wilson_limits

__all__ = [
    "byars_limits",
    "exact_poisson_limits",
    "poisson_limits",
    "wilson_limits",
]
