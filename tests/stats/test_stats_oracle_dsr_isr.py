"""Oracle checks for DSR (Dobson), ISRatio and ISRate, including the error-handling sheets.

Oracle: PHEindicatormethods 2.1.0 ``testdata_DSR_ISR.xlsx`` (CSV exports) and DHSC PHStatsMethods
``testdata_ISR_obs.xlsx``.  Row numbers below are the data rows documented in PROVENANCE.md.
"""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.stats import ESP1976, ESP2013, ESP2013_21, dsr, esp2013_frame, isr, israte

from stats_testutils import PY_CSV, assert_close, oracle_file, read_oracle

BANDS = list(ESP2013)


def _fix_bands(df: pl.DataFrame, col: str) -> pl.DataFrame:
    # The oracle labels 55-59 as "55-69" (an upstream typo); R attaches the standard by row order, so we
    # relabel by position within each group instead of relying on the label.
    return df.with_columns(
        pl.when(pl.col(col) == "55-69").then(pl.lit("55-59")).otherwise(pl.col(col)).alias(col)
    )


@pytest.fixture(scope="module")
def dsr_results() -> pl.DataFrame:
    return read_oracle("testdata_DSR_ISR__testresults_DSR.csv").with_row_index("row", offset=1)


@pytest.fixture(scope="module")
def multiarea() -> pl.DataFrame:
    return _fix_bands(read_oracle("testdata_DSR_ISR__testdata_multiarea.csv"), "ageband")


def _check_dsr(out: pl.DataFrame, exp: pl.DataFrame, levels=("95", "99_8")) -> None:
    assert out.height == exp.height
    assert_close(out["total_count"], exp["total_count"], what="total_count")
    assert_close(out["total_pop"], exp["total_pop"], what="total_pop")
    assert_close(out["value"], exp["value"], what="value")
    names = {"95": ("lower95_0cl", "upper95_0cl"), "99_8": ("lower99_8cl", "upper99_8cl")}
    for lev in levels:
        assert_close(out[f"lower_ci_{lev}"], exp[names[lev][0]], what=f"lower {lev}")
        assert_close(out[f"upper_ci_{lev}"], exp[names[lev][1]], what=f"upper {lev}")
    assert out["method"].to_list() == exp["method"].to_list()
    suppressed = exp["statistic"].str.starts_with("dsr NA").to_list()
    assert out["suppressed"].to_list() == suppressed
    assert out["suppression_reason"].to_list() == ["total count < 10" if s else None for s in suppressed]


@pytest.mark.parametrize(("rows", "mult"), [((1, 3), 10_000), ((5, 7), 100_000)])
def test_dsr_multiarea(multiarea, dsr_results, rows, mult):
    exp = dsr_results.filter(pl.col("row").is_between(*rows))
    out = dsr(multiarea, group_by="area", age_band="ageband", count="count", population="pop", multiplier=mult)
    _check_dsr(out, exp)


def test_dsr_multiarea_standard_as_frame_and_column(multiarea, dsr_results):
    exp = dsr_results.filter(pl.col("row").is_between(5, 7))
    out1 = dsr(multiarea, group_by="area", age_band="ageband", count="count", population="pop",
               standard=esp2013_frame())
    _check_dsr(out1, exp)
    with_col = multiarea.with_columns(pl.col("ageband").replace_strict(ESP2013, return_dtype=pl.Float64).alias("esp"))
    out2 = dsr(with_col, group_by="area", age_band="ageband", count="count", population="pop", standard="esp")
    _check_dsr(out2, exp)


@pytest.mark.parametrize(("row", "mult"), [(4, 10_000), (8, 100_000)])
def test_dsr_esp1976_95(dsr_results, row, mult):
    d = _fix_bands(read_oracle("testdata_DSR_ISR__testdata_1976.csv"), "Age Band")
    exp = dsr_results.filter(pl.col("row") == row)
    for standard in (ESP1976, "esp1976"):
        out = dsr(d, group_by=None, age_band="Age Band", count="count", population="pop",
                  standard=standard, multiplier=mult)
        # ERRATUM (oracle README / PROVENANCE): the 99.8 % cells of the ESP1976 rows (4 and 8) are 10x too
        # large and upstream never tests them, so only the 95 % limits are compared here.
        _check_dsr(out, exp, levels=("95",))


def test_dsr_esp1976_998_corrected_values():
    # The corrected 99.8 % ESP1976 limits per 100000 quoted in PROVENANCE.md (8 significant figures).
    d = _fix_bands(read_oracle("testdata_DSR_ISR__testdata_1976.csv"), "Age Band")
    out = dsr(d, group_by=None, age_band="Age Band", count="count", population="pop", standard=ESP1976)
    assert_close(out["lower_ci_99_8"], [7659.2821], rtol=1e-8)
    assert_close(out["upper_ci_99_8"], [9599.2118], rtol=1e-8)


def test_dsr_non_independent_events(dsr_results):
    raw = read_oracle("testdata_DSR_ISR__testdata_nonindepe.csv")
    long = (
        raw.drop("count")
        .unpivot(index=["area", "ageband", "pop"], on=["f1", "f2", "f3", "f4"], variable_name="freq", value_name="persons")
        .with_columns(pl.col("freq").str.slice(1).cast(pl.Int64))
    )
    # As in the upstream test: the freq == 4 rows are dropped for the dummy, small and tiny areas.
    long = long.filter(~((pl.col("freq") == 4) & (pl.col("area") != "testdata_nonind_big")))
    long = _fix_bands(long, "ageband")  # labels "00-04" etc. are matched after stripping leading zeros
    out = dsr(long, group_by="area", age_band="ageband", count="persons", population="pop",
              event_frequency="freq")
    exp = dsr_results.filter(pl.col("row").is_between(9, 12))
    assert out["area"].to_list() == exp["area"].to_list()
    _check_dsr(out, exp)


# ---------------------------------------------------------------- DSR error sheets


def _err(name: str) -> pl.DataFrame:
    return _fix_bands(read_oracle(name), "Age Band")


def test_dsr_err1_negative_count():
    with pytest.raises(ValueError, match="numerators .* greater than or equal to zero"):
        dsr(_err("testdata_DSR_ISR__testdata_err1.csv"), group_by=None, age_band="Age Band", count="count", population="pop")


def test_dsr_err2_zero_population():
    d = read_oracle("testdata_DSR_ISR__testdata_err2.csv").with_columns(pl.Series("ageband", BANDS * 2))
    with pytest.raises(ValueError, match="denominators .* greater than zero"):
        dsr(d, group_by="area", age_band="ageband", count="count", population="pop")


def test_dsr_err3_negative_population():
    with pytest.raises(ValueError, match="denominators .* greater than zero"):
        dsr(_err("testdata_DSR_ISR__testdata_err3.csv"), group_by=None, age_band="Age Band", count="count", population="pop")


def test_dsr_err4_negative_standard_population():
    with pytest.raises(ValueError, match="standard population weights"):
        dsr(_err("testdata_DSR_ISR__testdata_err4.csv"), group_by=None, age_band="Age Band", count="count",
            population="pop", standard="stdpop")
    d = _err("testdata_DSR_ISR__testdata_err4.csv")
    bad = dict(zip(d["Age Band"], d["stdpop"]))
    with pytest.raises(ValueError, match="standard population weights"):
        dsr(d, group_by=None, age_band="Age Band", count="count", population="pop", standard=bad)


def test_dsr_other_input_errors(multiarea):
    with pytest.raises(ValueError, match="not in the standard"):
        dsr(multiarea.with_columns(pl.lit("0-5").alias("ageband")), group_by="area", age_band="ageband",
            count="count", population="pop")
    with pytest.raises(ValueError, match="duplicate age bands"):
        dsr(pl.concat([multiarea, multiarea.head(1)]), group_by="area", age_band="ageband", count="count",
            population="pop")
    with pytest.raises(ValueError, match="confidence"):
        dsr(multiarea, group_by="area", age_band="ageband", count="count", population="pop", confidences=3)


# ---------------------------------------------------------------- ISR


@pytest.fixture(scope="module")
def isr_results() -> pl.DataFrame:
    return read_oracle("testdata_DSR_ISR__testresults_ISR.csv").with_row_index("row", offset=1)


@pytest.fixture(scope="module")
def isr_df() -> pl.DataFrame:
    return _fix_bands(read_oracle("testdata_DSR_ISR__testdata_multiarea_isr.csv"), "ageband")


@pytest.fixture(scope="module")
def refdata() -> pl.DataFrame:
    return _fix_bands(read_oracle("testdata_DSR_ISR__refdata.csv"), "Age Band").rename({"Age Band": "age_band"})


def _reference_variants(isr_df, refdata):
    """The four ways upstream supplies the reference; all must give the same numbers."""
    local = isr_df.drop("refcount", "refpop")
    vector_with_na = refdata.with_columns(
        pl.when(pl.col("age_band") == "10-14").then(None).otherwise(pl.col("refcount")).alias("refcount")
    )
    common = dict(group_by="area", age_band="ageband", count="count", population="pop",
                  ref_count="refcount", ref_population="refpop")
    lookup = read_oracle("testdata_DSR_ISR__testdata_multiarea_lookup.csv").rename({"total_count": "observed"})
    return {
        "reference-frame": (local, dict(common, reference=refdata)),
        "fields-in-df": (isr_df, dict(common)),
        "reference-with-NA-refcount": (local, dict(common, reference=vector_with_na)),
        "observed-totals": (local.drop("count"), dict(common, count=None, reference=refdata, observed_totals=lookup)),
    }


def _check_isr(out, exp, levels=("95", "99_8"), ref_rate=False):
    assert out["area"].to_list() == exp["area"].to_list()
    assert_close(out["observed"], exp["observed"], what="observed")
    assert_close(out["expected"], exp["expected"], what="expected")
    if ref_rate:
        assert_close(out["ref_rate"], exp["ref_rate"], what="ref_rate")
    assert_close(out["value"], exp["value"], what="value")
    names = {"95": ("lower95_0cl", "upper95_0cl"), "99_8": ("lower99_8cl", "upper99_8cl")}
    for lev in levels:
        assert_close(out[f"lower_ci_{lev}"], exp[names[lev][0]], what=f"lower {lev}")
        assert_close(out[f"upper_ci_{lev}"], exp[names[lev][1]], what=f"upper {lev}")
    assert out["method"].to_list() == exp["method"].to_list()
    assert_close(out["excess"], (exp["observed"] - exp["expected"]), what="excess")


@pytest.mark.parametrize("variant", ["reference-frame", "fields-in-df", "reference-with-NA-refcount", "observed-totals"])
@pytest.mark.parametrize(("rows", "fn", "kw"), [
    ((1, 3), israte, {}),
    ((4, 6), israte, {"multiplier": 1000}),
    ((7, 9), isr, {"refvalue": 1}),
    ((10, 12), isr, {"refvalue": 100}),
], ids=["israte-1e5", "israte-1000", "isratio-1", "isratio-100"])
def test_isr_multiarea(isr_df, refdata, isr_results, variant, rows, fn, kw):
    df, args = _reference_variants(isr_df, refdata)[variant]
    out = fn(df, **args, **kw)
    _check_isr(out, isr_results.filter(pl.col("row").is_between(*rows)), ref_rate=fn is israte)


def test_isratio_default_refvalue_is_100(isr_df, isr_results):
    out = isr(isr_df, group_by="area", age_band="ageband", count="count", population="pop",
              ref_count="refcount", ref_population="refpop")
    _check_isr(out, isr_results.filter(pl.col("row").is_between(10, 12)))


@pytest.mark.parametrize(("rows", "fn", "kw"), [((13, 14), israte, {}), ((15, 16), isr, {"refvalue": 100})])
def test_isr_err2_zero_population_is_accepted(refdata, isr_results, rows, fn, kw):
    d = read_oracle("testdata_DSR_ISR__testdata_err2.csv").with_columns(
        pl.Series("ageband", refdata["age_band"].to_list() * 2)
    )
    out = fn(d, group_by="area", age_band="ageband", count="count", population="pop", reference=refdata,
             ref_count="refcount", ref_population="refpop", confidences=0.95, **kw)
    _check_isr(out, isr_results.filter(pl.col("row").is_between(*rows)), levels=("95",), ref_rate=fn is israte)


@pytest.mark.parametrize("fn", [isr, israte])
def test_isr_err1_err3_raise(refdata, fn):
    for name, match in (("testdata_DSR_ISR__testdata_err1.csv", "numerators"),
                        ("testdata_DSR_ISR__testdata_err3.csv", "denominators")):
        d = _fix_bands(read_oracle(name), "Age Band")
        with pytest.raises(ValueError, match=match):
            fn(d, group_by=None, age_band="Age Band", count="count", population="pop", reference=refdata,
               ref_count="refcount", ref_population="refpop")


def test_isr_missing_reference_stratum(isr_df, refdata):
    with pytest.raises(ValueError, match="no reference rate"):
        isr(isr_df.drop("refcount", "refpop"), group_by="area", age_band="ageband", count="count",
            population="pop", reference=refdata.filter(pl.col("age_band") != "90+"),
            ref_count="refcount", ref_population="refpop")


# ---------------------------------------------------------------- PHStatsMethods ISR with observed totals


@pytest.mark.parametrize("mode", ["fields-in-df", "sex-age-reference"])
def test_isr_observed_totals_phstatsmethods(mode):
    df = read_oracle("testdata_ISR_obs__df.csv", PY_CSV)
    obs = read_oracle("testdata_ISR_obs__obs.csv", PY_CSV)
    exp = read_oracle("testdata_ISR_obs__obs_results.csv", PY_CSV)
    keys = ["indicatorid", "year", "sex"]
    common = dict(group_by=keys, age_band="ageband", count=None, population="pop", refvalue=1,
                  observed_totals=obs, confidences=0.95, ref_count="refcount", ref_population="refpop")
    if mode == "fields-in-df":
        out = isr(df, **common)
    else:
        ref = df.select("sex", "ageband", "refcount", "refpop").unique()
        out = isr(df.drop("refcount", "refpop"), reference=ref, strata=("sex", "age_band"), **common)
    got = out.join(exp, on=keys, how="inner")
    assert got.height == exp.height == 40
    assert_close(got["observed"], got["observed_right"])
    assert_close(got["expected"], got["expected_right"])
    assert_close(got["value"], got["Value"])
    assert_close(got["lower_ci_95"], got["lower_95_ci"])
    assert_close(got["upper_ci_95"], got["upper_95_ci"])
    assert got["method"].to_list() == got["Method"].to_list()


# ---------------------------------------------------------------- ESP2013 constants


def test_esp2013_matches_reference_csv():
    ref = pl.read_csv(oracle_file("reference/esp2013.csv"), schema_overrides={"age_band": pl.String})
    r19 = ref.filter(pl.col("scheme") == "esp2013_19")
    r21 = ref.filter(pl.col("scheme") == "esp2013_21")
    assert list(ESP2013) == r19["age_band"].to_list()
    assert list(ESP2013.values()) == r19["weight"].cast(pl.Float64).to_list()
    assert list(ESP2013_21) == r21["age_band"].to_list()
    assert list(ESP2013_21.values()) == r21["weight"].cast(pl.Float64).to_list()
    assert sum(ESP2013.values()) == sum(ESP2013_21.values()) == 100_000
    assert sum(ESP1976.values()) == 100_000 and len(ESP1976) == 18
    assert esp2013_frame()["weight"].to_list() == list(ESP2013.values())
