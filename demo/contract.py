"""Paths and headers of the raw files, as docs/raw-formats.md defines them: every header is its raw model's
columns (schemas/raw/, through schemas.registry), never typed here."""

from __future__ import annotations

from schemas.registry import RAW_SOURCES

GEOGRAPHY = "geography/lsoa11_sicbl_icb_lad.csv"
GEOGRAPHY_COLUMNS = RAW_SOURCES["geography_lookup"].columns

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
IMD_COLUMNS = RAW_SOURCES["imd_file7"].columns


def sape(year: int, sex: str) -> str:
    return f"population/sape_lsoa11_mid{year}_{sex}.csv"


SAPE_COLUMNS = RAW_SOURCES["population_lsoa"].columns


def mye(year: int) -> str:
    return f"population/mye_england_sex_syoa_mid{year}.csv"


MYE_COLUMNS = RAW_SOURCES["population_england"].columns

FINGERTIPS = "jsna/fingertips_indicators.csv"
FINGERTIPS_COLUMNS = RAW_SOURCES["fingertips"].columns

GP_MAP = "gp/gp-reg-pat-prac-map.csv"
GP_MAP_COLUMNS = RAW_SOURCES["gp_practice_map"].columns


def gp_quin_age(month: str) -> str:
    return f"gp/gp-reg-pat-prac-quin-age_{month}.csv"


GP_QUIN_AGE_COLUMNS = RAW_SOURCES["gp_patients_age_sex"].columns
from schemas.raw._common import AGE_GROUPS_5  # noqa: E402  (the raw model's code list)


def gp_lsoa(month: str) -> str:
    return f"gp/gp-reg-pat-prac-lsoa-all_{month}.csv"


GP_LSOA_COLUMNS = RAW_SOURCES["gp_patients_lsoa"].columns
GP_LSOA_MONTHS = (4, 7, 10, 1)


def gpw_practice(month: str) -> str:
    return f"gp/gpw_practice_level_{month}.csv"


GPW_PRACTICE_COLUMNS = RAW_SOURCES["gp_workforce_practice"].columns
GPW_NATIONAL = "gp/gpw_national_summary.csv"
GPW_NATIONAL_COLUMNS = RAW_SOURCES["gp_workforce_national"].columns
GPW_STAFF_GROUPS = ("All GPs", "GPs excl. trainees and locums", "GP trainees", "Locums", "Nurses",
                    "Direct patient care", "Admin/non-clinical")  # fmt: skip


def ecds(month: str) -> str:
    return f"uec/ecds/ecds_attendances_{month}.csv"


ECDS_COLUMNS = RAW_SOURCES["ecds_attendances"].columns


def apc(month: str) -> str:
    return f"uec/sus_apc/apc_spells_{month}.csv"


APC_COLUMNS = RAW_SOURCES["apc_spells"].columns


def ae_monthly(month: str) -> str:
    return f"uec/ae_monthly/monthly_ae_{month}.csv"


AE_MONTHLY_COLUMNS = RAW_SOURCES["ae_monthly"].columns
ENGLAND_ACTIVITY = "uec/england_activity_by_age_sex.csv"
ENGLAND_ACTIVITY_COLUMNS = RAW_SOURCES["england_activity"].columns
MANIFEST = "demo_manifest.json"
