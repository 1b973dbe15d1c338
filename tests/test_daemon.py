"""A real `dagster-daemon` (what `dagster dev` runs beside the UI) loads the project's code location, runs its
schedules and ticks the new-extract sensor: the sensor sees a new raw extract, requests a run, the daemon's run
queue launches it, and the run materialises the raw source.

Everything lives in a temporary DAGSTER_HOME and a code location pointed at a temporary raw folder holding the
JSNA (Fingertips) extract (an unpartitioned source) and three months of NHS England's A&E monthly files (a
monthly-partitioned source: its run covers those three months); the project's own data/ and .dagster_home/
are untouched.

Before the daemon starts, an `ina materialize` on the same instance is killed mid-run (SIGKILL): its run stays
"started", which would hold the run queue's one slot for ever; the `dead_runs` sensor marks it failed, so the
sensor's runs are launched all the same.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events import DagsterEventType
from dagster._core.scheduler.instigation import InstigatorStatus, InstigatorType, TickStatus

from pipelines.platform.instance import EVENT_BATCH_SIZE, write_instance

PROJECT_DIR = Path(__file__).resolve().parents[1]
BIN_DIR = Path(sys.executable).parent
DAGSTER = BIN_DIR / "dagster"
DAGSTER_DAEMON = BIN_DIR / "dagster-daemon"
SCHEDULES = {"monthly_activity_and_workforce", "annual_population_and_jsna"}
SENSOR = "new_raw_extract"
HOUSEKEEPING = "dead_runs"
LOCATION = "ina_daemon_test"
AE_MONTHS = ["2024-01-01", "2024-02-01", "2024-03-01"]
TIMEOUT = 150  # seconds for the daemon to tick the sensor and the run to finish

pytestmark = pytest.mark.skipif(not (DAGSTER.exists() and DAGSTER_DAEMON.exists()),
                                reason="the dagster / dagster-daemon executables are not in this environment")



@pytest.fixture
def deployment(demo_raw_dir, tmp_path):
    """A temporary DAGSTER_HOME (the project's instance settings, paths inside tmp) and a workspace whose one
    code location is the project's definitions over a raw folder holding the demo JSNA extract."""
    raw, marts, home = tmp_path / "raw", tmp_path / "marts", tmp_path / "dagster_home"
    shutil.copytree(demo_raw_dir / "jsna", raw / "jsna")
    (raw / "uec" / "ae_monthly").mkdir(parents=True)
    for month in AE_MONTHS:
        name = f"monthly_ae_{month[:7]}.csv"
        shutil.copyfile(demo_raw_dir / "uec" / "ae_monthly" / name, raw / "uec" / "ae_monthly" / name)
    marts.mkdir()
    home.mkdir()
    write_instance(home)
    (tmp_path / "location.py").write_text(
        "from pipelines.platform.definitions import build_definitions\n"
        "from assets.resources import InaSettings\n\n"
        f"defs = build_definitions(InaSettings(raw_dir={str(raw)!r}, marts_dir={str(marts)!r}))\n",
        encoding="utf-8")
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text(
        "load_from:\n"
        "  - python_file:\n"
        "      relative_path: location.py\n"
        f"      working_directory: {PROJECT_DIR}\n"
        f"      location_name: {LOCATION}\n",
        encoding="utf-8")
    # as `ina dev` runs the daemon: Dagster sends its event batches to the instance's batched event log
    env = {**os.environ, "DAGSTER_HOME": str(home), "DAGSTER_EVENT_BATCH_SIZE": str(EVENT_BATCH_SIZE)}
    return workspace, home, env


def cli(env, *args: str) -> str:
    result = subprocess.run([str(DAGSTER), *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, f"dagster {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def wait_for(condition, what: str, log: Path, deadline: float):
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(2)
    tail = log.read_text(encoding="utf-8", errors="replace")[-4000:] if log.exists() else "(no log)"
    pytest.fail(f"timed out waiting for {what}; daemon log tail:\n{tail}")


def sensor_ticks(instance):
    state = next((s for s in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR)
                  if s.name == SENSOR), None)
    return state, (instance.get_ticks(state.instigator_origin_id, state.selector_id) if state else [])


def kill_a_run(demo_raw_dir, home: Path, env: dict, tmp_path: Path) -> str:
    """`ina materialize` of the demo world on this instance, SIGKILLed once its first run has started; the id of
    the run it left "started"."""
    log = tmp_path / "killed.log"
    with log.open("w") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "pipelines.platform.cli", "materialize", "--raw-dir", str(demo_raw_dir),
             "--marts-dir", str(tmp_path / "killed_marts")], cwd=PROJECT_DIR, env=env, stdout=out,
            stderr=subprocess.STDOUT)
    try:
        with dg.DagsterInstance.from_config(str(home)) as instance:
            deadline = time.monotonic() + 120
            while not instance.get_run_records(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])):
                assert child.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.05)
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=60)
            (run,) = instance.get_run_records(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
    return run.dagster_run.run_id


def test_daemon_runs_schedules_and_sensor_launches_run(deployment, demo_raw_dir, tmp_path):
    workspace, home, env = deployment
    ws = ["-w", str(workspace)]

    # both schedules and the sensors are on by default: nobody has to start them
    listed = cli(env, "schedule", "list", *ws) + cli(env, "sensor", "list", *ws)
    for name in (*SCHEDULES, SENSOR, HOUSEKEEPING):
        assert f"{name} [RUNNING]" in listed, listed

    killed = kill_a_run(demo_raw_dir, home, env, tmp_path)  # left "started": one run in progress, maximum 1

    with dg.DagsterInstance.from_config(str(home)) as instance:

        def sensor_runs():
            _, ticks = sensor_ticks(instance)
            failed = [t for t in ticks if t.status == TickStatus.FAILURE]
            assert not failed, f"the sensor tick failed: {failed[0].error}"
            runs = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/sensor_name": SENSOR}))
            return {r.tags["ina/source"]: r for r in runs}

        log = tmp_path / "daemon.log"
        with log.open("w", encoding="utf-8") as out:
            daemon = subprocess.Popen([str(DAGSTER_DAEMON), "run", *ws], cwd=PROJECT_DIR, env=env, stdout=out,
                                      stderr=subprocess.STDOUT, start_new_session=True)
            try:
                deadline = time.monotonic() + TIMEOUT
                # the sensor's first tick sees the two new sources and requests a run of each ...
                def both_requested():
                    runs = sensor_runs()
                    return runs if len(runs) == 2 else None

                requested = wait_for(both_requested, "the sensor to request two runs", log, deadline)
                assert set(requested) == {"fingertips", "ae_monthly"}

                # ... which the daemon's run queue launches, one at a time, and runs to the end (the marts
                # downstream fail for want of the other sources, which this raw folder does not hold)
                def finished():
                    runs = [instance.get_run_by_id(r.run_id) for r in requested.values()]
                    return {r.tags["ina/source"]: r for r in runs} if all(r.is_finished for r in runs) else None

                runs = wait_for(finished, "the sensor's runs to finish", log, deadline)

                def heartbeats():
                    beats = instance.get_daemon_heartbeats()
                    return beats if {"SCHEDULER", "SENSOR", "QUEUED_RUN_COORDINATOR"} <= set(beats) else None

                wait_for(heartbeats, "the scheduler, sensor and run-queue daemons to report", log, deadline)
                assert daemon.poll() is None, "the daemon exited early"
            finally:
                os.killpg(daemon.pid, signal.SIGTERM)
                try:
                    daemon.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(daemon.pid, signal.SIGKILL)
                    daemon.wait()

        assert len(sensor_runs()) == 2
        # the killed run was marked failed (its process is gone), which freed the queue's one slot
        dead = instance.get_run_by_id(killed)
        assert dead.status == dg.DagsterRunStatus.FAILURE
        failure = instance.get_records_for_run(killed, of_type=DagsterEventType.RUN_FAILURE).records
        assert "is gone: killed or lost mid-run" in failure[0].event_log_entry.dagster_event.message
        run = runs["fingertips"]
        assert run.tags["dagster/run_key"].startswith("fingertips:")
        assert run.job_name == "refresh_unpartitioned"
        assert dg.AssetKey(["raw", "fingertips"]) in run.asset_selection
        # queued by the sensor, then started by the daemon's run queue (QueuedRunCoordinator)
        for event in (DagsterEventType.RUN_ENQUEUED, DagsterEventType.RUN_STARTING):
            assert instance.get_records_for_run(run.run_id, of_type=event).records, event

        for key in (["raw", "fingertips"], ["staging", "stg_jsna__indicator_values"]):
            materialised = instance.get_latest_materialization_event(dg.AssetKey(key))
            assert materialised is not None and materialised.run_id == run.run_id, key

        # the partitioned source: one run of the monthly job over the three months, each month materialised
        ae = runs["ae_monthly"]
        assert ae.job_name == "refresh_activity_and_workforce"
        assert ae.tags["ina/partitions"] == ",".join(AE_MONTHS)
        for key in (["raw", "ae_monthly"], ["staging", "stg_uec__ae_monthly_providers"]):
            assert instance.get_materialized_partitions(dg.AssetKey(key)) == set(AE_MONTHS), key

        # the tick that launched the run stored the sensor's cursor: the same files will not run again
        state, ticks = sensor_ticks(instance)
        launching = [t for t in ticks if run.run_id in t.run_ids]
        assert len(launching) == 1 and launching[0].status == TickStatus.SUCCESS
        assert ae.run_id in launching[0].run_ids
        assert {"fingertips", "ae_monthly"} <= set(json.loads(state.instigator_data.cursor or "{}"))

        # the schedules stay running under the daemon (their next cron ticks are not due during the test)
        # the daemon evaluated all three (running by default, as declared in the code)
        states = {state.name: state.status for state in instance.all_instigator_state()}
        assert states == dict.fromkeys((*SCHEDULES, SENSOR, HOUSEKEEPING), InstigatorStatus.DECLARED_IN_CODE)
