"""Publication: release the checked build (the marts database and the commissioner outputs) as one set.

The asset releases only a build that was checked in the same materialisation: every asset it depends on (every
mart and output) materialised, and every blocking check on them evaluated and passed, in the runs of this one
`ina materialize` (the phase runs share the tag `ina/graph_run`, pipelines/platform/run.py) or, for a run
started by the daemon or the UI, in this run. Otherwise it fails, naming what is missing, and releases nothing:
publishing alone after a failed run (`--select 'key:published/ina_duckdb'`) cannot release the failed build.
A check that only warns (non-blocking) and failed is listed in the release's metadata.

The release itself is pipelines/publish.py's: one new folder, one atomic switch of `current`.
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg
from dagster import AssetExecutionContext
from dagster._core.events import DagsterEventType

from pipelines.indicators.catalogue import DEFAULT_CATALOGUE, load_catalogue
from pipelines.publish import content_hash, publish_release
from assets.resources import InaSettings

PUBLISH_KEY = dg.AssetKey(["published", "ina_duckdb"])
#: Tags every run of one materialisation of the graph (its phases): what the publish asset counts as "this run".
GRAPH_RUN_TAG = "ina/graph_run"


class Verdict:
    """What the runs of one materialisation did to the assets publication depends on."""

    def __init__(self, missing: list[str], failed: list[str], unchecked: list[str], warnings: list[str]):
        self.missing, self.failed, self.unchecked, self.warnings = missing, failed, unchecked, warnings

    @property
    def releasable(self) -> bool:
        return not (self.missing or self.failed or self.unchecked)

    def refusal(self, graph_run: str) -> str:
        parts = []
        for words, keys in (("not materialised", self.missing), ("failed a blocking check", self.failed),
                            ("blocking check not run", self.unchecked)):
            if keys:
                shown = ", ".join(keys[:8]) + (f" and {len(keys) - 8} more" if len(keys) > 8 else "")
                parts.append(f"{words} in this run: {shown}")
        return (f"nothing was published: a release must be checked in the same run ({graph_run}), and "
                + "; ".join(parts) + ". Run the whole graph (`ina materialize`, or with --months/--years/--editions, "
                "which rebuilds everything downstream) and publication follows when every check passes.")


def judge(instance: dg.DagsterInstance, run_ids: list[str], upstream: list[dg.AssetKey],
          checks: dict[dg.AssetCheckKey, bool]) -> Verdict:
    """Read the runs' event records: which upstream assets were materialised, and each check's last result.
    `checks`: every check on the upstream assets -> whether it blocks."""
    materialised: set[dg.AssetKey] = set()
    results: dict[dg.AssetCheckKey, bool] = {}
    for run_id in run_ids:
        records = instance.get_records_for_run(
            run_id, of_type={DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_CHECK_EVALUATION}
        ).records
        for record in records:
            event = record.event_log_entry.dagster_event
            if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
                materialised.add(event.asset_key)
            else:
                evaluation = event.event_specific_data
                results[dg.AssetCheckKey(evaluation.asset_key, evaluation.check_name)] = evaluation.passed
    name = lambda key: key.to_user_string()  # noqa: E731
    missing = sorted(name(key) for key in upstream if key not in materialised)
    failed = sorted(f"{name(k.asset_key)}:{k.name}" for k, blocking in checks.items()
                    if blocking and results.get(k) is False)
    unchecked = sorted(f"{name(k.asset_key)}:{k.name}" for k, blocking in checks.items()
                       if blocking and k not in results and k.asset_key in materialised)
    warnings = sorted(f"{name(k.asset_key)}:{k.name}" for k, blocking in checks.items()
                      if not blocking and results.get(k) is False)
    return Verdict(missing, failed, unchecked, warnings)


def graph_run_ids(context: AssetExecutionContext) -> tuple[str, list[str]]:
    """The id of the materialisation this run belongs to, and the ids of its runs (this one included)."""
    graph_run = context.run.tags.get(GRAPH_RUN_TAG)
    if graph_run is None:
        return context.run.run_id, [context.run.run_id]
    runs = context.instance.get_run_ids(filters=dg.RunsFilter(tags={GRAPH_RUN_TAG: graph_run}))
    return graph_run, sorted({*runs, context.run.run_id})


def build_publish_asset(upstream: Iterable[dg.AssetKey]) -> dg.AssetsDefinition:
    upstream = sorted(upstream, key=lambda k: k.to_user_string())

    @dg.asset(
        key=PUBLISH_KEY,
        deps=upstream,
        group_name="publication",
        description="One release: the published marts database `data/marts/<profile>/ina.duckdb` and the "
        "commissioner outputs `data/marts/<profile>/outputs/` (workbook, CSVs, report) of the same run, "
        "switched in together by one atomic step (a new `releases/<id>/` folder, then `current` pointed at it), "
        "only when every mart and output was materialised and every blocking check on them passed in this run.",
        kinds={"duckdb"},
        tags={"layer": "published"},
    )
    def published_ina_duckdb(context, settings: InaSettings) -> dg.MaterializeResult:
        graph_run, run_ids = graph_run_ids(context)
        asset_graph = context.job_def.asset_layer.asset_graph
        checks = {key: asset_graph.get_check_spec(key).blocking
                  for asset in upstream if asset_graph.has(asset) for key in asset_graph.get(asset).check_keys}
        verdict = judge(context.instance, run_ids, upstream, checks)
        if not verdict.releasable:
            raise dg.Failure(description=verdict.refusal(graph_run))
        release = publish_release(settings.marts_path, settings.working_database_path,
                                  settings.build_outputs_path, settings.profile(),
                                  load_catalogue(DEFAULT_CATALOGUE), tag=graph_run[:8])
        database = release / "ina.duckdb"
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(settings.database_path)),
                "release": dg.MetadataValue.path(str(release)),
                "size_mb": round(database.stat().st_size / 1e6, 1),
                "content_hash": content_hash(database),
                "graph_run": graph_run,
                "runs checked": len(run_ids),
                "checks passed": sum(checks.values()),
                "warnings": dg.MetadataValue.md("\n".join(f"- {w}" for w in verdict.warnings) or "none"),
            }
        )

    return published_ina_duckdb
