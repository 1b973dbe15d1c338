"""compare_with_benchmark: Fingertips ``SingleOverlappingCIsComparer`` behaviour (its unit-test cases)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from pipelines.stats import compare_with_benchmark, compare_with_benchmark_expr


@pytest.mark.parametrize(
    ("value", "lo", "hi", "bench", "worse_pol", "better_pol", "none_pol"),
    [
        (11, 10, 12, 11, "similar", "similar", "similar"),  # TestSameExactly
        (3.05, 2.7, 3.1, 3.0, "similar", "similar", "similar"),  # TestSame
        (3.3, 3.2, 3.5, 3.0, "worse", "better", "higher"),  # TestHigher (polarity 0 -> Worse, 1 -> Better)
        (2.5, 2.2, 2.8, 3.0, "better", "worse", "lower"),  # TestLower
        (3.0, 2.0, 3.0, 3.0, "similar", "similar", "similar"),  # boundary counts as inside
    ],
)
def test_fingertips_cases(value, lo, hi, bench, worse_pol, better_pol, none_pol):
    for pol, expected in (("higher_is_worse", worse_pol), (0, worse_pol), ("higher_is_better", better_pol),
                          (1, better_pol), (None, none_pol), (99, none_pol)):
        assert compare_with_benchmark([lo], [hi], bench, pol)[0] == expected
        assert compare_with_benchmark([lo], [hi], bench, pol, value=[value])[0] == expected


def test_missing_inputs_give_none_and_vectorised_polarity():
    lo = np.array([np.nan, 2.2, 3.2, 2.2])
    hi = np.array([3.0, np.nan, 3.5, 2.8])
    out = compare_with_benchmark(lo, hi, 3.0, ["higher_is_worse", "higher_is_worse", "higher_is_better", None])
    assert out.tolist() == [None, None, "better", "lower"]
    with pytest.raises(ValueError, match="unknown polarity"):
        compare_with_benchmark([1], [2], 1.5, "sideways")


def test_expression_form_matches_numpy_form():
    rng = np.random.default_rng(0)
    v = rng.normal(10, 2, 500)
    half = rng.uniform(0.1, 2, 500)
    df = pl.DataFrame({"lo": v - half, "hi": v + half, "v": v, "pol": rng.choice(["higher_is_worse", "higher_is_better", "none"], 500)})
    df = df.with_columns(pl.when(pl.int_range(pl.len()) % 17 == 0).then(None).otherwise(pl.col("lo")).alias("lo"))
    for pol in ("higher_is_worse", "higher_is_better", None):
        got = df.select(compare_with_benchmark_expr("lo", "hi", 10.0, pol).alias("c"))["c"].to_list()
        ref = compare_with_benchmark(df["lo"], df["hi"], 10.0, pol).tolist()
        assert got == ref
    got = df.select(compare_with_benchmark_expr("lo", "hi", pl.lit(10.0), pl.col("pol"), value="v").alias("c"))["c"].to_list()
    ref = compare_with_benchmark(df["lo"], df["hi"], 10.0, df["pol"], value=df["v"]).tolist()
    assert got == ref
