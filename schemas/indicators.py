"""One pandera model per indicator mart: validation, the table DDL and the data dictionary all come from here.

The indicator marts are built from the indicator catalogue (`config/indicators.yaml`) by `assets/indicators.py`.
Each model's docstring states the grain. `INDICATOR_MODELS` maps `marts.<table>` to its model.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.vocabulary import ACTIVITY_MEASURES
from schemas.vocabulary import LEVELS, METHOD_NAMES, PERIOD_TYPES, QUANTILE_TYPES

COMPARISONS = ["better", "similar", "worse", "higher", "lower", "not_compared"]
#: `method` values of fct_indicator_values: the catalogue's methods, and the per-weighted-capita variant
#: computed on a supplied weighted population.
VALUE_METHODS = [*METHOD_NAMES, "per_supplied_weighted_capita"]
GRADIENT_LEVELS = ["system", "footprint", "neighbourhood", "local_authority"]
DRIFT_LEVELS = ["england", "system", "footprint"]


class FctIndicatorValues(pa.DataFrameModel):
    """One row per indicator x level x area x period: value, confidence limits, England value and comparison."""

    indicator_id: str = pa.Field(description="Indicator id (config/indicators.yaml)")
    indicator_name: str = pa.Field(description="Indicator name")
    level: str = pa.Field(isin=list(LEVELS), description="Geography level (england ... lsoa)")
    area_code: str = pa.Field(description="Area code at that level")
    area_name: str = pa.Field(nullable=True, description="Area name")
    period: str = pa.Field(
        description="Period: '2023/24' (financial year), '2024-03' (month), 'IMD2019', or as published",
    )
    period_type: str = pa.Field(isin=list(PERIOD_TYPES), description="What the period is")
    numerator: float = pa.Field(nullable=True,
        description="Numerator: events, count, FTE (true, unsuppressed; fractional for neighbourhoods)",
    )
    denominator: float = pa.Field(nullable=True,
        description="Denominator: population, patients, LSOAs, base-year activity",
    )
    value: float = pa.Field(nullable=True, description="Indicator value in `unit` (null when suppressed)")
    lower_ci_95: float = pa.Field(nullable=True, description="Lower 95% confidence limit")
    upper_ci_95: float = pa.Field(nullable=True, description="Upper 95% confidence limit")
    lower_ci_99_8: float = pa.Field(nullable=True, description="Lower 99.8% confidence limit")
    upper_ci_99_8: float = pa.Field(nullable=True, description="Upper 99.8% confidence limit")
    unit: str = pa.Field(description="Unit of value (e.g. 'per 1,000 residents')")
    method: str = pa.Field(isin=VALUE_METHODS, description="Method (docs/indicators.md): crude_rate, dsr, isr ...")
    expected: float = pa.Field(nullable=True,
        description=("Expected events on England's age-sex rates (ISR, weighted capita) or on demographic growth "
                     "(growth)"),
    )
    excess: float = pa.Field(nullable=True, description="Observed - expected (events)")
    england_value: float = pa.Field(nullable=True, description="England's value of the indicator for the period")
    comparison_95: str = pa.Field(isin=COMPARISONS,
        description="Compared with England at 95% (Fingertips: benchmark outside the limits)",
    )
    comparison_99_8: str = pa.Field(isin=COMPARISONS, description="Compared with England at 99.8%")
    suppressed: bool = pa.Field(description="Value withheld (e.g. DSR on fewer than 10 events)")
    suppression_reason: str = pa.Field(nullable=True, description="Why the value is withheld or not compared")

    class Config:
        unique = ["indicator_id", "level", "area_code", "period"]

    @pa.dataframe_check(statistics={"columns": ["suppressed", "suppression_reason"]},
                        description="every suppressed row gives its reason")
    def suppressed_rows_give_a_reason(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(~pl.col("suppressed") | pl.col("suppression_reason").is_not_null())

    @pa.dataframe_check(statistics={"columns": ["value", "lower_ci_95", "upper_ci_95"]},
                        description="lower_ci_95 <= value <= upper_ci_95 where all are present")
    def value_within_limits(cls, data) -> pl.LazyFrame:
        v, lo, hi = pl.col("value"), pl.col("lower_ci_95"), pl.col("upper_ci_95")
        ok = (lo <= v * (1 + 1e-9) + 1e-9) & (v <= hi * (1 + 1e-9) + 1e-9)
        return data.lazyframe.select(ok.fill_null(True))


class FctDeprivationGradients(pa.DataFrameModel):
    """One row per activity measure x financial year x level x area x deprivation quantile: activity, residents, rates."""

    measure: str = pa.Field(isin=list(ACTIVITY_MEASURES), description="Activity measure")
    level: str = pa.Field(isin=GRADIENT_LEVELS, description="Geography level")
    area_code: str = pa.Field(description="Area code")
    area_name: str = pa.Field(nullable=True, description="Area name")
    financial_year: pl.Int32 = pa.Field(description="Financial year (2023 = FY2023/24)")
    period: str = pa.Field(description="Financial year label, e.g. '2023/24'")
    imd_edition: pl.Int32 = pa.Field(description="IMD edition of the quantiles (the profile's)")
    quantile_type: str = pa.Field(isin=list(QUANTILE_TYPES),
        description="national_decile, national_quintile, system_decile or system_quintile",
    )
    quantile: pl.Int32 = pa.Field(ge=1, le=10, description="Quantile, 1 = most deprived")
    activity: float = pa.Field(ge=0, description="Residents' activity in the quantile (fractional for neighbourhoods)")
    population: float = pa.Field(ge=0, description="Residents in the quantile")
    crude_rate: float = pa.Field(nullable=True, description="Crude rate per 1,000 residents")
    crude_lower_ci_95: float = pa.Field(nullable=True, description="Lower 95% limit of the crude rate")
    crude_upper_ci_95: float = pa.Field(nullable=True, description="Upper 95% limit of the crude rate")
    dsr: float = pa.Field(nullable=True, description="Directly age-standardised rate per 100,000 (ESP2013)")
    dsr_lower_ci_95: float = pa.Field(nullable=True, description="Lower 95% limit of the DSR (Dobson)")
    dsr_upper_ci_95: float = pa.Field(nullable=True, description="Upper 95% limit of the DSR (Dobson)")
    dsr_lower_ci_99_8: float = pa.Field(nullable=True, description="Lower 99.8% limit of the DSR")
    dsr_upper_ci_99_8: float = pa.Field(nullable=True, description="Upper 99.8% limit of the DSR")
    suppressed: bool = pa.Field(description="DSR withheld (fewer than 10 events, or no residents)")
    suppression_reason: str = pa.Field(nullable=True, description="Why the DSR is withheld")

    class Config:
        unique = ["measure", "financial_year", "level", "area_code", "quantile_type", "quantile"]


class FctInequalitySummary(pa.DataFrameModel):
    """One row per activity measure x financial year x level x area x quantile type: ratio, gap, SII and RII."""

    measure: str = pa.Field(isin=list(ACTIVITY_MEASURES), description="Activity measure")
    level: str = pa.Field(isin=GRADIENT_LEVELS, description="Geography level")
    area_code: str = pa.Field(description="Area code")
    area_name: str = pa.Field(nullable=True, description="Area name")
    financial_year: pl.Int32 = pa.Field(description="Financial year (2023 = FY2023/24)")
    period: str = pa.Field(description="Financial year label")
    imd_edition: pl.Int32 = pa.Field(description="IMD edition of the quantiles")
    quantile_type: str = pa.Field(isin=list(QUANTILE_TYPES), description="Quantile set")
    n_quantiles: pl.Int32 = pa.Field(description="Quantiles in the set (10 or 5)")
    n_quantiles_populated: pl.Int32 = pa.Field(
        description="Quantiles with a DSR (residents and at least the minimum events)",
    )
    rate_unit: str = pa.Field(description="Unit of the rates, gap and SII")
    most_deprived_rate: float = pa.Field(nullable=True, description="DSR in quantile 1 (most deprived)")
    least_deprived_rate: float = pa.Field(nullable=True, description="DSR in the least deprived quantile")
    rate_ratio: float = pa.Field(nullable=True, description="Most / least deprived DSR")
    rate_gap: float = pa.Field(nullable=True, description="Most - least deprived DSR")
    sii: float = pa.Field(nullable=True,
        description=("Slope index of inequality: modelled most - least deprived rate (positive = higher in more "
                     "deprived)"),
    )
    sii_lower_ci_95: float = pa.Field(nullable=True, description="SII lower 95% limit (simulated)")
    sii_upper_ci_95: float = pa.Field(nullable=True, description="SII upper 95% limit")
    sii_lower_ci_99_8: float = pa.Field(nullable=True, description="SII lower 99.8% limit")
    sii_upper_ci_99_8: float = pa.Field(nullable=True, description="SII upper 99.8% limit")
    rii: float = pa.Field(nullable=True,
        description="Relative index of inequality: modelled most / least deprived rate",
    )
    rii_lower_ci_95: float = pa.Field(nullable=True, description="RII lower 95% limit")
    rii_upper_ci_95: float = pa.Field(nullable=True, description="RII upper 95% limit")
    rii_lower_ci_99_8: float = pa.Field(nullable=True, description="RII lower 99.8% limit")
    rii_upper_ci_99_8: float = pa.Field(nullable=True, description="RII upper 99.8% limit")
    sii_repetitions: pl.Int64 = pa.Field(nullable=True, description="Monte Carlo draws behind the limits")
    sii_computed: bool = pa.Field(description="SII and RII were computed")
    reason: str = pa.Field(nullable=True, description="Why the SII (or ratio) is not computed")

    class Config:
        unique = ["measure", "financial_year", "level", "area_code", "quantile_type"]


class FctRightDrift(pa.DataFrameModel):
    """One row per activity measure x level (England, system, footprint) x area x financial year from the base year."""

    measure: str = pa.Field(isin=list(ACTIVITY_MEASURES), description="Activity measure")
    level: str = pa.Field(isin=DRIFT_LEVELS, description="Geography level")
    area_code: str = pa.Field(description="Area code")
    area_name: str = pa.Field(nullable=True, description="Area name")
    base_financial_year: pl.Int32 = pa.Field(description="Base financial year (the profile's; 2018 = FY2018/19)")
    financial_year: pl.Int32 = pa.Field(description="Financial year compared with the base")
    period: str = pa.Field(description="Financial year label")
    base_activity: float = pa.Field(gt=0, description="Residents' activity in the base year")
    activity: float = pa.Field(ge=0, description="Residents' activity in the year")
    growth_pct: float = pa.Field(description="Growth since the base year, %")
    base_population: float = pa.Field(description="Residents in the base year")
    population: float = pa.Field(description="Residents in the year")
    population_growth_pct: float = pa.Field(description="Population growth since the base year, %")
    demographic_expected_activity: float = pa.Field(
        description="Base activity x demographic growth: activity had only size and age changed",
    )
    demographic_growth_pct: float = pa.Field(
        description="Growth expected from population size and age alone (England's base-year age-sex rates), %",
    )
    excess_over_demographic: float = pa.Field(description="Activity - demographic expected activity")
    england_growth_pct: float = pa.Field(description="England's growth over the same years, %")
    england_demographic_growth_pct: float = pa.Field(description="England's demographic growth, %")
    drift_vs_england_pp: float = pa.Field(description="growth_pct - england_growth_pct (percentage points)")
    drift_vs_demographic_pp: float = pa.Field(description="growth_pct - demographic_growth_pct (percentage points)")

    class Config:
        unique = ["measure", "level", "area_code", "financial_year"]


class FctIndicatorAvailability(pa.DataFrameModel):
    """One row per catalogue indicator x level it is published at: whether the profile's data allow it, and why
    not (the inputs missing and what would supply them). Declared by the indicators' `inputs` and the profile's
    `sources`, never inferred from empty tables."""

    indicator_id: str = pa.Field(description="Indicator id (config/indicators.yaml)")
    indicator_name: str = pa.Field(description="Indicator name")
    family: str = pa.Field(description="Indicator family")
    level: str = pa.Field(isin=list(LEVELS), description="Geography level")
    available: bool = pa.Field(description="The profile holds every input the indicator needs at this level")
    inputs: str = pa.Field(description="The entities the indicator needs at this level (pipelines.sources)")
    missing_inputs: str = pa.Field(nullable=True, description="The inputs the profile does not hold")
    reason: str = pa.Field(nullable=True, description="Why it is unavailable: what would supply each missing input")
    synthetic_inputs: str = pa.Field(nullable=True, description="Inputs held whose rows are synthetic (demo data)")

    class Config:
        unique = ["indicator_id", "level"]


class WeightedPopulationFile(pa.DataFrameModel):
    """One row per area x financial year: a supplied need-weighted population (optional input).

    Read from `data/raw/<settings.weighted_population_file>` when present. `area_code`: the system's ICB code
    (ONS or NHS), a sub-ICB location code (ONS or NHS; footprints sum their sub-ICB locations) or England.
    """

    area_code: str = pa.Field(description="ICB, sub-ICB location or England code")
    financial_year: str = pa.Field(str_matches=r"^\d{4}/\d{2}$", description="Financial year, e.g. '2023/24'")
    weighted_population: float = pa.Field(gt=0, description="Need-weighted population")

    class Config:
        unique = ["area_code", "financial_year"]


INDICATOR_MODELS: dict[str, type[pa.DataFrameModel]] = {
    "fct_indicator_availability": FctIndicatorAvailability,
    "fct_deprivation_gradients": FctDeprivationGradients,
    "fct_inequality_summary": FctInequalitySummary,
    "fct_right_drift": FctRightDrift,
    "fct_indicator_values": FctIndicatorValues,
}
