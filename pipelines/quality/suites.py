"""The Great Expectations suites on the marts, declared as data (no Great Expectations import here).

One `Suite` is one property of one mart, and one Dagster asset check on it (`gx_<suite name>`): keys and row
counts, ranges, reconciliations between geography levels, plausibility. A blocking suite stops the run
before publication when it fails; a warning suite only shows in the UI (and in Data Docs).

A suite reads its batch from `assets/sql/quality/<query>.sql` (bound to the profile's parameters) or, without
a query, the columns its expectations name from `marts.<table>`. Expectation arguments may refer to the
profile with `param("first_month")` (Great Expectations' suite parameters, filled in at run time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from schemas.vocabulary import ACTIVITY_MEASURES, ESP2013_AGE_BANDS
from pipelines.indicators.catalogue import LEVELS as INDICATOR_LEVELS

LSOA = r"^E01\d{6}$"
PRACTICE = r"^[A-Z]\d{5}$"


def param(name: str) -> dict[str, str]:
    """An expectation argument taken from the run's parameters (the profile: `run_parameters`)."""
    return {"$PARAMETER": name}


@dataclass(frozen=True)
class Expect:
    """One expectation: a class of `great_expectations.expectations` and its arguments."""

    kind: str
    args: Mapping[str, Any] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        """The batch columns the expectation reads."""
        named = [self.args.get(key) for key in ("column", "column_A", "column_B")]
        return tuple(c for c in named if isinstance(c, str)) + tuple(self.args.get("column_list", ()))

    @property
    def label(self) -> str:
        """`ExpectColumnValuesToBeUnique(lsoa_code)`: how a failure is named in Dagster metadata."""
        return f"{self.kind}({', '.join(self.columns)})" if self.columns else self.kind


def expect(kind: str, **args: Any) -> Expect:
    return Expect(kind, args)


@dataclass(frozen=True)
class Suite:
    """One property of one mart, checked with Great Expectations.

    name: the suite's name (the Dagster check is `gx_<name>`). table: the mart (asset `marts/<table>`).
    description: the property in one line. blocking: failing stops publication (else a warning).
    query: `assets/sql/quality/<query>.sql` gives the batch; None: the named columns of `marts.<table>`.
    identify: columns that name a failing row in the check's metadata (e.g. the month and measure of a gap).
    needs_any: entities (pipelines.sources) of which the profile must hold one for the suite to run; a profile
    holding none of them (e.g. no ECDS or SUS extract) passes the suite with "not held" (its mart is empty).
    """

    name: str
    table: str
    description: str
    expectations: tuple[Expect, ...]
    blocking: bool = True
    query: str | None = None
    identify: tuple[str, ...] = ()
    needs_any: tuple[str, ...] = ()

    @property
    def check_name(self) -> str:
        return f"gx_{self.name}"

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.identify, *(c for e in self.expectations for c in e.columns)]))


def not_null(*columns: str) -> tuple[Expect, ...]:
    return tuple(expect("ExpectColumnValuesToNotBeNull", column=c) for c in columns)


SUITES: tuple[Suite, ...] = (
    # --- dim_geography -----------------------------------------------------------------------------------
    Suite(
        "dim_geography_keys", "dim_geography",
        "One row per system LSOA: codes present, unique, well formed, all in the profile's ICB",
        (
            expect("ExpectTableRowCountToBeBetween", min_value=1),
            expect("ExpectColumnValuesToBeUnique", column="lsoa_code"),
            *not_null("lsoa_code", "lad_code", "sub_icb_code", "footprint_code", "system_code"),
            expect("ExpectColumnValuesToMatchRegex", column="lsoa_code", regex=LSOA),
            expect("ExpectColumnValuesToBeInSet", column="system_code", value_set=param("system_codes")),
        ),
    ),
    Suite(
        "dim_geography_neighbourhoods", "dim_geography",
        "Every LSOA has a best-fit neighbourhood holding a share of its patients in (0, 1]",
        (
            *not_null("neighbourhood_code"),
            expect("ExpectColumnValuesToBeBetween", column="neighbourhood_share", min_value=0, max_value=1,
                   strict_min=True),
        ),
        blocking=False,
        identify=("lsoa_code",),
    ),
    # --- dim_practices -----------------------------------------------------------------------------------
    Suite(
        "dim_practices_keys", "dim_practices",
        "One row per system practice, each in one neighbourhood (PCN) and footprint",
        (
            expect("ExpectTableRowCountToBeBetween", min_value=1),
            expect("ExpectColumnValuesToBeUnique", column="practice_code"),
            expect("ExpectColumnValuesToMatchRegex", column="practice_code", regex=PRACTICE),
            *not_null("practice_code", "neighbourhood_code", "footprint_code", "system_code"),
        ),
    ),
    # --- fct_population ----------------------------------------------------------------------------------
    Suite(
        "fct_population_keys", "fct_population",
        "One row per LSOA x financial year x age band x sex, within the profile's years",
        (
            expect("ExpectTableRowCountToBeBetween", min_value=1),
            expect("ExpectCompoundColumnsToBeUnique", column_list=["lsoa_code", "financial_year", "age_band", "sex"]),
            *not_null("lsoa_code", "financial_year", "age_band", "sex", "population"),
            expect("ExpectColumnValuesToBeInSet", column="age_band", value_set=list(ESP2013_AGE_BANDS)),
            expect("ExpectColumnValuesToBeInSet", column="sex", value_set=["M", "F", "P"]),
            expect("ExpectColumnValuesToBeBetween", column="financial_year", min_value=param("first_year"),
                   max_value=param("last_year")),
            expect("ExpectColumnValuesToBeBetween", column="population", min_value=0),
        ),
    ),
    Suite(
        "fct_population_complete_grid", "fct_population",
        "Every year whose estimates are held has every system LSOA x 19 age bands x its sexes (row counts reconcile)",
        (
            expect("ExpectColumnPairValuesToBeEqual", column_A="rows_in_mart", column_B="rows_expected"),
            expect("ExpectColumnPairValuesToBeEqual", column_A="lsoas_in_mart", column_B="lsoas_expected"),
        ),
        query="fct_population__grid",
        identify=("financial_year",),
    ),
    Suite(
        "fct_population_plausible_lsoas", "fct_population",
        "LSOA populations are of LSOA size (census design: about 1,000 to 3,000 residents)",
        (expect("ExpectColumnValuesToBeBetween", column="population", min_value=100, max_value=15_000),),
        blocking=False,
        query="fct_population__lsoa_totals",
        identify=("lsoa_code", "financial_year"),
    ),
    # --- fct_activity ------------------------------------------------------------------------------------
    Suite(
        "fct_activity_keys", "fct_activity",
        "One row per LSOA x month x age band x sex x measure, within the profile's months, positive counts",
        (
            expect("ExpectTableRowCountToBeBetween", min_value=1),
            expect("ExpectCompoundColumnsToBeUnique",
                   column_list=["lsoa_code", "month", "age_band", "sex", "measure"]),
            *not_null("lsoa_code", "month", "financial_year", "age_band", "sex", "measure", "activity"),
            expect("ExpectColumnValuesToBeInSet", column="measure", value_set=list(ACTIVITY_MEASURES)),
            expect("ExpectColumnValuesToBeInSet", column="age_band", value_set=list(ESP2013_AGE_BANDS)),
            expect("ExpectColumnValuesToBeInSet", column="sex", value_set=["M", "F", "U"]),
            expect("ExpectColumnValuesToBeBetween", column="month", min_value=param("first_month"),
                   max_value=param("last_month")),
            expect("ExpectColumnValuesToBeBetween", column="activity", min_value=1),
        ),
        identify=("lsoa_code", "month", "measure"),
        needs_any=("ed_attendances", "admitted_spells"),
    ),
    Suite(
        "fct_activity_levels_reconcile", "fct_activity",
        "Footprints and local authorities sum to the system, every measure and year",
        (
            expect("ExpectTableRowCountToBeBetween", min_value=1),
            expect("ExpectColumnPairValuesToBeEqual", column_A="footprints", column_B="system"),
            expect("ExpectColumnPairValuesToBeEqual", column_A="local_authorities", column_B="system"),
        ),
        query="fct_activity__levels",
        identify=("measure", "financial_year"),
        needs_any=("ed_attendances", "admitted_spells"),
    ),
    Suite(
        "fct_activity_every_month", "fct_activity",
        "Every month of the profile has activity of every measure (a missing monthly extract shows as a gap)",
        (
            expect("ExpectTableRowCountToBeBetween", min_value=1),
            expect("ExpectColumnValuesToBeBetween", column="activity", min_value=1),
        ),
        query="fct_activity__months",
        identify=("month", "measure"),
        needs_any=("ed_attendances", "admitted_spells"),
    ),
    Suite(
        "fct_activity_type1_within_all", "fct_activity",
        "Type 1 A&E attendances never exceed all A&E attendances (same LSOA, month, age band and sex)",
        (expect("ExpectColumnPairValuesAToBeGreaterThanB", column_A="ae_attendances_all",
                column_B="ae_attendances_type1", or_equal=True),),
        query="fct_activity__type1_within_all",
        identify=("lsoa_code", "month", "age_band", "sex"),
        needs_any=("ed_attendances", "admitted_spells"),
    ),
    # --- fct_gp_workforce --------------------------------------------------------------------------------
    Suite(
        "fct_gp_workforce_keys", "fct_gp_workforce",
        "One row per system practice x month, no negative FTE or list size",
        (
            expect("ExpectTableRowCountToBeBetween", min_value=1),
            expect("ExpectCompoundColumnsToBeUnique", column_list=["practice_code", "month"]),
            *not_null("practice_code", "month", "registered_patients"),
            *(expect("ExpectColumnValuesToBeBetween", column=c, min_value=0)
              for c in ("registered_patients", "gp_fte_all", "gp_fte_qualified", "nurses_fte")),
        ),
        identify=("practice_code", "month"),
    ),
    Suite(
        "fct_gp_workforce_plausible", "fct_gp_workforce",
        "The system's patients per fully qualified GP FTE stay in England's range (1,000 to 4,000)",
        (expect("ExpectColumnValuesToBeBetween", column="patients_per_qualified_gp_fte", min_value=1_000,
                max_value=4_000),),
        blocking=False,
        query="fct_gp_workforce__patients_per_gp",
        identify=("month",),
    ),
    # --- fct_indicator_values ----------------------------------------------------------------------------
    Suite(
        "fct_indicator_values_keys", "fct_indicator_values",
        "One row per indicator x level x area x period, at a known level",
        (
            expect("ExpectTableRowCountToBeBetween", min_value=1),
            expect("ExpectCompoundColumnsToBeUnique", column_list=["indicator_id", "level", "area_code", "period"]),
            *not_null("indicator_id", "level", "area_code", "period", "method"),
            expect("ExpectColumnValuesToBeInSet", column="level", value_set=list(INDICATOR_LEVELS)),
        ),
    ),
    Suite(
        "fct_indicator_values_levels_reconcile", "fct_indicator_values",
        "Count indicators: footprints and local authorities sum to the system (relative gap under 1e-9)",
        (
            expect("ExpectTableRowCountToBeBetween", min_value=1),
            *not_null("system", "footprints", "local_authorities"),
            *(expect("ExpectColumnValuesToBeBetween", column=c, min_value=-1e-9, max_value=1e-9)
              for c in ("footprints_relative_gap", "local_authorities_relative_gap")),
        ),
        query="fct_indicator_values__levels",
        identify=("indicator_id", "period"),
        needs_any=("ed_attendances", "admitted_spells"),
    ),
    Suite(
        "fct_indicator_values_neighbourhoods_reconcile", "fct_indicator_values",
        "Count indicators: neighbourhoods (registration-weighted) sum to the system within 0.1%",
        (expect("ExpectColumnValuesToBeBetween", column="neighbourhoods_relative_gap", min_value=-1e-3,
                max_value=1e-3),),
        blocking=False,
        query="fct_indicator_values__levels",
        identify=("indicator_id", "period"),
        needs_any=("ed_attendances", "admitted_spells"),
    ),
)

SUITES_BY_NAME: dict[str, Suite] = {suite.name: suite for suite in SUITES}


def run_parameters(profile) -> dict[str, Any]:
    """The values `param(...)` refers to, from the profile."""
    return {
        "first_year": profile.first_financial_year,
        "last_year": profile.last_financial_year,
        "first_month": dt.date.fromisoformat(profile.first_month),
        "last_month": dt.date.fromisoformat(profile.last_month),
        "system_codes": [profile.icb_code],
    }
