"""The instance's event log (pipelines/platform/event_log.py) writes what Dagster's own SQLite event log writes.

A run over a range of monthly partitions sends Dagster's batches (planned and per-partition materialisation
events); the batched storage writes each batch in one transaction per file. Both instances hold the same events
and the same asset records, and the batched storage's folder reads back with Dagster's own storage class.
"""

from __future__ import annotations

import dagster as dg
import pytest
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from pipelines.platform.event_log import BatchedSqliteEventLogStorage
from pipelines.platform.instance import EVENT_BATCH_SIZE, write_instance

MONTHS = dg.MonthlyPartitionsDefinition(start_date="2024-01-01", end_offset=0)


@dg.asset(partitions_def=MONTHS, backfill_policy=dg.BackfillPolicy.single_run(),
          check_specs=[dg.AssetCheckSpec("has_rows", asset="monthly")])
def monthly(context) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"months": len(context.partition_keys)},
                                check_results=[dg.AssetCheckResult(check_name="has_rows", passed=True)])


@dg.asset(deps=[monthly])
def summary() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 1})


def _run(instance: dg.DagsterInstance) -> None:
    for _ in range(2):  # a second run updates the asset records the first created
        result = dg.materialize([monthly, summary], instance=instance, selection=[monthly], tags={
            "dagster/asset_partition_range_start": "2024-01-01", "dagster/asset_partition_range_end": "2024-06-01"})
        assert result.success
        assert dg.materialize([monthly, summary], instance=instance, selection=[summary]).success


def _what_is_held(instance: dg.DagsterInstance) -> dict:
    events = sorted((e.dagster_event.event_type_value, str(e.dagster_event.asset_key), e.dagster_event.partition)
                    for run in instance.get_runs() for e in instance.all_logs(run.run_id) if e.dagster_event
                    and e.dagster_event.asset_key)
    keys = [dg.AssetKey("monthly"), dg.AssetKey("summary")]
    return {
        "events": events,
        "partitions": sorted(instance.get_materialized_partitions(keys[0])),
        "records": {r.asset_entry.asset_key.to_user_string(): (r.asset_entry.last_materialization.dagster_event.partition,
                                                    r.asset_entry.last_materialization.run_id in
                                                    {run.run_id for run in instance.get_runs()})
                    for r in instance.get_asset_records(keys)},
        "materializations": {k.to_user_string(): len(instance.fetch_materializations(k, limit=100).records) for k in keys},
        "checks": len(instance.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(keys[0], "has_rows"), limit=100)),
    }


def test_the_batched_event_log_holds_what_dagsters_own_holds_and_reads_back_with_it(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", str(EVENT_BATCH_SIZE))
    batched_home = write_instance(tmp_path / "batched")
    with dg.DagsterInstance.from_config(str(batched_home)) as instance:
        assert isinstance(instance.event_log_storage, BatchedSqliteEventLogStorage)
        _run(instance)
        batched = _what_is_held(instance)
    own_home = tmp_path / "own"
    own_home.mkdir()
    (own_home / "dagster.yaml").write_text(f"storage:\n  sqlite:\n    base_dir: {own_home}/storage\n")
    with dg.DagsterInstance.from_config(str(own_home)) as instance:
        assert type(instance.event_log_storage) is SqliteEventLogStorage
        _run(instance)
        own = _what_is_held(instance)

    assert batched == own
    assert batched["partitions"] == [f"2024-0{m}-01" for m in range(1, 7)]
    assert batched["materializations"] == {"monthly": 12, "summary": 2}

    # the batched storage's folder, read by Dagster's own storage (the webserver of another install)
    (batched_home / "dagster.yaml").write_text(f"storage:\n  sqlite:\n    base_dir: {batched_home}/storage\n")
    with dg.DagsterInstance.from_config(str(batched_home)) as instance:
        assert type(instance.event_log_storage) is SqliteEventLogStorage
        assert _what_is_held(instance) == batched


@pytest.mark.parametrize("size", ["0", str(EVENT_BATCH_SIZE)])
def test_the_batched_event_log_writes_with_or_without_dagsters_batches(tmp_path, monkeypatch, size):
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", size)
    with dg.DagsterInstance.from_config(str(write_instance(tmp_path / "home"))) as instance:
        _run(instance)
        held = _what_is_held(instance)
    assert held["materializations"] == {"monthly": 12, "summary": 2}
    assert held["partitions"] == [f"2024-0{m}-01" for m in range(1, 7)]
