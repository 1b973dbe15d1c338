"""The one asset factory of the marts database's tables: a `TableSpec` per table, `table_asset` for its asset.

A spec says everything that differs between two tables: its layer and name (the asset key is
`[schema, name]`, nothing else), what it reads, its pandera model (DDL, validation, the data dictionary),
how its rows are made (the SQL file `assets/sql/<layer>/<name>.sql`, or a function) and its SQL checks
(`assets/sql/<layer>/checks/<name>__<check>.sql`). The factory does the rest the same way for every table:
the asset's group, kinds and tags (from the layer), the DDL, one transaction, the blocking schema check, the
SQL checks and the UI metadata. Owners and freshness are set once for the whole graph
(`pipelines.platform.policy`). Staging tables have their own builders (`assets/staging.py`): they read raw
files or publishers' files, not tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

import pandera.errors as pa_errors

from assets.common import (
    SCHEMA_CHECK,
    MartCheck,
    mart_check_results,
    mart_check_specs,
    profile_params,
    table_metadata,
)
from assets.staging import failure_result, local_traces
from pipelines.config import Profile
from pipelines.increments import Parts, build_by_parts
from pipelines.indicators.catalogue import Catalogue, load_catalogue
from assets.resources import InaSettings, MartsDatabase
from pipelines.sources.decisions import DECISIONS_FILE, load_decisions
from pipelines.sql import insert_select
from schemas.registry import ED_RECONCILIATION, RAW_SOURCES
from schemas.ddl import create_table_sql, dagster_table_schema

#: Where each layer's tables live: the DuckDB schema, the Dagster group and the SQL folder.
LAYERS: dict[str, str] = {"marts": "marts", "indicators": "marts"}


@dataclass(frozen=True)
class TableRun:
    """What a build function may use besides the connection and the SQL parameters."""

    settings: InaSettings
    profile: Profile
    catalogue: Catalogue
    params: dict

    @property
    def raw_dir(self) -> Path:
        return Path(self.settings.raw_dir)

    @property
    def held(self) -> Catalogue:
        """The indicators the profile's data allow (their inputs all held)."""
        return self.catalogue.available_to(
            {name for name, layout in self.profile.layouts.items() if layout is not None})


#: A build function: fills the (just created) table itself and returns None, or returns its rows as a frame.
Build = Callable[[duckdb.DuckDBPyConnection, TableRun], "pl.DataFrame | None"]


@dataclass(frozen=True)
class TableSpec:
    layer: str  # a key of LAYERS
    name: str
    upstream: tuple[str, ...]  # "staging.<table>" or "marts.<table>"
    model: type  # the pandera model
    build: Build | None = None  # None: the SELECT of assets/sql/<layer>/<name>.sql
    checks: tuple[MartCheck, ...] = ()
    # Methods of activity-based indicators the table serves: when the profile's data allow none of them (or the
    # table is empty), its checks pass as "not computed" (fct_indicator_availability says why). A check's own
    # `serves` overrides it.
    serves: tuple[str, ...] = ()
    # Rebuilt by parts (pipelines/increments.py): only the parts whose inputs changed. SQL-built tables only.
    parts: Parts | None = None

    @property
    def schema(self) -> str:
        return LAYERS[self.layer]

    @property
    def key(self) -> dg.AssetKey:
        return dg.AssetKey([self.schema, self.name])

    @property
    def how(self) -> str:
        if self.build is None:
            return f"SQL: `assets/sql/{self.layer}/{self.name}.sql`"
        return f"Built by `{self.build.__module__}.{self.build.__name__}` (SQL in `assets/sql/{self.layer}/`)"


def table_key(qualified: str) -> dg.AssetKey:
    """The asset key of "schema.table" (staging and marts keys are the schema and the table name)."""
    return dg.AssetKey(qualified.split("."))


def sql_params(profile: Profile, catalogue: Catalogue) -> dict[str, object]:
    """Every parameter a mart or indicator SQL file may bind; `run_sql` binds only those a file names."""
    settings = catalogue.settings
    crude_rates = [i for i in catalogue.by_method("crude_rate") if i.numerator.kind == "activity"]
    return {
        **profile_params(profile),
        "profile_year": profile.last_financial_year,
        "levels": ["england", "system", "footprint", "neighbourhood", "local_authority", "lsoa"],
        "gradient_sets": [f"{level}/{qtype}" for level, qtypes in settings.inequality_quantiles.items()
                          for qtype in qtypes] or ["none"],
        "jsna_footprint_share": settings.jsna_footprint_share,
        "jsna_system_share": settings.jsna_system_share,
        "neighbourhood_min_coverage": settings.neighbourhood_min_coverage,
        "indicator_ids": [i.id for i in catalogue.indicators],
        "crude_rate_ids": [i.id for i in crude_rates] or ["none"],
        "crude_rate_measures": [i.measure for i in crude_rates] or ["none"],
        "fingertips_ids": sorted({int(i.options["fingertips_id"]) for i in catalogue.by_family("jsna")}) or [-1],
    }


def reconciliation_params(raw_dir: Path) -> dict[str, object]:
    """What the reconciliation of ED attendances with published A&E binds (schemas.registry.ReconciliationRule):
    its thresholds, the months the raw folder's `decisions.yaml` accepts, and where the extracts are."""
    decisions = load_decisions(raw_dir)
    return {
        **ED_RECONCILIATION.params(),
        "reconcile_accepted": decisions.months("ecds_attendances", "reconciliation") or ["1900-01-01"],
        "decisions_file": str(decisions.path or Path(raw_dir) / DECISIONS_FILE),
        "ed_file_pattern": str(Path(raw_dir) / RAW_SOURCES["ecds_attendances"].glob),
    }


def _fill(con: duckdb.DuckDBPyConnection, spec: TableSpec, run: TableRun) -> dict[str, str]:
    """Create and fill the table; the metadata of how (a table built by parts says which it rebuilt)."""
    table = f"{spec.schema}.{spec.name}"
    ddl = create_table_sql(spec.model, table)
    if spec.parts is not None:
        built = build_by_parts(con, table, f"{spec.layer}/{spec.name}", ddl, spec.parts, run.params)
        return {"parts": built.describe()}
    con.execute(ddl)
    if spec.build is None:
        insert_select(con, table, f"{spec.layer}/{spec.name}", run.params)
        return {}
    frame = spec.build(con, run)
    if frame is not None and frame.width:
        con.register("table_rows", frame.to_arrow())
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM table_rows")  # table: from code
        con.unregister("table_rows")
    return {}


def _checked(con: duckdb.DuckDBPyConnection, spec: TableSpec, run: TableRun,
             sources: set[str]) -> list[dg.AssetCheckResult]:
    """The schema check and the SQL checks; a check about indicators the data cannot reach passes as such."""
    table = f"{spec.schema}.{spec.name}"
    has_rows = con.execute(f"SELECT count(*) > 0 FROM {table}").fetchone()[0]  # table: from code
    held = run.held.indicators

    def computed(methods: tuple[str, ...]) -> bool:
        return not methods or (has_rows and any(
            i.method in methods and i.numerator.kind == "activity" for i in held))

    chosen = tuple(c for c in spec.checks if computed(c.serves or spec.serves))
    results = mart_check_results(con, spec.name, spec.model, chosen, f"{spec.layer}/checks", run.params)
    results = [_explained(con, spec, run, sources) if r.check_name == SCHEMA_CHECK and not r.passed else r
               for r in results]
    return results + [dg.AssetCheckResult(
        check_name=check.name, passed=True,
        metadata={"detail": f"not computed: the profile's data give no activity indicator of "
                            f"{'/'.join(check.serves or spec.serves)} (marts.fct_indicator_availability says why)"})
        for check in spec.checks if check not in chosen]


def staging_sources(spec: TableSpec, specs: Iterable[TableSpec] = ()) -> set[str]:
    """The staging tables a table is built from, through every table between, from `specs` (the tables its
    upstream may name: the caller's registry, so this module imports none)."""
    by_name = {f"{s.schema}.{s.name}": s for s in specs}
    found, todo, seen = set(), list(spec.upstream), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name.startswith("staging."):
            found.add(name.split(".", 1)[1])
        elif name in by_name:
            todo += by_name[name].upstream
    return found


def _explained(con: duckdb.DuckDBPyConnection, spec: TableSpec, run: TableRun,
               sources: set[str]) -> dg.AssetCheckResult:
    """The failed schema check again, said in one line per rule with the raw lines its rows come from
    (`assets.staging.explain_schema_errors`), through the staging tables the table is built from."""
    table = f"{spec.schema}.{spec.name}"
    frame = con.execute(f"SELECT * FROM {table}").pl()  # table: from code
    try:
        spec.model.validate(frame, lazy=True)
    except pa_errors.SchemaErrors as exc:
        traces = local_traces(run.profile, run.raw_dir, sources)
        return failure_result(SCHEMA_CHECK, exc, frame, table, spec.model, traces)
    return dg.AssetCheckResult(check_name=SCHEMA_CHECK, passed=True, metadata={"rows": frame.height})


def table_asset(spec: TableSpec, registry: Iterable[TableSpec] = (), catalogue_path: Path | None = None,
                ) -> dg.AssetsDefinition:
    """The asset of one table: create it from its model, fill it, check it, in one transaction. `registry`: the
    tables its upstream may name (to trace a failed row back to the staging tables and raw files)."""
    sources = staging_sources(spec, registry)

    @dg.asset(
        key=spec.key,
        deps=[table_key(u) for u in spec.upstream],
        group_name=spec.layer,
        description=f"{(spec.model.__doc__ or '').strip()}\n\n{spec.how}; schema: "
                    f"`{spec.model.__module__}.{spec.model.__name__}`.",
        kinds={"duckdb", "sql"} if spec.build is None else {"duckdb", "sql", "python"},
        tags={"layer": spec.layer},
        metadata={"dagster/column_schema": dagster_table_schema(spec.model)},
        check_specs=mart_check_specs(spec.key, spec.model, spec.checks),
    )
    def _table(settings: InaSettings, marts_db: MartsDatabase) -> dg.MaterializeResult:
        profile = settings.profile()
        catalogue = load_catalogue(catalogue_path) if catalogue_path else load_catalogue()
        params = {**sql_params(profile, catalogue), **reconciliation_params(Path(settings.raw_dir))}
        run = TableRun(settings, profile, catalogue, params)
        with marts_db.connect() as con:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {spec.schema}")
            con.execute("BEGIN TRANSACTION")
            how = _fill(con, spec, run)
            con.execute("COMMIT")
            results = _checked(con, spec, run, sources)
            metadata = {**table_metadata(con, f"{spec.schema}.{spec.name}"), **how}
        return dg.MaterializeResult(metadata=metadata, check_results=results)

    return _table
