"""Staging layer: one DuckDB table per raw source, renamed and cast (`assets/sql/staging/*.sql`).

Record-level extracts (ECDS attendances, SUS spells) are streamed from the files and aggregated inside DuckDB
in the same statement, so no record-level row is ever stored. The profile becomes one staging table too.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg
import polars as pl

from assets.common import described_table_schema, profile_params, table_metadata
from assets.raw import raw_asset_key
from pipelines.resources import InaSettings, MartsDatabase
from pipelines.sql import run_sql
from schemas.ddl import duckdb_types
from schemas.registry import RAW_SOURCES


@dataclass(frozen=True)
class StagingTable:
    name: str
    source: str
    description: str


STAGING_TABLES: tuple[StagingTable, ...] = (
    StagingTable("stg_geography__lsoas", "geography_lookup", "One row per LSOA in England with its sub-ICB, ICB and LA."),
    StagingTable("stg_imd__lsoa_deprivation", "imd_file7", "One row per LSOA in England: IMD scores, ranks, deciles."),
    StagingTable("stg_population__lsoa_age_sex", "population_lsoa", "One row per LSOA x mid-year x sex x age."),
    StagingTable("stg_population__england_age_sex", "population_england", "One row per mid-year x sex x age (England)."),
    StagingTable("stg_jsna__indicator_values", "fingertips", "One row per indicator x area x sex x age x period."),
    StagingTable("stg_gp__practices", "gp_practice_map", "One row per practice: PCN, sub-ICB location, ICB."),
    StagingTable("stg_gp__registered_patients_age_sex", "gp_patients_age_sex", "One row per practice x month x sex x age band."),
    StagingTable("stg_gp__registered_patients_lsoa", "gp_patients_lsoa", "One row per practice x LSOA x month."),
    StagingTable("stg_gp__workforce_practice", "gp_workforce_practice", "One row per practice x month: FTE by staff group."),
    StagingTable("stg_gp__workforce_england", "gp_workforce_national", "One row per month: England FTE by staff group."),
    StagingTable("stg_uec__ed_attendances", "ecds_attendances", "One row per LSOA x month x age band x sex x provider x department type."),
    StagingTable("stg_uec__admitted_spells", "apc_spells", "One row per LSOA x month x age band x sex x provider x admission method."),
    StagingTable("stg_uec__ae_monthly_providers", "ae_monthly", "One row per provider x month (NHS England A&E)."),
    StagingTable("stg_uec__england_activity_age_sex", "england_activity", "One row per FY x measure x age band x sex (England)."),
)


def staging_asset_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["staging", table])


def build_staging_asset(table: StagingTable) -> dg.AssetsDefinition:
    source = RAW_SOURCES[table.source]

    @dg.asset(
        key=staging_asset_key(table.name),
        deps=[raw_asset_key(source.name)],
        group_name=source.group,
        description=f"{table.description}\n\nSource: `raw/{source.name}`. SQL: `assets/sql/staging/{table.name}.sql`.",
        kinds={"duckdb", "sql"},
        tags={"layer": "staging"},
    )
    def _staging(settings: InaSettings, marts_db: MartsDatabase) -> dg.MaterializeResult:
        files = [str(path) for path in source.files(settings.raw_path)]
        params = {"files": files, "columns": duckdb_types(source.model), **profile_params(settings.profile())}
        qualified = f"staging.{table.name}"
        with marts_db.connect() as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS staging")
            run_sql(con, f"staging/{table.name}", params)
            metadata = table_metadata(con, qualified)
            metadata["dagster/column_schema"] = described_table_schema(con, qualified)
        return dg.MaterializeResult(metadata=metadata)

    return _staging


@dg.asset(
    key=staging_asset_key("stg_config__footprints"),
    group_name="config",
    description="One row per sub-ICB location of the system: the footprint it belongs to (from the profile YAML).",
    kinds={"duckdb", "yaml"},
    tags={"layer": "staging"},
)
def stg_config__footprints(settings: InaSettings, marts_db: MartsDatabase) -> dg.MaterializeResult:
    profile = settings.profile()
    footprints = pl.DataFrame(
        profile.footprint_rows(),
        schema={"sub_icb_nhs_code": pl.Utf8, "footprint_code": pl.Utf8, "footprint_name": pl.Utf8},
    )
    with marts_db.connect() as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS staging")
        con.register("footprints_frame", footprints.to_arrow())
        con.execute("CREATE OR REPLACE TABLE staging.stg_config__footprints AS SELECT * FROM footprints_frame")
        con.unregister("footprints_frame")
        metadata = table_metadata(con, "staging.stg_config__footprints")
    metadata["profile"] = profile.profile
    metadata["profile_file"] = str(profile.source_path)
    return dg.MaterializeResult(metadata=metadata)


staging_assets = [build_staging_asset(table) for table in STAGING_TABLES] + [stg_config__footprints]
