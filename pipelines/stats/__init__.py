"""Statistical methods for the population-health pipeline (OHID / Fingertips conventions).

Pure, vectorised functions over numpy arrays and polars DataFrames; no Dagster imports.
See ``docs/statistics.md`` for formulas, references and differences from PHEindicatormethods.
"""

from .benchmark import compare_with_benchmark, compare_with_benchmark_expr
from .dsr import dsr
from .esp2013 import ESP1976, ESP2013, ESP2013_21, ESP2013_BANDS, esp2013_frame, normalise_age_band
from .isr import isr, israte
from .limits import byars_limits, exact_poisson_limits, poisson_limits, wilson_limits
from .rates import crude_rate, mean, proportion
from .sii import sii

__all__ = [
    "byars_limits",
    "exact_poisson_limits",
    "poisson_limits",
    "wilson_limits",
    "crude_rate",
    "proportion",
    "mean",
    "dsr",
    "isr",
    "israte",
    "sii",
    "compare_with_benchmark",
    "compare_with_benchmark_expr",
    "ESP2013",
    "ESP2013_BANDS",
    "ESP2013_21",
    "ESP1976",
    "esp2013_frame",
    "normalise_age_band",
]
