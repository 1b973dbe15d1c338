"""Materialise the asset graph in-process (used by `ina materialize`, `ina demo`, tests and benchmarks).

A Dagster run covers assets of one partitions definition at most, so `run_graph` runs the graph in phases:
first the unpartitioned assets the partitioned ones need (geography), then, per kind of partition, the
partitioned raw and staging assets over a range of partitions in one run (by default every partition with a
file in the raw folder), then everything else: marts, indicators, outputs and publication. A phase that fails
stops the sequence, so nothing is built on a failed partition and nothing is published.

Every run of one `run_graph` carries the tag `ina/graph_run` (one id): the publish asset releases only what was
materialised and checked under it. `run_graph` holds the marts folder's writer lock (pipelines/publish.py) from
the first phase to the last, so a second run on the same folder is refused at once, naming this one; and before
it starts, runs a killed process left "started" on the instance are marked failed (automation.fail_dead_runs).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg

from assets.publish import GRAPH_RUN_TAG
from assets.raw import raw_asset_key
from pipelines.platform.automation import fail_dead_runs
from pipelines.publish import MartsLocked, writer_lock
from pipelines.config import load_profile
from pipelines.platform.definitions import graph_assets, graph_checks
from assets.partitions import BY_EDITION, PartitionFilesError, Partitioning, partitioning_of, range_tags
from assets.resources import InaSettings, build_resources
from schemas.registry import RAW_SOURCES

#: The terminal gets one line per asset and per failure from `report_run`; Dagster's own console log (step
#: failures with Dagster's stack traces) would bury a user's one clear error, so it shows only its own crashes.
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@dataclass
class GraphRun:
    """The runs of one materialisation of the graph, read like one `ExecuteInProcessResult`."""

    results: list[dg.ExecuteInProcessResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what stopped a phase before it ran
    dead_runs: list[str] = field(default_factory=list)  # runs of killed processes, marked failed at the start

    @property
    def success(self) -> bool:
        return not self.problems and all(result.success for result in self.results)

    @property
    def all_events(self) -> list[dg.DagsterEvent]:
        return [event for result in self.results for event in result.all_events]

    def get_asset_materialization_events(self) -> list[dg.DagsterEvent]:
        return [event for result in self.results for event in result.get_asset_materialization_events()]

    def get_asset_check_evaluations(self) -> list[dg.AssetCheckEvaluation]:
        return [evaluation for result in self.results for evaluation in result.get_asset_check_evaluations()]


@dataclass(frozen=True)
class Phase:
    keys: frozenset[dg.AssetKey]
    partitioning: Partitioning | None = None


def plan_phases(asset_graph, selected: set[dg.AssetKey]) -> list[Phase]:
    """Unpartitioned assets that partitioned ones need; each kind of partition; the rest."""
    partitioned: dict[str, set[dg.AssetKey]] = {}
    kinds: dict[str, Partitioning] = {}
    for key in selected:
        partitions_def = asset_graph.get(key).partitions_def
        if partitions_def is not None:
            partitioning = partitioning_of(partitions_def)
            kinds[partitioning.kind] = partitioning
            partitioned.setdefault(partitioning.kind, set()).add(key)
    every_partitioned = set().union(*partitioned.values())
    ancestors = dg.AssetSelection.assets(*every_partitioned).upstream().resolve(asset_graph) if every_partitioned else set()
    upstream = (selected - every_partitioned) & set(ancestors)
    phases = [Phase(frozenset(upstream))] if upstream else []
    phases += [Phase(frozenset(keys), kinds[kind]) for kind, keys in sorted(partitioned.items())]
    rest = selected - every_partitioned - upstream
    return phases + ([Phase(frozenset(rest))] if rest else [])


def partitions_with_files(partitioning: Partitioning, raw_dir: Path) -> list[str]:
    """Every partition of this kind that has a file of some source in the raw folder, in partition order."""
    keys: set[str] = set()
    for source in RAW_SOURCES.values():
        if source.partitioned_by == partitioning.kind:
            keys |= set(partitioning.keys_of_files(source.files(raw_dir), source.name))
    return sorted(keys)


def run_graph(
    definitions: Sequence[Any],
    resources: dict[str, Any],
    instance: dg.DagsterInstance,
    raw_dir: Path,
    *,
    selection: Any = None,
    ranges: dict[str, tuple[str, str]] | None = None,
    run_config: dict | None = None,
) -> GraphRun:
    """Materialise `definitions` (assets and checks; a selection of them) in phases (module docstring).

    ranges: per kind of partition (month, year, edition), the first and last partition key to run; a kind not
    given runs every partition that has a file. Dynamic partitions (IMD editions) are registered on the
    instance as their files are found."""
    asset_graph = dg.Definitions(
        assets=[d for d in definitions if not isinstance(d, dg.AssetChecksDefinition)],
        asset_checks=[d for d in definitions if isinstance(d, dg.AssetChecksDefinition)],
        resources=resources,
    ).resolve_asset_graph()
    wanted = dg.AssetSelection.all() if selection is None else dg.AssetSelection.from_coercible(selection)
    selected = set(wanted.resolve(asset_graph))
    run = GraphRun()
    ranged = [key for key in selected if ranges and asset_graph.get(key).partitions_def is not None
              and partitioning_of(asset_graph.get(key).partitions_def).kind in ranges]
    if not selected or (ranges and not ranged):
        kinds = f" (partitions of kind {', '.join(sorted(ranges))})" if ranges else ""
        run.problems.append(f"the selection{kinds} matches no asset of this graph")
        return run
    settings = resources.get("settings")
    try:
        with writer_lock(settings.marts_path) if settings is not None else _no_lock():
            _run_phases(definitions, resources, instance, raw_dir, asset_graph, selected, ranges, run_config, run)
    except MartsLocked as error:
        run.problems.append(str(error))
    return run


@contextmanager
def _no_lock() -> Iterator[None]:
    yield


def _run_phases(definitions, resources, instance, raw_dir, asset_graph, selected, ranges, run_config,
                run: GraphRun) -> None:
    run.dead_runs = fail_dead_runs(instance)
    graph_run = {GRAPH_RUN_TAG: uuid.uuid4().hex}
    for phase in plan_phases(asset_graph, selected):
        if phase.partitioning is None:
            runs = [(phase.keys, {})]
        else:
            try:
                spans = partition_spans(asset_graph, phase, raw_dir, (ranges or {}).get(phase.partitioning.kind))
            except PartitionFilesError as error:
                run.problems.append(str(error))
                return
            if isinstance(phase.partitioning.definition, dg.DynamicPartitionsDefinition):
                _register(instance, phase.partitioning, raw_dir, spans)
            runs = [(keys, range_tags(first, last)) for keys, first, last in spans]
        for keys, tags in runs:
            result = dg.materialize(list(definitions), selection=dg.AssetSelection.assets(*keys),
                                    resources=resources, instance=instance, raise_on_error=False,
                                    run_config=run_config or {}, tags={**graph_run, **tags})
            run.results.append(result)
            if not result.success:
                return


def partition_spans(asset_graph, phase: Phase, raw_dir: Path,
                    given: tuple[str, str] | None) -> list[tuple[frozenset[dg.AssetKey], str, str]]:
    """The runs of a partitioned phase: (assets, first key, last key). A given range: one run of every asset.
    Otherwise each asset runs over the partitions its own source has files for, so sources covering different
    periods (ECDS from 2019, A&E from 2018) each run their own range; sources with equal ranges share a run."""
    partitioning = phase.partitioning
    if partitioning.kind == "edition":
        return [(phase.keys, key, key) for key in _editions(raw_dir, given)]
    if given is not None:
        return [(phase.keys, *given)]
    spans = {}
    for name, source in RAW_SOURCES.items():
        if source.partitioned_by == partitioning.kind:
            keys = partitioning.keys_of_files(source.files(raw_dir), name)
            if keys:
                spans[raw_asset_key(name)] = (keys[0], keys[-1])
    if not spans:
        sources = [s.name for s in RAW_SOURCES.values() if s.partitioned_by == partitioning.kind]
        raise PartitionFilesError(f"No file of {', '.join(sources)} under {raw_dir}: no {partitioning.kind} "
                                  "partition to run")
    overall = (min(first for first, _ in spans.values()), max(last for _, last in spans.values()))
    by_span: dict[tuple[str, str], set[dg.AssetKey]] = {}
    for key in phase.keys:
        upstream = set(dg.AssetSelection.assets(key).upstream().resolve(asset_graph))
        own = [span for raw_key, span in spans.items() if raw_key in upstream]
        # an asset of a source with no file runs over every partition: it fails naming the months it lacks
        span = (min(f for f, _ in own), max(last for _, last in own)) if own else overall
        by_span.setdefault(span, set()).add(key)
    return [(frozenset(keys), first, last) for (first, last), keys in sorted(by_span.items())]


def _editions(raw_dir: Path, given: tuple[str, str] | None) -> list[str]:
    """The IMD editions with a file (within the given range): each runs on its own, by its key, because dynamic
    partitions keep the order they were added in (an edition found later may be older), so a range of them
    would not mean first-to-last edition."""
    editions = [key for key in partitions_with_files(BY_EDITION, raw_dir)
                if given is None or given[0] <= key <= given[1]]
    if not editions:
        wanted = f" {given[0]} to {given[1]}" if given else "s"
        raise PartitionFilesError(f"No IMD file for edition{wanted} under {raw_dir / 'imd'}")
    return editions


def _register(instance: dg.DagsterInstance, partitioning: Partitioning, raw_dir: Path, spans: list) -> None:
    """Add the editions the runs cover (each has a file) to the instance's dynamic partitions."""
    name = partitioning.definition.name
    new = sorted({key for _, first, last in spans for key in (first, last)} - set(instance.get_dynamic_partitions(name)))
    if new:
        instance.add_dynamic_partitions(name, new)


def materialize_all(
    *,
    raw_dir: Path,
    marts_dir: Path,
    profile: Path,
    selection: str | None = None,
    ranges: dict[str, tuple[str, str]] | None = None,
    instance: dg.DagsterInstance | None = None,
    echo: Callable[[str], None] = print,
) -> bool:
    """Run every asset of the profile's graph (or a selection; or the given partition ranges and everything
    unpartitioned: `partition_selection`) and its checks; print a line per asset and per failed check (the same
    graph for every profile: definitions.graph_assets)."""
    settings = InaSettings(raw_dir=str(raw_dir), marts_dir=str(marts_dir), profile_path=str(profile))
    definitions = [*graph_assets(load_profile(profile)), *graph_checks(load_profile(profile))]
    if ranges and selection is None:
        selection = partition_selection(definitions, set(ranges))
    started = time.perf_counter()
    with _open_instance(instance) as inst:
        # The per-event debug stream is for the UI; the terminal gets one line per asset (report_run).
        result = run_graph(definitions, build_resources(settings), inst, Path(raw_dir), selection=selection,
                           ranges=ranges, run_config=QUIET)
        report_run(result, echo)
    echo(f"{'succeeded' if result.success else 'FAILED'} in {time.perf_counter() - started:.1f} s; "
         f"marts: {settings.database_path}")
    return result.success


def partitioned_keys(definitions: Sequence[Any], *partitions_defs: dg.PartitionsDefinition) -> list[dg.AssetKey]:
    """The keys of the assets partitioned by any of the given partitions definitions."""
    return [key for d in definitions if isinstance(d, dg.AssetsDefinition) and d.partitions_def is not None
            and d.partitions_def in partitions_defs for key in d.keys]


def partition_selection(definitions: Sequence[Any], kinds: set[str]) -> dg.AssetSelection:
    """A refresh of partitions of the given kinds: the assets partitioned by those kinds (their partitions are
    the run's ranges) and every unpartitioned asset (the marts roll the partitions up, and publication releases
    only a build whose every mart and output ran in the run); assets partitioned by other kinds are left as
    they are."""
    others = [key for d in definitions if isinstance(d, dg.AssetsDefinition) and d.partitions_def is not None
              and partitioning_of(d.partitions_def).kind not in kinds for key in d.keys]
    return dg.AssetSelection.all() - dg.AssetSelection.assets(*others)


def report_run(result: GraphRun, echo: Callable[[str], None]) -> None:
    for run_id in result.dead_runs:
        echo(f"  marked run {run_id} failed: its process is gone (killed mid-run)")
    for problem in result.problems:
        echo(f"  FAILED before running: {problem}")
    reported = set()
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            if (event.step_key, materialization.asset_key) in reported:
                continue  # a run over a range of partitions records each partition; one line is enough
            reported.add((event.step_key, materialization.asset_key))
            rows = materialization.metadata.get("dagster/row_count") or materialization.metadata.get("rows")
            rows_text = f" ({rows.value:,} rows)" if rows is not None else ""
            partitions = materialization.metadata.get("partitions")
            partition_text = f" [{partitions.value}]" if partitions is not None else ""
            echo(f"  materialised {materialization.asset_key.to_user_string()}{partition_text}{rows_text}")
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
            # "module.ErrorClass: message" -> the message, which names the file, line and column
            message = cause.message.strip()
            head, _, rest = message.partition(": ")
            if rest and "." in head and " " not in head:
                message = rest
            echo(f"  FAILED {event.step_key.replace('__', '/', 1)}: {message}")


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
