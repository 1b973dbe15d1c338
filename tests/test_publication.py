"""Publication, proven on real runs and real processes (issue 12, rows 7-12; pipelines/publish.py):

- only a build checked in the same run is released (`--select 'key:published/ina_duckdb'` after a failed run
  releases nothing, and says why);
- the marts file, workbook, CSVs and report are released as one set (`releases/<id>/`, one switch of
  `current`): a run killed in any phase (raw, staging, marts, outputs, publication) leaves the old set whole,
  and the next run succeeds; a reader polling the report never finds it missing;
- a release is a fresh read-only file in a fresh folder, so a `.wal` a read-write connection left beside an
  earlier release never reaches it;
- one writer per marts folder: a second run is refused at once, naming the first;
- a reader holding a read-only connection through a full refresh never sees a lock error or a half-written file.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from bad_inputs.harness import (
    PROJECT_DIR,
    copy_marts,
    copy_release,
    full_refresh,
    kill_when,
    materialize,
    released_set,
    spawn_materialize,
)

from pipelines.config import DEFAULT_PROFILE, load_profile
from pipelines.indicators.catalogue import load_catalogue
from pipelines.platform.instance import write_instance
from pipelines.publish import content_hash, current_release, publish_release, writer_lock
from pipelines.shared_database import write_shared_database

PUBLISHED = dg.AssetKey(["published", "ina_duckdb"])
PROFILE = load_profile(DEFAULT_PROFILE)
CATALOGUE = load_catalogue()


def shared_hash(working: Path, scratch: Path) -> str:
    """The content hash of the shared file a release of this working database holds (written afresh)."""
    target = scratch / f"shared-{time.monotonic_ns()}.duckdb"
    write_shared_database(working, target, PROFILE, CATALOGUE)
    return content_hash(target)


def readable(database) -> dict[str, int]:
    """Every mart's row count, read through a read-only connection (fails on a torn or locked file)."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1").fetchall()]
        return {t: con.execute(f'SELECT count(*) FROM marts."{t}"').fetchone()[0] for t in tables}


def releases(marts: Path) -> list[str]:
    return sorted(p.name for p in (marts / "releases").iterdir())


@pytest.fixture(scope="module")
def other_world(tmp_path_factory):
    """A second, different demo world (another seed), built and released: the 'old set' the kill tests start from
    (every file of it differs from what the demo world's inputs make) and the other inputs of the lock test."""
    from demo import generate_demo_data
    from pipelines.platform.definitions import demo_graph
    from pipelines.platform.run import run_graph
    from assets.resources import InaSettings, build_resources

    raw = tmp_path_factory.mktemp("other_raw")
    generate_demo_data(raw, seed=8, scale=0.01, profile_path=DEFAULT_PROFILE)
    marts = tmp_path_factory.mktemp("other_marts")
    assets, checks = demo_graph()
    settings = InaSettings(raw_dir=str(raw), marts_dir=str(marts), profile_path=str(DEFAULT_PROFILE))
    result = run_graph([*assets, *checks], build_resources(settings), dg.DagsterInstance.ephemeral(), raw)
    assert result.success, result.problems
    return raw, marts


# --- what a release is ---------------------------------------------------------------------------------------


def test_a_release_is_one_folder_behind_the_documented_paths(demo_world, tmp_path):
    marts = demo_world.marts_dir
    release = current_release(marts)
    assert (marts / "current").is_symlink() and release.parent == marts / "releases"
    assert os.readlink(marts / "ina.duckdb") == "current/ina.duckdb"
    assert os.readlink(marts / "outputs") == "current/outputs"
    for path in ("ina.duckdb", "outputs/ina_commissioner_indicators.xlsx", "outputs/report/index.html"):
        assert (marts / path).resolve().is_relative_to(release), path
    assert list((marts / "outputs" / "csv").glob("*.csv"))
    database = release / "ina.duckdb"
    assert stat.S_IMODE(database.stat().st_mode) == 0o444  # never written in place
    assert not Path(f"{database}.wal").exists()
    published = [e for e in demo_world.result.get_asset_materialization_events() if e.asset_key == PUBLISHED]
    metadata = published[-1].event_specific_data.materialization.metadata
    assert metadata["content_hash"].value == content_hash(marts / "ina.duckdb")
    # what was checked: the shared file made from the run's working database
    assert metadata["content_hash"].value == shared_hash(marts / ".build" / "ina.duckdb", tmp_path)


def test_every_phase_run_carries_the_graph_run_tag(demo_world):
    from assets.publish import GRAPH_RUN_TAG

    tags = {result.dagster_run.tags.get(GRAPH_RUN_TAG) for result in demo_world.result.results}
    assert len(demo_world.result.results) > 1 and len(tags) == 1 and None not in tags


# --- row 7: only a checked build ---------------------------------------------------------------------------


def test_publishing_alone_after_a_failed_run_releases_nothing_and_says_why(demo_world, tmp_path):
    marts = copy_release(demo_world.marts_dir, tmp_path / "marts")
    before, current = released_set(marts), current_release(marts)
    with duckdb.connect(str(marts / ".build" / "ina.duckdb")) as con:  # what a failed run leaves in the build
        con.execute("DELETE FROM marts.fct_population WHERE financial_year = 2020")
    env = {**os.environ, "DAGSTER_HOME": str(write_instance(tmp_path / "home"))}  # the project's instance settings
    cli = subprocess.run(
        [sys.executable, "-m", "pipelines.platform.cli", "materialize", "--raw-dir", str(demo_world.raw_dir),
         "--marts-dir", str(marts), "--profile", str(DEFAULT_PROFILE), "--select", "key:published/ina_duckdb"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300)
    output = cli.stdout + cli.stderr
    assert cli.returncode == 1, output
    assert "FAILED published/ina_duckdb: nothing was published" in output
    assert "not materialised in this run: marts/" in output
    assert "Traceback" not in output
    assert current_release(marts) == current and released_set(marts) == before


def test_a_build_whose_blocking_check_failed_is_not_released(demo_world, tmp_path):
    """The publish step of a run in which a blocking check of a mart failed (the rows behind it deleted from the
    build): Dagster skips it, and a later publication under the same materialisation would refuse it too."""
    from assets.publish import judge
    from pipelines.platform.definitions import demo_graph

    marts = copy_release(demo_world.marts_dir, tmp_path / "marts")
    before = released_set(marts)
    with duckdb.connect(str(marts / ".build" / "ina.duckdb")) as con:
        con.execute("DELETE FROM staging.stg_imd__lsoa_deprivation WHERE rowid % 10 = 0")  # LSOAs lose a decile
    instance = dg.DagsterInstance.ephemeral()
    result = materialize(demo_world.raw_dir, marts, DEFAULT_PROFILE,
                         dg.AssetSelection.key_prefixes("marts", "outputs", "published"), instance=instance)
    assert not result.success
    assert released_set(marts) == before
    failed = {(c.asset_key.path[-1], c.check_name) for c in result.get_asset_check_evaluations() if not c.passed}
    assert ("dim_lsoa_deprivation", "every_system_lsoa_has_a_decile") in failed
    # judged on the same records the asset reads: the failed blocking check names the refusal
    assets, _ = demo_graph()
    from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

    graph = AssetGraph.from_assets(assets)
    upstream = [key for asset in assets for key in asset.keys if key.path[0] in ("marts", "outputs")]
    checks = {key: graph.get_check_spec(key).blocking for asset in upstream for key in graph.get(asset).check_keys}
    verdict = judge(instance, [r.dagster_run.run_id for r in result.results], upstream, checks)
    assert not verdict.releasable
    assert verdict.failed or verdict.missing


# --- row 8: a stale .wal never applies ---------------------------------------------------------------------

DAMAGE = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])  # read-write: the DuckDB CLI's default
    con.execute("DELETE FROM marts.fct_population")
    print("deleted", flush=True)
    time.sleep(120)
    """
)


def test_a_wal_left_by_a_read_write_connection_never_reaches_a_later_release(demo_world, tmp_path):
    marts = copy_release(demo_world.marts_dir, tmp_path / "marts")
    checked = shared_hash(marts / ".build" / "ina.duckdb", tmp_path)
    assert content_hash(marts / "ina.duckdb") == checked
    child = subprocess.Popen([sys.executable, "-c", DAMAGE, str(marts / "ina.duckdb")], cwd=PROJECT_DIR,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline().strip()
        if os.geteuid() != 0:  # 0444 stops anyone but root from opening the release read-write
            assert line == "" and "Permission denied" in child.stderr.read()
            return
        assert line == "deleted", child.stderr.read()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        child.stdout.close()
        child.stderr.close()
    damaged = current_release(marts)
    # root ignores 0444: the log sits beside that release's file (DuckDB resolves the link), not at a shared path
    assert Path(f"{damaged / 'ina.duckdb'}.wal").exists() and not Path(f"{marts / 'ina.duckdb'}.wal").exists()
    assert readable(marts / "ina.duckdb")["fct_population"] == 0  # readers of that release see the damage ...
    new = publish_release(marts, marts / ".build" / "ina.duckdb", marts / ".build" / "outputs", PROFILE,
                          CATALOGUE)  # the refresh
    assert current_release(marts) == new != damaged
    assert not Path(f"{new / 'ina.duckdb'}.wal").exists()
    assert content_hash(marts / "ina.duckdb") == checked  # ... the next release is exactly what was checked
    assert readable(marts / "ina.duckdb")["fct_population"] > 0


# --- rows 9 and 12: one set, switched at once --------------------------------------------------------------


def test_a_reader_polling_the_report_never_finds_it_missing(demo_world, tmp_path):
    marts = copy_release(demo_world.marts_dir, tmp_path / "marts")
    index = marts / "outputs" / "report" / "index.html"
    misses, reads, stop = [], [0], threading.Event()

    def poll():
        while not stop.is_set():
            try:
                with open(index, "rb") as handle:
                    handle.read(64)
                reads[0] += 1
            except OSError as error:
                misses.append(repr(error))

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        for _ in range(3):
            publish_release(
                marts, marts / ".build" / "ina.duckdb", marts / ".build" / "outputs", PROFILE, CATALOGUE
            )
    finally:
        stop.set()
        thread.join()
    assert misses == [] and reads[0] > 100
    assert len(releases(marts)) == 2  # the last two kept, older ones pruned


def test_an_old_layout_folder_is_adopted_on_its_first_publication(demo_world, tmp_path):
    """A marts folder of an earlier version (a real ina.duckdb and outputs/ folder, and a stale .wal beside the
    file): its first publication keeps what readers saw until the switch, never shows a missing path, and
    releases the new set through links."""
    marts = copy_marts(demo_world.marts_dir, tmp_path / "marts")  # a real file, as the old layout held it
    shutil.copytree(demo_world.marts_dir / "outputs", marts / "outputs")
    shutil.copytree(demo_world.marts_dir / ".build" / "outputs", marts / ".build" / "outputs")
    old = released_set(marts)
    with duckdb.connect(str(marts / ".build" / "ina.duckdb")) as con:  # a new build that differs
        con.execute("DELETE FROM marts.fct_population WHERE financial_year = 2020")
    new_hash = shared_hash(marts / ".build" / "ina.duckdb", tmp_path)
    publish_release(marts, marts / ".build" / "ina.duckdb", marts / ".build" / "outputs", PROFILE, CATALOGUE)
    assert all((marts / name).is_symlink() for name in ("ina.duckdb", "outputs", "current"))
    adopted, new = releases(marts)
    assert adopted.endswith("-adopted") and current_release(marts).name == new
    assert content_hash(marts / "releases" / adopted / "ina.duckdb") == old["ina.duckdb"]
    assert content_hash(marts / "ina.duckdb") == new_hash
    assert {k: v for k, v in released_set(marts).items() if k != "ina.duckdb"} == {
        k: v for k, v in old.items() if k != "ina.duckdb"}


def test_an_open_connection_keeps_reading_a_pruned_release(demo_world, tmp_path):
    marts = copy_release(demo_world.marts_dir, tmp_path / "marts")
    reader = duckdb.connect(str(marts / "ina.duckdb"), read_only=True)
    before = reader.execute("SELECT count(*) FROM marts.fct_population").fetchone()
    first = current_release(marts)
    for _ in range(2):
        publish_release(marts, marts / ".build" / "ina.duckdb", marts / ".build" / "outputs", PROFILE, CATALOGUE)
    assert not first.exists()
    assert reader.execute("SELECT count(*) FROM marts.fct_population").fetchone() == before
    reader.close()


# --- row 11: one writer at a time --------------------------------------------------------------------------

HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from pipelines.publish import writer_lock
    with writer_lock(Path(sys.argv[1]), "ina materialize (the first run)"):
        print("holding", flush=True)
        time.sleep(120)
    """
)


def test_a_second_writer_is_refused_at_once_naming_the_first(demo_world, tmp_path):
    marts = copy_release(demo_world.marts_dir, tmp_path / "marts")
    before = released_set(marts)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(marts)], cwd=PROJECT_DIR, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        started = time.monotonic()
        result = materialize(demo_world.raw_dir, marts, DEFAULT_PROFILE,
                             dg.AssetSelection.key_prefixes("marts", "outputs", "published"))
        assert time.monotonic() - started < 30  # refused, not queued behind it
        assert not result.success and result.results == []
        assert f"pid {holder.pid}, started " in result.problems[0]
        assert "ina materialize (the first run)" in result.problems[0]
        # a run started another way (the daemon, the UI) takes the lock with the marts database: refused too
        from assets.resources import InaSettings, build_resources
        from pipelines.platform.definitions import demo_graph

        assets, _ = demo_graph()
        settings = InaSettings(raw_dir=str(demo_world.raw_dir), marts_dir=str(marts),
                               profile_path=str(DEFAULT_PROFILE))
        run = dg.materialize(assets, selection=dg.AssetSelection.key_prefixes("marts"),
                             resources=build_resources(settings), instance=dg.DagsterInstance.ephemeral(),
                             raise_on_error=False)
        assert not run.success
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert released_set(marts) == before
    with writer_lock(marts):  # the kernel dropped the killed holder's lock
        pass


@pytest.mark.slow
def test_two_concurrent_runs_on_different_inputs_never_publish_the_others_content(demo_world, other_world,
                                                                                      tmp_path):
    other_raw, other_marts = other_world
    marts = copy_release(other_marts, tmp_path / "marts")
    first = spawn_materialize(demo_world.raw_dir, marts, DEFAULT_PROFILE, ("raw", "staging", "marts", "outputs",
                              "published"), tmp_path / "first.log")
    try:
        deadline = time.monotonic() + 120
        lock = marts / ".lock"
        while not (lock.exists() and f'"pid": {first.pid},' in lock.read_text()):  # the first run is writing
            assert first.poll() is None and time.monotonic() < deadline, (tmp_path / "first.log").read_text()
            time.sleep(0.02)
        second = spawn_materialize(other_raw, marts, DEFAULT_PROFILE, ("raw", "staging", "marts", "outputs",
                                   "published"), tmp_path / "second.log")
        second.wait(timeout=120)
        first.wait(timeout=600)
    finally:
        for child in (first, second):
            if child.poll() is None:
                child.kill()
            child.wait()
    first_log, second_log = (tmp_path / "first.log").read_text(), (tmp_path / "second.log").read_text()
    assert '"success": true' in first_log, first_log[-3000:]
    assert '"success": false' in second_log and f"pid {first.pid}, started" in second_log, second_log[-3000:]
    assert content_hash(marts / "ina.duckdb") == content_hash(demo_world.database)  # the first run's inputs


# --- kill at each phase: the old set stays whole, the next run succeeds ------------------------------------

PHASES = {"raw": {"step": "raw__"}, "staging": {"step": "staging__"}, "marts": {"step": "marts__"},
          "outputs": {"step": "commissioner_outputs"}, "publication": {"appears": "releases/.*.partial"}}


@pytest.mark.slow
def test_a_run_killed_in_any_phase_leaves_the_old_set_whole(demo_world, other_world, tmp_path):
    _, other_marts = other_world
    marts = copy_release(other_marts, tmp_path / "marts")
    old, old_release = released_set(marts), current_release(marts)
    home = write_instance(tmp_path / "home")  # the project's instance settings: its batched event log killed too
    for phase, when in PHASES.items():
        last = kill_when(demo_world.raw_dir, marts, DEFAULT_PROFILE, tmp_path / f"{phase}.log", home, **when)
        if "step" in when:
            assert last.startswith(when["step"]), (phase, last)  # killed in that phase, not after it
        else:
            assert last == "published__ina_duckdb"
            assert list((marts / "releases").glob(".*.partial"))  # killed mid-release, before the switch
        assert current_release(marts) == old_release, phase
        assert released_set(marts) == old, phase
        readable(marts / "ina.duckdb")
    # the next run (its stale runs marked failed, the half-made release cleared) releases the new set
    child = spawn_materialize(demo_world.raw_dir, marts, DEFAULT_PROFILE, ("raw", "staging", "marts", "outputs",
                              "published"), tmp_path / "next.log", home=home)
    child.wait(timeout=900)
    log = (tmp_path / "next.log").read_text()
    assert '"success": true' in log, log[-3000:]
    assert not list((marts / "releases").glob(".*.partial"))
    new = released_set(marts)
    assert new["ina.duckdb"] == content_hash(demo_world.database) != old["ina.duckdb"]
    assert set(new) == set(released_set(demo_world.marts_dir))
    with dg.DagsterInstance.from_config(str(home)) as instance:
        statuses = [r.dagster_run.status for r in instance.get_run_records()]
    assert dg.DagsterRunStatus.STARTED not in statuses  # the killed runs were marked failed


# --- a reader through a full refresh -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def refresh(demo_world, tmp_path_factory):
    return full_refresh(demo_world.marts_dir, demo_world.raw_dir, demo_world.profile.source_path,
                        tmp_path_factory.mktemp("refresh"))


def test_a_reader_keeps_querying_through_a_full_refresh(refresh):
    assert refresh.success, refresh.output
    assert refresh.errors == []  # no lock error, no torn read, however often it asked
    assert len(refresh.seen) >= 20
    assert set(refresh.seen) == {refresh.old}  # the file it opened, whole, the whole time


def test_the_reader_sees_the_new_release_after_reconnecting(refresh, demo_world):
    assert refresh.new != refresh.old
    with demo_world.connect_shared() as con:
        from bad_inputs.harness import READER_QUERY

        assert refresh.new == con.execute(READER_QUERY).fetchone()
