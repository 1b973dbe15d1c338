"""Marts: the tables the intelligence team queries (`marts.*` in `data/marts/ina.duckdb`).

Each mart's columns and types come from its pandera model in `schemas/marts.py` (the DDL is generated from
it); its rows from `assets/sql/marts/<table>.sql`. Every mart is validated against its model (blocking) and
carries the reconciliation checks listed in `MART_CHECKS` (SQL in `assets/sql/checks/`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg
import duckdb
import polars as pl

from assets.common import MartCheck, mart_check_results, mart_check_specs, profile_params, table_metadata
from assets.staging import staging_asset_key
from pipelines.ae_attribution import build_ae_published_monthly
from pipelines.config import Profile
from pipelines.platform.resources import InaSettings, MartsDatabase
from pipelines.sql import insert_select
from schemas.ddl import create_table_sql, dagster_table_schema
from schemas.marts import MART_MODELS


@dataclass(frozen=True)
class Mart:
    name: str
    upstream: tuple[str, ...]  # "staging.<table>" or "marts.<table>"
    # Python build (rows from the connection, params and profile) for a mart SQL cannot express; else the SQL file
    build: Callable[[duckdb.DuckDBPyConnection, dict, Profile], pl.DataFrame] | None = None


MARTS: tuple[Mart, ...] = (
    Mart("dim_geography", ("staging.stg_geography__lsoas", "staging.stg_config__footprints",
                           "staging.stg_gp__practices", "staging.stg_gp__registered_patients_lsoa",
                           "staging.stg_population__lsoa_age_sex")),
    Mart("dim_practices", ("staging.stg_gp__practices", "staging.stg_config__footprints")),
    Mart("dim_areas", ("marts.dim_geography", "marts.dim_practices")),
    Mart("dim_lsoa_deprivation", ("staging.stg_imd__lsoa_deprivation", "staging.stg_geography__lsoas",
                                  "staging.stg_geography__lsoa_vintages", "staging.stg_population__lsoa_age_sex",
                                  "staging.stg_config__footprints")),
    Mart("fct_population", ("staging.stg_population__lsoa_age_sex", "marts.dim_geography")),
    Mart("fct_england_population", ("staging.stg_population__england_age_sex",)),
    Mart("fct_activity", ("staging.stg_uec__ed_attendances", "staging.stg_uec__admitted_spells",
                          "marts.dim_geography")),
    Mart("fct_england_activity", ("staging.stg_uec__england_activity_age_sex",)),
    Mart("fct_ae_monthly_providers", ("staging.stg_uec__ae_monthly_providers",)),
    Mart("fct_ae_published_monthly", ("staging.stg_uec__ae_monthly_providers", "staging.stg_uec__ae_monthly_icbs",
                                      "staging.stg_uec__trust_successions", "staging.stg_uec__trust_catchments",
                                      "staging.stg_uec__trust_attribution"), build=build_ae_published_monthly),
    Mart("fct_ae_published_annual", ("marts.fct_ae_published_monthly",)),
    Mart("fct_ae_published_growth", ("marts.fct_ae_published_annual",)),
    Mart("fct_gp_workforce", ("staging.stg_gp__workforce_practice", "marts.dim_practices",
                              "staging.stg_config__footprints")),
    Mart("fct_england_gp_workforce", ("staging.stg_gp__workforce_england",)),
    Mart("fct_practice_deprivation", ("staging.stg_imd__practice_scores", "marts.dim_practices",
                                      "marts.fct_gp_workforce")),
    Mart("fct_registered_patients", ("staging.stg_gp__registered_patients_age_sex", "marts.dim_practices")),
    Mart("fct_practice_lsoa_registrations", ("staging.stg_gp__registered_patients_lsoa", "marts.dim_practices")),
    Mart("fct_jsna_indicator_values", ("staging.stg_jsna__indicator_values", "marts.dim_geography")),
)

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
    ),
    "fct_gp_workforce": (
        MartCheck("every_practice_every_month", "No month is missing most of the practices", blocking=False),
    ),
}

def mart_asset_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", table])


def _upstream_key(qualified: str) -> dg.AssetKey:
    layer, table = qualified.split(".")
    return staging_asset_key(table) if layer == "staging" else mart_asset_key(table)


def build_mart_asset(mart: Mart) -> dg.AssetsDefinition:
    model = MART_MODELS[mart.name]
    key = mart_asset_key(mart.name)
    checks = MART_CHECKS.get(mart.name, ())
    check_specs = mart_check_specs(key, model, checks)
    how = (f"SQL: `assets/sql/marts/{mart.name}.sql`" if mart.build is None
           else f"Built by `{mart.build.__module__}.{mart.build.__name__}`")

    @dg.asset(
        key=key,
        deps=[_upstream_key(u) for u in mart.upstream],
        group_name="marts",
        description=f"{(model.__doc__ or '').strip()}\n\n{how}; schema: `schemas.marts.{model.__name__}`.",
        kinds={"duckdb", "sql"} if mart.build is None else {"duckdb", "polars"},
        tags={"layer": "marts"},
        metadata={"dagster/column_schema": dagster_table_schema(model)},
        check_specs=check_specs,
    )
    def _mart(settings: InaSettings, marts_db: MartsDatabase) -> dg.MaterializeResult:
        profile = settings.profile()
        params = profile_params(profile)
        table = f"marts.{mart.name}"
        with marts_db.connect() as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS marts")
            con.execute("BEGIN TRANSACTION")
            con.execute(create_table_sql(model, table))
            if mart.build is None:
                insert_select(con, table, f"marts/{mart.name}", params)
            else:
                frame = mart.build(con, params, profile)
                if frame.width:
                    con.register("mart_frame", frame.to_arrow())
                    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM mart_frame")  # table: from code
                    con.unregister("mart_frame")
            con.execute("COMMIT")
            results = mart_check_results(con, mart.name, model, checks, "checks", params)
            metadata = table_metadata(con, table)
        return dg.MaterializeResult(metadata=metadata, check_results=results)

    return _mart


mart_assets = [build_mart_asset(mart) for mart in MARTS]
