"""Atomic publication, proven: a run killed with SIGKILL (mid-run, or mid-copy of the publication itself) leaves
the published marts intact and readable, and a reader holding a read-only connection to the published file
through a full refresh never sees a lock error or a half-written file, and sees the new content once it
reconnects."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import duckdb
import pytest
from bad_inputs.harness import PROJECT_DIR, copy_marts, full_refresh, kill_once_writing

from pipelines.publish import content_hash, publish_database


def readable(database) -> dict[str, int]:
    """Every mart's row count, read through a read-only connection (fails on a torn or locked file)."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1").fetchall()]
        return {t: con.execute(f'SELECT count(*) FROM marts."{t}"').fetchone()[0] for t in tables}


def stop(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.kill()
    child.wait()
    for stream in (child.stdout, child.stderr):
        if stream is not None:
            stream.close()


def test_sigkill_mid_run_leaves_the_published_marts_intact(demo_world, tmp_path):
    marts = copy_marts(demo_world.marts_dir, tmp_path / "marts")
    before, counts = content_hash(marts / "ina.duckdb"), readable(marts / "ina.duckdb")
    code = kill_once_writing(demo_world.raw_dir, marts, demo_world.profile.source_path, ("marts", "published"),
                             tmp_path / "run.log")
    assert code == -signal.SIGKILL
    assert content_hash(marts / "ina.duckdb") == before
    assert readable(marts / "ina.duckdb") == counts
    # The working copy survives too: the next run opens it (DuckDB replays or drops the killed run's WAL).
    with duckdb.connect(str(marts / ".build" / "ina.duckdb")) as con:
        assert con.execute("SELECT count(*) FROM marts.dim_geography").fetchone()[0] == counts["dim_geography"]


SLOW_PUBLISH = textwrap.dedent(
    """
    import shutil, sys, time
    from pathlib import Path
    import pipelines.publish as publish

    def slow_copy(source, target):  # copies the first MiB, says so, then hangs: killed mid-copy
        with open(source, "rb") as src, open(target, "wb") as dst:
            dst.write(src.read(1 << 20))
            dst.flush()
            print("copying", flush=True)
            time.sleep(120)
            dst.write(src.read())

    shutil.copyfile = slow_copy
    publish.publish_database(Path(sys.argv[1]), Path(sys.argv[2]))
    print("published", flush=True)
    """
)


def test_sigkill_mid_publication_leaves_the_published_marts_intact(demo_world, tmp_path):
    marts = copy_marts(demo_world.marts_dir, tmp_path / "marts")
    working = marts / ".build" / "ina.duckdb"
    with duckdb.connect(str(working)) as con:  # a new release that differs from the published one
        con.execute("DELETE FROM marts.fct_population WHERE financial_year = 2020")
    before = content_hash(marts / "ina.duckdb")
    assert content_hash(working) != before
    child = subprocess.Popen([sys.executable, "-c", SLOW_PUBLISH, str(working), str(marts / "ina.duckdb")],
                             cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "copying", child.stderr.read()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
    finally:
        stop(child)
    assert child.returncode == -signal.SIGKILL
    assert content_hash(marts / "ina.duckdb") == before
    readable(marts / "ina.duckdb")
    # What the killed run left is a partial copy beside the published file, never the file itself.
    leftovers = list(marts.glob(".ina.duckdb.*.publishing"))
    assert len(leftovers) == 1 and leftovers[0].stat().st_size == 1 << 20
    # ... and the next publication clears it away.
    publish_database(working, marts / "ina.duckdb")
    assert not list(marts.glob(".ina.duckdb.*.publishing"))
    assert content_hash(marts / "ina.duckdb") == content_hash(working)


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
    with demo_world.connect() as con:
        from bad_inputs.harness import READER_QUERY

        assert refresh.new == con.execute(READER_QUERY).fetchone()
