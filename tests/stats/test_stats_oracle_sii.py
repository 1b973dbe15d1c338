"""Oracle checks for SII/RII (phe_sii), every case of ``testdata_SII`` (PROVENANCE.md table).

Point estimates (SII, RII, intercept) to 1e-9 relative.  Monte Carlo limits, seeded:

* every limit element-wise within 5 % of the Excel-tool value with 100,000 repetitions (the reps the
  reference values were made with; at 10,000 reps the 99 % lower SII limit of one area has a Monte Carlo
  SD of about 5 % of its value, so an element-wise 5 % check would be a coin toss there), and
* every case again at 10,000 repetitions with upstream's own criterion (testthat/waldo: mean absolute
  difference over mean absolute expected value, per column, within 5 %).
"""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
import pytest

from pipelines.stats import sii

from stats_testutils import RTOL, SIM_RTOL, assert_close, read_oracle

GROUPS = ["Area", "Grouping1", "Grouping2"]
REPS = 100_000
UPSTREAM_REPS = 10_000


@pytest.fixture(scope="module")
def data() -> pl.DataFrame:
    return read_oracle("testdata_SII__testdata_SII.csv").with_row_index("row", offset=1)


def rows(d: pl.DataFrame, a: int, b: int) -> pl.DataFrame:
    return d.filter(pl.col("row").is_between(a, b))


SE = dict(value="Value", se="StandardError")
CL = dict(value="Value", lower_ci="LowerCL", upper_ci="UpperCL")
XCOUNT = dict(x="Count", se="StandardError")

# (id, input rows, expected rows, kwargs, confidences, check rii, check intercept, check CIs, reps)
CASES = [
    ("t0-se", (1, 20), (1, 20), dict(SE), (0.95,), True, False, True, REPS),
    ("t0-cl", (1, 20), (1, 20), dict(CL), (0.95,), True, False, True, REPS),
    ("t0-99-cl", (21, 40), (21, 40), dict(CL), (0.99,), True, False, True, REPS),
    ("t0-99pct-se", (21, 40), (21, 40), dict(SE), (99,), True, False, True, REPS),
    ("t0-100k", (41, 60), (41, 60), dict(SE), (0.95,), True, False, True, 100_000),
    ("t0-quintiles", (61, 70), (61, 70), dict(SE), (0.95,), True, False, False, REPS),
    ("t1-se", (71, 90), (71, 90), dict(SE, value_type=1), (0.95,), True, False, True, REPS),
    ("t1-cl", (71, 90), (71, 90), dict(CL, value_type=1), (0.95,), True, False, True, REPS),
    ("t2-se", (91, 110), (91, 110), dict(SE, value_type=2), (0.95,), True, False, True, REPS),
    ("t2-cl", (91, 110), (91, 110), dict(CL, value_type=2), (0.95,), True, False, True, REPS),
    ("t2-x", (91, 110), (91, 110), dict(XCOUNT, value_type=2), (0.95,), True, False, True, REPS),
    ("t2-x100", (111, 130), (111, 130), dict(CL, value_type=2, multiplier=100), (0.95,), True, False, True, REPS),
    ("t2-x100-norii", (111, 130), (111, 130), dict(CL, value_type=2, multiplier=100, rii=False), (0.95,), False, False, True, REPS),
    ("t2-x-100", (131, 150), (131, 150), dict(CL, value_type=2, multiplier=-100), (0.95,), True, False, True, REPS),
    ("t2-x-100-norii", (131, 150), (131, 150), dict(CL, value_type=2, multiplier=-100, rii=False), (0.95,), False, False, True, REPS),
    ("t0-95-99", (226, 245), (226, 245), dict(SE), (95, 99), True, False, True, REPS),
    ("t0-intercept", (1, 20), (246, 265), dict(CL), (0.95,), True, True, True, REPS),
    ("t1-intercept", (71, 90), (266, 285), dict(CL, value_type=1), (0.95,), True, True, True, REPS),
    # Upstream test quirk: proportions passed with value_type = 1 (transform = F, so points are unaffected).
    ("t2-as-t1-intercept", (91, 110), (286, 305), dict(CL, value_type=1), (0.95,), True, True, True, REPS),
    ("t1-log", (306, 325), (306, 325), dict(CL, value_type=1, transform=True), (0.95,), True, True, True, REPS),
    ("t2-logit", (326, 345), (326, 345), dict(CL, value_type=2, transform=True), (0.95,), True, True, True, REPS),
    ("t2-logit-neg", (346, 365), (346, 365), dict(CL, value_type=2, transform=True, multiplier=-1), (0.95,), True, True, True, REPS),
    ("t1-log-95-98", (366, 385), (366, 385), dict(CL, value_type=1, transform=True), (95, 98), True, True, True, REPS),
    ("t1-log-neg", (386, 405), (386, 405), dict(CL, value_type=1, transform=True, multiplier=-1), (0.95,), True, True, True, REPS),
    ("t1-log-98", (406, 425), (406, 425), dict(CL, value_type=1, transform=True), (98,), True, True, True, REPS),
    ("t1-log-norii", (426, 445), (426, 445), dict(CL, value_type=1, transform=True, rii=False), (0.95,), False, True, True, REPS),
    ("t2-logit-norii", (446, 465), (446, 465), dict(CL, value_type=2, transform=True, rii=False), (0.95,), False, True, True, REPS),
    ("t2-logit-98", (466, 485), (466, 485), dict(CL, value_type=2, transform=True), (0.98,), True, True, True, REPS),
    ("t2-logit-95-98", (486, 505), (486, 505), dict(CL, value_type=2, transform=True), (95, 98), True, True, True, REPS),
]


@pytest.mark.parametrize(
    ("inp", "exp_rows", "kw", "confs", "check_rii", "check_int", "check_ci", "reps"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_sii_oracle_case(data, inp, exp_rows, kw, confs, check_rii, check_int, check_ci, reps):
    src = rows(data, *inp)
    exp = rows(data, *exp_rows).filter(pl.col("sii").is_not_null())
    assert exp.height == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none of the calculation cases should warn
        out = sii(src, group_by=GROUPS, quantile="Quantile", population="Population", repetitions=reps,
                  confidence=confs, seed=20240601, **kw)
    assert out.select(GROUPS).rows() == exp.select(GROUPS).rows()
    assert_close(out["sii"], exp["sii"], rtol=RTOL, what="sii")
    if check_rii:
        assert_close(out["rii"], exp["rii"], rtol=RTOL, what="rii")
    else:
        assert "rii" not in out.columns
    if check_int:
        assert_close(out["intercept"], exp["Intercept"], rtol=RTOL, what="intercept")
    if not check_ci:
        # Quintile rows: the Excel tool gave only SII and RII, the sheet has no limits to compare.
        assert exp.select(pl.col("sii_lowercl_1").is_null().all()).item()
        return
    for i, c in enumerate(confs, start=1):
        sfx = {0.95: "95", 95: "95", 0.99: "99", 99: "99", 98: "98", 0.98: "98"}[c]
        pairs = [("sii_lower_ci_", f"sii_lowercl_{i}"), ("sii_upper_ci_", f"sii_uppercl_{i}")]
        if check_rii:
            pairs += [("rii_lower_ci_", f"rii_lowercl_{i}"), ("rii_upper_ci_", f"rii_uppercl_{i}")]
        for ours, theirs in pairs:
            assert_close(out[ours + sfx], exp[theirs], rtol=SIM_RTOL, what=f"{ours}{sfx}")


def _mean_relative(got: np.ndarray, exp: np.ndarray) -> float:
    """waldo/testthat numeric comparison: mean(|got - exp|) / mean(|exp|)."""
    return float(np.mean(np.abs(got - exp)) / np.mean(np.abs(exp)))


@pytest.mark.parametrize(
    ("inp", "exp_rows", "kw", "confs", "check_rii", "check_int", "check_ci", "reps"),
    [c[1:] for c in CASES if c[7]],
    ids=[c[0] for c in CASES if c[7]],
)
def test_sii_oracle_case_upstream_criterion_10k(data, inp, exp_rows, kw, confs, check_rii, check_int, check_ci, reps):
    src = rows(data, *inp)
    exp = rows(data, *exp_rows).filter(pl.col("sii").is_not_null())
    out = sii(src, group_by=GROUPS, quantile="Quantile", population="Population", repetitions=UPSTREAM_REPS,
              confidence=confs, seed=11, **kw)
    for i, c in enumerate(confs, start=1):
        sfx = {0.95: "95", 95: "95", 0.99: "99", 99: "99", 98: "98", 0.98: "98"}[c]
        pairs = [("sii_lower_ci_", f"sii_lowercl_{i}"), ("sii_upper_ci_", f"sii_uppercl_{i}")]
        if check_rii:
            pairs += [("rii_lower_ci_", f"rii_lowercl_{i}"), ("rii_upper_ci_", f"rii_uppercl_{i}")]
        for ours, theirs in pairs:
            d = _mean_relative(out[ours + sfx].to_numpy(), exp[theirs].to_numpy())
            assert d <= SIM_RTOL, f"{ours}{sfx}: mean relative difference {d:.3%}"


def test_sii_ungrouped(data):
    # "test function on ungrouped dataset": rows 1-10 without grouping.
    out = sii(rows(data, 1, 10), group_by=None, quantile="Quantile", population="Population",
              repetitions=UPSTREAM_REPS, confidence=0.95, seed=1, **CL)
    exp = rows(data, 1, 1)
    assert out.height == 1 and not set(GROUPS) & set(out.columns)
    assert_close(out["sii"], exp["sii"])
    assert_close(out["rii"], exp["rii"])
    assert_close(out["sii_lower_ci_95"], exp["sii_lowercl_1"], rtol=SIM_RTOL)


def test_sii_seed_reproducible_and_group_independent(data):
    src = rows(data, 1, 20)
    kw = dict(group_by=GROUPS, quantile="Quantile", population="Population", repetitions=2000, seed=7, **SE)
    a = sii(src, **kw)
    b = sii(src, **kw)
    assert a.equals(b)
    alone = sii(src.filter(pl.col("Area") == "area2"), **kw)
    assert alone.row(0) == a.filter(pl.col("Area") == "area2").row(0)
    chunked = sii(src, max_chunk_elements=1, **kw)  # one group per chunk
    assert chunked.equals(a)
    assert sii(src, n_threads=1, **kw).equals(a) and sii(src, n_threads=3, **kw).equals(a)
    c = sii(src, **{**kw, "seed": 8})
    assert not c.equals(a)


def test_sii_intercept_limits_bracket_the_intercept(data):
    for kw in (dict(SE), dict(CL, value_type=1, transform=True), dict(CL, value_type=2, multiplier=-100)):
        src = rows(data, 71, 90) if kw.get("value_type") == 1 else (rows(data, 111, 130) if kw.get("value_type") == 2 else rows(data, 1, 20))
        out = sii(src, group_by=GROUPS, quantile="Quantile", population="Population", repetitions=UPSTREAM_REPS,
                  confidence=(0.95, 0.998), seed=2, **kw)
        for lev in ("95", "99_8"):
            assert (out[f"intercept_lower_ci_{lev}"] <= out["intercept"]).all()
            assert (out["intercept"] <= out[f"intercept_upper_ci_{lev}"]).all()
        assert (out["intercept_lower_ci_99_8"] <= out["intercept_lower_ci_95"]).all()
    out = sii(rows(data, 1, 20), group_by=GROUPS, quantile="Quantile", population="Population",
              repetitions=1000, seed=2, intercept_ci=False, **SE)
    assert not [c for c in out.columns if c.startswith("intercept_")]


def test_sii_reliability_stat(data):
    out = sii(rows(data, 1, 20), group_by=GROUPS, quantile="Quantile", population="Population",
              repetitions=1000, confidence=(0.95, 0.998), seed=3, reliability_stat=True, **SE)
    for col in ("sii_mad_95", "rii_mad_95", "sii_mad_99_8", "rii_mad_99_8"):
        assert (out[col] > 0).all()
    # MAD is small relative to the CI width
    width = out["sii_upper_ci_95"] - out["sii_lower_ci_95"]
    assert (out["sii_mad_95"] < 0.2 * width).all()


def test_sii_rate_quirk_multiplier_below_one_warns(data):
    src = rows(data, 306, 325)
    with pytest.warns(UserWarning, match="quirk"):
        q = sii(src, group_by=GROUPS, quantile="Quantile", population="Population", repetitions=UPSTREAM_REPS,
                confidence=0.95, seed=1, value_type=1, transform=True, multiplier=0.5, **CL)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nq = sii(src, group_by=GROUPS, quantile="Quantile", population="Population", repetitions=UPSTREAM_REPS,
                 confidence=0.95, seed=1, value_type=1, transform=True, multiplier=0.5,
                 replicate_upstream_quirks=False, **CL)
    assert np.allclose(q["sii_lower_ci_95"], nq["sii_upper_ci_95"])  # ends swapped by the quirk
    assert (nq["sii_lower_ci_95"] < nq["sii"]).all() and (nq["sii"] < nq["sii_upper_ci_95"]).all()


# ---------------------------------------------------------------- error and warning rows 151-225


def _call(src, **kw):
    base = dict(group_by=GROUPS, quantile="Quantile", population="Population", repetitions=1000, seed=1)
    base.update(kw)
    return sii(src, **base)


def test_sii_error_rows(data):
    with pytest.raises(ValueError, match="non-numeric"):
        _call(rows(data, 151, 160), population="Grouping1", **SE)
    with pytest.raises(ValueError, match="zero, negative or missing population"):
        _call(rows(data, 151, 160), **SE)  # negative population
    with pytest.raises(ValueError, match="zero, negative or missing population"):
        _call(rows(data, 201, 210), **SE)  # missing population (row 205)
    with pytest.raises(ValueError, match="negative or missing standard errors"):
        _call(rows(data, 161, 165), **SE)
    with pytest.raises(ValueError, match="negative or missing standard errors"):
        _call(rows(data, 191, 200), **SE)
    with pytest.raises(ValueError, match="missing lower or upper confidence limits"):
        _call(rows(data, 191, 200), **CL)
    with pytest.raises(ValueError, match="zero or negative count x"):
        _call(rows(data, 166, 170), value_type=2, **XCOUNT)
    with pytest.raises(ValueError, match="value proportions are not all between 0 and 1"):
        _call(rows(data, 1, 20), value_type=2, **SE)
    with pytest.raises(ValueError, match="confidence limit proportions"):
        _call(rows(data, 171, 175), value_type=2, **CL)
    with pytest.raises(ValueError, match="confidence limit proportions"):
        _call(rows(data, 176, 180), value_type=2, **CL)
    with pytest.raises(ValueError, match="Number of quantiles must be between 5 and 100"):
        _call(rows(data, 1, 3), **CL)


def test_sii_argument_errors(data):
    src = rows(data, 1, 20)
    with pytest.raises(ValueError, match="requires a value column"):
        _call(rows(data, 181, 190), value_type=1, se="StandardError")
    with pytest.raises(ValueError, match="requires a value column"):
        _call(src, value_type=2, se="StandardError")
    with pytest.raises(ValueError, match="lower_ci and upper_ci"):
        _call(src, value="Value", lower_ci="LowerCL")
    with pytest.raises(ValueError, match="value_type should be 0, 1 or 2"):
        _call(src, value_type=3, **SE)
    with pytest.raises(ValueError, match="value_type should be 0, 1 or 2"):
        _call(src, value_type="rate", **SE)
    with pytest.raises(ValueError, match="multiplier should be numeric"):
        _call(src, multiplier="none", **SE)
    with pytest.raises(ValueError, match="repetitions must be 1000 or greater"):
        _call(src, repetitions=0, **SE)
    with pytest.raises(ValueError, match="repetitions must be an integer"):
        _call(src, repetitions="none", **SE)
    for bad in (0.35, 40, 135):
        with pytest.raises(ValueError, match="confidence"):
            _call(src, confidence=bad, **SE)
    with pytest.raises(ValueError, match="value_type should be 1 or 2 when transform is true"):
        _call(src, transform=True, value_type=0, **CL)
    with pytest.raises(ValueError, match="se must be missing when transform is true"):
        _call(src, transform=True, value_type=1, **SE)


def test_sii_warning_rows(data):
    # Missing value field (rows 181-190): every record removed, so no output rows and a warning.
    with pytest.warns(UserWarning, match="records have been removed"):
        out = _call(rows(data, 181, 190), **SE)
    assert out.height == 0
    # A record removed (rows 1-15 and 17-20): area2 lacks a decile and is dropped with a warning.
    src = data.filter(pl.col("row").is_between(1, 20) & (pl.col("row") != 16))
    with pytest.warns(UserWarning, match="records have been removed"):
        out = _call(src, **CL)
    assert out["Area"].to_list() == ["area1"]
    assert_close(out["sii"], rows(data, 1, 1)["sii"])
    # More than 10 quantiles (rows 211-225): warning, still computed.
    with pytest.warns(UserWarning, match="large number of quantiles"):
        out = _call(rows(data, 211, 225), **CL)
    assert out.height == 1 and out["n_quantiles"][0] == 15
