"""Pure compute functions of the indicator marts: polars frames in (aggregated by the SQL in
`assets/sql/indicators/`), polars frames out. Every statistic comes from `pipelines.stats`; nothing here
re-implements a method. No Dagster import, so each function is tested on small hand-built frames.

Each `*_indicators` function returns rows in the shape of `marts.fct_indicator_values` before names and
comparisons are attached (`VALUE_COLUMNS`); `finalise` adds England's value, the comparison with England, the
indicator's name and unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

from pipelines import stats
from pipelines.indicators.catalogue import Catalogue, Indicator, Settings

KEYS = ["level", "area_code", "financial_year", "period", "measure"]
VALUE_COLUMNS: dict[str, pl.DataType] = {
    "indicator_id": pl.String,
    "level": pl.String,
    "area_code": pl.String,
    "period": pl.String,
    "period_type": pl.String,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "value": pl.Float64,
    "lower_ci_95": pl.Float64,
    "upper_ci_95": pl.Float64,
    "lower_ci_99_8": pl.Float64,
    "upper_ci_99_8": pl.Float64,
    "method": pl.String,
    "expected": pl.Float64,
    "excess": pl.Float64,
    "england_value": pl.Float64,
    "suppressed": pl.Boolean,
    "suppression_reason": pl.String,
}
LIMITS = ["lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8"]
CONFIDENCES = (0.95, 0.998)
#: Methods whose values have no confidence limits: never compared with England.
UNCOMPARED_METHODS = {"growth", "population_weighted_mean", "ratio_per_population", "sii"}

NO_SCORES = "the IMD files held for this edition carry ranks and deciles but no scores"
NO_POPULATION = "no resident population in the area"
EMPTY_AGE_BAND = "an age band with events has no residents (standardisation undefined)"


def empty_values() -> pl.DataFrame:
    return pl.DataFrame(schema=VALUE_COLUMNS)


def _shape(frame: pl.DataFrame, indicator: Indicator, method: str | None = None) -> pl.DataFrame:
    """Select and type the `VALUE_COLUMNS`, filling what the method does not produce."""
    fill = {
        "indicator_id": pl.lit(indicator.id),
        "period_type": pl.lit(indicator.period_type),
        "method": pl.lit(method or indicator.method),
        "suppressed": pl.lit(False),
    }
    exprs = []
    for name, dtype in VALUE_COLUMNS.items():
        if name in frame.columns:
            expr = pl.col(name)
        else:
            expr = fill.get(name, pl.lit(None))
        exprs.append(expr.cast(dtype).alias(name))
    out = frame.select(exprs)
    return out.with_columns(pl.col("suppressed").fill_null(False))


def _levels(frame: pl.DataFrame, indicator: Indicator) -> pl.DataFrame:
    return frame.filter(pl.col("level").is_in(list(indicator.levels)))


def _withheld(frame: pl.DataFrame, reason: str) -> pl.DataFrame:
    """Rows whose value cannot be computed: value and limits null, suppressed, with a reason."""
    return frame.with_columns(
        *[pl.lit(None, dtype=pl.Float64).alias(c) for c in ["value", *LIMITS]],
        pl.lit(True).alias("suppressed"),
        pl.lit(reason).alias("suppression_reason"),
    )


# --------------------------------------------------------------------------------------------- activity


def activity_totals(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per level x area x year x measure: activity (all sexes) and residents."""
    return rows.group_by(KEYS, maintain_order=True).agg(pl.col("activity").sum(), pl.col("population").sum())


def _crude_rate(rows: pl.DataFrame, indicator: Indicator) -> pl.DataFrame:
    totals = activity_totals(rows)
    ok = totals.filter(pl.col("population") > 0)
    rates = stats.crude_rate(ok, count="activity", denominator="population", multiplier=indicator.multiplier,
                             confidences=CONFIDENCES).drop("method")
    rates = rates.rename({"activity": "numerator", "population": "denominator"})
    empty = _withheld(totals.filter(~(pl.col("population") > 0)), NO_POPULATION).rename(
        {"activity": "numerator", "population": "denominator"})
    return pl.concat([_shape(rates, indicator), _shape(empty, indicator)])


def _bands_without_residents(by_age: pl.DataFrame, groups: list[str]) -> pl.DataFrame:
    """Groups with an age band that has events but no residents: DSR (and Dobson limits) undefined there."""
    return by_age.filter((pl.col("population") <= 0) & (pl.col("activity") > 0)).select(groups).unique()


def _dsr(rows: pl.DataFrame, indicator: Indicator, settings: Settings) -> pl.DataFrame:
    by_age = rows.group_by([*KEYS, "age_band"], maintain_order=True).agg(
        pl.col("activity").sum(), pl.col("population").sum())
    bad = _bands_without_residents(by_age, KEYS)
    ok = by_age.join(bad, on=KEYS, how="anti")
    out = []
    if ok.height:
        rates = stats.dsr(ok, group_by=KEYS, age_band="age_band", count="activity", population="population",
                          multiplier=indicator.multiplier, confidences=CONFIDENCES,
                          min_count=settings.dsr_min_count)
        out.append(_shape(rates.rename({"total_count": "numerator", "total_pop": "denominator"}).drop("method"),
                          indicator))
    if bad.height:
        totals = activity_totals(by_age.join(bad, on=KEYS, how="semi"))
        empty = _withheld(totals, EMPTY_AGE_BAND).rename({"activity": "numerator", "population": "denominator"})
        out.append(_shape(empty, indicator))
    return pl.concat(out) if out else empty_values()


def _indirect(rows: pl.DataFrame, reference: pl.DataFrame, indicator: Indicator, rate: bool) -> pl.DataFrame:
    """ISR (rate=False) or ISRate (rate=True) against England's age-sex rates of the same year and measure.

    Observed counts every event (unknown sex too); expected comes from the male and female strata, and from
    the persons strata (P) of an area whose population is held for persons only, at England's persons rates.
    """
    years = reference.select("financial_year").unique()
    rows = rows.join(years, on="financial_year", how="semi")
    totals = activity_totals(rows)
    # strata without residents add nothing to expected (e.g. events by sex in an area held for persons only)
    strata = rows.filter(pl.col("sex").is_in(["M", "F", "P"])).group_by(
        [*KEYS, "age_band", "sex"], maintain_order=True).agg(pl.col("activity").sum(), pl.col("population").sum()
    ).filter(pl.col("population") > 0)
    observed = totals.select(*KEYS, pl.col("activity").alias("observed"))
    kwargs = dict(group_by=KEYS, age_band="age_band", count="activity", population="population",
                  reference=reference, strata=["financial_year", "measure", "sex", "age_band"],
                  observed_totals=observed, confidences=CONFIDENCES)
    if rate:
        result = stats.israte(strata, multiplier=indicator.multiplier, **kwargs)
        result = result.rename({"ref_rate": "england_value"})
    else:
        result = stats.isr(strata, refvalue=indicator.multiplier, **kwargs)
        result = result.with_columns(pl.lit(indicator.multiplier).alias("england_value"))
    result = result.drop("method").join(totals.select(*KEYS, pl.col("population").alias("denominator")), on=KEYS)
    result = result.rename({"observed": "numerator"})
    no_expected = result.filter(pl.col("expected").fill_null(0) <= 0)
    result = pl.concat([
        result.filter(pl.col("expected") > 0),
        _withheld(no_expected, NO_POPULATION),
    ], how="diagonal_relaxed")
    return _shape(result, indicator)


def _supplied_weighted(rows: pl.DataFrame, weighted: pl.DataFrame, indicator: Indicator) -> pl.DataFrame:
    """Observed per supplied weighted population (crude rate with Poisson limits); England per population."""
    totals = activity_totals(rows)
    joined = totals.join(weighted, on=["level", "area_code", "financial_year"], how="inner")
    england = totals.filter(pl.col("level") == "england")
    if not joined.filter(pl.col("level") == "england").height:
        joined = pl.concat([joined, england.with_columns(pl.col("population").alias("weighted_population"))],
                           how="diagonal_relaxed")
    rates = stats.crude_rate(joined, count="activity", denominator="weighted_population",
                             multiplier=indicator.multiplier, confidences=CONFIDENCES).drop("method")
    rates = rates.rename({"activity": "numerator", "weighted_population": "denominator"}).drop("population")
    return _shape(rates, indicator, method="per_supplied_weighted_capita")


def activity_indicators(
    rows: pl.DataFrame,
    reference: pl.DataFrame,
    indicators: Iterable[Indicator],
    settings: Settings,
    weighted: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Demand indicators (crude_rate, dsr, isr, per_weighted_capita) from residents' activity and population.

    rows: one row per level x area x financial_year (+ period label) x measure x age_band x sex with
    `activity` and `population` (assets/sql/indicators/activity_by_age_sex.sql). reference: England's
    `ref_count` and `ref_population` per financial_year x measure x age_band x sex. weighted: an optional
    supplied weighted population per level x area_code x financial_year (`weighted_population`); the areas it
    covers use it, the others England's age-sex weighting.
    """
    out = [empty_values()]
    for indicator in indicators:
        data = _levels(rows.filter(pl.col("measure") == indicator.measure), indicator)
        if not data.height:
            continue
        if indicator.method == "crude_rate":
            out.append(_crude_rate(data, indicator))
        elif indicator.method == "dsr":
            out.append(_dsr(data, indicator, settings))
        elif indicator.method == "isr":
            out.append(_indirect(data, reference, indicator, rate=False))
        elif indicator.method == "per_weighted_capita":
            by_rates = _indirect(data, reference, indicator, rate=True)
            if weighted is not None and weighted.height:
                supplied = _supplied_weighted(data, weighted, indicator)
                covered = supplied.select("level", "area_code", "period")
                by_rates = by_rates.join(covered, on=["level", "area_code", "period"], how="anti")
                # England's value is England's crude rate under either weighting
                out.append(supplied)
            out.append(by_rates)
        else:
            raise ValueError(f"{indicator.id}: method {indicator.method} is not an activity method")
    return pl.concat(out)


# --------------------------------------------------------------------------------------------- deprivation


def _decile_sum(column: str, deciles: Sequence[int]) -> pl.Expr:
    selected = pl.col(column) if not deciles else pl.col(column).filter(pl.col("imd_decile").is_in(list(deciles)))
    return selected.sum()


def _deprivation_part(measure, name: str) -> pl.Expr:
    if measure.kind == "lsoa_count":
        return _decile_sum("lsoas", measure.deciles).alias(name)
    if measure.kind == "resident_count":
        return _decile_sum("residents", measure.deciles).alias(name)
    if measure.kind == "resident_population":
        return pl.col("residents").sum().alias(name)
    if measure.kind == "imd_score":  # null when the edition's files carry no scores (not a score of 0)
        return (pl.when(pl.col("residents_x_score").is_not_null().any())
                .then(pl.col("residents_x_score").sum()).otherwise(None).alias(name))
    raise ValueError(f"measure {measure.id} of kind {measure.kind} is not a deprivation measure")


def deprivation_indicators(rows: pl.DataFrame, indicators: Iterable[Indicator]) -> pl.DataFrame:
    """Deprivation profile (proportion, population_weighted_mean) by level x area x IMD edition.

    rows: one row per level x area x imd_edition (+ period label) x imd_decile with `lsoas`, `residents`,
    `residents_x_score` (assets/sql/indicators/deprivation_by_area.sql). Editions that reach no area of the
    system (e.g. IMD2025 on LSOA 2021 codes under an LSOA 2011 profile) are dropped.
    """
    local = rows.filter(pl.col("level") != "england").select("imd_edition").unique()
    rows = rows.join(local, on="imd_edition", how="semi")
    out = [empty_values()]
    keys = ["level", "area_code", "imd_edition", "period"]
    for indicator in (i for i in indicators if i.numerator.kind != "practice_imd_score"):  # by practice: below
        data = _levels(rows, indicator)
        if not data.height:
            continue
        sums = data.group_by(keys, maintain_order=True).agg(
            _deprivation_part(indicator.numerator, "numerator"),
            _deprivation_part(indicator.denominator, "denominator"),
        )
        ok = sums.filter(pl.col("denominator") > 0)
        empty = _withheld(sums.filter(~(pl.col("denominator") > 0)), NO_POPULATION)
        if indicator.method == "proportion":
            values = stats.proportion(ok, numerator="numerator", denominator="denominator",
                                      multiplier=indicator.multiplier, confidences=CONFIDENCES).drop("method")
        elif indicator.method == "population_weighted_mean":
            no_scores = _withheld(ok.filter(pl.col("numerator").is_null()), NO_SCORES)
            values = ok.filter(pl.col("numerator").is_not_null()).with_columns(
                (pl.col("numerator") / pl.col("denominator") * indicator.multiplier).alias("value"))
            out.append(_shape(no_scores, indicator))
        else:
            raise ValueError(f"{indicator.id}: method {indicator.method} is not a deprivation method")
        out += [_shape(values, indicator), _shape(empty, indicator)]
    return pl.concat(out)


def practice_deprivation_indicators(rows: pl.DataFrame, indicators: Iterable[Indicator]) -> pl.DataFrame:
    """Registered-population-weighted IMD score of the practices of each area (OHID Fingertips 93553: a
    practice's score is the mean IMD score of its patients' LSOAs). rows: one row per level x area x IMD edition
    with `patients`, `patients_x_score` and England's published score (practice_deprivation_by_area.sql)."""
    out = [empty_values()]
    for indicator in indicators:
        data = _levels(rows, indicator)
        england = data.filter(pl.col("level") == "england").select(
            "level", "area_code", "period", (pl.col("england_score") * indicator.multiplier).alias("value"),
            (pl.col("england_score") * indicator.multiplier).alias("england_value"))
        values = data.filter(pl.col("level") != "england", pl.col("patients") > 0).select(
            "level", "area_code", "period",
            pl.col("patients_x_score").alias("numerator"), pl.col("patients").alias("denominator"),
            (pl.col("patients_x_score") / pl.col("patients") * indicator.multiplier).alias("value"),
            (pl.col("england_score") * indicator.multiplier).alias("england_value"))
        out += [_shape(values, indicator), _shape(england, indicator)]
    return pl.concat(out)


# --------------------------------------------------------------------------------------------- primary care


def workforce_indicators(rows: pl.DataFrame, indicators: Iterable[Indicator],
                         weighted_by: str | None = None) -> pl.DataFrame:
    """FTE per registered (or need-weighted) patients, by level x area x census month.

    rows: one row per level x area x month (+ period label) x staff_column with `fte`, `registered_patients`,
    `fte_weighted`, `weighted_patients` (assets/sql/indicators/workforce_by_area.sql). A census: no limits.
    `weighted_by`: the weighting measure the rows' weighted patients were built with; indicators whose
    weighted denominator names another weighting are skipped (the caller passes the matching rows).
    """
    out = [empty_values()]
    for indicator in indicators:
        weighted = indicator.denominator.kind == "weighted_registered_patients"
        if weighted and indicator.denominator.weighting_measure != weighted_by:
            continue
        fte, patients = ("fte_weighted", "weighted_patients") if weighted else ("fte", "registered_patients")
        data = _levels(rows.filter(pl.col("staff_column") == indicator.numerator.column), indicator)
        data = data.select("level", "area_code", "period", pl.col(fte).alias("numerator"),
                           pl.col(patients).alias("denominator"))
        ok = data.filter(pl.col("denominator") > 0)
        values = ok.with_columns((pl.col("numerator") / pl.col("denominator") * indicator.multiplier).alias("value"))
        empty = _withheld(data.filter(~(pl.col("denominator") > 0)), "no registered patients reported")
        out += [_shape(values, indicator), _shape(empty, indicator)]
    return pl.concat(out)


# --------------------------------------------------------------------------------------------- JSNA


def _jsna_filter(frame: pl.DataFrame, indicator: Indicator) -> pl.DataFrame:
    options = indicator.options
    frame = frame.filter(pl.col("indicator_id") == options["fingertips_id"], pl.col("sex") == options["sex"])
    if "age" in options:
        frame = frame.filter(pl.col("age") == str(options["age"]))
    return frame.drop("indicator_id")  # Fingertips' id: the catalogue id replaces it


def jsna_indicators(published: pl.DataFrame, aggregates: pl.DataFrame,
                    indicators: Iterable[Indicator]) -> pl.DataFrame:
    """JSNA indicators: each local authority and England as published; footprints and the system where the
    counts and denominators of their member LAs can be summed (method crude_rate or proportion).

    published: rows of marts.fct_jsna_indicator_values (assets/sql/indicators/jsna_published.sql).
    aggregates: summed counts per footprint/system (jsna_aggregates.sql) with `n_published` and `n_members`.
    """
    out = [empty_values()]
    for indicator in indicators:
        pub = _levels(_jsna_filter(published, indicator), indicator)
        pub = pub.rename({"count": "numerator"}).with_columns(
            pl.when(pl.col("value").is_null()).then(True).otherwise(False).alias("suppressed"),
            pl.when(pl.col("value").is_null())
            .then(pl.coalesce(pl.col("value_note"), pl.lit("not published")))
            .alias("suppression_reason"),
        )
        out.append(_shape(pub, indicator, method="published"))
        if indicator.method == "published":
            continue
        agg = _levels(_jsna_filter(aggregates, indicator), indicator)
        complete = (pl.col("n_published") == pl.col("n_members")) & (pl.col("denominator") > 0)
        ok = agg.filter(complete)
        partial = _withheld(agg.filter(~complete), "not every member local authority published a count and denominator")
        if indicator.method == "proportion":
            values = stats.proportion(ok, numerator="count", denominator="denominator",
                                      multiplier=indicator.multiplier, confidences=CONFIDENCES)
        else:
            values = stats.crude_rate(ok, count="count", denominator="denominator",
                                      multiplier=indicator.multiplier, confidences=CONFIDENCES)
        values = values.drop("method").rename({"count": "numerator"})
        out += [_shape(values, indicator), _shape(partial.rename({"count": "numerator"}), indicator)]
    return pl.concat(out)


# --------------------------------------------------------------------------------------------- gradients


GRADIENT_KEYS = ["level", "area_code", "financial_year", "measure", "quantile_type", "quantile", "age_band"]


def quantile_rows(activity: pl.DataFrame, population: pl.DataFrame) -> pl.DataFrame:
    """Every population stratum of every quantile for every measure, with its activity (0 where none).

    activity: level x area x financial_year x measure x quantile_type x quantile x age_band `activity`
    (assets/sql/indicators/activity_by_quantile.sql); population: the same without the measure, with
    `population`, `period` and `imd_edition` (population_by_quantile.sql). Activity in a stratum without
    residents is kept (population 0), so the quantiles still sum to the area's activity.
    """
    labels = population.select("financial_year", "period", "imd_edition").unique()
    grid = population.drop("period", "imd_edition").join(activity.select("measure").unique(), how="cross")
    rows = grid.join(activity, on=GRADIENT_KEYS, how="full", coalesce=True)
    return rows.join(labels, on="financial_year", how="left").with_columns(
        pl.col("activity").fill_null(0.0), pl.col("population").fill_null(0.0))


def deprivation_gradients(rows: pl.DataFrame, settings: Settings, crude_multiplier: float = 1000,
                          dsr_multiplier: float = 100_000) -> pl.DataFrame:
    """Crude rate and DSR of each activity measure in each deprivation quantile of each area.

    rows: one row per level x area x financial_year (+ period, imd_edition) x measure x quantile_type x
    quantile x age_band with `activity` and `population` (`quantile_rows`).
    """
    groups = ["measure", "financial_year", "period", "level", "area_code", "imd_edition", "quantile_type", "quantile"]
    totals = rows.group_by(groups, maintain_order=True).agg(pl.col("activity").sum(), pl.col("population").sum())
    crude_ok = totals.filter(pl.col("population") > 0)
    crude = stats.crude_rate(crude_ok, count="activity", denominator="population", multiplier=crude_multiplier,
                             confidences=0.95).select(
        *groups, pl.col("value").alias("crude_rate"), pl.col("lower_ci_95").alias("crude_lower_ci_95"),
        pl.col("upper_ci_95").alias("crude_upper_ci_95"))
    bad = _bands_without_residents(rows, groups)
    no_residents = totals.filter(~(pl.col("population") > 0)).select(groups)
    ok = rows.join(bad, on=groups, how="anti").join(no_residents, on=groups, how="anti")
    dsr = stats.dsr(ok, group_by=groups, age_band="age_band", count="activity", population="population",
                    multiplier=dsr_multiplier, confidences=CONFIDENCES, min_count=settings.dsr_min_count)
    dsr = dsr.select(*groups, pl.col("value").alias("dsr"),
                     *[pl.col(c).alias(f"dsr_{c}") for c in LIMITS], "suppressed", "suppression_reason")
    out = totals.join(crude, on=groups, how="left").join(dsr, on=groups, how="left")
    reason_bad = bad.with_columns(pl.lit(EMPTY_AGE_BAND).alias("__r__"))
    reason_empty = no_residents.with_columns(pl.lit("no residents in the quantile").alias("__r__"))
    reasons = pl.concat([reason_bad, reason_empty]).unique(subset=groups, keep="first")
    out = out.join(reasons, on=groups, how="left").with_columns(
        pl.coalesce("suppression_reason", "__r__").alias("suppression_reason"),
        (pl.col("suppressed").fill_null(False) | pl.col("__r__").is_not_null()).alias("suppressed"),
    ).drop("__r__")
    return out.sort(groups)


def inequality_summary(gradients: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """Most / least deprived ratio and gap, SII and RII (stats.sii, on the quantiles' DSRs) per area.

    The SII is oriented so that a positive value means higher rates in more deprived quantiles: quantiles are
    passed to stats.sii least deprived first, so its slope runs from the least to the most deprived end and
    RII = most / least. An SII is computed when every quantile has a DSR; otherwise `reason` says why.
    """
    groups = ["measure", "financial_year", "period", "level", "area_code", "imd_edition", "quantile_type"]
    n_expected = pl.when(pl.col("quantile_type").str.ends_with("decile")).then(10).otherwise(5)
    summary = gradients.group_by(groups, maintain_order=True).agg(
        pl.col("dsr").is_not_null().sum().cast(pl.Int32).alias("n_quantiles_populated"),
        pl.col("dsr").filter(pl.col("quantile") == 1).first().alias("most_deprived_rate"),
        pl.col("dsr").filter(pl.col("quantile") == pl.col("quantile").max()).first().alias("__least__"),
        pl.col("quantile").max().alias("__qmax__"),
    ).with_columns(n_expected.cast(pl.Int32).alias("n_quantiles"))
    summary = summary.with_columns(
        pl.when(pl.col("__qmax__") == pl.col("n_quantiles")).then(pl.col("__least__")).alias("least_deprived_rate"),
    ).drop("__least__", "__qmax__").with_columns(
        (pl.col("most_deprived_rate") / pl.col("least_deprived_rate")).alias("rate_ratio"),
        (pl.col("most_deprived_rate") - pl.col("least_deprived_rate")).alias("rate_gap"),
    )
    eligible = summary.filter(pl.col("n_quantiles_populated") == pl.col("n_quantiles")).select(groups)

    sii_cols = ["sii", "sii_lower_ci_95", "sii_upper_ci_95", "sii_lower_ci_99_8", "sii_upper_ci_99_8",
                "rii", "rii_lower_ci_95", "rii_upper_ci_95", "rii_lower_ci_99_8", "rii_upper_ci_99_8"]
    sii_schema = {**{g: gradients.schema[g] for g in groups}, **{c: pl.Float64 for c in sii_cols},
                  "sii_repetitions": pl.Int64}
    parts = [pl.DataFrame(schema=sii_schema)]
    data = gradients.join(eligible, on=groups, how="semi").with_columns(
        (pl.col("quantile").max().over(groups) + 1 - pl.col("quantile")).alias("__rank_from_least__"),
        pl.col("quantile").max().over(groups).alias("__k__"))
    # stats.sii takes one number of quantiles per call: deciles and quintiles separately
    for (_,), part in data.partition_by("__k__", as_dict=True).items():
        sii = stats.sii(part, group_by=groups, quantile="__rank_from_least__", population="population", value="dsr",
                        lower_ci="dsr_lower_ci_95", upper_ci="dsr_upper_ci_95", value_type=1,
                        repetitions=settings.sii_repetitions, confidence=CONFIDENCES, seed=settings.sii_seed)
        parts.append(sii.select(*groups, *sii_cols, pl.col("repetitions").alias("sii_repetitions")))
    sii = pl.concat(parts, how="vertical_relaxed")
    summary = summary.join(sii, on=groups, how="left")
    reason = (
        pl.when(pl.col("sii").is_not_null()).then(None)
        .otherwise(pl.format(
            "only {} of {} quantiles have a rate (residents and at least {} events); SII needs all of them",
            "n_quantiles_populated", "n_quantiles", pl.lit(f"{settings.dsr_min_count:g}")))
    )
    return summary.with_columns(
        pl.col("sii").is_not_null().alias("sii_computed"),
        reason.alias("reason"),
        pl.lit("per 100,000 (DSR, ESP2013)").alias("rate_unit"),
    ).sort(groups)


def sii_indicators(summary: pl.DataFrame, gradients: pl.DataFrame, indicators: Iterable[Indicator],
                   settings: Settings) -> pl.DataFrame:
    """SII rows of fct_indicator_values: one quantile set (the indicator's options.quantile) per area."""
    out = [empty_values()]
    keys = ["measure", "financial_year", "period", "level", "area_code", "quantile_type"]
    totals = gradients.group_by(keys).agg(pl.col("activity").sum().alias("numerator"),
                                          pl.col("population").sum().alias("denominator"))
    for indicator in indicators:
        qtype = indicator.options.get("quantile", settings.sii_indicator_quantile)
        rows = _levels(summary.filter(pl.col("measure") == indicator.measure, pl.col("quantile_type") == qtype),
                       indicator).join(totals, on=keys, how="left")
        rows = rows.rename({"sii": "value", **{f"sii_{c}": c for c in LIMITS}}).with_columns(
            (~pl.col("sii_computed")).alias("suppressed"),
            pl.col("reason").alias("suppression_reason"),
        )
        out.append(_shape(rows, indicator))
    return pl.concat(out)


# --------------------------------------------------------------------------------------------- right drift


def growth_indicators(drift: pl.DataFrame, indicators: Iterable[Indicator]) -> pl.DataFrame:
    """Growth rows of fct_indicator_values from marts.fct_right_drift (base year itself excluded)."""
    out = [empty_values()]
    for indicator in indicators:
        rows = _levels(drift.filter(pl.col("measure") == indicator.measure), indicator).filter(
            pl.col("financial_year") > pl.col("base_financial_year"))
        rows = rows.select(
            "level", "area_code", "period",
            pl.col("activity").alias("numerator"),
            pl.col("base_activity").alias("denominator"),
            (pl.col("growth_pct") * indicator.multiplier / 100).alias("value"),
            pl.col("demographic_expected_activity").alias("expected"),
            pl.col("excess_over_demographic").alias("excess"),
            (pl.col("england_growth_pct") * indicator.multiplier / 100).alias("england_value"),
        )
        out.append(_shape(rows, indicator))
    return pl.concat(out)


# --------------------------------------------------------------------------------------------- assembly


def finalise(values: pl.DataFrame, catalogue: Catalogue) -> pl.DataFrame:
    """Attach England's value (where the method did not set it), the comparison with England at 95% and
    99.8% (stats.compare_with_benchmark, with the indicator's polarity), and the indicator's name and unit.

    Comparisons: England itself, methods without limits (growth, census ratios, weighted means, SII) and rows
    without a value or an England value are `not_compared`.
    """
    meta = pl.DataFrame(
        [(i.id, i.name, i.unit, "none" if i.polarity == "no_polarity" else i.polarity) for i in catalogue.indicators],
        schema={"indicator_id": pl.String, "indicator_name": pl.String, "unit": pl.String, "polarity": pl.String},
        orient="row",
    )
    england = values.filter(pl.col("level") == "england").select(
        "indicator_id", "period", pl.col("value").alias("__england__"))
    out = values.join(england, on=["indicator_id", "period"], how="left").with_columns(
        pl.coalesce("england_value", "__england__").alias("england_value")).drop("__england__")
    out = out.join(meta, on="indicator_id", how="left")
    uncompared = (pl.col("level") == "england") | pl.col("method").is_in(list(UNCOMPARED_METHODS))
    for suffix in ("95", "99_8"):
        label = stats.compare_with_benchmark_expr(f"lower_ci_{suffix}", f"upper_ci_{suffix}", "england_value",
                                                  polarity=pl.col("polarity"), value="value")
        out = out.with_columns(
            pl.when(uncompared).then(pl.lit("not_compared")).otherwise(label.fill_null("not_compared"))
            .alias(f"comparison_{suffix}"))
    return out.drop("polarity")


def published_growth_indicators(growth: pl.DataFrame, indicators: Iterable[Indicator], params: dict) -> pl.DataFrame:
    """Growth rows of fct_indicator_values from marts.fct_ae_published_growth: the system and England, for the
    first of the indicator's `options.comparisons` the mart holds for its measure (the comparison and base year
    are the mart's; the indicator's value is the system's growth, England's value England's)."""
    out = [empty_values()]
    for indicator in indicators:
        rows = growth.filter(pl.col("measure") == indicator.measure)
        held = set(rows["comparison"].to_list())
        chosen = next((c for c in indicator.options.get("comparisons", []) if c in held), None)
        if chosen is None:
            continue
        rows = rows.filter(pl.col("comparison") == chosen).with_columns(
            (pl.col("financial_year").cast(pl.String) + "/"
             + ((pl.col("financial_year") + 1) % 100).cast(pl.String).str.zfill(2)).alias("period"))
        system = rows.select(
            pl.lit("system").alias("level"), pl.lit(params["icb_code"]).alias("area_code"), "period",
            pl.col("system_value").alias("numerator"), pl.col("system_base").alias("denominator"),
            (pl.col("system_growth_pct") * indicator.multiplier / 100).alias("value"),
            (pl.col("england_growth_pct") * indicator.multiplier / 100).alias("england_value"))
        england = rows.select(
            pl.lit("england").alias("level"), pl.lit(params["england_code"]).alias("area_code"), "period",
            pl.col("england_value").alias("numerator"), pl.col("england_base").alias("denominator"),
            (pl.col("england_growth_pct") * indicator.multiplier / 100).alias("value"),
            (pl.col("england_growth_pct") * indicator.multiplier / 100).alias("england_value"))
        out.append(_shape(_levels(pl.concat([system, england]), indicator), indicator))
    return pl.concat(out)
