"""One pandera model per mart table: validation, the table DDL and the data dictionary all come from here.

Each model's docstring states the grain. `MART_MODELS` maps `marts.<table>` to its model.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.vocabulary import ACTIVITY_MEASURES, ESP2013_AGE_BANDS, STAFF_GROUPS
from schemas.vocabulary import SEXES_KNOWN as SEXES_KNOWN_

LSOA = r"^E01\d{6}$"
SEXES = ["M", "F", "U"]  # activity: known sexes and not known
SEXES_KNOWN = list(SEXES_KNOWN_)
LEVELS = ["system", "footprint", "neighbourhood", "local_authority", "lsoa"]


def _code(description: str, **kwargs) -> object:
    return pa.Field(description=description, **kwargs)


class DimGeography(pa.DataFrameModel):
    """One row per LSOA of the system: LSOA -> local authority, sub-ICB location, footprint, neighbourhood, system."""

    lsoa_code: str = pa.Field(str_matches=LSOA, unique=True, description="LSOA code (vintage in lsoa_vintage)")
    lsoa_name: str = pa.Field(description="LSOA name")
    lsoa_vintage: pl.Int32 = pa.Field(isin=[2011, 2021], description="Census year of the LSOA boundaries")
    lad_code: str = pa.Field(description="Local authority district (ONS code)")
    lad_name: str = pa.Field(description="Local authority district name")
    sub_icb_code: str = pa.Field(description="Sub-ICB location (ONS code)")
    sub_icb_nhs_code: str = pa.Field(description="Sub-ICB location (NHS code, the former CCG)")
    sub_icb_name: str = pa.Field(description="Sub-ICB location name")
    footprint_code: str = pa.Field(description="Footprint (place) code, from the profile")
    footprint_name: str = pa.Field(description="Footprint (place) name, from the profile")
    neighbourhood_code: str = pa.Field(nullable=True, description="Best-fit PCN (neighbourhood) by registrations")
    neighbourhood_name: str = pa.Field(nullable=True, description="Best-fit PCN name")
    neighbourhood_share: float = pa.Field(
        nullable=True, ge=0, le=1, description="Share of the LSOA's registered patients held by that PCN"
    )
    system_code: str = pa.Field(description="ICB (ONS code)")
    system_name: str = pa.Field(description="ICB name")
    geography_version: str = pa.Field(description="Profile, LSOA vintage and IMD edition the hierarchy was built on")


class DimAreas(pa.DataFrameModel):
    """One row per area at each level (system, footprint, neighbourhood, local authority, LSOA), with its parent."""

    level: str = pa.Field(isin=LEVELS, description="Geography level")
    area_code: str = pa.Field(description="Area code at that level")
    area_name: str = pa.Field(nullable=True, description="Area name")
    parent_level: str = pa.Field(nullable=True, description="Level of the parent area (null for the system)")
    parent_code: str = pa.Field(nullable=True, description="Parent area code")
    geography_version: str = pa.Field(description="Geography version (see dim_geography)")

    class Config:
        unique = ["level", "area_code"]


class DimPractices(pa.DataFrameModel):
    """One row per GP practice of the system: PCN (neighbourhood), sub-ICB location, footprint, system."""

    practice_code: str = pa.Field(unique=True, description="GP practice (ODS code)")
    practice_name: str = pa.Field(description="Practice name")
    practice_postcode: str = pa.Field(nullable=True, description="Practice postcode")
    neighbourhood_code: str = pa.Field(description="Primary care network (PCN) code")
    neighbourhood_name: str = pa.Field(description="PCN name")
    sub_icb_code: str = pa.Field(description="Sub-ICB location (ONS code)")
    sub_icb_nhs_code: str = pa.Field(description="Sub-ICB location (NHS code)")
    sub_icb_name: str = pa.Field(description="Sub-ICB location name")
    footprint_code: str = pa.Field(description="Footprint code")
    footprint_name: str = pa.Field(description="Footprint name")
    system_code: str = pa.Field(description="ICB (ONS code)")
    system_name: str = pa.Field(description="ICB name")
    mapping_extract_date: pl.Date = pa.Field(description="Extract date of the practice mapping file")


class DimLsoaDeprivation(pa.DataFrameModel):
    """One row per LSOA in England per IMD edition: national score, rank, decile, quintile; system deciles."""

    imd_edition: pl.Int32 = pa.Field(isin=[2015, 2019, 2025], description="IMD edition")
    lsoa_code: str = pa.Field(str_matches=LSOA, description="LSOA code")
    lsoa_vintage: pl.Int32 = pa.Field(isin=[2011, 2021], description="LSOA boundary vintage of the edition")
    lad_code: str = pa.Field(nullable=True, description="Local authority district in the IoD file")
    in_system: bool = pa.Field(description="LSOA lies in the profile's ICB")
    footprint_code: str = pa.Field(nullable=True, description="Footprint of a system LSOA (either vintage)")
    imd_score: float = pa.Field(nullable=True, ge=0, description="IMD score (higher = more deprived; null where the "
                                "edition's files held carry no scores, e.g. IoD2019 Files 1, 2 and 6)")
    imd_rank: pl.Int64 = pa.Field(ge=1, description="National IMD rank (1 = most deprived)")
    imd_decile: pl.Int64 = pa.Field(ge=1, le=10, description="National IMD decile (1 = most deprived 10%)")
    imd_quintile: pl.Int32 = pa.Field(ge=1, le=5, description="National IMD quintile (1 = most deprived 20%)")
    system_imd_decile: pl.Int64 = pa.Field(
        nullable=True, ge=1, le=10, description="Decile ranked within the system (equal LSOA counts)"
    )
    system_imd_quintile: pl.Int64 = pa.Field(
        nullable=True, ge=1, le=5, description="Quintile ranked within the system (equal LSOA counts)"
    )
    income_score: float = pa.Field(nullable=True, description="Income domain score (rate)")
    income_decile: pl.Int64 = pa.Field(nullable=True, description="Income domain national decile")
    employment_score: float = pa.Field(nullable=True, description="Employment domain score (rate)")
    employment_decile: pl.Int64 = pa.Field(nullable=True, description="Employment domain national decile")
    education_score: float = pa.Field(nullable=True, description="Education, skills and training score")
    education_decile: pl.Int64 = pa.Field(nullable=True, description="Education domain national decile")
    health_score: float = pa.Field(nullable=True, description="Health deprivation and disability score")
    health_decile: pl.Int64 = pa.Field(nullable=True, description="Health domain national decile")
    crime_score: float = pa.Field(nullable=True, description="Crime domain score")
    crime_decile: pl.Int64 = pa.Field(nullable=True, description="Crime domain national decile")
    housing_services_score: float = pa.Field(nullable=True, description="Barriers to housing and services score")
    housing_services_decile: pl.Int64 = pa.Field(nullable=True, description="Barriers domain national decile")
    living_environment_score: float = pa.Field(nullable=True, description="Living environment score")
    living_environment_decile: pl.Int64 = pa.Field(nullable=True, description="Living environment national decile")
    population: pl.Int64 = pa.Field(nullable=True, ge=0, description="Residents weighting the deprivation profile")
    population_basis: str = pa.Field(nullable=True, description="What `population` is: the IoD's own denominators, "
                                     "or the ONS estimate used")

    class Config:
        unique = ["imd_edition", "lsoa_code"]


class FctPracticeDeprivation(pa.DataFrameModel):
    """One row per system GP practice x IMD edition: the IMD score of its registered population (OHID Fingertips
    93553), its neighbourhood, footprint and registered patients, and England's score."""

    imd_edition: pl.Int32 = pa.Field(description="IMD edition the scores are on")
    practice_code: str = pa.Field(description="GP practice (ODS code)")
    neighbourhood_code: str = pa.Field(nullable=True, description="PCN")
    footprint_code: str = pa.Field(description="Footprint")
    system_code: str = pa.Field(description="ICB (ONS code)")
    imd_score: float = pa.Field(ge=0, description="IMD score of the practice's registered population")
    registered_patients: float = pa.Field(nullable=True, ge=0, description="Registered patients, latest period held")
    patients_month: pl.Date = pa.Field(nullable=True, description="Period of registered_patients (fct_gp_workforce)")
    england_imd_score: float = pa.Field(nullable=True, description="England's published score, same edition")

    class Config:
        unique = ["imd_edition", "practice_code"]


class FctPopulation(pa.DataFrameModel):
    """One row per system LSOA x financial year x ESP2013 age band x sex: resident population (ONS mid-year)."""

    lsoa_code: str = pa.Field(str_matches=LSOA, description="LSOA of residence")
    financial_year: pl.Int32 = pa.Field(description="Financial year (2018 = FY2018/19); mid-year estimate of that year")
    age_band: str = pa.Field(isin=list(ESP2013_AGE_BANDS), description="ESP2013 five-year age band")
    sex: str = pa.Field(isin=[*SEXES_KNOWN, "P"], description="Sex (M/F; P = persons, where the estimates held "
                        "do not split by sex)")
    population: pl.Int64 = pa.Field(ge=0, description="Resident population")

    class Config:
        unique = ["lsoa_code", "financial_year", "age_band", "sex"]


class FctEnglandPopulation(pa.DataFrameModel):
    """One row per financial year x ESP2013 age band x sex: England's resident population."""

    financial_year: pl.Int32 = pa.Field(description="Financial year (mid-year estimate of its first year)")
    age_band: str = pa.Field(isin=list(ESP2013_AGE_BANDS), description="ESP2013 five-year age band")
    sex: str = pa.Field(isin=[*SEXES_KNOWN, "P"], description="Sex (M/F; P = persons, for years held only so)")
    population: pl.Int64 = pa.Field(ge=0, description="Resident population of England")

    class Config:
        unique = ["financial_year", "age_band", "sex"]


class FctActivity(pa.DataFrameModel):
    """One row per system LSOA of residence x month x age band x sex x activity measure (zero rows omitted)."""

    lsoa_code: str = pa.Field(str_matches=LSOA, description="LSOA of residence")
    month: pl.Date = pa.Field(description="Month of arrival / admission (first day)")
    financial_year: pl.Int32 = pa.Field(description="Financial year of the month (2018 = FY2018/19)")
    age_band: str = pa.Field(isin=list(ESP2013_AGE_BANDS), description="ESP2013 age band at arrival / admission")
    sex: str = pa.Field(isin=SEXES, description="Sex (M/F; U = not known, not stated or indeterminate)")
    measure: str = pa.Field(isin=list(ACTIVITY_MEASURES), description="Activity measure")
    activity: pl.Int64 = pa.Field(gt=0, description="Attendances, admissions or bed days")

    class Config:
        unique = ["lsoa_code", "month", "age_band", "sex", "measure"]


class FctEnglandActivity(pa.DataFrameModel):
    """One row per financial year x measure x ESP2013 age band x sex: England's activity (national summaries)."""

    financial_year: pl.Int32 = pa.Field(description="Financial year (2018 = FY2018/19)")
    measure: str = pa.Field(isin=list(ACTIVITY_MEASURES), description="Activity measure")
    age_band: str = pa.Field(isin=list(ESP2013_AGE_BANDS), description="ESP2013 age band")
    sex: str = pa.Field(isin=SEXES_KNOWN, description="Sex (M/F)")
    activity: pl.Int64 = pa.Field(ge=0, description="England's attendances, admissions or bed days")

    class Config:
        unique = ["financial_year", "measure", "age_band", "sex"]


class FctAeMonthlyProviders(pa.DataFrameModel):
    """One row per published series x provider x month: NHS England's A&E attendances and emergency admissions."""

    series: str = pa.Field(description="The published compilation (provider_monthly, trust_monthly, trust_by_type)")
    month: pl.Date = pa.Field(description="Month (first day)")
    financial_year: pl.Int32 = pa.Field(description="Financial year of the month")
    provider_code: str = pa.Field(description="Provider (NHS trust) code")
    provider_name: str = pa.Field(nullable=True, description="Provider name")
    parent_org: str = pa.Field(nullable=True, description="Parent organisation as published")
    is_system_provider: bool = pa.Field(description="Provider serves the system (profile `providers`)")
    attendances_all: pl.Int64 = pa.Field(nullable=True, ge=0, description="A&E attendances, all types")
    attendances_type1: pl.Int64 = pa.Field(nullable=True, ge=0, description="A&E attendances, type 1")
    attendances_type2: pl.Int64 = pa.Field(nullable=True, ge=0, description="A&E attendances, type 2")
    attendances_other: pl.Int64 = pa.Field(nullable=True, ge=0, description="A&E attendances, other departments (types 3-4)")
    emergency_admissions: pl.Int64 = pa.Field(nullable=True, ge=0, description="Emergency admissions (via A&E and other)")
    emergency_admissions_via_ae: pl.Int64 = pa.Field(nullable=True, ge=0, description="Emergency admissions via A&E")

    class Config:
        unique = ["series", "month", "provider_code"]


_FTE = dict(ge=0, nullable=True)


class FctGpWorkforce(pa.DataFrameModel):
    """One row per system practice x month: FTE by staff group and registered patients (NHS England GPW)."""

    practice_code: str = pa.Field(description="GP practice")
    month: pl.Date = pa.Field(description="Census month (first day), or January of the year whose mean the row is")
    period_kind: str = pa.Field(isin=["month", "calendar_year_mean"], description="month, or calendar_year_mean")
    financial_year: pl.Int32 = pa.Field(description="Financial year of the month")
    neighbourhood_code: str = pa.Field(nullable=True, description="PCN")
    footprint_code: str = pa.Field(nullable=True, description="Footprint (empty: a practice the map does not place)")
    system_code: str = pa.Field(description="ICB (ONS code)")
    registered_patients: float = pa.Field(ge=0, nullable=True, description="Patients registered at the practice")
    gp_fte_all: float = pa.Field(**_FTE, description="FTE GPs, all (incl. trainees and locums)")
    gp_fte_qualified: float = pa.Field(**_FTE, description="FTE fully qualified GPs excl. trainees and locums")
    gp_fte_trainees: float = pa.Field(**_FTE, description="FTE GP trainees")
    gp_fte_locums: float = pa.Field(**_FTE, description="FTE locum GPs")
    nurses_fte: float = pa.Field(**_FTE, description="FTE nurses")
    dpc_fte: float = pa.Field(**_FTE, description="FTE direct patient care staff")
    admin_fte: float = pa.Field(**_FTE, description="FTE admin / non-clinical staff")

    class Config:
        unique = ["practice_code", "month"]


class FctEnglandGpWorkforce(pa.DataFrameModel):
    """One row per month x staff group: England's FTE and the registered patients of the practices it covers."""

    month: pl.Date = pa.Field(description="Census month (first day), or January of the year averaged")
    period_kind: str = pa.Field(isin=["month", "calendar_year_mean"], description="month, or calendar_year_mean")
    financial_year: pl.Int32 = pa.Field(description="Financial year of the month")
    staff_group: str = pa.Field(isin=list(STAFF_GROUPS), description="Staff group: an FTE column of fct_gp_workforce")
    fte: float = pa.Field(**_FTE, description="FTE of the staff group in England (null: not published)")
    registered_patients: float = pa.Field(ge=0, description="Registered patients of the practices the FTE covers "
                                          "(England's whole list in the GPW national summary)")

    class Config:
        unique = ["month", "staff_group"]


class FctRegisteredPatients(pa.DataFrameModel):
    """One row per system practice x month x ESP2013 age band x sex: patients registered."""

    practice_code: str = pa.Field(description="GP practice")
    month: pl.Date = pa.Field(description="Extract month (first day)")
    financial_year: pl.Int32 = pa.Field(description="Financial year of the month")
    age_band: str = pa.Field(isin=list(ESP2013_AGE_BANDS), description="ESP2013 age band")
    sex: str = pa.Field(isin=SEXES, description="Sex")
    patients: pl.Int64 = pa.Field(ge=0, description="Registered patients")

    class Config:
        unique = ["practice_code", "month", "age_band", "sex"]


class FctPracticeLsoaRegistrations(pa.DataFrameModel):
    """One row per system practice x LSOA of residence x extract month: registered patients and LSOA share."""

    practice_code: str = pa.Field(description="GP practice")
    lsoa_code: str = pa.Field(str_matches=LSOA, description="LSOA of residence")
    month: pl.Date = pa.Field(description="Extract month (first day)")
    neighbourhood_code: str = pa.Field(description="The practice's PCN")
    patients: pl.Int64 = pa.Field(ge=0, description="Registered patients living in the LSOA")
    lsoa_share: float = pa.Field(ge=0, le=1, description="Share of the LSOA's (system-practice) registrations")

    class Config:
        unique = ["practice_code", "lsoa_code", "month"]


class FctJsnaIndicatorValues(pa.DataFrameModel):
    """One row per JSNA indicator x area (England or a system local authority) x sex x age x category x period."""

    indicator_id: pl.Int64 = pa.Field(description="Fingertips indicator ID")
    indicator_name: str = pa.Field(description="Indicator name")
    level: str = pa.Field(isin=["england", "local_authority"], description="Area level")
    area_code: str = pa.Field(description="Area code")
    area_name: str = pa.Field(nullable=True, description="Area name")
    sex: str = pa.Field(description="Sex as published (Persons/Male/Female)")
    age: str = pa.Field(nullable=True, description="Age group as published (empty where the extract gives none)")
    category_type: str = pa.Field(nullable=True, description="Category type (empty when none)")
    category: str = pa.Field(nullable=True, description="Category (empty when none)")
    period: str = pa.Field(description="Time period as published")
    period_sortable: pl.Int64 = pa.Field(nullable=True, description="Sortable period (Fingertips)")
    value: float = pa.Field(nullable=True, description="Indicator value")
    lower_ci_95: float = pa.Field(nullable=True, description="Lower 95% confidence limit")
    upper_ci_95: float = pa.Field(nullable=True, description="Upper 95% confidence limit")
    lower_ci_99_8: float = pa.Field(nullable=True, description="Lower 99.8% confidence limit")
    upper_ci_99_8: float = pa.Field(nullable=True, description="Upper 99.8% confidence limit")
    count: float = pa.Field(nullable=True, ge=0, description="Numerator count")
    denominator: float = pa.Field(nullable=True, ge=0, description="Denominator")
    value_note: str = pa.Field(nullable=True, description="Value note as published")
    compared_to_england: str = pa.Field(nullable=True, description="Fingertips comparison with England")


AE_SERIES = ["icb_monthly", "trust_monthly", "trust_by_type", "provider_monthly"]
AE_MEASURES = ["ae_attendances_all", "ae_attendances_type1", "emergency_admissions", "emergency_admissions_via_ae"]
AE_BASES = ["all_providers", "profile_providers", "nhs_trusts", "catchment_weighted"]


class FctAePublishedMonthly(pa.DataFrameModel):
    """One row per published A&E series x organisation x month, from the organisation's first to its last month in
    the series. Months the publisher's file lacks are rows with `reported` false and empty counts: never filled."""

    series: str = pa.Field(isin=AE_SERIES, description="Which published series (see docs/real-data.md)")
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
    emergency_admissions: pl.Int64 = pa.Field(nullable=True, ge=0, description="Emergency admissions, total")
    emergency_admissions_via_ae: pl.Int64 = pa.Field(nullable=True, ge=0, description="Emergency admissions via A&E")

    class Config:
        unique = ["series", "org_code", "month"]


class FctAePublishedAnnual(pa.DataFrameModel):
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


class FctAePublishedGrowth(pa.DataFrameModel):
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


MART_MODELS: dict[str, type[pa.DataFrameModel]] = {
    "dim_geography": DimGeography,
    "dim_areas": DimAreas,
    "dim_practices": DimPractices,
    "dim_lsoa_deprivation": DimLsoaDeprivation,
    "fct_practice_deprivation": FctPracticeDeprivation,
    "fct_population": FctPopulation,
    "fct_england_population": FctEnglandPopulation,
    "fct_activity": FctActivity,
    "fct_england_activity": FctEnglandActivity,
    "fct_ae_monthly_providers": FctAeMonthlyProviders,
    "fct_ae_published_monthly": FctAePublishedMonthly,
    "fct_ae_published_annual": FctAePublishedAnnual,
    "fct_ae_published_growth": FctAePublishedGrowth,
    "fct_gp_workforce": FctGpWorkforce,
    "fct_england_gp_workforce": FctEnglandGpWorkforce,
    "fct_registered_patients": FctRegisteredPatients,
    "fct_practice_lsoa_registrations": FctPracticeLsoaRegistrations,
    "fct_jsna_indicator_values": FctJsnaIndicatorValues,
}
