"""Materialise the asset graph in-process (used by `ina materialize`, `ina demo`, tests and benchmarks)."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import dagster as dg

from pipelines.config import load_profile
from pipelines.definitions import graph_assets, graph_checks
from pipelines.resources import InaSettings, build_resources


def materialize_all(
    *,
    raw_dir: Path,
    marts_dir: Path,
    profile: Path,
    selection: str | None = None,
    instance: dg.DagsterInstance | None = None,
    echo: Callable[[str], None] = print,
) -> bool:
    """Run every asset of the profile's graph (or a selection) and its checks; print a line per asset and per
    failed check. A `source: public` profile runs the public-data graph (definitions.graph_assets)."""
    settings = InaSettings(raw_dir=str(raw_dir), marts_dir=str(marts_dir), profile_path=str(profile))
    started = time.perf_counter()
    with _open_instance(instance) as inst:
        result = dg.materialize(
            [*graph_assets(load_profile(profile)), *graph_checks(load_profile(profile))],
            resources=build_resources(settings),
            instance=inst,
            selection=selection,
            raise_on_error=False,
            # The per-event debug stream is for the UI; the terminal gets one line per asset (report_run).
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
        report_run(result, echo)
    echo(f"{'succeeded' if result.success else 'FAILED'} in {time.perf_counter() - started:.1f} s; "
         f"marts: {settings.database_path}")
    return result.success


def report_run(result: dg.ExecuteInProcessResult, echo: Callable[[str], None]) -> None:
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            rows = materialization.metadata.get("dagster/row_count") or materialization.metadata.get("rows")
            rows_text = f" ({rows.value:,} rows)" if rows is not None else ""
            echo(f"  materialised {materialization.asset_key.to_user_string()}{rows_text}")
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                detail = evaluation.metadata.get("detail") or evaluation.metadata.get("failures")
                echo(f"  CHECK FAILED {evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                     f" — {detail.value if detail else ''}")
        elif event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            cause = error.cause or error
            while cause.cause is not None:
                cause = cause.cause
            echo(f"  FAILED {event.step_key}:\n{cause.message}")


@contextmanager
def _open_instance(instance: dg.DagsterInstance | None) -> Iterator[dg.DagsterInstance]:
    """The given instance; else the persistent one in DAGSTER_HOME (runs show in the UI); else an ephemeral one."""
    if instance is not None:
        yield instance
    elif "DAGSTER_HOME" in os.environ:
        persistent = dg.DagsterInstance.get()
        try:
            yield persistent
        finally:
            persistent.dispose()
    else:
        yield dg.DagsterInstance.ephemeral()
