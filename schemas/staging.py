"""One pandera model per staging table: the contract every source adapter of an entity writes to.

A staging table is one entity (LSOA geography, IMD, population, practices, workforce, activity, ...) in one
shape, whichever layout its rows came from: the repo's raw-file contract (the demo files and an ICB's own
extracts, `docs/raw-formats.md`) or a publisher's real layout (`config/sources.yaml`, `pipelines/sources/readers/`).
The marts read only these tables, so they are written once for every profile. The table DDL, the Dagster
column schema and the data dictionary come from these models; each staging asset validates its table
against its model after loading it (`assets/staging.py`).

Each model's docstring states the grain (first paragraph). `STAGING_MODELS` maps the table name to its model.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.vocabulary import STAFF_GROUPS

LSOA = r"^[EW]01\d{6}$"
VINTAGES = [2011, 2021]
EDITIONS = [2015, 2019, 2025]
#: Sexes in staging: M, F, U (unknown, activity only), P (persons: a source that does not split by sex).
SEXES = ["M", "F", "U", "P"]
WORKFORCE_PERIODS = ["month", "calendar_year_mean"]


class StgGeographyLsoas(pa.DataFrameModel):
    """One row per LSOA in England per boundary vintage: sub-ICB location, ICB and local authority.

    Local layout: `geography/lsoa11_sicbl_icb_lad.csv` (LSOA 2011). Public: the ONS LSOA 2011 -> SICBL 2022 ->
    ICB -> LAD lookup and the LSOA 2021 -> SICBL 2024 -> ICB lookup (its LAD from the ONS LSOA 2011 -> 2021 lookup).
    """

    lsoa_vintage: pl.Int32 = pa.Field(isin=VINTAGES, description="Census year of the LSOA boundaries")
    lsoa_code: str = pa.Field(str_matches=LSOA, description="LSOA code")
    lsoa_name: str = pa.Field(nullable=True, description="LSOA name")
    sub_icb_code: str = pa.Field(description="Sub-ICB location (ONS code)")
    sub_icb_nhs_code: str = pa.Field(description="Sub-ICB location (NHS code, the former CCG)")
    sub_icb_name: str = pa.Field(nullable=True, description="Sub-ICB location name")
    icb_code: str = pa.Field(description="ICB (ONS code)")
    icb_nhs_code: str = pa.Field(nullable=True, description="ICB (NHS code)")
    icb_name: str = pa.Field(nullable=True, description="ICB name")
    lad_code: str = pa.Field(nullable=True, description="Local authority district (ONS code)")
    lad_name: str = pa.Field(nullable=True, description="Local authority district name")

    class Config:
        unique = ["lsoa_vintage", "lsoa_code"]


class StgGeographyLsoaVintages(pa.DataFrameModel):
    """One row per LSOA 2011 x LSOA 2021 best-fit pair (ONS), with the change code and the local authority.

    Public only (the ONS LSOA 2011 -> LSOA 2021 -> LAD 2022 lookup); empty for a profile on one vintage.
    """

    lsoa11_code: str = pa.Field(str_matches=LSOA, description="LSOA 2011 code")
    lsoa21_code: str = pa.Field(str_matches=LSOA, description="LSOA 2021 code")
    change_code: str = pa.Field(nullable=True, description="ONS change code: U unchanged, S split, M merged, X redrawn")
    lad_code: str = pa.Field(nullable=True, description="Local authority district (2022) of the LSOA 2021")
    lad_name: str = pa.Field(nullable=True, description="Local authority district name")

    class Config:
        unique = ["lsoa11_code", "lsoa21_code"]


class StgImdLsoaDeprivation(pa.DataFrameModel):
    """One row per LSOA in England per IMD edition: IMD score, rank, decile, domains and population denominator.

    Local layout: IoD File 7 (`imd/File_7_-_All_IoD<edition>_...csv`). Public: IoD2019 Files 1, 2, 6 (and File 7
    when present) merged; IoD2025 scores, ranks and deciles.
    """

    imd_edition: pl.Int32 = pa.Field(isin=EDITIONS, description="IMD edition")
    lsoa_code: str = pa.Field(str_matches=LSOA, description="LSOA code")
    lsoa_vintage: pl.Int32 = pa.Field(isin=VINTAGES, description="LSOA boundary vintage of the edition")
    lad_code: str = pa.Field(nullable=True, description="Local authority district in the IoD file")
    imd_score: float = pa.Field(nullable=True, ge=0, description="IMD score (null where the files read carry none)")
    imd_rank: pl.Int64 = pa.Field(ge=1, description="National IMD rank (1 = most deprived)")
    imd_decile: pl.Int64 = pa.Field(ge=1, le=10, description="National IMD decile (1 = most deprived 10%)")
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
    population: pl.Int64 = pa.Field(nullable=True, ge=0, description="The edition's own population denominator")
    population_basis: str = pa.Field(nullable=True, description="What `population` is (e.g. IoD2019 mid-2015)")

    class Config:
        unique = ["imd_edition", "lsoa_code"]


class StgImdPracticeScores(pa.DataFrameModel):
    """One row per GP practice (and England) per IMD edition: the IMD score of its registered population.

    Public only: OHID Fingertips indicator 93553 (a practice's score is the mean IMD score of its patients'
    LSOAs, weighted by patients; England's score is published with it).
    """

    imd_edition: pl.Int32 = pa.Field(isin=EDITIONS, description="IMD edition the scores are on")
    area_code: str = pa.Field(description="GP practice (ODS code), or E92000001 for England")
    area_type: str = pa.Field(isin=["GP", "England"], description="GP (a practice) or England")
    imd_score: float = pa.Field(ge=0, description="IMD score of the registered population")

    class Config:
        unique = ["imd_edition", "area_code"]


class StgPopulationLsoaAgeSex(pa.DataFrameModel):
    """One row per LSOA x mid-year x sex x single year of age: ONS resident population (90 = 90 and over).

    Local layout: ONS SAPE by sex (`population/sape_lsoa11_mid<year>_<males|females>.csv`). Public: ONS LSOA 2011
    single-year-of-age estimates, persons only (sex `P`).
    """

    lsoa_code: str = pa.Field(str_matches=LSOA, description="LSOA code")
    year: pl.Int32 = pa.Field(ge=2001, le=2100, description="Mid-year of the estimate")
    sex: str = pa.Field(isin=["M", "F", "P"], description="Sex: M, F, or P (persons, where not split)")
    age: pl.Int32 = pa.Field(ge=0, le=90, description="Single year of age (90 = 90 and over)")
    population: pl.Int64 = pa.Field(ge=0, description="Resident population")

    class Config:
        unique = ["lsoa_code", "year", "sex", "age"]


class StgPopulationEnglandAgeSex(pa.DataFrameModel):
    """One row per mid-year x sex x single year of age: England's resident population (90 = 90 and over).

    Local layout: ONS MYE (`population/mye_england_mid<year>.csv`). Public: ONS mid-year estimates for countries
    by sex; for the other mid-years held, the sum of England's LSOA estimates (persons, sex P).
    """

    year: pl.Int32 = pa.Field(ge=2001, le=2100, description="Mid-year of the estimate")
    sex: str = pa.Field(isin=["M", "F", "P"], description="Sex: M, F, or P (persons, where not split)")
    age: pl.Int32 = pa.Field(ge=0, le=90, description="Single year of age (90 = 90 and over)")
    population: pl.Int64 = pa.Field(ge=0, description="Resident population of England")

    class Config:
        unique = ["year", "sex", "age"]


class StgGpPractices(pa.DataFrameModel):
    """One row per GP practice: PCN, sub-ICB location and ICB (the practice map), with its extract date.

    Local layout: `gp/gp-reg-pat-prac-map.csv`. Public: NHS England's practice -> PCN -> sub-ICB -> ICB map.
    """

    practice_code: str = pa.Field(unique=True, description="GP practice (ODS code)")
    practice_name: str = pa.Field(nullable=True, description="Practice name")
    practice_postcode: str = pa.Field(nullable=True, description="Practice postcode")
    pcn_code: str = pa.Field(nullable=True, description="Primary care network (PCN) code")
    pcn_name: str = pa.Field(nullable=True, description="PCN name")
    sub_icb_code: str = pa.Field(nullable=True, description="Sub-ICB location (ONS code)")
    sub_icb_nhs_code: str = pa.Field(nullable=True, description="Sub-ICB location (NHS code)")
    sub_icb_name: str = pa.Field(nullable=True, description="Sub-ICB location name")
    icb_code: str = pa.Field(nullable=True, description="ICB (ONS code)")
    icb_nhs_code: str = pa.Field(nullable=True, description="ICB (NHS code)")
    icb_name: str = pa.Field(nullable=True, description="ICB name")
    extract_date: pl.Date = pa.Field(description="Extract date of the map")


class StgGpRegisteredPatientsLsoa(pa.DataFrameModel):
    """One row per practice x LSOA of residence x extract month: registered patients.

    Local layout: `gp/gp-reg-pat-prac-lsoa-all_<YYYY-MM>.csv`. Public: the practice x LSOA 2011 registrations held
    (Pennine Lancashire, April 2020).
    """

    month: pl.Date = pa.Field(description="Extract month")
    practice_code: str = pa.Field(description="GP practice (ODS code)")
    lsoa_code: str = pa.Field(str_matches=LSOA, description="LSOA of residence")
    patients: pl.Int64 = pa.Field(ge=0, description="Registered patients")

    class Config:
        unique = ["month", "practice_code", "lsoa_code"]


class StgGpRegisteredPatientsAgeSex(pa.DataFrameModel):
    """One row per practice x month x sex x ESP2013 age band: registered patients.

    Local layout: `gp/gp-reg-pat-prac-quin-age_<YYYY-MM>.csv`. No public adapter yet.
    """

    month: pl.Date = pa.Field(description="Extract month")
    practice_code: str = pa.Field(description="GP practice (ODS code)")
    sex: str = pa.Field(isin=["M", "F"], description="Sex (M/F)")
    age_band: str = pa.Field(description="ESP2013 five-year age band")
    patients: pl.Int64 = pa.Field(ge=0, description="Registered patients")

    class Config:
        unique = ["month", "practice_code", "sex", "age_band"]


class StgGpWorkforcePractice(pa.DataFrameModel):
    """One row per GP practice x period: FTE by staff group and registered patients (NHS England GPW).

    Local layout: the monthly GPW practice-level CSV (`gp/gpw_practice_<YYYY-MM>.csv`, period_kind `month`).
    Public: practice annual means of the monthly GPW extracts (period_kind `calendar_year_mean`, month = January
    of the year), in which trainees and locums are one figure (both columns empty, `gp_fte_all` their sum with
    qualified GPs).
    """

    month: pl.Date = pa.Field(description="Census month, or January of the year whose mean the row holds")
    period_kind: str = pa.Field(isin=WORKFORCE_PERIODS, description="month, or calendar_year_mean")
    practice_code: str = pa.Field(description="GP practice (ODS code)")
    pcn_code: str = pa.Field(nullable=True, description="PCN in the workforce file")
    sub_icb_nhs_code: str = pa.Field(nullable=True, description="Sub-ICB location (NHS code) in the workforce file")
    icb_nhs_code: str = pa.Field(nullable=True, description="ICB (NHS code) in the workforce file")
    icb_name: str = pa.Field(nullable=True, description="ICB name in the workforce file")
    registered_patients: float = pa.Field(nullable=True, ge=0, description="Registered patients")
    gp_fte_all: float = pa.Field(nullable=True, ge=0, description="FTE GPs, all")
    gp_fte_qualified: float = pa.Field(nullable=True, ge=0, description="FTE fully qualified GPs (no trainees, locums)")
    gp_fte_trainees: float = pa.Field(nullable=True, ge=0, description="FTE GP trainees")
    gp_fte_locums: float = pa.Field(nullable=True, ge=0, description="FTE GP locums")
    nurses_fte: float = pa.Field(nullable=True, ge=0, description="FTE nurses")
    dpc_fte: float = pa.Field(nullable=True, ge=0, description="FTE direct patient care staff")
    admin_fte: float = pa.Field(nullable=True, ge=0, description="FTE admin and non-clinical staff")

    class Config:
        unique = ["month", "practice_code"]


class StgGpWorkforceEngland(pa.DataFrameModel):
    """One row per period x staff group: England's FTE and the registered patients of the practices it covers.

    Local layout: the GPW national summary (`gp/gpw_national_<YYYY-MM>.csv`; England's registered list for every
    group). Public: the sum over every English practice of the practice annual-means file, each group's
    patients counting only the practices that report that group (as the system's and PCNs' do).
    """

    month: pl.Date = pa.Field(description="Census month, or January of the year whose mean it is")
    period_kind: str = pa.Field(isin=WORKFORCE_PERIODS, description="month, or calendar_year_mean")
    staff_group: str = pa.Field(isin=list(STAFF_GROUPS), description="Staff group (an FTE column of fct_gp_workforce)")
    fte: float = pa.Field(nullable=True, ge=0, description="FTE of the staff group in England (null: not published)")
    registered_patients: float = pa.Field(ge=0, description="Registered patients of the practices the FTE covers")

    class Config:
        unique = ["month", "staff_group"]


class StgUecEdAttendances(pa.DataFrameModel):
    """One row per LSOA x month x age band x sex x provider x department type: ED attendances (aggregated).

    Local layout only (the ICB's ECDS extract, record level, aggregated while it is read): record-level activity
    by LSOA is confidential and not published.
    """

    month: pl.Date = pa.Field(description="Month of arrival")
    lsoa_code: str = pa.Field(str_matches=LSOA, description="LSOA of residence")
    age_band: str = pa.Field(description="ESP2013 five-year age band")
    sex: str = pa.Field(isin=["M", "F", "U"], description="Sex (U = unknown)")
    provider_code: str = pa.Field(description="Provider (ODS code)")
    department_type: pl.Int32 = pa.Field(isin=[1, 2, 3, 4], description="ED department type (01-04)")
    attendances: pl.Int64 = pa.Field(ge=1, description="Attendances")


class StgUecAdmittedSpells(pa.DataFrameModel):
    """One row per LSOA x month x age band x sex x provider x admission method: spells and bed days (aggregated).

    Local layout only (the ICB's SUS extract, record level, aggregated while it is read).
    """

    month: pl.Date = pa.Field(description="Month of admission")
    lsoa_code: str = pa.Field(str_matches=LSOA, description="LSOA of residence")
    age_band: str = pa.Field(description="ESP2013 five-year age band")
    sex: str = pa.Field(isin=["M", "F", "U"], description="Sex (U = unknown)")
    provider_code: str = pa.Field(description="Provider (ODS code)")
    admission_method: str = pa.Field(description="Admission method code")
    is_emergency: bool = pa.Field(description="Emergency (non-elective) admission method")
    spells: pl.Int64 = pa.Field(ge=1, description="Spells")
    bed_days: pl.Int64 = pa.Field(ge=0, description="Bed days (length of stay)")


class StgUecAeMonthlyProviders(pa.DataFrameModel):
    """One row per A&E provider x month: NHS England's published attendances and emergency admissions.

    Local layout: the monthly A&E provider CSV (MSitAE, `uec/ae_monthly_<YYYY-MM>.csv`, series `provider_monthly`).
    Public: NHS England's trust-level compilations (series `trust_monthly` from April 2021, all types only;
    `trust_by_type` April 2016 - March 2019, admissions via A&E only).
    """

    series: str = pa.Field(description="The published compilation the row comes from")
    month: pl.Date = pa.Field(description="Month")
    provider_code: str = pa.Field(description="Provider (ODS code)")
    parent_org: str = pa.Field(nullable=True, description="Parent organisation (NHS England region)")
    provider_name: str = pa.Field(nullable=True, description="Provider name")
    attendances_type1: pl.Int64 = pa.Field(nullable=True, ge=0, description="Type 1 attendances")
    attendances_type2: pl.Int64 = pa.Field(nullable=True, ge=0, description="Type 2 attendances")
    attendances_other: pl.Int64 = pa.Field(nullable=True, ge=0, description="Other (type 3/4) attendances")
    attendances_all: pl.Int64 = pa.Field(nullable=True, ge=0, description="Attendances, all types")
    emergency_admissions: pl.Int64 = pa.Field(nullable=True, ge=0, description="Total emergency admissions")
    emergency_admissions_via_ae: pl.Int64 = pa.Field(nullable=True, ge=0, description="Emergency admissions via A&E")

    class Config:
        unique = ["series", "month", "provider_code"]


class StgUecEnglandActivityAgeSex(pa.DataFrameModel):
    """One row per financial year x measure x ESP2013 age band x sex: England's activity (HES/ECDS summaries).

    Local layout only (`uec/england_activity_age_sex.csv`): England's activity by age and sex is not in the
    public files held.
    """

    financial_year: pl.Int32 = pa.Field(description="Financial year (2018 = FY2018/19)")
    measure: str = pa.Field(description="Activity measure")
    age_band: str = pa.Field(description="ESP2013 five-year age band")
    sex: str = pa.Field(isin=["M", "F"], description="Sex (M/F)")
    activity: pl.Int64 = pa.Field(ge=0, description="Activity in England")

    class Config:
        unique = ["financial_year", "measure", "age_band", "sex"]


class StgJsnaIndicatorValues(pa.DataFrameModel):
    """One row per Fingertips indicator x area x sex x age x category x period: published value and limits.

    Local layout: the Fingertips export (`jsna/fingertips_export.csv`). Public: OHID Fingertips extracts held.
    """

    indicator_id: pl.Int64 = pa.Field(description="Fingertips indicator id")
    indicator_name: str = pa.Field(nullable=True, description="Indicator name")
    area_code: str = pa.Field(description="Area code (England, local authorities)")
    area_name: str = pa.Field(nullable=True, description="Area name")
    area_type: str = pa.Field(nullable=True, description="Area type")
    sex: str = pa.Field(nullable=True, description="Sex (Persons, Male, Female)")
    age: str = pa.Field(nullable=True, description="Age group")
    category_type: str = pa.Field(nullable=True, description="Category type (inequality breakdown)")
    category: str = pa.Field(nullable=True, description="Category")
    period: str = pa.Field(description="Time period as published")
    period_sortable: pl.Int64 = pa.Field(nullable=True, description="Sortable time period")
    value: float = pa.Field(nullable=True, description="Value")
    lower_ci_95: float = pa.Field(nullable=True, description="Lower 95% confidence limit")
    upper_ci_95: float = pa.Field(nullable=True, description="Upper 95% confidence limit")
    lower_ci_99_8: float = pa.Field(nullable=True, description="Lower 99.8% confidence limit")
    upper_ci_99_8: float = pa.Field(nullable=True, description="Upper 99.8% confidence limit")
    count: float = pa.Field(nullable=True, description="Count")
    denominator: float = pa.Field(nullable=True, description="Denominator")
    value_note: str = pa.Field(nullable=True, description="Value note")
    compared_to_england: str = pa.Field(nullable=True, description="Published comparison with England")


# --- public-only entities: the inputs of the catchment attribution of A&E (no local layout) -------------------


class StgUecAeMonthlyIcbs(pa.DataFrameModel):
    """One row per ICB x month: NHS England's system-level A&E attendances and emergency admissions (public only)."""

    month: pl.Date = pa.Field(description="Month")
    icb_code: str = pa.Field(description="ICB (ONS code)")
    attendances_type1: pl.Int64 = pa.Field(nullable=True, ge=0, description="Type 1 attendances")
    attendances_all: pl.Int64 = pa.Field(nullable=True, ge=0, description="Attendances, all types")
    emergency_admissions: pl.Int64 = pa.Field(nullable=True, ge=0, description="Total emergency admissions")
    emergency_admissions_via_ae: pl.Int64 = pa.Field(nullable=True, ge=0, description="Emergency admissions via A&E")

    class Config:
        unique = ["month", "icb_code"]


class StgUecTrustSuccessions(pa.DataFrameModel):
    """One row per ODS succession of an NHS trust: old code -> new code from a date (public only)."""

    old_code: str = pa.Field(description="Predecessor's ODS code")
    new_code: str = pa.Field(description="Successor's ODS code")
    effective_date: pl.Date = pa.Field(nullable=True, description="Date the succession took effect")
    note: str = pa.Field(nullable=True, description="Note (e.g. a merger added by hand, with its source)")


class StgUecTrustCatchments(pa.DataFrameModel):
    """One row per acute trust x ICB: the share of the trust's patients who live in the ICB (OHID, public only)."""

    trust_code: str = pa.Field(description="Acute trust (ODS code, April 2022)")
    icb_code: str = pa.Field(description="ICB (ONS code)")
    share: float = pa.Field(ge=0, le=1, description="Share of the trust's patients from the ICB")


class StgUecTrustAttribution(pa.DataFrameModel):
    """One row per A&E provider x acute trust: the share of its attendances attributed to that trust (public only)."""

    provider_code: str = pa.Field(description="A&E provider (ODS code)")
    acute_trust_code: str = pa.Field(description="Acute trust (ODS code)")
    share: float = pa.Field(ge=0, le=1, description="Share of the provider's attendances attributed to the trust")


STAGING_MODELS: dict[str, type[pa.DataFrameModel]] = {
    "stg_geography__lsoas": StgGeographyLsoas,
    "stg_geography__lsoa_vintages": StgGeographyLsoaVintages,
    "stg_imd__lsoa_deprivation": StgImdLsoaDeprivation,
    "stg_imd__practice_scores": StgImdPracticeScores,
    "stg_population__lsoa_age_sex": StgPopulationLsoaAgeSex,
    "stg_population__england_age_sex": StgPopulationEnglandAgeSex,
    "stg_gp__practices": StgGpPractices,
    "stg_gp__registered_patients_lsoa": StgGpRegisteredPatientsLsoa,
    "stg_gp__registered_patients_age_sex": StgGpRegisteredPatientsAgeSex,
    "stg_gp__workforce_practice": StgGpWorkforcePractice,
    "stg_gp__workforce_england": StgGpWorkforceEngland,
    "stg_uec__ed_attendances": StgUecEdAttendances,
    "stg_uec__admitted_spells": StgUecAdmittedSpells,
    "stg_uec__ae_monthly_providers": StgUecAeMonthlyProviders,
    "stg_uec__england_activity_age_sex": StgUecEnglandActivityAgeSex,
    "stg_jsna__indicator_values": StgJsnaIndicatorValues,
    "stg_uec__ae_monthly_icbs": StgUecAeMonthlyIcbs,
    "stg_uec__trust_successions": StgUecTrustSuccessions,
    "stg_uec__trust_catchments": StgUecTrustCatchments,
    "stg_uec__trust_attribution": StgUecTrustAttribution,
}
