"""Staging layer: one DuckDB table per entity, in its contract (`schemas/staging.py`), from the profile's layout.

Every entity of `pipelines.sources.ENTITIES` gets one staging asset, whatever the profile: a **local** adapter
(the raw-file contract, `assets/sql/staging/<table>.sql`, after the raw asset has validated the files), a
**public** adapter (the publishers' files read by `pipelines/sources/public.py`), or, for an entity the profile
does not hold, an empty table in the contract's shape with the reason in its metadata. Each table is created
from its pandera model (DDL) and validated against it (the blocking check `conforms_to_contract`).

Record-level extracts (ECDS attendances, SUS spells) are streamed from the files and aggregated inside DuckDB
in the same statement, so no record-level row is ever stored. The profile becomes one staging table too.

Before its table is built, each asset applies its source's quarantine rules (schemas.registry,
`assets/sql/staging/quarantine/`): failing lines go to `staging.quarantine_rows` with the reason, the staging
SQL leaves them out, and the counts show in the asset's metadata and in its `no_rows_quarantined` check.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg
import duckdb
import pandera.errors as pa_errors
import polars as pl

from assets.common import markdown_preview, profile_params, table_metadata
from assets.raw import build_raw_asset, partition_files, partitioning_args, raw_asset_key
from pipelines.config import Profile
from assets.partitions import Partitioning, partitionings
from assets.resources import InaSettings, MartsDatabase
from schemas.entities import ENTITIES, Entity
from pipelines.sources.public import PUBLIC_ADAPTERS, read_entity
from pipelines.sql import insert_select, replace_partitions, run_sql
from schemas.ddl import create_table_sql, dagster_table_schema, duckdb_types
from schemas.registry import RAW_SOURCES, RawSource
from schemas.staging import STAGING_MODELS

QUARANTINE_CHECK = "no_rows_quarantined"


def staging_asset_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["staging", table])


class QuarantineLimitError(ValueError):
    """Too many lines of a source broke a quarantine rule: more likely a wrong file than a few bad rows."""


def quarantine(con: duckdb.DuckDBPyConnection, source: RawSource, paths: list[Path], params: dict,
               partition_keys: list[str] | None = None, partitioning: Partitioning | None = None) -> pl.DataFrame:
    """Replace the source's rows of `staging.quarantine_rows` (only those of files of `partition_keys`, for a
    partitioned source) by the lines of `paths` failing its rules; one row per reason (reason, lines, values).
    Raises `QuarantineLimitError` if a rule takes more than its share of the lines (the caller's transaction is
    then rolled back)."""
    run_sql(con, "staging/quarantine/quarantine_rows")
    replaced = [path.name for path in paths]
    if partition_keys is not None:
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


CONTRACT_CHECK = "conforms_to_contract"


def contract_check(con: duckdb.DuckDBPyConnection, table: str) -> dg.AssetCheckResult:
    """Validate a staging table against its model (every failure, lazily): the contract the marts rely on."""
    model = STAGING_MODELS[table]
    frame = con.execute(f'SELECT * FROM staging."{table}"').pl()  # table: a staging name from code
    try:
        model.validate(frame, lazy=True)
        return dg.AssetCheckResult(check_name=CONTRACT_CHECK, passed=True, metadata={"rows": frame.height})
    except pa_errors.SchemaErrors as exc:
        return dg.AssetCheckResult(check_name=CONTRACT_CHECK, passed=False,
                                   metadata={"failures": dg.MetadataValue.md(str(exc.failure_cases.head(20)))})


def _contract_spec(key: dg.AssetKey, table: str) -> dg.AssetCheckSpec:
    model = STAGING_MODELS[table]
    return dg.AssetCheckSpec(CONTRACT_CHECK, asset=key, blocking=True,
                             description=f"Rows conform to the staging contract {model.__module__}.{model.__name__}")


def _staging_args(entity: Entity, how: str, layout: str) -> dict:
    model = STAGING_MODELS[entity.table]
    grain = " ".join((model.__doc__ or "").strip().split("\n\n")[0].split())
    return dict(
        key=staging_asset_key(entity.table),
        group_name=entity.group,
        description=f"{grain}\n\n{how}\n\nContract: `schemas.staging.{model.__name__}`.",
        tags={"layer": "staging", "layout": layout},
        metadata={"dagster/column_schema": dagster_table_schema(model), "entity": entity.name},
    )


def build_local_staging_asset(entity: Entity, parts: dict[str, Partitioning]) -> dg.AssetsDefinition:
    """The entity's staging table from its local raw files (the raw-file contract), by `<table>.sql`."""
    source = RAW_SOURCES[entity.local]
    table = entity.table
    key = staging_asset_key(table)
    needs = sorted({need for rule in source.quarantine for need in rule.needs})
    check_specs = [_contract_spec(key, table)] + ([
        dg.AssetCheckSpec(QUARANTINE_CHECK, asset=key, blocking=False,
                          description=f"No line of raw/{source.name} was quarantined ({source.policy})")
    ] if source.quarantine else [])
    how = (f"Local layout: `raw/{source.name}`, SQL `assets/sql/staging/{table}.sql`. Policy: {source.policy}."
           + (f" Partitioned by {source.partitioned_by}: a run replaces the rows of its partitions only."
              if source.partitioned_by else ""))

    @dg.asset(
        deps=[raw_asset_key(source.name), *(staging_asset_key(need) for need in needs)],
        kinds={"duckdb", "sql"},
        check_specs=check_specs,
        **_staging_args(entity, how, "local"),
        **partitioning_args(source, parts),
    )
    def _staging(context, settings: InaSettings, marts_db: MartsDatabase) -> dg.MaterializeResult:
        paths = partition_files(context, source, settings.raw_path, parts)
        params = {"files": [str(path) for path in paths], "file_names": [path.name for path in paths],
                  "columns": duckdb_types(source.model), "source": source.name, **profile_params(settings.profile())}
        qualified = f"staging.{table}"
        keys = context.partition_keys if source.partitioned_by else None
        with marts_db.connect() as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS staging")
            con.execute("BEGIN TRANSACTION")
            partitioning = parts[source.partitioned_by] if source.partitioned_by else None
            counts = quarantine(con, source, paths, params, keys, partitioning)
            if keys is None:
                con.execute(create_table_sql(STAGING_MODELS[table], qualified))
                insert_select(con, qualified, f"staging/{table}", params)
                replaced = {}
            else:
                replaced = replace_partitions(con, qualified, f"staging/{table}", params, partitioning.column,
                                              [partitioning.value(key) for key in keys],
                                              ddl=create_table_sql(STAGING_MODELS[table], qualified))
            con.execute("COMMIT")
            metadata = table_metadata(con, qualified)
            checks = [contract_check(con, table)]
        if keys is not None:
            metadata["partitions"] = f"{len(keys)} ({keys[0]} to {keys[-1]})" if len(keys) > 1 else keys[0]
            metadata["rows_replaced"] = dg.MetadataValue.int(replaced["deleted"])
            metadata["rows_loaded"] = dg.MetadataValue.int(replaced["inserted"])
        metadata["quarantined_lines"] = dg.MetadataValue.int(int(counts["lines"].sum()) if counts.height else 0)
        if counts.height:
            metadata["quarantined_by_reason"] = dg.MetadataValue.md(markdown_preview(counts, rows=20))
        checks += [_quarantine_check(counts)] if source.quarantine else []
        return dg.MaterializeResult(metadata=metadata, check_results=checks)

    return _staging


def _replace_with_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame | None) -> None:
    """Create the staging table from its model and fill it with the frame's contract columns (cast)."""
    model = STAGING_MODELS[table]
    qualified = f"staging.{table}"
    con.execute("CREATE SCHEMA IF NOT EXISTS staging")
    con.execute("BEGIN TRANSACTION")
    con.execute(create_table_sql(model, qualified))
    if frame is not None:
        types = duckdb_types(model)
        nullable = {name for name, column in model.to_schema().columns.items() if column.nullable}
        missing = [c for c in types if c not in frame.columns and c not in nullable]
        if missing:
            raise ValueError(f"the public adapter of {table} gives no column(s) {missing}")
        con.register("adapter_frame", frame.select([c for c in types if c in frame.columns]).to_arrow())
        columns = ", ".join((f'CAST("{c}" AS {t})' if c in frame.columns else f"CAST(NULL AS {t})") + f' AS "{c}"'
                            for c, t in types.items())  # names from the model
        con.execute(f"INSERT INTO {qualified} BY NAME SELECT {columns} FROM adapter_frame")
        con.unregister("adapter_frame")
    con.execute("COMMIT")


def build_public_staging_asset(entity: Entity) -> dg.AssetsDefinition:
    """The entity's staging table from the publishers' files (pipelines/sources/public.py)."""
    adapter = PUBLIC_ADAPTERS[entity.name]
    key = staging_asset_key(entity.table)
    roles = "; ".join(f"{role.name}: first of {list(role.ids)}" if role.combine == "first"
                      else f"{role.name}: every one of {list(role.ids)} held" for role in adapter.roles)
    how = (f"Public layout: {adapter.note}. Manifest ids (config/sources.yaml) per role: {roles}. "
           "`public.sources` in the profile overrides a role's list.")

    @dg.asset(kinds={"duckdb", "polars"}, check_specs=[_contract_spec(key, entity.table)],
              **_staging_args(entity, how, "public"))
    def _staging(settings: InaSettings, marts_db: MartsDatabase) -> dg.MaterializeResult:
        frame, files = read_entity(adapter, settings.raw_path, settings.profile())
        with marts_db.connect() as con:
            _replace_with_frame(con, entity.table, frame)
            metadata = table_metadata(con, f"staging.{entity.table}")
            checks = [contract_check(con, entity.table)]
        rows = "\n".join(f"| {f['id']} | `{f['path']}` | {f['rows']:,} | `{f['sha256'][:12]}` | {f['verified']} |"
                         for f in files)
        metadata["files"] = dg.MetadataValue.md(
            "| id | file | rows | sha256 | matches manifest |\n|---|---|---|---|---|\n" + rows)
        combined = hashlib.sha256("".join(f["sha256"] for f in files).encode()).hexdigest()
        return dg.MaterializeResult(metadata=metadata, check_results=checks, data_version=dg.DataVersion(combined))

    return _staging


def build_unheld_staging_asset(entity: Entity) -> dg.AssetsDefinition:
    """An entity the profile does not hold: its staging table, empty, so the marts above are the same SQL."""
    how = (f"Not held by this profile: the table is empty (in the contract's shape). To hold it: {entity.needs}. "
           "The indicators that need it are listed in marts.fct_indicator_availability with that reason.")

    @dg.asset(kinds={"duckdb"}, **_staging_args(entity, how, "none"))
    def _staging(marts_db: MartsDatabase) -> dg.MaterializeResult:
        with marts_db.connect() as con:
            _replace_with_frame(con, entity.table, None)
            metadata = table_metadata(con, f"staging.{entity.table}")
        metadata["held"] = False
        metadata["to_hold_it"] = entity.needs
        return dg.MaterializeResult(metadata=metadata)

    return _staging


def build_entity_assets(profile: Profile) -> list[dg.AssetsDefinition]:
    """Raw (local layout only) and staging assets of every entity, by the profile's layout for it."""
    assets: list[dg.AssetsDefinition] = []
    parts = partitionings(profile.first_month)
    for name, layout in profile.layouts.items():
        entity = ENTITIES[name]
        if layout == "local":
            assets += [build_raw_asset(RAW_SOURCES[entity.local], parts), build_local_staging_asset(entity, parts)]
        elif layout == "public":
            assets.append(build_public_staging_asset(entity))
        else:
            assets.append(build_unheld_staging_asset(entity))
    return assets


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




def staging_assets(profile: Profile) -> list[dg.AssetsDefinition]:
    """Every raw and staging asset of the profile's graph."""
    return [*build_entity_assets(profile), stg_config__footprints]
