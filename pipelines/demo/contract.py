"""Paths and headers of the raw files, as docs/raw-formats.md defines them."""

from __future__ import annotations

GEOGRAPHY = "geography/lsoa11_sicbl_icb_lad.csv"
GEOGRAPHY_COLUMNS = ("LSOA11CD", "LSOA11NM", "SICBL22CD", "SICBL22CDH", "SICBL22NM", "ICB22CD", "ICB22CDH", "ICB22NM",
                     "LAD22CD", "LAD22NM")  # fmt: skip

IMD_FILE7 = "imd/File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv"
_DECILE = "Decile (where 1 is most deprived 10% of LSOAs)"
_RANK = "Rank (where 1 is most deprived)"
IMD_DOMAINS = (  # (generator key, score column, prefix of rank/decile columns)
    ("imd", "Index of Multiple Deprivation (IMD) Score", "Index of Multiple Deprivation (IMD)"),
    ("income", "Income Score (rate)", "Income"),
    ("employment", "Employment Score (rate)", "Employment"),
    ("education", "Education, Skills and Training Score", "Education, Skills and Training"),
    ("health", "Health Deprivation and Disability Score", "Health Deprivation and Disability"),
    ("crime", "Crime Score", "Crime"),
    ("barriers", "Barriers to Housing and Services Score", "Barriers to Housing and Services"),
    ("living_environment", "Living Environment Score", "Living Environment"),
    ("idaci", "Income Deprivation Affecting Children Index (IDACI) Score (rate)",
     "Income Deprivation Affecting Children Index (IDACI)"),
    ("idaopi", "Income Deprivation Affecting Older People (IDAOPI) Score (rate)",
     "Income Deprivation Affecting Older People (IDAOPI)"),
)  # fmt: skip
IMD_POPULATION_COLUMNS = (
    ("total", "Total population: mid 2015 (excluding prisoners)"),
    ("children", "Dependent Children aged 0-15: mid 2015 (excluding prisoners)"),
    ("middle", "Population aged 16-59: mid 2015 (excluding prisoners)"),
    ("old", "Older population aged 60 and over: mid 2015 (excluding prisoners)"),
    ("working", "Working age population 18-59/64: for use with Employment Deprivation Domain (excluding prisoners)"),
)
IMD_COLUMNS = (
    ("LSOA code (2011)", "LSOA name (2011)", "Local Authority District code (2019)",
     "Local Authority District name (2019)")
    + tuple(c for _, score, prefix in IMD_DOMAINS for c in (score, f"{prefix} {_RANK}", f"{prefix} {_DECILE}"))
    + tuple(c for _, c in IMD_POPULATION_COLUMNS)
)  # fmt: skip


def sape(year: int, sex: str) -> str:
    return f"population/sape_lsoa11_mid{year}_{sex}.csv"


SAPE_COLUMNS = ("LSOA Code", "LSOA Name", "LA Code (2021 boundaries)", "LA name (2021 boundaries)", "All Ages") + tuple(
    str(a) for a in range(90)
) + ("90+",)


def mye(year: int) -> str:
    return f"population/mye_england_sex_syoa_mid{year}.csv"


MYE_COLUMNS = ("sex", "Code", "Name", "Geography", "age", "count")

FINGERTIPS = "jsna/fingertips_indicators.csv"
FINGERTIPS_COLUMNS = (
    "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name", "Area Type", "Sex", "Age",
    "Category Type", "Category", "Time period", "Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit",
    "Lower CI 99.8 limit", "Upper CI 99.8 limit", "Count", "Denominator", "Value note", "Recent Trend",
    "Compared to England value or percentiles", "Compared to percentiles", "Time period Sortable", "New data",
    "Compared to goal", "Time period range",
)  # fmt: skip

GP_MAP = "gp/gp-reg-pat-prac-map.csv"
GP_MAP_COLUMNS = ("PUBLICATION", "EXTRACT_DATE", "PRACTICE_CODE", "PRACTICE_NAME", "PRACTICE_POSTCODE", "PCN_CODE",
                  "PCN_NAME", "ONS_CCG_CODE", "CCG_CODE", "CCG_NAME", "ONS_STP_CODE", "STP_CODE", "STP_NAME",
                  "ONS_COMM_REGION_CODE", "COMM_REGION_CODE", "COMM_REGION_NAME")  # fmt: skip


def gp_quin_age(month: str) -> str:
    return f"gp/gp-reg-pat-prac-quin-age_{month}.csv"


GP_QUIN_AGE_COLUMNS = ("PUBLICATION", "EXTRACT_DATE", "TYPE", "CCG_CODE", "ONS_CCG_CODE", "ORG_CODE", "POSTCODE", "SEX",
                       "AGE_GROUP_5", "NUMBER_OF_PATIENTS")  # fmt: skip
AGE_GROUPS_5 = tuple(f"{lo}_{lo + 4}" for lo in range(0, 95, 5)) + ("95+",)


def gp_lsoa(month: str) -> str:
    return f"gp/gp-reg-pat-prac-lsoa-all_{month}.csv"


GP_LSOA_COLUMNS = ("PUBLICATION", "EXTRACT_DATE", "PRACTICE_CODE", "PRACTICE_NAME", "LSOA_CODE", "SEX",
                   "NUMBER_OF_PATIENTS")  # fmt: skip
GP_LSOA_MONTHS = (4, 7, 10, 1)


def gpw_practice(month: str) -> str:
    return f"gp/gpw_practice_level_{month}.csv"


GPW_PRACTICE_COLUMNS = ("PRAC_CODE", "PRAC_NAME", "SUB_ICB_CODE", "SUB_ICB_NAME", "ICB_CODE", "ICB_NAME", "PCN_CODE",
                        "PCN_NAME", "TOTAL_PATIENTS", "TOTAL_GP_HC", "TOTAL_GP_FTE", "TOTAL_GP_EXTGL_FTE",
                        "TOTAL_GP_TRN_GR_FTE", "TOTAL_LOCUUM_TRN_FTE", "TOTAL_NURSES_FTE", "TOTAL_DPC_FTE",
                        "TOTAL_ADMIN_FTE")  # fmt: skip
GPW_NATIONAL = "gp/gpw_national_summary.csv"
GPW_NATIONAL_COLUMNS = ("CENSUS_DATE", "STAFF_GROUP", "FTE", "HEADCOUNT")
GPW_STAFF_GROUPS = ("All GPs", "GPs excl. trainees and locums", "GP trainees", "Locums", "Nurses",
                    "Direct patient care", "Admin/non-clinical")  # fmt: skip


def ecds(month: str) -> str:
    return f"uec/ecds/ecds_attendances_{month}.csv"


ECDS_COLUMNS = ("EC_IDENT", "ARRIVAL_DATE", "LSOA_OF_RESIDENCE", "AGE_AT_ARRIVAL", "STATED_GENDER", "PROVIDER_CODE",
                "EC_DEPARTMENT_TYPE")  # fmt: skip


def apc(month: str) -> str:
    return f"uec/sus_apc/apc_spells_{month}.csv"


APC_COLUMNS = ("SPELL_ID", "ADMISSION_DATE", "DISCHARGE_DATE", "ADMISSION_METHOD", "LSOA_OF_RESIDENCE",
               "AGE_ON_ADMISSION", "SEX", "PROVIDER_CODE", "LENGTH_OF_STAY")  # fmt: skip


def ae_monthly(month: str) -> str:
    return f"uec/ae_monthly/monthly_ae_{month}.csv"


AE_MONTHLY_COLUMNS = (
    "Period", "Org Code", "Parent Org", "Org name", "A&E attendances Type 1", "A&E attendances Type 2",
    "A&E attendances Other A&E Department", "Attendances over 4hrs Type 1", "Attendances over 4hrs Type 2",
    "Attendances over 4hrs Other Department", "Patients who have waited 4-12 hs from DTA to admission",
    "Patients who have waited 12+ hrs from DTA to admission", "Emergency admissions via A&E - Type 1",
    "Emergency admissions via A&E - Type 2", "Emergency admissions via A&E - Other A&E department",
    "Other emergency admissions",
)  # fmt: skip
ENGLAND_ACTIVITY = "uec/england_activity_by_age_sex.csv"
ENGLAND_ACTIVITY_COLUMNS = ("FINANCIAL_YEAR", "MEASURE", "AGE_BAND", "SEX", "ACTIVITY")
MANIFEST = "demo_manifest.json"
