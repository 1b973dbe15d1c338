"""GP practices, registered patients and workforce (docs/raw-formats.md §5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandera.polars as pa
import polars as pl

from schemas.raw._common import (
    AGE_GROUPS_5,
    EXTRACT_DATE,
    ICB_ONS,
    LSOA,
    NHS_ORG_3,
    PCN,
    POSTCODE,
    PRACTICE,
    REGION_ONS,
    SICBL_ONS,
    RawModel,
    event_date_range,
)

GPW_STAFF_GROUPS = (
    "All GPs",
    "GPs excl. trainees and locums",
    "GP trainees",
    "Locums",
    "Nurses",
    "Direct patient care",
    "Admin/non-clinical",
)
REGISTERED_PATIENTS = "Registered patients"
# Rounding of published FTEs (two decimals) can make a part exceed the whole by a hair.
FTE_TOLERANCE = 0.01


class GpPracticeMap(RawModel):
    """One row per GP practice of the profile's ICB.

    NHS England "Patients Registered at a GP Practice": practice mapping.
    Publisher: NHS England (formerly NHS Digital). `CCG_*` carry the sub-ICB location, `STP_*` the ICB.
    """

    PUBLICATION: str = pa.Field(description="Publication title (month of the extract).")
    EXTRACT_DATE: str = pa.Field(str_matches=EXTRACT_DATE, description="Extract date, DDMonYYYY (e.g. 01Mar2025).")
    PRACTICE_CODE: str = pa.Field(str_matches=PRACTICE, unique=True, description="GP practice ODS code.")
    PRACTICE_NAME: str = pa.Field(description="GP practice name.")
    PRACTICE_POSTCODE: str = pa.Field(str_matches=POSTCODE, description="Postcode of the practice's main site.")
    PCN_CODE: str = pa.Field(str_matches=PCN, description="Primary care network ODS code (U + 5 characters).")
    PCN_NAME: str = pa.Field(description="Primary care network name.")
    ONS_CCG_CODE: str = pa.Field(str_matches=SICBL_ONS, description="Sub-ICB location ONS code (E38).")
    CCG_CODE: str = pa.Field(str_matches=NHS_ORG_3, description="Sub-ICB location NHS (ODS) code, 3 characters.")
    CCG_NAME: str = pa.Field(description="Sub-ICB location name.")
    ONS_STP_CODE: str = pa.Field(str_matches=ICB_ONS, description="ICB ONS code (E54).")
    STP_CODE: str = pa.Field(str_matches=NHS_ORG_3, description="ICB NHS (ODS) code, 3 characters.")
    STP_NAME: str = pa.Field(description="ICB name.")
    ONS_COMM_REGION_CODE: str = pa.Field(str_matches=REGION_ONS, description="NHS England region ONS code (E40).")
    COMM_REGION_CODE: str = pa.Field(
        str_matches=NHS_ORG_3, description="NHS England region ODS code, 3 characters (e.g. Y62)."
    )
    COMM_REGION_NAME: str = pa.Field(description="NHS England region name.")

    class Config:
        name = "gp_practice_map"
        metadata = {
            "grain": "one row per GP practice of the ICB",
            "publisher": "NHS England (Patients Registered at a GP Practice)",
        }


class GpRegisteredPatientsAgeSex(RawModel):
    """One row per practice × sex × five-year age group, for one month (in the file name).

    NHS England "Patients Registered at a GP Practice": by practice, sex and five-year age group.
    Publisher: NHS England (formerly NHS Digital).
    """

    PUBLICATION: str = pa.Field(description="Publication title (month of the extract).")
    EXTRACT_DATE: str = pa.Field(str_matches=EXTRACT_DATE, description="Extract date, DDMonYYYY (e.g. 01Mar2025).")
    TYPE: str = pa.Field(eq="GP", description="Organisation type: always GP (practice level).")
    CCG_CODE: str = pa.Field(str_matches=NHS_ORG_3, description="Sub-ICB location NHS (ODS) code of the practice.")
    ONS_CCG_CODE: str = pa.Field(str_matches=SICBL_ONS, description="Sub-ICB location ONS code (E38).")
    ORG_CODE: str = pa.Field(str_matches=PRACTICE, description="GP practice ODS code.")
    POSTCODE: str = pa.Field(str_matches=POSTCODE, description="Postcode of the practice.")
    SEX: str = pa.Field(isin=["MALE", "FEMALE"], description="Sex of the registered patients: MALE or FEMALE.")
    AGE_GROUP_5: str = pa.Field(isin=list(AGE_GROUPS_5), description="Five-year age group: 0_4, 5_9, …, 90_94, 95+.")
    NUMBER_OF_PATIENTS: int = pa.Field(ge=0, description="Patients registered at the practice in the group.")

    class Config:
        name = "gp_patients_age_sex"
        unique = ["ORG_CODE", "SEX", "AGE_GROUP_5"]
        metadata = {
            "grain": "one row per practice, sex and five-year age group, for one month",
            "publisher": "NHS England (Patients Registered at a GP Practice)",
        }


class GpRegisteredPatientsLsoa(RawModel):
    """One row per practice × LSOA of residence, for one month (quarterly files; month in the file name).

    NHS England "Patients Registered at a GP Practice": by practice and LSOA (2011) of residence.
    Publisher: NHS England (formerly NHS Digital).
    """

    PUBLICATION: str = pa.Field(description="Publication title (month of the extract).")
    EXTRACT_DATE: str = pa.Field(str_matches=EXTRACT_DATE, description="Extract date, DDMonYYYY (e.g. 01Mar2025).")
    PRACTICE_CODE: str = pa.Field(str_matches=PRACTICE, description="GP practice ODS code.")
    PRACTICE_NAME: str = pa.Field(description="GP practice name.")
    LSOA_CODE: str = pa.Field(str_matches=LSOA, description="LSOA of residence of the patients, 2011 boundaries.")
    SEX: str = pa.Field(eq="ALL", description="Sex: always ALL (persons).")
    NUMBER_OF_PATIENTS: int = pa.Field(ge=0, description="Patients of the practice resident in the LSOA.")

    class Config:
        name = "gp_patients_lsoa"
        unique = ["PRACTICE_CODE", "LSOA_CODE"]
        metadata = {
            "grain": "one row per practice and LSOA 2011 of residence, for one month",
            "publisher": "NHS England (Patients Registered at a GP Practice)",
            "lsoa_vintage": 2011,
            "lsoa_columns": ("LSOA_CODE",),
        }


def _fte(words: str) -> Any:
    return pa.Field(ge=0, description=f"{words}, full-time equivalent (1.0 = 37.5 hours a week).")


class GpwPracticeLevel(RawModel):
    """One row per GP practice of the ICB, for one month (in the file name).

    NHS England "General Practice Workforce": practice-level detailed file.
    Publisher: NHS England (formerly NHS Digital), General Practice Workforce official statistics.
    """

    PRAC_CODE: str = pa.Field(str_matches=PRACTICE, unique=True, description="GP practice ODS code.")
    PRAC_NAME: str = pa.Field(description="GP practice name.")
    SUB_ICB_CODE: str = pa.Field(str_matches=NHS_ORG_3, description="Sub-ICB location NHS (ODS) code.")
    SUB_ICB_NAME: str = pa.Field(description="Sub-ICB location name.")
    ICB_CODE: str = pa.Field(str_matches=NHS_ORG_3, description="ICB NHS (ODS) code.")
    ICB_NAME: str = pa.Field(description="ICB name.")
    PCN_CODE: str = pa.Field(str_matches=PCN, description="Primary care network ODS code.")
    PCN_NAME: str = pa.Field(description="Primary care network name.")
    TOTAL_PATIENTS: int = pa.Field(ge=0, description="Registered patients of the practice.")
    TOTAL_GP_HC: int = pa.Field(ge=0, description="All GPs, headcount.")
    TOTAL_GP_FTE: float = _fte("All GPs (qualified GPs, trainees and locums)")
    TOTAL_GP_EXTGL_FTE: float = _fte("Fully qualified GPs excluding GP trainees and locums")
    TOTAL_GP_TRN_GR_FTE: float = _fte("GP trainees (registrars)")
    TOTAL_LOCUUM_TRN_FTE: float = _fte("GP locums")
    TOTAL_NURSES_FTE: float = _fte("Nurses")
    TOTAL_DPC_FTE: float = _fte("Direct patient care staff")
    TOTAL_ADMIN_FTE: float = _fte("Admin and non-clinical staff")

    @pa.dataframe_check(
        name="qualified_gps_within_all_gps",
        description="TOTAL_GP_EXTGL_FTE ≤ TOTAL_GP_FTE (qualified GPs are part of all GPs)",
        statistics={"columns": ["TOTAL_GP_EXTGL_FTE", "TOTAL_GP_FTE"]},
    )
    def _qualified_gps_within_all_gps(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("TOTAL_GP_EXTGL_FTE") <= pl.col("TOTAL_GP_FTE") + FTE_TOLERANCE)

    class Config:
        name = "gp_workforce_practice"
        metadata = {
            "grain": "one row per GP practice of the ICB, for one month",
            "publisher": "NHS England (General Practice Workforce)",
        }


class GpwNationalSummary(RawModel):
    """One row per census month × staff group, plus one `Registered patients` row per month.

    NHS England "General Practice Workforce": England totals by month and staff group.
    Publisher: NHS England (formerly NHS Digital), General Practice Workforce national time series.
    """

    CENSUS_DATE: dt.date = pa.Field(
        in_range=event_date_range(), description="Census date: the last day of the month (YYYY-MM-DD)."
    )
    STAFF_GROUP: str = pa.Field(
        isin=[*GPW_STAFF_GROUPS, REGISTERED_PATIENTS],
        description="Staff group (All GPs, GPs excl. trainees and locums, GP trainees, Locums, Nurses, "
        "Direct patient care, Admin/non-clinical) or `Registered patients`.",
    )
    FTE: float = pa.Field(
        nullable=True, ge=0, description="Full-time equivalent staff in England; empty on `Registered patients` rows."
    )
    HEADCOUNT: int = pa.Field(
        ge=0, description="Headcount of staff in England; on `Registered patients` rows, the registered list."
    )

    @pa.dataframe_check(
        name="census_date_is_month_end",
        description="CENSUS_DATE is the last day of its month",
        statistics={"columns": ["CENSUS_DATE"]},
    )
    def _census_date_is_month_end(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("CENSUS_DATE") == pl.col("CENSUS_DATE").dt.month_end())

    @pa.dataframe_check(
        name="fte_empty_only_for_registered_patients",
        description="FTE is empty exactly on `Registered patients` rows",
        statistics={"columns": ["STAFF_GROUP", "FTE"]},
    )
    def _fte_empty_only_for_registered_patients(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("FTE").is_null() == (pl.col("STAFF_GROUP") == REGISTERED_PATIENTS))

    class Config:
        name = "gp_workforce_national"
        unique = ["CENSUS_DATE", "STAFF_GROUP"]
        metadata = {
            "grain": "one row per census month and staff group (plus registered patients)",
            "publisher": "NHS England (General Practice Workforce)",
        }
