"""One pandera model per mart of the public-data graph (assets/public.py) that has no counterpart in schemas.marts.

The public graph re-uses `DimGeography` and `DimPractices` unchanged; `dim_lsoa_deprivation` uses
`PublicDimLsoaDeprivation`, the demo model with the IMD score allowed to be empty (the IoD2019 files we hold,
Files 1, 2 and 6, carry ranks and deciles but no scores) and the population it is weighted by. Each docstring
states the grain. `PUBLIC_MART_MODELS` maps `marts.<table>` to its model.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.marts import LSOA, DimGeography, DimLsoaDeprivation, DimPractices

VINTAGES = [2011, 2021]
EDITIONS = [2015, 2019, 2025]
DEPRIVATION_LEVELS = ["england", "system", "footprint", "sub_icb", "local_authority"]
AE_SERIES = ["icb_monthly", "trust_monthly", "trust_by_type"]
AE_MEASURES = ["ae_attendances_all", "ae_attendances_type1", "emergency_admissions", "emergency_admissions_via_ae"]
AE_BASES = ["all_providers", "profile_providers", "nhs_trusts", "catchment_weighted"]
GP_LEVELS = ["england", "system", "footprint", "sub_icb"]
STAFF_GROUPS = ["gp_qualified", "gp_all", "nurses", "dpc", "admin"]


class PublicLsoaGeography(pa.DataFrameModel):
    """One row per LSOA of the system per boundary vintage (2011 and 2021): local authority, sub-ICB location,
    footprint and system, from the ONS LSOA -> sub-ICB -> ICB lookups (2022 for LSOA 2011, 2024 for LSOA 2021)."""

    lsoa_vintage: pl.Int32 = pa.Field(isin=VINTAGES, description="Census year of the LSOA boundaries")
    lsoa_code: str = pa.Field(str_matches=LSOA, description="LSOA code")
    lsoa_name: str = pa.Field(nullable=True, description="LSOA name")
    lad_code: str = pa.Field(nullable=True, description="Local authority district (2022), ONS code")
    lad_name: str = pa.Field(nullable=True, description="Local authority district name")
    sub_icb_code: str = pa.Field(description="Sub-ICB location (ONS code)")
    sub_icb_nhs_code: str = pa.Field(description="Sub-ICB location (NHS code, the former CCG)")
    sub_icb_name: str = pa.Field(nullable=True, description="Sub-ICB location name")
    footprint_code: str = pa.Field(description="Footprint (place) code, from the profile")
    footprint_name: str = pa.Field(description="Footprint (place) name, from the profile")
    system_code: str = pa.Field(description="ICB (ONS code)")
    system_name: str = pa.Field(nullable=True, description="ICB name")
    lookup_source: str = pa.Field(description="Manifest id of the LSOA -> ICB lookup")

    class Config:
        unique = ["lsoa_vintage", "lsoa_code"]


class PublicDimLsoaDeprivation(DimLsoaDeprivation):
    """One row per LSOA in England per IMD edition (2019 on LSOA 2011, 2025 on LSOA 2021): national score, rank,
    decile, quintile, deciles within the system, domains, and the population the profile weights by."""

    lad_code: str = pa.Field(nullable=True, description="Local authority district: the IoD file's, else the LSOA lookup's")
    imd_score: float = pa.Field(
        nullable=True, ge=0, description="IMD score (higher = more deprived); empty where the edition's files hold none"
    )
    population: pl.Int64 = pa.Field(nullable=True, ge=0, description="Resident population used as the weight")
    population_basis: str = pa.Field(nullable=True, description="Which population `population` is")
    iod_source: str = pa.Field(description="Manifest ids of the IoD files read")


class PublicDeprivationProfile(pa.DataFrameModel):
    """One row per IMD edition x area (England, the system, each footprint, sub-ICB location and local authority):
    the share of LSOAs and of residents in national IMD deciles 1-2 (the most deprived 20%) and decile 1, and the
    population-weighted IMD score."""

    imd_edition: pl.Int32 = pa.Field(isin=EDITIONS, description="IMD edition")
    lsoa_vintage: pl.Int32 = pa.Field(isin=VINTAGES, description="LSOA boundaries of the edition")
    level: str = pa.Field(isin=DEPRIVATION_LEVELS, description="Geography level")
    area_code: str = pa.Field(description="Area code (footprint code from the profile; others ONS or NHS codes)")
    area_name: str = pa.Field(nullable=True, description="Area name")
    lsoas: pl.Int64 = pa.Field(gt=0, description="LSOAs in the area")
    lsoas_decile_1_2: pl.Int64 = pa.Field(ge=0, description="LSOAs in national IMD deciles 1-2 (most deprived 20%)")
    pct_lsoas_decile_1_2: float = pa.Field(ge=0, le=100, description="% of the area's LSOAs in deciles 1-2")
    pct_lsoas_decile_1_2_lower: float = pa.Field(ge=0, le=100, description="95% Wilson lower limit of that %")
    pct_lsoas_decile_1_2_upper: float = pa.Field(ge=0, le=100, description="95% Wilson upper limit of that %")
    lsoas_decile_1: pl.Int64 = pa.Field(ge=0, description="LSOAs in national IMD decile 1 (most deprived 10%)")
    pct_lsoas_decile_1: float = pa.Field(ge=0, le=100, description="% of the area's LSOAs in decile 1")
    pct_lsoas_decile_1_lower: float = pa.Field(ge=0, le=100, description="95% Wilson lower limit of that %")
    pct_lsoas_decile_1_upper: float = pa.Field(ge=0, le=100, description="95% Wilson upper limit of that %")
    population: pl.Int64 = pa.Field(nullable=True, ge=0, description="Residents (see population_basis)")
    pct_population_decile_1_2: float = pa.Field(nullable=True, ge=0, le=100, description="% of residents in deciles 1-2")
    pct_population_decile_1: float = pa.Field(nullable=True, ge=0, le=100, description="% of residents in decile 1")
    imd_score_lsoa_mean: float = pa.Field(nullable=True, description="Unweighted mean of the LSOAs' IMD scores")
    imd_score_population_weighted: float = pa.Field(
        nullable=True, description="Population-weighted mean IMD score (empty without LSOA scores or populations)"
    )
    population_basis: str = pa.Field(nullable=True, description="Which population weights the residents' figures")
    note: str = pa.Field(nullable=True, description="Why a figure is empty")

    class Config:
        unique = ["imd_edition", "level", "area_code"]


class PublicAeMonthly(pa.DataFrameModel):
    """One row per published A&E series x organisation x month, from the organisation's first to its last month in
    the series. Months the publisher's file lacks are rows with `reported` false and empty counts: never filled."""

    series: str = pa.Field(isin=AE_SERIES, description="Which published series (see docs/real-data.md)")
    source_id: str = pa.Field(description="Manifest id of the file")
    month: pl.Date = pa.Field(description="Month (first day)")
    financial_year: pl.Int32 = pa.Field(description="Financial year of the month (2018 = FY2018/19)")
    org_level: str = pa.Field(isin=["icb", "trust"], description="ICB (system-level sheet) or provider")
    org_code: str = pa.Field(description="ICB GSS code or provider ODS code as published")
    org_code_current: str = pa.Field(
        nullable=True, description="Latest successor after mergers (ODS successions); itself if none; empty if split"
    )
    reported: bool = pa.Field(description="False: a month missing inside the organisation's series")
    is_system: bool = pa.Field(description="The organisation is the profile's ICB (ICB-level series)")
    is_profile_provider: bool = pa.Field(description="The provider (or its successor) is one of the profile's providers")
    is_nhs_trust: bool = pa.Field(description="The provider is an NHS trust (three-character R or T code)")
    catchment_share: float = pa.Field(
        nullable=True, ge=0, le=1,
        description="Share of the trust's activity attributed to the ICB (OHID catchments, via acute trusts); "
        "empty for non-trusts and trusts with no attribution",
    )
    attendances_all: pl.Int64 = pa.Field(nullable=True, ge=0, description="A&E attendances, all types")
    attendances_type1: pl.Int64 = pa.Field(nullable=True, ge=0, description="A&E attendances, type 1")
    attendances_type2: pl.Int64 = pa.Field(nullable=True, ge=0, description="A&E attendances, type 2")
    attendances_other: pl.Int64 = pa.Field(nullable=True, ge=0, description="A&E attendances, other types")
    attendances_over_4h: pl.Int64 = pa.Field(nullable=True, ge=0, description="Attendances over 4 hours")
    emergency_admissions: pl.Int64 = pa.Field(nullable=True, ge=0, description="Emergency admissions, total")
    emergency_admissions_via_ae: pl.Int64 = pa.Field(nullable=True, ge=0, description="Emergency admissions via A&E")

    class Config:
        unique = ["series", "org_code", "month"]


class PublicAeAnnual(pa.DataFrameModel):
    """One row per measure x area (system or England) x attribution basis x financial year: published A&E activity
    summed over the basis' organisations, with the months reported and the organisation-months missing."""

    measure: str = pa.Field(isin=AE_MEASURES, description="Activity measure")
    area_level: str = pa.Field(isin=["system", "england"], description="System or England")
    area_code: str = pa.Field(description="ICB or England (ONS code)")
    basis: str = pa.Field(isin=AE_BASES, description="Which organisations are summed (docs/real-data.md)")
    financial_year: pl.Int32 = pa.Field(description="Financial year (2018 = FY2018/19)")
    activity: float = pa.Field(ge=0, description="Attendances or admissions (fractional for catchment_weighted)")
    months: pl.Int64 = pa.Field(ge=1, le=12, description="Months of the year with data")
    complete: bool = pa.Field(description="All 12 months present")
    organisations: pl.Int64 = pa.Field(ge=1, description="Organisations contributing")
    org_months_missing: pl.Int64 = pa.Field(ge=0, description="Organisation-months missing inside series (not filled)")
    series: str = pa.Field(description="Series the figure comes from")

    class Config:
        unique = ["measure", "area_level", "basis", "financial_year"]


class PublicAeRightDrift(pa.DataFrameModel):
    """One row per measure x comparison (system basis against England basis) x base year x later financial year:
    growth of the system and of England since the base year and the drift (system growth - England growth)."""

    measure: str = pa.Field(isin=AE_MEASURES, description="Activity measure")
    comparison: str = pa.Field(description="Comparison name")
    system_basis: str = pa.Field(isin=AE_BASES, description="Basis of the system figures")
    england_basis: str = pa.Field(isin=AE_BASES, description="Basis of the England figures")
    like_for_like: bool = pa.Field(description="Both sides count the same kind of provider")
    base_financial_year: pl.Int32 = pa.Field(description="Base financial year")
    financial_year: pl.Int32 = pa.Field(description="Later financial year")
    system_base: float = pa.Field(ge=0, description="System activity in the base year")
    system_value: float = pa.Field(ge=0, description="System activity in the year")
    system_growth_pct: float = pa.Field(description="System growth since the base year, %")
    england_base: float = pa.Field(ge=0, description="England activity in the base year")
    england_value: float = pa.Field(ge=0, description="England activity in the year")
    england_growth_pct: float = pa.Field(description="England growth since the base year, %")
    drift_pp: float = pa.Field(description="System growth - England growth, percentage points")
    system_index_vs_england: float = pa.Field(description="(1 + system growth) / (1 + England growth) x 100")
    org_months_missing: pl.Int64 = pa.Field(ge=0, description="Organisation-months missing in the two years, both sides")
    description: str = pa.Field(description="What the comparison counts")

    class Config:
        unique = ["measure", "comparison", "base_financial_year", "financial_year"]


class PublicGpWorkforce(pa.DataFrameModel):
    """One row per system GP practice x calendar year: annual mean registered patients and FTE by staff group
    (NHS England GP Workforce, practice level, as compiled by the Health Equity Evidence Centre)."""

    practice_code: str = pa.Field(description="GP practice (ODS code)")
    year: pl.Int64 = pa.Field(description="Calendar year the monthly extracts were averaged over")
    workforce_icb_name: str = pa.Field(description="ICB name in the workforce file")
    neighbourhood_code: str = pa.Field(nullable=True, description="PCN in the practice map (empty: not in the map)")
    sub_icb_nhs_code: str = pa.Field(nullable=True, description="Sub-ICB location in the practice map")
    footprint_code: str = pa.Field(nullable=True, description="Footprint (profile) of that sub-ICB location")
    registered_patients: float = pa.Field(ge=0, description="Registered patients (annual mean; TOTAL_PATIENTS)")
    gp_fte_qualified: float = pa.Field(nullable=True, ge=0, description="TOTAL_GP_EXTGL_FTE: fully qualified GPs "
                                       "excluding trainees and locums")
    gp_fte_locums_trainees: float = pa.Field(nullable=True, ge=0, description="TOTAL_LOCUUM_TRN_FTE: locums and trainees")
    gp_fte_all: float = pa.Field(nullable=True, ge=0, description="gp_fte_qualified + gp_fte_locums_trainees")
    nurses_fte: float = pa.Field(nullable=True, ge=0, description="TOTAL_NURSES_FTE")
    dpc_fte: float = pa.Field(nullable=True, ge=0, description="TOTAL_DPC_FTE: direct patient care")
    admin_fte: float = pa.Field(nullable=True, ge=0, description="TOTAL_ADMIN_FTE")

    class Config:
        unique = ["practice_code", "year"]


class PublicGpCapacity(pa.DataFrameModel):
    """One row per calendar year x area (England, system, footprint, sub-ICB location) x staff group: FTE per
    100,000 registered patients, against England. Practices that report no FTE for the group are left out of
    both numerator and denominator."""

    year: pl.Int64 = pa.Field(description="Calendar year (annual mean of monthly extracts; the last may be partial)")
    level: str = pa.Field(isin=GP_LEVELS, description="Geography level")
    area_code: str = pa.Field(description="Area code")
    area_name: str = pa.Field(nullable=True, description="Area name")
    staff_group: str = pa.Field(isin=STAFF_GROUPS, description="Staff group")
    source_columns: str = pa.Field(description="The publisher's columns summed")
    practices: pl.Int64 = pa.Field(ge=0, description="Practices with the group's FTE reported")
    practices_without_fte: pl.Int64 = pa.Field(ge=0, description="Practices left out: FTE not reported")
    registered_patients: float = pa.Field(ge=0, description="Registered patients of the practices counted")
    fte: float = pa.Field(ge=0, description="FTE")
    fte_per_100k: float = pa.Field(nullable=True, ge=0, description="FTE per 100,000 registered patients")
    england_fte_per_100k: float = pa.Field(nullable=True, ge=0, description="England's FTE per 100,000")
    pct_vs_england: float = pa.Field(nullable=True, description="(rate / England rate - 1) x 100")

    class Config:
        unique = ["year", "level", "area_code", "staff_group"]


class PublicUnavailable(pa.DataFrameModel):
    """One row per indicator the needs assessment asks for that the public data cannot give, with the reason."""

    indicator: str = pa.Field(unique=True, description="Indicator (and level) that is not produced")
    published_figure: str = pa.Field(nullable=True, description="What the ICB published for it, if anything")
    reason: str = pa.Field(description="Why public data cannot give it")
    needs: str = pa.Field(description="What would make it available")


class PublicHeadlineFigures(pa.DataFrameModel):
    """One row per headline figure: the value the public-data run gives beside the figure the ICB published
    (profile `public.published`), the difference, and the reason for it."""

    figure_id: str = pa.Field(description="Figure id")
    variant: str = pa.Field(description="Which variant of the pipeline's figure (edition, basis, year)")
    indicator: str = pa.Field(description="What is measured")
    published_value: float = pa.Field(nullable=True, description="The ICB's published value")
    published_text: str = pa.Field(nullable=True, description="The ICB's words")
    pipeline_value: float = pa.Field(nullable=True, description="The value the public data give (empty: cannot)")
    unit: str = pa.Field(description="Unit (% or pp)")
    difference: float = pa.Field(nullable=True, description="pipeline_value - published_value")
    source_table: str = pa.Field(description="Mart the value comes from")
    explanation: str = pa.Field(description="Definition used and why it differs from the published figure")

    class Config:
        unique = ["figure_id", "variant"]


PUBLIC_MART_MODELS: dict[str, type[pa.DataFrameModel]] = {
    "public_lsoa_geography": PublicLsoaGeography,
    "dim_geography": DimGeography,
    "dim_practices": DimPractices,
    "dim_lsoa_deprivation": PublicDimLsoaDeprivation,
    "public_deprivation_profile": PublicDeprivationProfile,
    "public_ae_monthly": PublicAeMonthly,
    "public_ae_annual": PublicAeAnnual,
    "public_ae_right_drift": PublicAeRightDrift,
    "public_gp_workforce": PublicGpWorkforce,
    "public_gp_capacity": PublicGpCapacity,
    "public_unavailable": PublicUnavailable,
    "public_headline_figures": PublicHeadlineFigures,
}
