"""Hypothesis property tests for the limits and table-level statistics."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.stats import (
    ESP2013,
    byars_limits,
    crude_rate,
    dsr,
    exact_poisson_limits,
    isr,
    poisson_limits,
    proportion,
    wilson_limits,
)

counts = st.integers(min_value=0, max_value=10**7)
real_counts = st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TABLE_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(real_counts, min_size=1, max_size=50))
def test_poisson_limits_bracket_and_widen(obs):
    o = np.array(obs)
    l95, u95 = poisson_limits(o, 0.95)
    l998, u998 = poisson_limits(o, 0.998)
    assert np.all(l95 <= o + 1e-9 * np.maximum(o, 1)) and np.all(o <= u95)
    assert np.all(l998 <= l95 + 1e-12) and np.all(u998 >= u95)
    assert np.all(l95 >= 0) and np.all(l998 >= 0)


@SETTINGS
@given(st.lists(counts, min_size=1, max_size=50), st.sampled_from([0.9, 0.95, 0.99, 0.998]))
def test_zero_counts_lower_zero_no_error(obs, conf):
    o = np.array(obs, dtype=float)
    o[::2] = 0
    lo, hi = poisson_limits(o, conf)
    assert np.all(lo[o == 0] == 0) and np.all(np.isfinite(hi)) and np.all(hi > 0)
    lo, hi = exact_poisson_limits(np.zeros(3), conf)
    assert np.all(lo == 0)
    df = pl.DataFrame({"o": o, "n": np.full(o.size, 1000.0) + o})
    out = crude_rate(df, count="o", denominator="n")
    assert (out.filter(pl.col("o") == 0)["lower_ci_99_8"] == 0).all()


@SETTINGS
@given(st.floats(min_value=8.5, max_value=12, allow_nan=False), st.sampled_from([0.95, 0.998]))
def test_exact_and_byars_agree_near_ten(o, conf):
    el, eu = exact_poisson_limits(o, conf)
    bl, bu = byars_limits(o, conf)
    # Byar's is an approximation to the exact limits; around O = 10 they agree to a few per cent.
    assert abs(float(bl) / float(el) - 1) < 0.03
    assert abs(float(bu) / float(eu) - 1) < 0.01


def test_switch_at_ten_is_continuous_enough():
    lo9, hi9 = poisson_limits([9.999999, 10.0])
    assert abs(lo9[0] / lo9[1] - 1) < 0.01 and abs(hi9[0] / hi9[1] - 1) < 0.01


@SETTINGS
@given(
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 10**6)), min_size=1, max_size=40),
)
def test_wilson_bracket_and_widen(pairs):
    x = np.array([min(a, b) for a, b in pairs], dtype=float)
    n = np.array([b for a, b in pairs], dtype=float)
    l95, u95 = wilson_limits(x, n, 0.95)
    l998, u998 = wilson_limits(x, n, 0.998)
    p = x / n
    eps = 1e-12
    assert np.all(l95 <= p + eps) and np.all(p <= u95 + eps)
    assert np.all(l998 <= l95 + eps) and np.all(u998 >= u95 - eps)
    assert np.all(l998 >= 0) and np.all(u998 <= 1)
    assert np.all(l95[x == 0] == 0) and np.all(u95[x == n] == 1)
    out = proportion(pl.DataFrame({"x": x, "n": n}), numerator="x", denominator="n")
    assert (out["lower_ci_99_8"] <= out["value"] + 1e-9).all() and (out["value"] <= out["upper_ci_99_8"] + 1e-9).all()


band_counts = st.lists(st.integers(0, 500), min_size=19, max_size=19)
band_pops = st.lists(st.integers(1, 100_000), min_size=19, max_size=19)


@TABLE_SETTINGS
@given(st.lists(st.tuples(band_counts, band_pops), min_size=1, max_size=8))
def test_dsr_bracket_widen_and_suppress(groups):
    rows = []
    for g, (cs, ps) in enumerate(groups):
        for band, c, p in zip(ESP2013, cs, ps):
            rows.append((g, band, c, p))
    df = pl.DataFrame(rows, schema=["g", "band", "count", "pop"], orient="row")
    out = dsr(df, group_by="g", age_band="band", count="count", population="pop")
    ok = out.filter(~pl.col("suppressed"))
    assert (ok["lower_ci_95"] <= ok["value"]).all() and (ok["value"] <= ok["upper_ci_95"]).all()
    assert (ok["lower_ci_99_8"] <= ok["lower_ci_95"]).all() and (ok["upper_ci_99_8"] >= ok["upper_ci_95"]).all()
    sup = out.filter(pl.col("suppressed"))
    assert (sup["total_count"] < 10).all() and sup["value"].is_null().all()


@TABLE_SETTINGS
@given(st.lists(st.tuples(band_counts, band_pops), min_size=1, max_size=8), band_counts, band_pops)
def test_isr_bracket_widen_zero_ok(groups, rc, rp):
    rows = []
    for g, (cs, ps) in enumerate(groups):
        for band, c, p in zip(ESP2013, cs, ps):
            rows.append((g, band, c if g % 3 else 0, p))
    df = pl.DataFrame(rows, schema=["g", "band", "count", "pop"], orient="row")
    ref = pl.DataFrame({"age_band": list(ESP2013), "ref_count": [c + 1 for c in rc], "ref_population": rp})
    out = isr(df, group_by="g", age_band="band", count="count", population="pop", reference=ref)
    assert (out["lower_ci_95"] <= out["value"]).all() and (out["value"] <= out["upper_ci_95"]).all()
    assert (out["lower_ci_99_8"] <= out["lower_ci_95"]).all() and (out["upper_ci_99_8"] >= out["upper_ci_95"]).all()
    assert (out.filter(pl.col("observed") == 0)["lower_ci_95"] == 0).all()


def test_dsr_missing_bands_count_as_zero_events():
    full = pl.DataFrame({"g": ["a"] * 19, "band": list(ESP2013), "count": [5] * 18 + [0], "pop": [1000] * 19})
    short = full.filter(pl.col("band") != "90+")  # 90+ absent: zero events, its weight stays in the total
    zero_pop = full.with_columns(pl.when(pl.col("band") == "90+").then(0).otherwise(pl.col("pop")).alias("pop"))
    a, b, c = (dsr(d, group_by="g", age_band="band", count="count", population="pop") for d in (full, short, zero_pop))
    for col in ("value", "lower_ci_95", "upper_ci_99_8"):
        assert a[col][0] == b[col][0] == c[col][0]


def test_sii_batched_wls_matches_lstsq_per_group():
    """Independent check of the closed-form batched WLS against numpy lstsq, one group at a time."""
    from pipelines.stats import sii

    rng = np.random.default_rng(5)
    G, k = 40, 10
    pop = rng.integers(100, 50_000, (G, k)).astype(float)
    val = rng.uniform(50, 90, (G, k))
    df = pl.DataFrame({"g": np.repeat(np.arange(G), k), "q": np.tile(np.arange(1, k + 1), G),
                       "pop": pop.ravel(), "v": val.ravel(), "se": np.full(G * k, 0.5)})
    out = sii(df, group_by="g", quantile="q", population="pop", value="v", se="se", repetitions=1000, seed=0)
    for gi in range(G):
        a = pop[gi] / pop[gi].sum()
        b = np.cumsum(a) - a / 2
        X = np.column_stack([np.sqrt(a), b * np.sqrt(a)])
        (c0, c1), *_ = np.linalg.lstsq(X, np.sqrt(a) * val[gi], rcond=None)
        assert np.isclose(out["sii"][gi], c1, rtol=1e-9, atol=0)
        assert np.isclose(out["rii"][gi], (c0 + c1) / c0, rtol=1e-9, atol=0)
        assert np.isclose(out["intercept"][gi], c0, rtol=1e-9, atol=0)


def test_stats_package_does_not_import_dagster():
    import subprocess
    import sys

    code = "import sys, pipelines.stats; print(any(m == 'dagster' or m.startswith('dagster.') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
