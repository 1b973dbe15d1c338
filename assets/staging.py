"""Staging layer: one DuckDB table per raw source, renamed and cast (`assets/sql/staging/*.sql`).

Record-level extracts (ECDS attendances, SUS spells) are streamed from the files and aggregated inside DuckDB
in the same statement, so no record-level row is ever stored. The profile becomes one staging table too.

Before its table is built, each asset applies its source's quarantine rules (schemas.registry,
`assets/sql/staging/quarantine/`): failing lines go to `staging.quarantine_rows` with the reason, the staging
SQL leaves them out, and the counts show in the asset's metadata and in its `no_rows_quarantined` check.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from assets.common import described_table_schema, markdown_preview, profile_params, table_metadata
from assets.raw import partition_files, partitioning_args, raw_asset_key
from pipelines.partitions import PARTITIONINGS
from pipelines.resources import InaSettings, MartsDatabase
from pipelines.sql import insert_select, replace_partitions, run_sql
from schemas.ddl import duckdb_types
from schemas.registry import RAW_SOURCES, RawSource

QUARANTINE_CHECK = "no_rows_quarantined"


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


class QuarantineLimitError(ValueError):
    """Too many lines of a source broke a quarantine rule: more likely a wrong file than a few bad rows."""


def quarantine(con: duckdb.DuckDBPyConnection, source: RawSource, paths: list[Path], params: dict,
               partition_keys: list[str] | None = None) -> pl.DataFrame:
    """Replace the source's rows of `staging.quarantine_rows` (only those of files of `partition_keys`, for a
    partitioned source) by the lines of `paths` failing its rules; one row per reason (reason, lines, values).
    Raises `QuarantineLimitError` if a rule takes more than its share of the lines (the caller's transaction is
    then rolled back)."""
    run_sql(con, "staging/quarantine/quarantine_rows")
    replaced = [path.name for path in paths]
    if partition_keys is not None:
        partitioning = PARTITIONINGS[source.partitioned_by]
        earlier = con.execute("SELECT DISTINCT file FROM staging.quarantine_rows WHERE source = $source",
                              {"source": source.name}).fetchall()
        replaced += [file for (file,) in earlier if partitioning.key_of(Path(file)) in partition_keys]
        con.execute("DELETE FROM staging.quarantine_rows WHERE source = $source AND file IN (SELECT unnest($files))",
                    {"source": source.name, "files": replaced})
    else:
        con.execute("DELETE FROM staging.quarantine_rows WHERE source = $source", {"source": source.name})
    for rule in source.quarantine:
        found = 0
        for path in paths:
            insert_select(con, "staging.quarantine_rows", f"staging/quarantine/{rule.rule}",
                          {**params, "file": str(path), "file_name": path.name, "column": rule.column})
            found += con.fetchone()[0]  # INSERT returns the number of rows inserted
        if found > rule.min_lines:
            total = con.execute("SELECT count(*) FROM read_csv($files, columns = $columns, header = true, "
                                "auto_detect = false)", {"files": params["files"], "columns": params["columns"]}
                                ).fetchone()[0]
            if found > rule.max_share * total:
                raise QuarantineLimitError(
                    f"{found:,} of {total:,} lines of source {source.name} fail {rule.words} (more than "
                    f"{rule.max_share:.0%}): a file of another vintage or area? Nothing was quarantined or staged.")
    return con.execute(
        "SELECT reason, count(*) AS lines, count(DISTINCT value) AS \"values\" FROM staging.quarantine_rows "
        "WHERE source = $source AND file IN (SELECT unnest($files)) GROUP BY 1 ORDER BY 2 DESC, 1",
        {"source": source.name, "files": replaced}).pl()


def _quarantine_check(counts: pl.DataFrame) -> dg.AssetCheckResult:
    lines = int(counts["lines"].sum()) if counts.height else 0
    return dg.AssetCheckResult(
        check_name=QUARANTINE_CHECK,
        passed=lines == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"quarantined_lines": lines,
                  "by_reason": dg.MetadataValue.md(markdown_preview(counts, rows=20) if lines else "none")},
    )


def build_staging_asset(table: StagingTable) -> dg.AssetsDefinition:
    source = RAW_SOURCES[table.source]
    key = staging_asset_key(table.name)
    needs = sorted({need for rule in source.quarantine for need in rule.needs})
    check_specs = [
        dg.AssetCheckSpec(QUARANTINE_CHECK, asset=key, blocking=False,
                          description=f"No line of raw/{source.name} was quarantined ({source.policy})")
    ] if source.quarantine else []

    @dg.asset(
        key=key,
        deps=[raw_asset_key(source.name), *(staging_asset_key(need) for need in needs)],
        group_name=source.group,
        description=f"{table.description}\n\nSource: `raw/{source.name}`. SQL: `assets/sql/staging/{table.name}.sql`."
        f"\n\nPolicy: {source.policy}."
        + (f" Partitioned by {source.partitioned_by}: a run replaces the rows of its partitions only."
           if source.partitioned_by else ""),
        kinds={"duckdb", "sql"},
        tags={"layer": "staging"},
        check_specs=check_specs,
        **partitioning_args(source),
    )
    def _staging(context, settings: InaSettings, marts_db: MartsDatabase) -> dg.MaterializeResult:
        paths = partition_files(context, source, settings.raw_path)
        params = {"files": [str(path) for path in paths], "file_names": [path.name for path in paths],
                  "columns": duckdb_types(source.model), "source": source.name, **profile_params(settings.profile())}
        qualified = f"staging.{table.name}"
        keys = context.partition_keys if source.partitioned_by else None
        with marts_db.connect() as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS staging")
            con.execute("BEGIN TRANSACTION")
            counts = quarantine(con, source, paths, params, keys)
            if keys is None:
                run_sql(con, f"staging/{table.name}", params)
                replaced = {}
            else:
                partitioning = PARTITIONINGS[source.partitioned_by]
                replaced = replace_partitions(con, qualified, f"staging/{table.name}", params, partitioning.column,
                                              [partitioning.value(key) for key in keys])
            con.execute("COMMIT")
            metadata = table_metadata(con, qualified)
            metadata["dagster/column_schema"] = described_table_schema(con, qualified)
        if keys is not None:
            metadata["partitions"] = f"{len(keys)} ({keys[0]} to {keys[-1]})" if len(keys) > 1 else keys[0]
            metadata["rows_replaced"] = dg.MetadataValue.int(replaced["deleted"])
            metadata["rows_loaded"] = dg.MetadataValue.int(replaced["inserted"])
        metadata["quarantined_lines"] = dg.MetadataValue.int(int(counts["lines"].sum()) if counts.height else 0)
        if counts.height:
            metadata["quarantined_by_reason"] = dg.MetadataValue.md(markdown_preview(counts, rows=20))
        checks = [_quarantine_check(counts)] if source.quarantine else []
        return dg.MaterializeResult(metadata=metadata, check_results=checks)

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
