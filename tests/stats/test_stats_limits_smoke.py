import numpy as np
import polars as pl

from pipelines.stats import byars_limits, exact_poisson_limits, poisson_limits, wilson_limits


def test_api_smoke():
    lo, hi = poisson_limits(np.array([0, 5, 65]))
    assert lo[0] == 0 and hi[0] > 3.68
    lo, hi = poisson_limits(pl.Series([0, 3, None]))
    assert np.isnan(lo[2])
    lo, hi = wilson_limits([0, 5], [10, 5])
    assert lo[0] == 0 and hi[1] == 1
    assert byars_limits(65)[0] > 0 and exact_poisson_limits(0)[0] == 0
