"""Marts: the tables the intelligence team queries (`marts.*` in `data/marts/ina.duckdb`).

Each mart's columns and types come from its pandera model in `schemas/marts.py` (the DDL is generated from
it); its rows from `assets/sql/marts/<table>.sql`. Every mart is validated against its model (blocking) and
carries the reconciliation checks listed in `MART_CHECKS` (SQL in `assets/sql/marts/checks/`). The asset of
each is made by the one table factory, `assets/tables.py`.
"""

from __future__ import annotations

import dagster as dg
import duckdb
import polars as pl

from assets.common import MartCheck
from assets.tables import TableRun, TableSpec, table_asset
from pipelines.ae_attribution import build_ae_published_monthly
from pipelines.increments import Parts
from schemas.marts import MART_MODELS


def ae_published_monthly(con: duckdb.DuckDBPyConnection, run: TableRun) -> pl.DataFrame:
    """Trust -> ICB catchment attribution of the published A&E series (pipelines/ae_attribution.py)."""
    return build_ae_published_monthly(con, run.params, run.profile)


MART_CHECKS: dict[str, tuple[MartCheck, ...]] = {
    "dim_lsoa_deprivation": (
        MartCheck("every_system_lsoa_has_a_decile", "Every system LSOA of each edition's vintage has an IMD decile"),
    ),
    "fct_ae_published_annual": (
        MartCheck("profile_providers_match_the_icb_series",
                  "The profile's providers' emergency admissions are within 2% of the ICB-level series where both "
                  "are held (tests the trust attribution)", blocking=False),
    ),
    "dim_geography": (
        MartCheck("every_system_lsoa_in_one_footprint", "Every system LSOA appears once, in one footprint"),
        MartCheck("every_lsoa_has_a_neighbourhood", "Every system LSOA reaches a neighbourhood", blocking=False),
    ),
    "fct_population": (
        MartCheck("reconciles_with_estimates", "Population equals the ONS estimates for the system's LSOAs"),
    ),
    "fct_activity": (
        MartCheck("reconciles_with_extracts", "Activity equals the extracts' activity of system residents"),
        MartCheck("ed_reconciles_with_published_ae",
                  "Each provider's ED attendances in the extract agree with NHS England's published A&E attendances "
                  "of the same month (schemas.registry.ReconciliationRule)"),
        MartCheck("type1_within_all", "Type 1 A&E attendances never exceed all A&E attendances (same LSOA, month, "
                  "age band and sex)"),
    ),
    "fct_gp_workforce": (
        MartCheck("every_practice_every_month", "No month is missing most of the practices", blocking=False),
    ),
}

def _mart(name: str, upstream: tuple[str, ...], build=None, parts: Parts | None = None) -> TableSpec:
    return TableSpec("marts", name, upstream, MART_MODELS[name], build, MART_CHECKS.get(name, ()), parts=parts)


MART_TABLES: tuple[TableSpec, ...] = (
    _mart("dim_geography", ("staging.stg_geography__lsoas", "staging.stg_config__footprints",
                            "staging.stg_gp__practices", "staging.stg_gp__registered_patients_lsoa",
                            "staging.stg_population__lsoa_age_sex")),
    _mart("dim_practices", ("staging.stg_gp__practices", "staging.stg_config__footprints")),
    _mart("dim_areas", ("marts.dim_geography", "marts.dim_practices")),
    _mart("dim_lsoa_deprivation", ("staging.stg_imd__lsoa_deprivation", "staging.stg_geography__lsoas",
                                   "staging.stg_geography__lsoa_vintages", "staging.stg_population__lsoa_age_sex",
                                   "staging.stg_config__footprints")),
    _mart("fct_population", ("staging.stg_population__lsoa_age_sex", "marts.dim_geography")),
    _mart("fct_england_population", ("staging.stg_population__england_age_sex",)),
    # by financial year: a one-month refresh rebuilds that month's year only (fct_activity__parts.sql)
    _mart("fct_activity", ("staging.stg_uec__ed_attendances", "staging.stg_uec__admitted_spells",
                           "marts.dim_geography", "staging.stg_uec__ae_monthly_providers"),
          parts=Parts("financial_year", whole_inputs=("marts.dim_geography",))),
    _mart("fct_england_activity", ("staging.stg_uec__england_activity_age_sex",)),
    _mart("fct_ae_monthly_providers", ("staging.stg_uec__ae_monthly_providers",)),
    _mart("fct_ae_published_monthly", ("staging.stg_uec__ae_monthly_providers", "staging.stg_uec__ae_monthly_icbs",
                                       "staging.stg_uec__trust_successions", "staging.stg_uec__trust_catchments",
                                       "staging.stg_uec__trust_attribution"), ae_published_monthly),
    _mart("fct_ae_published_annual", ("marts.fct_ae_published_monthly",)),
    _mart("fct_ae_published_growth", ("marts.fct_ae_published_annual",)),
    _mart("fct_gp_workforce", ("staging.stg_gp__workforce_practice", "marts.dim_practices",
                               "staging.stg_config__footprints")),
    _mart("fct_england_gp_workforce", ("staging.stg_gp__workforce_england",)),
    _mart("fct_practice_deprivation", ("staging.stg_imd__practice_scores", "marts.dim_practices",
                                       "marts.fct_gp_workforce")),
    _mart("fct_registered_patients", ("staging.stg_gp__registered_patients_age_sex", "marts.dim_practices")),
    _mart("fct_practice_lsoa_registrations", ("staging.stg_gp__registered_patients_lsoa", "marts.dim_practices")),
    _mart("fct_jsna_indicator_values", ("staging.stg_jsna__indicator_values", "marts.dim_geography")),
)


def mart_asset_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", table])


mart_assets = [table_asset(spec, MART_TABLES) for spec in MART_TABLES]
