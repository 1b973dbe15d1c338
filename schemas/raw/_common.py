"""Code patterns, code lists and helpers shared by the raw-file models.

Every pattern here is the *structure* of a real code system (docs/raw-formats.md): the demo data's synthetic
codes fit the same patterns, so one model serves the demo and the real publications.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandera.polars as pa
from schemas.vocabulary import ADMISSION_METHODS, EMERGENCY_ADMISSION_METHODS, ESP2013_AGE_BANDS  # noqa: F401

# --- code patterns -----------------------------------------------------------------------------------------
LSOA = r"^E01\d{6}$"  # LSOA (2011 and 2021 alike: the vintage is metadata, see LSOA_VINTAGE_KEY)
LAD = r"^E0[6789]\d{6}$"  # unitary authority, non-metropolitan district, metropolitan district, London borough
SICBL_ONS = r"^E38\d{6}$"
ICB_ONS = r"^E54\d{6}$"
REGION_ONS = r"^E40\d{6}$"
ENGLAND = "E92000001"
NHS_ORG_3 = r"^[A-Z0-9]{3}$"  # sub-ICB location, ICB, NHS region (e.g. 00Q, QE1, Y62)
PRACTICE = r"^[A-Z]\d{5}$"
PCN = r"^U[A-Z0-9]{5}$"
# Providers: NHS trusts have 3-character codes; independent-sector and other A&E providers reach 5.
PROVIDER = r"^[A-Z0-9]{3,5}$"
# UK postcode, with or without the space (loose on purpose: the file is not the postcode authority).
POSTCODE = r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"
EXTRACT_DATE = r"^\d{2}(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\d{4}$"  # e.g. 01Mar2025

# --- code lists --------------------------------------------------------------------------------------------
AGE_GROUPS_5 = tuple(f"{lo}_{lo + 4}" for lo in range(0, 95, 5)) + ("95+",)  # GP registrations
STATED_GENDER = ("1", "2", "9", "X")  # NHS DD person stated gender code
PERSON_SEX = ("0", "1", "2", "9")  # NHS DD sex: 0 not known, 1 male, 2 female, 9 not specified
EC_DEPARTMENT_TYPES = ("01", "02", "03", "04")
ADMISSION_METHODS_EMERGENCY = EMERGENCY_ADMISSION_METHODS

# --- ranges ------------------------------------------------------------------------------------------------
MAX_AGE = 120
# Plausibility window for event dates. The file-period rule of each monthly source (schemas.registry) is the
# strict one: an attendance in `ecds_attendances_2019-04.csv` must fall in April 2019.
EARLIEST_EVENT_DATE = dt.date(2010, 4, 1)
LATEST_EVENT_DATE = dt.date(2035, 3, 31)
IMD2019_LSOAS = 32_844
# The longest hospital spell taken as plausible: five years. Longer stays are almost always a mistyped date
# (a discharge in 2034 after an admission in 2019); a real one is rare enough for a person to look at.
MAX_LENGTH_OF_STAY_DAYS = 5 * 365 + 1

# --- model metadata keys (Config.metadata) -----------------------------------------------------------------
GRAIN_KEY = "grain"
PUBLISHER_KEY = "publisher"
# Hook for the cross-file vintage check: which columns hold LSOA codes, and of which boundary vintage.
# The pattern cannot tell 2011 from 2021 codes; a later check compares them against the vintage's lookup.
LSOA_VINTAGE_KEY = "lsoa_vintage"
LSOA_COLUMNS_KEY = "lsoa_columns"


def age_range() -> dict[str, Any]:
    return {"min_value": 0, "max_value": MAX_AGE}


def event_date_range() -> dict[str, Any]:
    return {"min_value": EARLIEST_EVENT_DATE, "max_value": LATEST_EVENT_DATE}


def model_metadata(model: type[pa.DataFrameModel]) -> dict[str, Any]:
    """The model's `Config.metadata` (grain, publisher, LSOA vintage ...), empty if it has none."""
    return dict(getattr(model.Config, "metadata", None) or {})


def lsoa_vintage(model: type[pa.DataFrameModel]) -> int | None:
    """Boundary vintage (2011, 2021) of the model's LSOA columns, None if it has none."""
    return model_metadata(model).get(LSOA_VINTAGE_KEY)


def lsoa_columns(model: type[pa.DataFrameModel]) -> tuple[str, ...]:
    """Columns of the model that hold LSOA codes of `lsoa_vintage(model)`."""
    return tuple(model_metadata(model).get(LSOA_COLUMNS_KEY, ()))


class RawModel(pa.DataFrameModel):
    """Base of every raw-file model: exact column set, in the publisher's order, no coercion.

    The validator (pipelines.sources.validation) casts the text of each cell itself, so it can name the line and value
    of a bad cell, before pandera sees the batch; coercing here would hide wrong types.
    """

    class Config:
        strict = True
        ordered = True
        coerce = False
