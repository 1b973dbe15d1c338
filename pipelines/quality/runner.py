"""Run the suites of `pipelines.quality.suites` with Great Expectations and build Data Docs.

Great Expectations' SQL datasource fails against DuckDB (every expectation raises an IndexError; GX issues
#10738, #11579), so each suite's batch is read from DuckDB into pandas (`.df()`) and validated through GX's
pandas datasource, in an ephemeral context (nothing is written but the Data Docs). GX takes seconds to import:
it is imported here, inside `run_suites`, never at module level.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipelines.quality.suites import SUITES_BY_NAME, Suite
from pipelines.sql import sql_text

DOCS_INDEX = "index.html"
SITE = "ina_marts"
STORE = ".store"  # inside the docs folder: suites and latest results behind the site


@dataclass(frozen=True)
class Failed:
    """One expectation that failed: what it was, what was found, a few offending values."""

    expectation: str
    observed: str
    unexpected: int | None = None
    sample: tuple[Any, ...] = ()


@dataclass
class SuiteResult:
    suite: Suite
    success: bool
    rows: int
    evaluated: int
    failed: list[Failed] = field(default_factory=list)

    def summary(self) -> str:
        if self.success:
            return f"{self.evaluated} expectations met on {self.rows:,} rows"
        return f"{len(self.failed)} of {self.evaluated} expectations failed on {self.rows:,} rows: " + "; ".join(
            f.expectation for f in self.failed
        )

    def failures_markdown(self) -> str:
        lines = ["| expectation | observed | unexpected | sample |", "|---|---|---|---|"]
        for f in self.failed:
            sample = "; ".join(str(v) for v in f.sample[:5])
            count = "" if f.unexpected is None else f.unexpected
            lines.append(f"| {f.expectation} | {f.observed} | {count} | {sample} |")
        return "\n".join(lines)


def load_batch(con: duckdb.DuckDBPyConnection, suite: Suite, parameters: Mapping[str, Any]) -> pd.DataFrame:
    """The suite's batch as pandas: its query (`assets/sql/quality/<query>.sql`), or the columns it names."""
    if suite.query is None:
        columns = ", ".join(f'"{c}"' for c in suite.columns) or "*"  # names from the suite's code, not input
        return con.execute(f"SELECT {columns} FROM marts.{suite.table}").df()
    text = sql_text(f"quality/{suite.query}")
    bound = {k: v for k, v in parameters.items() if f"${k}" in text}
    return con.execute(text, bound or None).df()


def _gx_value(value: Any) -> Any:
    """Parameters as pandas compares them with DuckDB's columns (dates arrive as datetime64)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return pd.Timestamp(value)
    return value


def run_suites(
    suites: Iterable[Suite],
    batches: Mapping[str, pd.DataFrame],
    parameters: Mapping[str, Any],
    docs_dir: Path | None = None,
) -> dict[str, SuiteResult]:
    """Validate each suite's batch (`batches[suite.name]`); rebuild the Data Docs in `docs_dir` if given.

    A run validates suites in several steps (a blocking suite runs as soon as its mart is built, before what
    depends on it), so the docs keep the latest result of every suite: suites and results are stored in
    `docs_dir/.store/` (each suite's older results are dropped) and the site is rebuilt from all of them.
    """
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    suites = list(suites)
    defaults = InMemoryStoreBackendDefaults(init_temp_docs_sites=False)
    sites: dict[str, Any] = {}
    if docs_dir is not None:
        docs_dir = Path(docs_dir)
        store = docs_dir / STORE
        for name in ("expectations", "validations"):
            defaults.stores[f"{name}_store" if name == "expectations" else "validation_results_store"] = {
                "class_name": "ExpectationsStore" if name == "expectations" else "ValidationResultsStore",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(store / name)},
            }
        for suite in suites:  # only the latest result of each suite is kept, and shown
            shutil.rmtree(store / "validations" / suite.name, ignore_errors=True)
            shutil.rmtree(docs_dir / "validations" / suite.name, ignore_errors=True)
        sites[SITE] = {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(
        store_backend_defaults=defaults,
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites=sites,
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    source = context.data_sources.add_pandas("ina_marts")
    values = {key: _gx_value(value) for key, value in parameters.items()}
    results: dict[str, SuiteResult] = {}
    for suite in suites:
        batch = batches[suite.name]
        definition = source.add_dataframe_asset(suite.name).add_batch_definition_whole_dataframe("whole_table")
        gx_suite = gx.ExpectationSuite(
            name=suite.name,
            meta={"notes": f"{suite.description}. Mart: marts.{suite.table}; "
                           f"{'blocking' if suite.blocking else 'warning'}."},
        )
        for expectation in suite.expectations:
            gx_suite.add_expectation_configuration(
                getattr(gxe, expectation.kind)(**expectation.args).configuration
            )
        gx_suite = context.suites.add_or_update(gx_suite)
        # GX reports results in its own order: match them back to the suite's by expectation id.
        position = {e.id: i for i, e in enumerate(gx_suite.expectations)}
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=definition, suite=gx_suite)
        )
        result_format: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": 10}
        if suite.identify:
            result_format["unexpected_index_column_names"] = list(suite.identify)
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(name=suite.name, validation_definitions=[validation], result_format=result_format)
        )
        run = checkpoint.run(batch_parameters={"dataframe": batch}, expectation_parameters=values)
        (outcome,) = run.run_results.values()
        ordered = sorted(outcome.results, key=lambda result: position[result.expectation_config.id])
        failed = [_failed(e, r, suite.identify) for e, r in zip(suite.expectations, ordered, strict=True)
                  if not r.success]
        results[suite.name] = SuiteResult(suite, not failed, len(batch), len(suite.expectations), failed)
    if docs_dir is not None:
        context.build_data_docs(site_names=[SITE])
        _add_static_summary(docs_dir)
    return results


def _add_static_summary(docs_dir: Path) -> None:
    """Put a plain-HTML table of every suite's latest result at the top of the Data Docs' index.

    GX's own index lists results with JavaScript loaded from public CDNs, so it is empty where those are
    blocked (as on many NHS networks); the validation pages themselves are static and open anywhere.
    """
    rows = []
    for stored in sorted((docs_dir / STORE / "validations").glob("*/**/*.json")):
        result = json.loads(stored.read_text(encoding="utf-8"))
        name = stored.relative_to(docs_dir / STORE / "validations").parts[0]
        suite = SUITES_BY_NAME.get(name)
        page = Path("validations") / stored.relative_to(docs_dir / STORE / "validations").with_suffix(".html")
        stats = result.get("statistics", {})
        status = "passed" if result.get("success") else ("FAILED" if suite is None or suite.blocking else "warning")
        rows.append(
            f"<tr><td><a href=\"{html.escape(page.as_posix())}\">{html.escape(name)}</a></td>"
            f"<td>{html.escape(suite.table if suite else '')}</td>"
            f"<td>{html.escape(suite.description if suite else '')}</td>"
            f"<td>{'blocking' if suite is None or suite.blocking else 'warning'}</td><td><b>{status}</b></td>"
            f"<td>{stats.get('successful_expectations', '')} of {stats.get('evaluated_expectations', '')}</td></tr>"
        )
    table = (
        '<section id="ina-summary" style="margin:1em"><h2>Marts: latest result of each suite</h2>'
        "<table border=\"1\" cellpadding=\"4\" style=\"border-collapse:collapse\"><tr><th>suite</th><th>mart</th>"
        "<th>property</th><th>on failure</th><th>result</th><th>expectations met</th></tr>"
        + "".join(rows) + "</table></section>"
    )
    index = docs_dir / DOCS_INDEX
    text = index.read_text(encoding="utf-8")
    body = re.search(r"<body[^>]*>", text)
    at = body.end() if body else 0
    index.write_text(text[:at] + table + text[at:], encoding="utf-8")


def _text(value: Any) -> str:
    """A sample value as a person writes it (a date, not a midnight timestamp)."""
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.date().isoformat()
    return str(value)


def _failed(expectation, result, identify: tuple[str, ...] = ()) -> Failed:
    if result.exception_info and result.exception_info.get("raised_exception"):
        message = str(result.exception_info.get("exception_message") or "raised an exception")
        return Failed(expectation.label, f"error: {message[:200]}")
    found = result.result or {}
    observed = found.get("observed_value")
    unexpected = found.get("unexpected_count")
    rows = found.get("partial_unexpected_index_list") or ()
    if rows and isinstance(rows[0], dict):  # the suite's `identify` columns, with the offending values
        order = {column: i for i, column in enumerate(identify)}
        sample = tuple(", ".join(f"{k}={_text(v)}" for k, v in sorted(row.items(), key=lambda kv: order.get(kv[0], 99)))
                       for row in rows)
    else:
        sample = tuple(_text(v) for v in found.get("partial_unexpected_list") or ())
    if observed is None and unexpected is not None:
        observed = f"{found.get('unexpected_percent', 0):.3g}% of rows unexpected"
    return Failed(expectation.label, str(observed), unexpected, sample)
