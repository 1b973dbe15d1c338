"""Marts: the tables the intelligence team queries (`marts.*` in `data/marts/ina.duckdb`).

Each mart's columns and types come from its pandera model in `schemas/marts.py` (the DDL is generated from
it); its rows from `assets/sql/marts/<table>.sql`. Every mart is validated against its model (blocking) and
carries the reconciliation checks listed in `MART_CHECKS` (SQL in `assets/sql/checks/`).
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

from assets.common import MartCheck, mart_check_results, mart_check_specs, profile_params, table_metadata
from assets.staging import staging_asset_key
from pipelines.resources import InaSettings, MartsDatabase
from pipelines.sql import insert_select
from schemas.ddl import create_table_sql, dagster_table_schema
from schemas.marts import MART_MODELS


@dataclass(frozen=True)
class Mart:
    name: str
    upstream: tuple[str, ...]  # "staging.<table>" or "marts.<table>"


MARTS: tuple[Mart, ...] = (
    Mart("dim_geography", ("staging.stg_geography__lsoas", "staging.stg_config__footprints",
                           "staging.stg_gp__practices", "staging.stg_gp__registered_patients_lsoa")),
    Mart("dim_practices", ("staging.stg_gp__practices", "staging.stg_config__footprints")),
    Mart("dim_areas", ("marts.dim_geography", "marts.dim_practices")),
    Mart("dim_lsoa_deprivation", ("staging.stg_imd__lsoa_deprivation", "marts.dim_geography")),
    Mart("fct_population", ("staging.stg_population__lsoa_age_sex", "marts.dim_geography")),
    Mart("fct_england_population", ("staging.stg_population__england_age_sex",)),
    Mart("fct_activity", ("staging.stg_uec__ed_attendances", "staging.stg_uec__admitted_spells",
                          "marts.dim_geography")),
    Mart("fct_england_activity", ("staging.stg_uec__england_activity_age_sex",)),
    Mart("fct_ae_monthly_providers", ("staging.stg_uec__ae_monthly_providers",)),
    Mart("fct_gp_workforce", ("staging.stg_gp__workforce_practice", "marts.dim_practices")),
    Mart("fct_england_gp_workforce", ("staging.stg_gp__workforce_england",)),
    Mart("fct_registered_patients", ("staging.stg_gp__registered_patients_age_sex", "marts.dim_practices")),
    Mart("fct_practice_lsoa_registrations", ("staging.stg_gp__registered_patients_lsoa", "marts.dim_practices")),
    Mart("fct_jsna_indicator_values", ("staging.stg_jsna__indicator_values", "marts.dim_geography")),
)

MART_CHECKS: dict[str, tuple[MartCheck, ...]] = {
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

    @dg.asset(
        key=key,
        deps=[_upstream_key(u) for u in mart.upstream],
        group_name="marts",
        description=f"{(model.__doc__ or '').strip()}\n\nSQL: `assets/sql/marts/{mart.name}.sql`; "
        f"schema: `schemas.marts.{model.__name__}`.",
        kinds={"duckdb", "sql"},
        tags={"layer": "marts"},
        metadata={"dagster/column_schema": dagster_table_schema(model)},
        check_specs=check_specs,
    )
    def _mart(settings: InaSettings, marts_db: MartsDatabase) -> dg.MaterializeResult:
        params = profile_params(settings.profile())
        table = f"marts.{mart.name}"
        with marts_db.connect() as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS marts")
            con.execute("BEGIN TRANSACTION")
            con.execute(create_table_sql(model, table))
            insert_select(con, table, f"marts/{mart.name}", params)
            con.execute("COMMIT")
            results = mart_check_results(con, mart.name, model, checks, "checks", params)
            metadata = table_metadata(con, table)
        return dg.MaterializeResult(metadata=metadata, check_results=results)

    return _mart


mart_assets = [build_mart_asset(mart) for mart in MARTS]
