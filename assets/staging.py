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

import csv
import gzip
import hashlib
from dataclasses import dataclass
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
from schemas.screen import screen_table
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


# --- model failures, said in the user's terms: table, column, rule, key values, source file and line ----------

#: At most this many source lines are named per failure (then "and N more").
MAX_LINES = 8


@dataclass(frozen=True)
class RawTrace:
    """Where a table's rows can be traced to: a raw source's files (the local layout of an entity)."""

    source: RawSource
    paths: tuple[Path, ...]
    raw_dir: Path


def raw_lines(trace: RawTrace, values: set[str], also: set[str] = frozenset()
              ) -> list[tuple[str, int, dict[str, str]]]:
    """The lines of a source's files holding any of `values` as a whole field: (file, line, {column: value} of
    the fields holding one of `values` or `also`) for every such line, the file relative to the raw folder. Lines are physical lines of the file (a record
    is named by the line it ends on), read with Python's csv module so no row order is assumed."""
    found = []
    for path in trace.paths:
        opener = gzip.open if path.suffix == ".gz" else open
        try:
            with opener(path, "rt", encoding=trace.source.encoding, errors="replace", newline="") as handle:
                reader = csv.reader(handle)
                header = next(reader, [])
                for record in reader:
                    if values.isdisjoint(field.strip() for field in record):
                        continue
                    found.append((_relative(path, trace.raw_dir), reader.line_num,
                                  {c: v for c, v in zip(header, record) if v.strip() in values | also}))
        except (OSError, csv.Error, UnicodeError):
            continue  # the raw asset names a file it cannot read; the trace is only a pointer
    return found


def _relative(path: Path, raw_dir: Path) -> str:
    try:
        return Path(path).relative_to(raw_dir).as_posix()
    except ValueError:
        return Path(path).name


def _model_key(model: type) -> list[str]:
    """The columns that name a row of the model: its declared unique key, else its unique fields."""
    schema = model.to_schema()
    unique = schema.unique
    if unique:
        return [unique] if isinstance(unique, str) else list(unique)
    return [name for name, column in schema.columns.items() if column.unique]


def _show(value: object) -> str:
    return "null" if value is None else (f"'{value}'" if isinstance(value, str) else str(value))


def _rule(check: str, columns: list[str]) -> str:
    if check in ("multiple_fields_uniqueness", "field_uniqueness"):
        return f"({', '.join(columns)}) must be unique" if len(columns) > 1 else f"{columns[0]} must be unique"
    if check == "not_nullable":
        return f"{columns[0]} may not be null"
    return f"{columns[0]} must satisfy {check}"


def explain_schema_errors(exc: pa_errors.SchemaErrors, frame: pl.DataFrame, table: str, model: type,
                          traces: list[RawTrace] = ()) -> list[str]:
    """One line per failed rule of a pandera model: the table, the column(s), the rule, the offending rows' key
    values (with the values that differ between rows that should be one) and, where the table's rows come
    from raw local files (`traces`), the file(s) and line(s) holding those keys. No pandera table, no
    traceback: what a person who made the file can act on."""
    cases = exc.failure_cases
    key = [c for c in _model_key(model) if c in frame.columns]
    lines = []
    for (context, column, check), group in cases.group_by(["schema_context", "column", "check"],
                                                          maintain_order=True):
        rows = sorted({int(i) for i in group["index"].to_list() if i is not None})
        if context == "DataFrameSchema" and check == "multiple_fields_uniqueness":
            columns = key
        else:
            columns = [column]
        if not rows:  # a missing column or a wrong type: no row to name
            shown = ", ".join(sorted({str(v) for v in group["failure_case"].to_list()})[:5])
            lines.append(f"{table}: column {column}: {check} failed ({shown})")
            continue
        identify = list(dict.fromkeys([*columns, *key]))
        offending = frame[rows].select(identify)
        described, needles, differ_values = [], set(), set()
        for group_key, same in offending.group_by(columns, maintain_order=True):
            values = dict(zip(columns, group_key))
            text = ", ".join(f"{c}={_show(v)}" for c, v in values.items())
            full = frame[rows].filter(pl.all_horizontal(pl.col(c).eq_missing(v) for c, v in values.items()))
            differing = [c for c in frame.columns if c not in columns and full[c].n_unique() > 1]
            if differing:
                text += " (" + "; ".join(f"{c} " + " vs ".join(_show(v) for v in full[c].unique(maintain_order=True)
                                                              .to_list()) for c in differing[:3]) + ")"
                differ_values |= {str(v) for c in differing for v in full[c].to_list() if v is not None}
            if len(full) > 1:
                text += f" in {len(full)} rows"
            described.append(text)
            needles |= {str(v) for c in identify for v in same[c].to_list()
                        if isinstance(v, str) and len(v) >= 2}
        text = f"{table}: {_rule(check, columns)}: " + "; ".join(described[:5])
        if len(described) > 5:
            text += f"; and {len(described) - 5} more"
        sources = _trace_text(traces, needles, differ_values)
        lines.append(text + (f"; from {sources}" if sources else ""))
    return lines


def _trace_text(traces, needles: set[str], differ_values: set[str]) -> str:
    parts = []
    for trace in traces:
        found = raw_lines(trace, needles, differ_values)
        if not found:
            continue
        by_file: dict[str, list[tuple[int, str]]] = {}
        for file, line, fields in found:
            label = ", ".join(f"{c} {_show(v)}" for c, v in fields.items() if v.strip() in differ_values)
            by_file.setdefault(file, []).append((line, label))
        for file, named in by_file.items():
            # lines grouped by the differing value they hold, the rarest first (the misspelling to fix)
            labels: dict[str, list[int]] = {}
            for line, label in named:
                labels.setdefault(label, []).append(line)
            groups = []
            for label, numbers in sorted(labels.items(), key=lambda item: (len(item[1]), item[1][0])):
                shown = ", ".join(str(n) for n in numbers[:MAX_LINES])
                shown += f" and {len(numbers) - MAX_LINES} more" if len(numbers) > MAX_LINES else ""
                groups.append(f"{'lines' if len(numbers) > 1 else 'line'} {shown}" + (f" ({label})" if label else ""))
            parts.append(f"{file} " + ", ".join(groups))
    return "; ".join(parts)


def failure_result(check_name: str, exc: pa_errors.SchemaErrors, frame: pl.DataFrame, table: str, model: type,
                   traces: list[RawTrace] = ()) -> dg.AssetCheckResult:
    """A failed model check: `detail` holds one line per failed rule (`explain_schema_errors`; the CLI prints
    it), `failures` pandera's table for the UI."""
    lines = explain_schema_errors(exc, frame, table, model, traces)
    return dg.AssetCheckResult(check_name=check_name, passed=False, metadata={
        "detail": "\n    ".join(lines),
        "failures": dg.MetadataValue.md(str(exc.failure_cases.head(20))),
    })


def contract_check(con: duckdb.DuckDBPyConnection, table: str,
                   traces: list[RawTrace] = ()) -> dg.AssetCheckResult:
    """Validate a staging table against its model (every failure, lazily): the contract the marts rely on. A
    failure names the table, column, rule, key values and (for a local source) the raw file(s) and line(s)."""
    model = STAGING_MODELS[table]
    schema = model.to_schema()
    rows = screen_table(con, f'staging."{table}"', schema)  # table: a staging name from code
    if rows is not None:
        return dg.AssetCheckResult(check_name=CONTRACT_CHECK, passed=True, metadata={"rows": rows})
    frame = con.execute(f'SELECT * FROM staging."{table}"').pl()  # may fail: read whole, pandera says what
    try:
        schema.validate(frame, lazy=True)
        return dg.AssetCheckResult(check_name=CONTRACT_CHECK, passed=True, metadata={"rows": frame.height})
    except pa_errors.SchemaErrors as exc:
        return failure_result(CONTRACT_CHECK, exc, frame, f"staging.{table}", model, traces)


def local_traces(profile: Profile, raw_dir: Path, tables: set[str] | None = None) -> list[RawTrace]:
    """The raw files behind the staging tables the profile builds from local files (all, or `tables`'),
    skipping record-level extracts (their staging rows are aggregates, not lines)."""
    traces = []
    for name, layout in profile.layouts.items():
        entity = ENTITIES[name]
        if layout != "local" or entity.local is None or (tables is not None and entity.table not in tables):
            continue
        source = RAW_SOURCES[entity.local]
        if source.record_level:
            continue
        traces.append(RawTrace(source, tuple(source.files(raw_dir)), Path(raw_dir)))
    return traces


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
            checks = [contract_check(con, table, [RawTrace(source, tuple(paths), Path(settings.raw_path))])]
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
