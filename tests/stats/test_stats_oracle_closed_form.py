"""Oracle checks for Byar's/exact/Wilson limits, crude rates, proportions and means.

Oracle: PHEindicatormethods 2.1.0 test workbooks (see ../shared/oracle/PHEindicatormethods/PROVENANCE.md).
Every data row of each sheet is checked; relative tolerance 1e-9.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from pipelines.stats import byars_limits, crude_rate, mean, poisson_limits, proportion, wilson_limits

from stats_testutils import assert_close, read_oracle

# ---------------------------------------------------------------- testdata_Byars_Wilson / testdata_B_W


@pytest.fixture(scope="module")
def bw() -> pl.DataFrame:
    return read_oracle("testdata_Byars_Wilson__testdata_B_W.csv")


@pytest.mark.parametrize("confidence_form", ["fraction", "percent"])
def test_byars_rows_1_to_6_and_13(bw, confidence_form):
    # Rows 1–6 (95 % and 99.8 %) plus row 13 (x = 1 at 99.8 %: lower NA because Byar's goes negative).
    rows = bw.filter(pl.col("method") == "Byars")
    assert rows.height == 7
    for conf_label, conf in (("95%", 0.95), ("99.8%", 0.998)):
        sub = rows.filter(pl.col("confidence") == conf_label)
        c = conf if confidence_form == "fraction" else conf * 100
        lo, hi = byars_limits(sub["x"], c)
        assert_close(lo, sub["lowercl"], what=f"byars lower {conf_label}")
        assert_close(hi, sub["uppercl"], what=f"byars upper {conf_label}")


def test_wilson_rows_7_to_12(bw):
    rows = bw.filter(pl.col("method") == "Wilson")
    assert rows.height == 6
    for conf_label, conf in (("95%", 0.95), ("99.8%", 0.998)):
        sub = rows.filter(pl.col("confidence") == conf_label)
        lo, hi = wilson_limits(sub["x"], sub["n"], conf)
        assert_close(lo, sub["lowercl"], what=f"wilson lower {conf_label}")
        assert_close(hi, sub["uppercl"], what=f"wilson upper {conf_label}")


def test_wilson_confidence_one_gives_zero_one():
    lo, hi = wilson_limits([3, 0.5], [10, 2], 1)
    assert np.all(lo == 0) and np.all(hi == 1)


# ---------------------------------------------------------------- testdata_Rate


@pytest.fixture(scope="module")
def rate() -> pl.DataFrame:
    return read_oracle("testdata_Rate__testdata_Rate.csv").with_row_index("row", offset=1)


@pytest.mark.parametrize("rows", [(1, 8), (9, 16), (17, 20)], ids=["per100", "per100000", "NA-and-Area12"])
def test_crude_rate_rows(rate, rows):
    sub = rate.filter(pl.col("row").is_between(*rows))
    mult = sub["multiplier"][0]
    out = crude_rate(sub, count="Numerator", denominator="Denominator", multiplier=mult)
    assert_close(out["value"], sub["value"], what="value")
    assert_close(out["lower_ci_95"], sub["lower95_0cl"], what="lower 95")
    assert_close(out["upper_ci_95"], sub["upper95_0cl"], what="upper 95")
    assert_close(out["lower_ci_99_8"], sub["lower99_8cl"], what="lower 99.8")
    assert_close(out["upper_ci_99_8"], sub["upper99_8cl"], what="upper 99.8")
    assert out["method"].to_list() == sub["method"].to_list()


def test_crude_rate_single_confidence_as_percent(rate):
    sub = rate.filter(pl.col("row").is_between(9, 16))
    out = crude_rate(sub, count="Numerator", denominator="Denominator", confidences=99.8)
    assert "lower_ci_95" not in out.columns
    assert_close(out["lower_ci_99_8"], sub["lower99_8cl"])
    assert_close(out["upper_ci_99_8"], sub["upper99_8cl"])


def test_crude_rate_grouped_sheet():
    # testdata_Rate_g: phe_rate on the whole of testdata_Rate grouped by Area (rows summed), 95 %, per 100000.
    raw = read_oracle("testdata_Rate__testdata_Rate.csv")
    exp = read_oracle("testdata_Rate__testdata_Rate_g.csv")
    out = crude_rate(raw, count="Numerator", denominator="Denominator", group_by="Area", confidences=0.95)
    out = out.join(exp.select("Area", pl.col("value").alias("exp_value"), "lowercl", "uppercl", pl.col("method").alias("exp_method")), on="Area")
    assert out.height == exp.height == 12
    assert_close(out["Numerator"], out.join(exp.select("Area", pl.col("Numerator").alias("en")), on="Area")["en"])
    assert_close(out["value"], out["exp_value"])
    assert_close(out["lower_ci_95"], out["lowercl"])
    assert_close(out["upper_ci_95"], out["uppercl"])
    assert out["method"].to_list() == out["exp_method"].to_list()


def test_crude_rate_errors():
    with pytest.raises(ValueError, match="numerators"):
        crude_rate(pl.DataFrame({"o": [-1], "n": [10]}), count="o", denominator="n")
    with pytest.raises(ValueError, match="denominators"):
        crude_rate(pl.DataFrame({"o": [1], "n": [0]}), count="o", denominator="n")
    with pytest.raises(ValueError, match="confidence"):
        crude_rate(pl.DataFrame({"o": [1], "n": [10]}), count="o", denominator="n", confidences=0.74)


def test_poisson_limits_switch_exact_to_byars(rate):
    # The rate sheet's per-100 rows are the count limits / 100 * 100: O_L, O_U straight from the sheet.
    sub = rate.filter(pl.col("row").is_between(1, 8))
    lo, hi = poisson_limits(sub["Numerator"], 0.95)
    assert_close(lo / sub["Denominator"].to_numpy() * 100, sub["lower95_0cl"])
    assert_close(hi / sub["Denominator"].to_numpy() * 100, sub["upper95_0cl"])


# ---------------------------------------------------------------- testdata_Proportion


@pytest.fixture(scope="module")
def prop() -> pl.DataFrame:
    return read_oracle("testdata_Proportion__testdata_Prop.csv").with_row_index("row", offset=1)


@pytest.mark.parametrize("rows", [(1, 8), (9, 16), (17, 19)], ids=["of1", "percentage", "NA"])
def test_proportion_rows(prop, rows):
    sub = prop.filter(pl.col("row").is_between(*rows))
    out = proportion(sub, numerator="Numerator", denominator="Denominator", multiplier=sub["multiplier"][0])
    assert_close(out["value"], sub["value"])
    assert_close(out["lower_ci_95"], sub["lower95_0cl"])
    assert_close(out["upper_ci_95"], sub["upper95_0cl"])
    assert_close(out["lower_ci_99_8"], sub["lower99_8cl"])
    assert_close(out["upper_ci_99_8"], sub["upper99_8cl"])
    assert set(out["method"]) == {"Wilson"}


def test_proportion_grouped_sheet():
    raw = read_oracle("testdata_Proportion__testdata_Prop.csv")
    exp = read_oracle("testdata_Proportion__testdata_Prop_g.csv")
    out = proportion(raw, numerator="Numerator", denominator="Denominator", group_by="Area", multiplier=1, confidences=0.95)
    out = out.join(exp.select("Area", pl.col("value").alias("exp_value"), "lowercl", "uppercl"), on="Area")
    assert out.height == exp.height == 11
    assert_close(out["value"], out["exp_value"])
    assert_close(out["lower_ci_95"], out["lowercl"])
    assert_close(out["upper_ci_95"], out["uppercl"])


def test_proportion_errors():
    with pytest.raises(ValueError, match="less than or equal"):
        proportion(pl.DataFrame({"x": [11], "n": [10]}), numerator="x", denominator="n")
    with pytest.raises(ValueError, match="denominators"):
        proportion(pl.DataFrame({"x": [0], "n": [0]}), numerator="x", denominator="n")


# ---------------------------------------------------------------- testdata_Mean


def test_mean_grouped_and_ungrouped():
    data = read_oracle("testdata_Mean__testdata_Mean.csv")
    exp = read_oracle("testdata_Mean__testdata_Mean_results.csv")
    grouped = mean(data, values="values", group_by="area").sort("area")
    ungrouped = mean(data, values="values")
    got = pl.concat([grouped.drop("area"), ungrouped], how="vertical_relaxed")
    assert exp["area"].to_list() == ["Area1", "Area2", "No grouping"]
    for g, e in [
        ("value_sum", "value_sum"),
        ("value_count", "value_count"),
        ("stdev", "stdev"),
        ("value", "value"),
        ("lower_ci_95", "lower95_0cl"),
        ("upper_ci_95", "upper95_0cl"),
        ("lower_ci_99_8", "lower99_8cl"),
        ("upper_ci_99_8", "upper99_8cl"),
    ]:
        assert_close(got[g], exp[e], what=g)
