"""Data-quality checks on the marts and outputs, beside the checks each mart carries itself.

- `great_expectations`: one asset check per suite of `pipelines.quality.suites` (`gx_<suite>`), run together
  with Great Expectations on the working database; Data Docs are rebuilt in `<marts_dir>/data_docs/`. A
  blocking suite that fails stops the run before publication; a warning suite shows in the UI.
- `record_level_fields`: every mart and output has a blocking `no_record_level_fields` check
  (`pipelines.quality.record_level`): no column or header named like a patient-level field.

Docs: docs/data-quality.md.
"""


from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from assets.marts import mart_asset_key
from assets.outputs import CSVS_KEY, WORKBOOK_KEY
from pipelines.publish import DATABASE_NAME
from pipelines.quality.record_level import scan_database, scan_output_files
from pipelines.quality.runner import DOCS_INDEX, load_batch, run_suites
from pipelines.quality.suites import SUITES, run_parameters
from pipelines.sql import attach_read_only
from assets.resources import InaSettings, MartsDatabase
from schemas.indicators import INDICATOR_MODELS
from schemas.marts import MART_MODELS

DATA_DOCS_DIR = "data_docs"
RECORD_LEVEL_CHECK = "no_record_level_fields"
OUTPUT_KEYS = (WORKBOOK_KEY, CSVS_KEY)
MART_TABLES = tuple(sorted({*MART_MODELS, *INDICATOR_MODELS}))


def _suite_key(suite) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(mart_asset_key(suite.table), suite.check_name)


@dg.multi_asset_check(
    name="great_expectations",
    specs=[
        dg.AssetCheckSpec(suite.check_name, asset=mart_asset_key(suite.table), blocking=suite.blocking,
                          description=f"{suite.description} (Great Expectations suite `{suite.name}`)")
        for suite in SUITES
    ],
    can_subset=True,
    description="Great Expectations suites on the marts (pipelines/quality/suites.py); Data Docs in "
    "data/marts/<profile>/data_docs/index.html.",
)
def great_expectations(
    context: dg.AssetCheckExecutionContext, settings: InaSettings, marts_db: MartsDatabase
) -> Iterator[dg.AssetCheckResult]:
    selected = context.selected_asset_check_keys
    profile = settings.profile()
    unheld = [suite for suite in SUITES if _suite_key(suite) in selected and suite.needs_any
              and not any(profile.holds(name) for name in suite.needs_any)]
    for suite in unheld:
        yield dg.AssetCheckResult(
            asset_key=mart_asset_key(suite.table), check_name=suite.check_name, passed=True,
            metadata={"summary": f"not run: the profile holds none of {', '.join(suite.needs_any)} (the mart is empty)"})
    suites = [suite for suite in SUITES if _suite_key(suite) in selected and suite not in unheld]
    parameters = run_parameters(profile)
    last_release = _last_release(settings)
    with marts_db.connect() as con:
        if any(suite.against_last_release for suite in suites):
            attach_last_release(con, last_release, {s.table for s in suites if s.against_last_release})
        batches = {suite.name: load_batch(con, suite, parameters) for suite in suites}
    docs = settings.marts_path / DATA_DOCS_DIR
    results = run_suites(suites, batches, parameters, docs_dir=docs)
    for suite in suites:
        result = results[suite.name]
        metadata = {
            "summary": result.summary(),
            "rows": result.rows,
            "expectations": result.evaluated,
            "failed": len(result.failed),
            "data_docs": dg.MetadataValue.path(str(docs / DOCS_INDEX)),
        }
        if result.failed:
            metadata["failures"] = dg.MetadataValue.md(result.failures_markdown())
        if suite.against_last_release:
            metadata["last_release"] = str(last_release or "none: the first build of this folder, nothing compared")
        yield dg.AssetCheckResult(
            asset_key=mart_asset_key(suite.table),
            check_name=suite.check_name,
            passed=result.success,
            severity=dg.AssetCheckSeverity.ERROR if suite.blocking else dg.AssetCheckSeverity.WARN,
            metadata=metadata,
        )


def _last_release(settings: InaSettings) -> Path | None:
    """The shared marts file published now (what the suites `against_last_release` compare with), if any."""
    path = (settings.marts_path / DATABASE_NAME).resolve()  # the documented path: a link into `current`
    return path if path.is_file() else None


def attach_last_release(con, path: Path | None, tables: set[str]) -> None:
    """`last_release`: the published file, read-only; before the first release, empty copies of the tables, so
    the suites run on no rows (and Data Docs still list them)."""
    if path is not None:
        attach_read_only(con, path, "last_release")
        return
    con.execute("ATTACH ':memory:' AS last_release")
    con.execute("CREATE SCHEMA last_release.marts")
    for table in sorted(tables):  # names from the suites' code
        con.execute(f"CREATE TABLE last_release.marts.{table} AS SELECT * FROM marts.{table} LIMIT 0")


@dg.multi_asset_check(
    name="record_level_fields",
    specs=[
        dg.AssetCheckSpec(RECORD_LEVEL_CHECK, asset=key, blocking=True,
                          description="No column or header is a record-level field (identifier, event date, "
                          "exact age): only aggregates leave the raw layer")
        for key in [*(mart_asset_key(table) for table in MART_TABLES), *OUTPUT_KEYS]
    ],
    can_subset=True,
)
def record_level_fields(
    context: dg.AssetCheckExecutionContext, settings: InaSettings, marts_db: MartsDatabase
) -> Iterator[dg.AssetCheckResult]:
    selected = {key.asset_key for key in context.selected_asset_check_keys}
    tables = tuple(f"marts.{table}" for table in MART_TABLES if mart_asset_key(table) in selected)
    with marts_db.connect() as con:
        findings = scan_database(con, tables=tables)
    for table in tables:
        found = [str(f) for f in findings if f.where == table]
        yield dg.AssetCheckResult(
            asset_key=mart_asset_key(table.split(".")[1]), check_name=RECORD_LEVEL_CHECK, passed=not found,
            metadata={"findings": dg.MetadataValue.md("\n".join(f"- {f}" for f in found) or "none")},
        )
    outputs = [key for key in OUTPUT_KEYS if key in selected]
    if outputs:
        findings = scan_output_files(settings.build_outputs_path)  # the run's, before release
        for key in outputs:
            suffix = ".xlsx" if key == WORKBOOK_KEY else ".csv"
            found = [str(f) for f in findings if f.where.split(" [")[0].endswith(suffix)]
            yield dg.AssetCheckResult(
                asset_key=key, check_name=RECORD_LEVEL_CHECK, passed=not found,
                metadata={"findings": dg.MetadataValue.md("\n".join(f"- {f}" for f in found) or "none")},
            )


quality_checks = [great_expectations, record_level_fields]
