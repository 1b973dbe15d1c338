"""Run the real pipeline against copies of a built world (the demo's, or the real LSC profile's): the harness of
the bad-input, publication and determinism tests. Every run uses the graph of the profile it is given.

- `copy_marts` copies the demo world's published database (and its working copy) so a test can run against
  "a published DB from a good run" without touching the shared one: a real file, as an older marts folder held
  it (the first publication adopts it); `copy_release` copies the released set as it is (releases/, current and
  the stable links, and the build); `released_set` reads that set through the documented paths.
- `overlay_raw` builds a raw folder of symlinks to the demo world's files, so a bad file can be swapped in
  (`corpus.write_case`) without copying the rest.
- `materialize` runs a selection of the real graph in-process; `spawn_materialize` runs one in a child
  process (to kill it, or to read the published file from another process while it runs); `kill_when` kills
  it once a step of a given layer has started (read from the child's Dagster instance) or a file appears.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.platform.instance import EVENT_BATCH_SIZE

PROJECT_DIR = Path(__file__).resolve().parents[2]


def copy_marts(source_marts: Path, dest: Path, *, build: bool = True) -> Path:
    """`dest/ina.duckdb` (and `dest/.build/ina.duckdb` if `build`) copied from a marts folder; returns dest."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source_marts / "ina.duckdb", dest / "ina.duckdb")
    if build:
        (dest / ".build").mkdir(exist_ok=True)
        shutil.copyfile(source_marts / ".build" / "ina.duckdb", dest / ".build" / "ina.duckdb")
    return dest


def copy_release(source_marts: Path, dest: Path) -> Path:
    """The released set of a marts folder (the current release, `current`, the stable links) and its build,
    copied to `dest` as they are (links kept); returns dest."""
    from pipelines.publish import current_release

    dest.mkdir(parents=True, exist_ok=True)
    release = current_release(source_marts)
    shutil.copytree(release, dest / release.relative_to(source_marts), symlinks=True)
    for name in ("current", "ina.duckdb", "outputs"):
        os.symlink(os.readlink(source_marts / name), dest / name)
    shutil.copytree(source_marts / ".build", dest / ".build", symlinks=True)
    return dest


def released_set(marts_dir: Path) -> dict[str, str]:
    """What a reader sees through the documented paths: the marts' content hash and the sha256 of the workbook,
    every CSV and every report file (`outputs/...`)."""
    import hashlib

    from pipelines.publish import content_hash

    seen = {"ina.duckdb": content_hash(marts_dir / "ina.duckdb")}
    outputs = marts_dir / "outputs"
    for path in sorted(outputs.rglob("*")):
        if path.is_file():
            seen[f"outputs/{path.relative_to(outputs)}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return seen


def overlay_raw(source_raw: Path, dest: Path) -> Path:
    """A raw folder whose files are symlinks to `source_raw`'s."""
    for path in source_raw.rglob("*"):
        if path.is_file():
            target = dest / path.relative_to(source_raw)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    return dest


def materialize(raw_dir: Path, marts_dir: Path, profile: Path, selection, ranges=None, instance=None, **resources):
    """A `GraphRun` (pipelines/platform/run.py): the selection's phases, every partition with a file unless `ranges`;
    on `instance` (default: a new ephemeral one)."""
    from pipelines.config import load_profile
    from pipelines.platform.definitions import graph_assets, graph_checks
    from assets.resources import InaSettings, build_resources
    from pipelines.platform.run import run_graph

    ALL_ASSETS, ALL_CHECKS = graph_assets(load_profile(profile)), graph_checks(load_profile(profile))
    settings = InaSettings(raw_dir=str(raw_dir), marts_dir=str(marts_dir), profile_path=str(profile))
    return run_graph([*ALL_ASSETS, *ALL_CHECKS], {**build_resources(settings), **resources},
                     instance or dg.DagsterInstance.ephemeral(), Path(raw_dir), selection=selection, ranges=ranges,
                     run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}})


_CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import dagster as dg
    from pipelines.config import load_profile
    from pipelines.platform.definitions import graph_assets, graph_checks
    from pipelines.platform.run import run_graph
    from assets.resources import InaSettings, MartsDatabase, build_resources

    args = json.loads(sys.argv[1])
    # a persistent instance when asked (another process can follow the run's steps), else an ephemeral one
    instance = dg.DagsterInstance.from_config(args["home"]) if args["home"] else dg.DagsterInstance.ephemeral()
    profile = load_profile(args["profile"])  # the profile's own graph: its entities' adapters
    ALL_ASSETS, ALL_CHECKS = graph_assets(profile), graph_checks(profile)
    settings = InaSettings(raw_dir=args["raw_dir"], marts_dir=args["marts_dir"], profile_path=args["profile"])
    resources = build_resources(settings)
    if args["threads"]:
        resources["marts_db"] = MartsDatabase(database=str(settings.working_database_path),
                                              connection_config={"threads": args["threads"]})
    keys = [key for asset in ALL_ASSETS for key in asset.keys if key.path[0] in args["layers"]]
    print("started", flush=True)
    definitions = [*ALL_ASSETS, *(ALL_CHECKS if args["checks"] else [])]
    result = run_graph(definitions, resources, instance, Path(args["raw_dir"]),
                       selection=keys, run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}})
    print(json.dumps({"success": result.success, "problems": result.problems}), flush=True)
    """
)


def spawn_materialize(raw_dir: Path, marts_dir: Path, profile: Path, layers: tuple[str, ...], log: Path,
                      threads: int | None = None, checks: bool = False, home: Path | None = None) -> subprocess.Popen:
    """A child process materialising every asset of the given layers (key prefixes: staging, marts,
    published ...), its output in `log`: `started`, then `{"success": ..., "problems": [...]}` at the end. The
    checks each asset carries always run; the data-quality checks defined apart (Great Expectations, record-level
    guard: they read, never write the database) only if `checks`. Runs are recorded in the Dagster instance of
    folder `home` if given (else an ephemeral one)."""
    args = {"raw_dir": str(raw_dir), "marts_dir": str(marts_dir), "profile": str(profile), "layers": list(layers),
            "threads": threads, "checks": checks, "home": str(home) if home else None}
    with open(log, "w") as out:  # a file, not a pipe: a chatty child never blocks on a full pipe
        return subprocess.Popen(
            [sys.executable, "-c", _CHILD, json.dumps(args)],
            cwd=PROJECT_DIR, stdout=out, stderr=subprocess.STDOUT, text=True,
            # as `ina` runs: Dagster sends its event batches (the instance's event log writes each at once)
            env={**os.environ, "PYTHONUNBUFFERED": "1", "DAGSTER_EVENT_BATCH_SIZE": str(EVENT_BATCH_SIZE)},
        )


def kill_once_writing(raw_dir: Path, marts_dir: Path, profile: Path, layers: tuple[str, ...], log: Path,
                      after: float = 0.1) -> int:
    """Start `spawn_materialize`, SIGKILL it `after` seconds once it has begun writing its working copy (the
    working database's WAL exists), and return its exit code (-SIGKILL when killed mid-run)."""
    import signal
    import time

    wal = marts_dir / ".build" / "ina.duckdb.wal"
    child = spawn_materialize(raw_dir, marts_dir, profile, layers, log)
    try:
        deadline = time.monotonic() + 300
        while not wal.exists():
            assert child.poll() is None, f"the run ended before it could be killed:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, "the run never wrote to its working copy"
            time.sleep(0.005)
        time.sleep(after)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
    return child.returncode


ALL_LAYERS = ("raw", "staging", "marts", "outputs", "published")


def kill_when(raw_dir: Path, marts_dir: Path, profile: Path, log: Path, home: Path, *, step: str | None = None,
              appears: str | None = None, timeout: float = 300) -> str:
    """Run the whole graph in a child (`spawn_materialize`, runs recorded in the instance at `home`) and SIGKILL it
    as soon as a step whose key starts with `step` has started (`raw__`, `staging__`, `marts__`,
    `commissioner_outputs` ...) or a path matching the glob `appears` (under the marts folder) exists. Returns the
    key of the last step the child had started."""
    import signal
    import time

    child = spawn_materialize(raw_dir, marts_dir, profile, ALL_LAYERS, log, home=home)
    started: list[str] = []
    try:
        with dg.DagsterInstance.from_config(str(home)) as instance:
            deadline = time.monotonic() + timeout
            while True:
                assert child.poll() is None, f"the run ended before it could be killed:\n{log.read_text()[-3000:]}"
                assert time.monotonic() < deadline, f"never reached {step or appears}; started {started[-3:]}"
                if appears is not None:
                    if any(marts_dir.glob(appears)):
                        break
                else:
                    runs = instance.get_run_records(limit=1)
                    if runs:
                        records = instance.get_records_for_run(runs[0].dagster_run.run_id,
                                                               of_type=dg.DagsterEventType.STEP_START).records
                        started = [r.event_log_entry.step_key for r in records]
                        if any(key.startswith(step) for key in started):
                            break
                time.sleep(0.01)
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=60)
            runs = instance.get_run_records(limit=1)
            records = instance.get_records_for_run(runs[0].dagster_run.run_id,
                                                   of_type=dg.DagsterEventType.STEP_START).records
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    return records[-1].event_log_entry.step_key if records else ""


# --- one full refresh from scratch in a child process, with a reader on the published file -----------------


@dataclass
class Refresh:
    """What `full_refresh` saw: the child's outcome, the reader's queries, and the published file."""

    marts_dir: Path
    threads: int
    default_threads: int
    success: bool
    output: str
    old: tuple
    new: tuple
    seen: list[tuple] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def database(self) -> Path:
        """The released shared marts file."""
        return self.marts_dir / "ina.duckdb"

    @property
    def working(self) -> Path:
        """The restricted working database the release was made from."""
        return self.marts_dir / ".build" / "ina.duckdb"


READER_QUERY = (
    "SELECT (SELECT count(*) FROM marts.fct_population), (SELECT sum(population) FROM marts.fct_population), "
    "(SELECT count(*) FROM marts.fct_deprivation_gradients), (SELECT count(*) FROM marts.fct_indicator_values)"
)
_REFRESHES: dict[str, Refresh] = {}


def full_refresh(published_marts: Path, raw_dir: Path, profile: Path, work_dir: Path) -> Refresh:
    """Once per session: rebuild the whole database from scratch (every staging table, mart and indicator mart,
    then publication) in a child process whose DuckDB uses a different thread count from the default, while
    a reader in this process holds a read-only connection to the published file and keeps querying it.

    The published file starts as a copy of `published_marts/ina.duckdb` with the last year of population
    removed (an "older release"), so the reader can tell the old content from the new.
    """
    key = str(published_marts)
    if key in _REFRESHES:
        return _REFRESHES[key]
    with duckdb.connect() as con:
        default_threads = int(con.execute("SELECT current_setting('threads')").fetchone()[0])
    threads = 1 if default_threads > 1 else 4
    marts = copy_marts(published_marts, work_dir / "refreshed_marts", build=False)
    with duckdb.connect(str(marts / "ina.duckdb")) as con:
        con.execute("DELETE FROM marts.fct_population WHERE financial_year = "
                    "(SELECT max(financial_year) FROM marts.fct_population)")
    reader = duckdb.connect(str(marts / "ina.duckdb"), read_only=True)
    old = reader.execute(READER_QUERY).fetchone()
    seen: list[tuple] = []
    errors: list[str] = []
    stop = threading.Event()

    def keep_reading() -> None:
        while not stop.is_set():
            try:
                seen.append(reader.execute(READER_QUERY).fetchone())
            except duckdb.Error as exc:  # a lock error or a torn file would show here
                errors.append(f"{type(exc).__name__}: {exc}")
            stop.wait(0.05)

    thread = threading.Thread(target=keep_reading, daemon=True)
    thread.start()
    log = work_dir / "refresh.log"
    child = spawn_materialize(raw_dir, marts, profile, ("staging", "marts", "outputs", "published"), log,
                              threads=threads)
    try:
        child.wait(timeout=900)
    finally:
        stop.set()
        thread.join()
        if child.poll() is None:
            child.kill()
            child.wait()
    reader.close()
    output = log.read_text()
    success = '"success": true' in output
    with duckdb.connect(str(marts / "ina.duckdb"), read_only=True) as con:
        new = con.execute(READER_QUERY).fetchone()
    refresh = Refresh(marts, threads, default_threads, success, output[-3000:], old, new, seen, errors)
    _REFRESHES[key] = refresh
    return refresh
