"""Urgent and emergency care activity (docs/raw-formats.md §6)."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl

from schemas.raw._common import (
    ADMISSION_METHODS,
    EC_DEPARTMENT_TYPES,
    ESP2013_AGE_BANDS,
    LSOA,
    MAX_LENGTH_OF_STAY_DAYS,
    PERSON_SEX,
    PROVIDER,
    STATED_GENDER,
    RawModel,
    age_range,
    event_date_range,
)

MONTH_NAMES = (
    "JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE",
    "JULY", "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER",
)  # fmt: skip
AE_PERIOD = rf"^MSitAE-({'|'.join(MONTH_NAMES)})-\d{{4}}$"
ACTIVITY_MEASURES = ("ae_attendances_all", "ae_attendances_type1", "emergency_admissions", "emergency_bed_days")


class EcdsAttendances(RawModel):
    """One row per emergency care attendance, for one arrival month (in the file name).

    Emergency Care Data Set (ECDS)-like attendances of the ICB's residents: record level, confidential.
    Publisher: the ICB's own extract of NHS England's Emergency Care Data Set (via the data services for
    commissioners). Never leaves the raw layer.
    """

    EC_IDENT: str = pa.Field(
        str_length={"min_value": 1}, unique=True, description="Attendance identifier, unique within the extract."
    )
    ARRIVAL_DATE: dt.date = pa.Field(
        in_range=event_date_range(), description="Date of arrival at the emergency care department (YYYY-MM-DD)."
    )
    LSOA_OF_RESIDENCE: str = pa.Field(str_matches=LSOA, description="LSOA of the patient's residence, 2011 boundaries.")
    AGE_AT_ARRIVAL: int = pa.Field(in_range=age_range(), description="Age at arrival in whole years, 0–120.")
    STATED_GENDER: str = pa.Field(
        isin=list(STATED_GENDER),
        description="Person stated gender (NHS Data Dictionary): 1 male, 2 female, 9 indeterminate, X not known.",
    )
    PROVIDER_CODE: str = pa.Field(str_matches=PROVIDER, description="ODS code of the provider (trust).")
    EC_DEPARTMENT_TYPE: str = pa.Field(
        isin=list(EC_DEPARTMENT_TYPES),
        description="Emergency care department type 01–04 (01 = consultant-led 24-hour major A&E).",
    )

    class Config:
        name = "ecds_attendances"
        metadata = {
            "grain": "one row per emergency care attendance, for one arrival month",
            "publisher": "ICB extract of NHS England's Emergency Care Data Set",
            "lsoa_vintage": 2011,
            "lsoa_columns": ("LSOA_OF_RESIDENCE",),
            "record_level": True,
        }


class ApcSpells(RawModel):
    """One row per hospital provider spell, for one admission month (in the file name).

    Secondary Uses Service (SUS)-like admitted patient care spells of the ICB's residents: record level, all
    admission methods (the pipeline keeps the emergency ones).
    Publisher: the ICB's own extract of NHS England's SUS+ admitted patient care. Never leaves the raw layer.
    """

    SPELL_ID: str = pa.Field(
        str_length={"min_value": 1}, unique=True, description="Spell identifier, unique within the extract."
    )
    ADMISSION_DATE: dt.date = pa.Field(in_range=event_date_range(), description="Date of admission (YYYY-MM-DD).")
    DISCHARGE_DATE: dt.date = pa.Field(in_range=event_date_range(), description="Date of discharge (YYYY-MM-DD).")
    ADMISSION_METHOD: str = pa.Field(
        isin=list(ADMISSION_METHODS),
        description="Admission method (NHS Data Dictionary): elective 11–13; emergency 21–25, 2A–2D, 28; "
        "maternity 31–32; other 81–83.",
    )
    LSOA_OF_RESIDENCE: str = pa.Field(str_matches=LSOA, description="LSOA of the patient's residence, 2011 boundaries.")
    AGE_ON_ADMISSION: int = pa.Field(in_range=age_range(), description="Age on admission in whole years, 0–120.")
    SEX: str = pa.Field(
        isin=list(PERSON_SEX),
        description="Sex (NHS Data Dictionary): 1 male, 2 female, 9 not specified, 0 not known.",
    )
    PROVIDER_CODE: str = pa.Field(str_matches=PROVIDER, description="ODS code of the provider (trust).")
    LENGTH_OF_STAY: int = pa.Field(
        in_range={"min_value": 0, "max_value": MAX_LENGTH_OF_STAY_DAYS},
        description="Length of stay in days = discharge date − admission date (0 for same-day); at most five "
        "years (a longer stay is taken as a mistyped date).",
    )

    @pa.dataframe_check(
        name="discharge_not_before_admission",
        description="DISCHARGE_DATE is on or after ADMISSION_DATE",
        statistics={"columns": ["ADMISSION_DATE", "DISCHARGE_DATE"]},
    )
    def _discharge_not_before_admission(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("DISCHARGE_DATE") >= pl.col("ADMISSION_DATE"))

    @pa.dataframe_check(
        name="length_of_stay_matches_dates",
        description="LENGTH_OF_STAY = DISCHARGE_DATE − ADMISSION_DATE in days",
        statistics={"columns": ["LENGTH_OF_STAY", "ADMISSION_DATE", "DISCHARGE_DATE"]},
    )
    def _length_of_stay_matches_dates(cls, data: pa.PolarsData) -> pl.LazyFrame:
        days = (pl.col("DISCHARGE_DATE") - pl.col("ADMISSION_DATE")).dt.total_days()
        return data.lazyframe.select(days == pl.col("LENGTH_OF_STAY"))

    class Config:
        name = "apc_spells"
        metadata = {
            "grain": "one row per admitted patient care spell, for one admission month",
            "publisher": "ICB extract of NHS England's Secondary Uses Service (SUS+)",
            "lsoa_vintage": 2011,
            "lsoa_columns": ("LSOA_OF_RESIDENCE",),
            "record_level": True,
        }


class MonthlyAe(RawModel):
    """One row per provider (all England), for one month (in the file name and `Period`).

    NHS England "A&E Attendances and Emergency Admissions" monthly provider-level CSV.
    Publisher: NHS England (monthly A&E situation report, MSitAE). England = the sum of all providers.
    """

    period: str = pa.Field(alias="Period", str_matches=AE_PERIOD, description="Month, as MSitAE-MONTH-YYYY.")
    org_code: str = pa.Field(
        alias="Org Code", str_matches=PROVIDER, unique=True, description="ODS code of the provider."
    )
    parent_org: str = pa.Field(alias="Parent Org", description="Parent organisation (NHS England region).")
    org_name: str = pa.Field(alias="Org name", description="Provider name.")
    ae_type1: int = pa.Field(
        alias="A&E attendances Type 1", ge=0, description="Attendances at type 1 (major) A&E departments."
    )
    ae_type2: int = pa.Field(
        alias="A&E attendances Type 2", ge=0, description="Attendances at type 2 (single-specialty) departments."
    )
    ae_other: int = pa.Field(
        alias="A&E attendances Other A&E Department",
        ge=0,
        description="Attendances at other A&E departments (types 3 and 4: UTCs, minor injury units).",
    )
    over_4h_type1: int = pa.Field(
        alias="Attendances over 4hrs Type 1", ge=0, description="Type 1 attendances over 4 hours from arrival."
    )
    over_4h_type2: int = pa.Field(
        alias="Attendances over 4hrs Type 2", ge=0, description="Type 2 attendances over 4 hours from arrival."
    )
    over_4h_other: int = pa.Field(
        alias="Attendances over 4hrs Other Department",
        ge=0,
        description="Other-department attendances over 4 hours from arrival.",
    )
    dta_4_12h: int = pa.Field(
        alias="Patients who have waited 4-12 hs from DTA to admission",
        ge=0,
        description="Patients who waited 4–12 hours from decision to admit to admission.",
    )
    dta_12h_plus: int = pa.Field(
        alias="Patients who have waited 12+ hrs from DTA to admission",
        ge=0,
        description="Patients who waited more than 12 hours from decision to admit to admission.",
    )
    em_adm_type1: int = pa.Field(
        alias="Emergency admissions via A&E - Type 1", ge=0, description="Emergency admissions via type 1 A&E."
    )
    em_adm_type2: int = pa.Field(
        alias="Emergency admissions via A&E - Type 2", ge=0, description="Emergency admissions via type 2 A&E."
    )
    em_adm_other: int = pa.Field(
        alias="Emergency admissions via A&E - Other A&E department",
        ge=0,
        description="Emergency admissions via other A&E departments.",
    )
    em_adm_not_ae: int = pa.Field(
        alias="Other emergency admissions", ge=0, description="Emergency admissions not via A&E."
    )

    @pa.dataframe_check(
        name="over_4h_within_attendances",
        description="attendances over 4 hours ≤ attendances, for each department type",
        statistics={"columns": ["Attendances over 4hrs Type 1", "Attendances over 4hrs Type 2",
                                "Attendances over 4hrs Other Department"]},
    )  # fmt: skip
    def _over_4h_within_attendances(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("Attendances over 4hrs Type 1") <= pl.col("A&E attendances Type 1"))
            & (pl.col("Attendances over 4hrs Type 2") <= pl.col("A&E attendances Type 2"))
            & (pl.col("Attendances over 4hrs Other Department") <= pl.col("A&E attendances Other A&E Department"))
        )

    class Config:
        name = "ae_monthly"
        metadata = {
            "grain": "one row per provider in England, for one month",
            "publisher": "NHS England (A&E Attendances and Emergency Admissions)",
        }


class EnglandActivityAgeSex(RawModel):
    """One row per financial year × measure × age band × sex.

    England's annual activity by measure, ESP2013 age band and sex (HES annual summaries layout).
    Publisher: NHS England (Hospital Episode Statistics annual summaries; ECDS for A&E).
    """

    FINANCIAL_YEAR: str = pa.Field(
        str_matches=r"^\d{4}-\d{2}$", description="NHS financial year, April to March, as YYYY-YY (e.g. 2018-19)."
    )
    MEASURE: str = pa.Field(
        isin=list(ACTIVITY_MEASURES),
        description="Measure: ae_attendances_all, ae_attendances_type1, emergency_admissions, emergency_bed_days.",
    )
    AGE_BAND: str = pa.Field(
        isin=list(ESP2013_AGE_BANDS), description="ESP2013 age band: 0-4, 5-9, …, 85-89, 90+ (19 bands)."
    )
    SEX: str = pa.Field(isin=["Male", "Female"], description="Sex: Male or Female.")
    ACTIVITY: int = pa.Field(ge=0, description="Count of attendances, admissions or bed days in England.")

    @pa.dataframe_check(
        name="financial_year_consecutive",
        description="FINANCIAL_YEAR's second part is the year after its first (2018-19)",
        statistics={"columns": ["FINANCIAL_YEAR"]},
    )
    def _financial_year_consecutive(cls, data: pa.PolarsData) -> pl.LazyFrame:
        first = pl.col("FINANCIAL_YEAR").str.slice(0, 4).cast(pl.Int32, strict=False)
        second = pl.col("FINANCIAL_YEAR").str.slice(5, 2).cast(pl.Int32, strict=False)
        return data.lazyframe.select(((first + 1) % 100 == second).fill_null(False))

    class Config:
        name = "england_activity"
        unique = ["FINANCIAL_YEAR", "MEASURE", "AGE_BAND", "SEX"]
        metadata = {
            "grain": "one row per financial year, measure, age band and sex",
            "publisher": "NHS England (HES annual summaries)",
        }
