"""The project's vocabularies, each declared once: every model, SQL macro, catalogue check and the demo
generator take their code lists from here (nothing else types them).

Imports nothing from the rest of the project, so the schemas below every layer can use it.
"""

from __future__ import annotations

import datetime as dt

#: The 19 five-year age bands of the 2013 European Standard Population (0-4 ... 85-89, 90+).
ESP2013_AGE_BANDS: tuple[str, ...] = tuple(f"{lo}-{lo + 4}" for lo in range(0, 90, 5)) + ("90+",)

#: Activity measures of marts.fct_activity: id -> what it counts.
ACTIVITY_MEASURES: dict[str, str] = {
    "ae_attendances_all": "Emergency department attendances, all department types (01-04)",
    "ae_attendances_type1": "Emergency department attendances at type 1 (major, consultant-led 24-hour) departments",
    "emergency_admissions": "Emergency (non-elective) admissions: spells with admission method 21-28, 2A-2D",
    "emergency_bed_days": "Bed days of emergency spells (length of stay, counted in the admission month)",
}

#: Admission methods (NHS Data Dictionary), by kind.
ADMISSION_METHODS_ELECTIVE: tuple[str, ...] = ("11", "12", "13")
EMERGENCY_ADMISSION_METHODS: tuple[str, ...] = ("21", "22", "23", "24", "25", "2A", "2B", "2C", "2D", "28")
ADMISSION_METHODS_MATERNITY: tuple[str, ...] = ("31", "32")
ADMISSION_METHODS_OTHER: tuple[str, ...] = ("81", "82", "83")
ADMISSION_METHODS: tuple[str, ...] = (ADMISSION_METHODS_ELECTIVE + EMERGENCY_ADMISSION_METHODS
                                      + ADMISSION_METHODS_MATERNITY + ADMISSION_METHODS_OTHER)

#: Sexes in the staging and mart tables: M, F; U not known (activity only); P persons (a source not split by sex).
SEXES: dict[str, str] = {"M": "male", "F": "female", "U": "not known", "P": "persons"}
SEXES_KNOWN: tuple[str, ...] = ("M", "F")

#: Geography levels of the indicators, England first.
LEVELS: tuple[str, ...] = ("england", "system", "footprint", "neighbourhood", "local_authority", "lsoa")
#: Levels an area dimension holds (England is the comparator, not an area of the system).
AREA_LEVELS: tuple[str, ...] = LEVELS[1:]

#: Statistical methods of the indicator catalogue (pipelines.indicators.catalogue gives each its rules).
METHOD_NAMES: tuple[str, ...] = ("crude_rate", "dsr", "isr", "per_weighted_capita", "growth", "sii", "proportion",
                                 "population_weighted_mean", "ratio_per_population", "published")
PERIOD_TYPES: tuple[str, ...] = ("financial_year", "financial_year_growth", "month", "imd_edition",
                                 "fingertips_period")
QUANTILE_TYPES: tuple[str, ...] = ("national_decile", "national_quintile", "system_decile", "system_quintile")

#: GP workforce staff groups: the FTE columns of marts.fct_gp_workforce, the staff_group of England's rows.
STAFF_GROUPS: tuple[str, ...] = ("gp_fte_all", "gp_fte_qualified", "gp_fte_trainees", "gp_fte_locums", "nurses_fte",
                                 "dpc_fte", "admin_fte")

#: What an indicator's numerator or denominator counts. Disclosure control protects counts of people only
#: (residents, patients, attendances, admissions); counts of areas (LSOAs), staff FTE and summed scores are
#: published facts about places and services, not about individuals, and are shown whatever their size.
PEOPLE = "people"
COUNT_UNITS: tuple[str, ...] = (PEOPLE, "LSOAs", "FTE staff", "score")


def financial_year(day: dt.date) -> int:
    """NHS financial year (April-March) of a date, as its starting calendar year (2018 = FY2018/19)."""
    return day.year - (1 if day.month < 4 else 0)


def financial_year_label(year: int) -> str:
    """2018 -> '2018/19'."""
    return f"{year}/{(year + 1) % 100:02d}"
