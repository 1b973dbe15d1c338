"""The Great Expectations suites on the marts, declared as data (no Great Expectations import here).

One `Suite` is one property of one mart, and one Dagster asset check on it (`gx_<suite name>`). The suites check
what the marts' pandera models (types, nulls, codes, keys, ranges: schemas/) and their SQL checks
(assets/sql/marts/checks/) do not: that the marts cover the profile's ICB, months and years, that geography levels
reconcile, completeness of the grids, and plausibility. Their batches are small (a query's aggregates, or a
dimension's columns), never a fact table row by row. A blocking suite stops the run
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

PRACTICE = r"^[A-Z]\d{5}$"
# How far an earlier period's indicator value may move between two releases before a warning: revised population
# estimates move rates by a few per cent; one month of a year lost or delivered twice moves its year by about 8%.
RELEASE_DRIFT = 0.05


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
    against_last_release: the query also reads `last_release`, the shared marts file published now (attached
    read-only); before the first release the suite passes with "no earlier release".
    """

    name: str
    table: str
    description: str
    expectations: tuple[Expect, ...]
    blocking: bool = True
    query: str | None = None
    identify: tuple[str, ...] = ()
    needs_any: tuple[str, ...] = ()
    against_last_release: bool = False

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
        "dim_geography_in_profile", "dim_geography",
        "The geography is the profile's ICB: at least one LSOA, every one in the ICB the profile names",
        (
            expect("ExpectTableRowCountToBeBetween", min_value=1),
            expect("ExpectColumnValuesToBeInSet", column="system_code", value_set=param("system_codes")),
        ),
        identify=("lsoa_code",),
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
        "dim_practices_in_profile", "dim_practices",
        "At least one practice, each with an ODS practice code, all in the profile's ICB",
        (
            expect("ExpectTableRowCountToBeBetween", min_value=1),
            expect("ExpectColumnValuesToMatchRegex", column="practice_code", regex=PRACTICE),
            expect("ExpectColumnValuesToBeInSet", column="system_code", value_set=param("system_codes")),
        ),
        identify=("practice_code",),
    ),
    # --- fct_population ----------------------------------------------------------------------------------
    Suite(
        "fct_population_complete_grid", "fct_population",
        "Every year whose estimates are held has every system LSOA x 19 age bands x its sexes (row counts "
        "reconcile), and no year lies outside the profile's",
        (
            expect("ExpectColumnPairValuesToBeEqual", column_A="rows_in_mart", column_B="rows_expected"),
            expect("ExpectColumnPairValuesToBeEqual", column_A="lsoas_in_mart", column_B="lsoas_expected"),
            expect("ExpectColumnValuesToBeBetween", column="financial_year", min_value=param("first_year"),
                   max_value=param("last_year")),
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
        "Every month of the profile has activity of every measure (a missing monthly extract shows as a gap), "
        "and no activity lies outside the profile's months",
        (
            expect("ExpectTableRowCountToBeBetween", min_value=1),
            expect("ExpectColumnValuesToBeBetween", column="activity", min_value=1),
            expect("ExpectColumnValuesToBeBetween", column="month", min_value=param("first_month"),
                   max_value=param("last_month")),
        ),
        query="fct_activity__months",
        identify=("month", "measure"),
        needs_any=("ed_attendances", "admitted_spells"),
    ),
    # --- fct_gp_workforce --------------------------------------------------------------------------------
    Suite(
        "fct_gp_workforce_list_sizes", "fct_gp_workforce",
        "Every practice-month carries its registered patients (the denominator of patients per GP)",
        (
            expect("ExpectTableRowCountToBeBetween", min_value=1),
            *not_null("registered_patients"),
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
    Suite(
        "fct_indicator_values_against_last_release", "fct_indicator_values",
        f"Values of earlier periods within {RELEASE_DRIFT:.0%} of the last release's (system, footprints, local "
        "authorities; the latest period of each indicator excepted)",
        (expect("ExpectColumnValuesToBeBetween", column="relative_change", min_value=-RELEASE_DRIFT,
                max_value=RELEASE_DRIFT),),
        blocking=False,
        query="fct_indicator_values__against_last_release",
        identify=("indicator_id", "level", "area_code", "period", "value", "last_value"),
        against_last_release=True,
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
