"""Which database tier each table lives in (the Five Safes; docs/data-quality.md "Tiers").

A run builds every table in the **restricted working database** (`<marts_dir>/.build/ina.duckdb`): the staging
contracts and the fine-grained marts, for the named analysts who run the pipeline on the ICB's own systems. What
is released to the intelligence team as the **shared marts file** (`<marts_dir>/ina.duckdb`) is declared here,
table by table, so a new table is never shared by accident (tests/test_tiers.py fails on an undeclared table):

- `SHARED`: copied as built. Dimensions, and counts that their publisher already releases at this grain
  (ONS population estimates, NHS England's A&E statistics, NHS Digital's GP workforce and registered patients by
  practice, age and sex, OHID's Fingertips values) or that count no one (availability).
- `DISCLOSED`: released after the disclosure control of the commissioner outputs (`pipelines.outputs.tables`:
  primary, secondary and derived suppression at the published levels, England as the comparator); hidden cells
  are null and each row says which cells are hidden and why.
- `RESTRICTED`: never released. Counts built from record-level extracts at fine grains (most rows are one
  attendance or one spell, with its length of stay), and counts of where individual patients live.

Every table of the `staging` schema is restricted.
"""

from __future__ import annotations

from typing import Literal

Tier = Literal["shared", "disclosed", "restricted"]

SHARED: Tier = "shared"
DISCLOSED: Tier = "disclosed"
RESTRICTED: Tier = "restricted"

#: Each tier in words (the data dictionary's notes).
TIER_WORDS: dict[Tier, str] = {
    SHARED: "shared marts file, as built",
    DISCLOSED: "shared marts file after disclosure control; full detail in the restricted working database",
    RESTRICTED: "restricted working database only",
}

#: The schema whose tables are all restricted (record-level extracts arrive in it already counted, but at the
#: finest grain: LSOA x month x age band x sex x provider).
RESTRICTED_SCHEMAS = ("staging", "increments")  # increments: the build's own ledger (pipelines/increments.py)

#: `marts.<table>` -> (tier, why). The reason is printed in the data dictionary and docs/data-quality.md.
MART_TIERS: dict[str, tuple[Tier, str]] = {
    "dim_areas": (SHARED, "areas and their parents; no counts"),
    "dim_geography": (SHARED, "the LSOA hierarchy; the best-fit neighbourhood share is a share, not a count"),
    "dim_practices": (SHARED, "GP practices as NHS Digital publishes them"),
    "dim_lsoa_deprivation": (SHARED, "IMD as MHCLG publishes it, with ONS population estimates"),
    "fct_practice_deprivation": (SHARED, "practice IMD scores and list sizes as OHID and NHS Digital publish them"),
    "fct_population": (SHARED, "ONS small-area population estimates, summed to age bands"),
    "fct_england_population": (SHARED, "ONS mid-year estimates for England"),
    "fct_england_activity": (SHARED, "England's activity by financial year, age band and sex: national counts"),
    "fct_ae_monthly_providers": (SHARED, "NHS England's published monthly A&E statistics"),
    "fct_ae_published_monthly": (SHARED, "NHS England's published monthly A&E statistics, attributed to the system"),
    "fct_ae_published_annual": (SHARED, "the published A&E series by financial year"),
    "fct_ae_published_growth": (SHARED, "growth of the published A&E series against England"),
    "fct_gp_workforce": (SHARED, "NHS Digital's published GP workforce by practice (FTE, list size)"),
    "fct_england_gp_workforce": (SHARED, "NHS Digital's published GP workforce for England"),
    "fct_registered_patients": (SHARED, "NHS Digital's published registered patients by practice, age and sex"),
    "fct_jsna_indicator_values": (SHARED, "OHID's published Fingertips values"),
    "fct_indicator_availability": (SHARED, "which indicators the profile's data allow; no counts"),
    "fct_indicator_values": (DISCLOSED, "numerators and denominators of people at every published level"),
    "fct_deprivation_gradients": (DISCLOSED, "activity and population by deprivation quantile in small areas"),
    "fct_inequality_summary": (DISCLOSED, "rates of the most and least deprived quantiles, SII and RII"),
    "fct_right_drift": (DISCLOSED, "activity of the base and current years by footprint"),
    "fct_activity": (RESTRICTED, "LSOA x month x age band x sex from record-level extracts: most rows count one "
                                 "attendance or spell, with its bed days beside it"),
    "fct_practice_lsoa_registrations": (RESTRICTED, "patients of each practice living in each LSOA: many rows count "
                                                    "one or two people"),
}


def tier_of(schema: str, table: str) -> Tier | None:
    """The declared tier of `schema.table` (None: undeclared, which the release refuses)."""
    if schema in RESTRICTED_SCHEMAS:
        return RESTRICTED
    if schema == "marts" and table in MART_TIERS:
        return MART_TIERS[table][0]
    return None


def tables_of(tier: Tier) -> list[str]:
    """The mart tables of one tier, in declaration order."""
    return [table for table, (declared, _) in MART_TIERS.items() if declared == tier]
