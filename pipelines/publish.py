"""Publication: the checked build released as one set, by one atomic step, by one writer at a time.

Runs build in `<marts_dir>/.build/`: the working database `.build/ina.duckdb` and the commissioner outputs
`.build/outputs/` (workbook, `csv/`, `report/`). Readers never see the build. Publishing makes a **release**,
a new folder holding the whole set, and switches to it:

    <marts_dir>/releases/<id>/ina.duckdb          a fresh file (read-only, 0444), never written in place
    <marts_dir>/releases/<id>/outputs/...         the workbook, csv/ and report/ of the same run
    <marts_dir>/current -> releases/<id>          the one pointer: replaced by `os.replace` of a new symlink
    <marts_dir>/ina.duckdb -> current/ina.duckdb  stable paths, the ones the README documents
    <marts_dir>/outputs -> current/outputs

The release is written under a hidden name (`releases/.<id>.partial`), fsynced, renamed to `releases/<id>`,
and only then does `current` change, in one rename. A reader resolving any documented path sees the old set or
the new one, never a mix and never a missing file; a run killed at any point leaves the old set whole (a killed
publication leaves at most a `.partial` folder, cleared by the next one). Connections already open keep
reading the file they opened. The last two releases are kept, older ones removed (an open DuckDB connection
keeps a removed file's inode).

Stale `.wal`: DuckDB resolves the symlink and keeps a write-ahead log beside the real file, so a `.wal` left by a
read-write connection to one release (a killed DuckDB CLI) can only ever sit in that release's folder: every new
release is a fresh file in a fresh folder, so no old log can be replayed onto it. The file is made read-only
(0444), which stops read-write connections of users other than root; the project opens it read-only everywhere.

One writer at a time: `writer_lock` holds an exclusive `flock` on `<marts_dir>/.lock` for a whole run (and the
publication takes it too): a second run on the same marts folder is refused at once, with the holder's pid,
start time and command. The kernel drops the lock of a killed process, so no stale lock outlives a kill.

An older marts folder (a real `ina.duckdb` file and `outputs/` folder) is adopted on its first publication: its
files are hard-linked into a release of their own and the stable paths switched to point through `current`,
without a reader seeing a missing file (the folder is swapped for the link by one `renameat2` exchange).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.config import Profile
from pipelines.indicators.catalogue import Catalogue
from pipelines.shared_database import write_shared_database

DATABASE_NAME = "ina.duckdb"
OUTPUTS_NAME = "outputs"
RELEASES = "releases"
CURRENT = "current"
LOCK_NAME = ".lock"
KEEP_RELEASES = 2


# --- one writer at a time ---------------------------------------------------------------------------------


class MartsLocked(RuntimeError):
    """Another process is writing this marts folder."""


_HELD: dict[str, list] = {}  # lock path -> [file descriptor, depth]: re-entrant within a process
_HELD_GUARD = threading.Lock()


def lock_path(marts_dir: Path) -> Path:
    return Path(marts_dir) / LOCK_NAME


def holder_of(marts_dir: Path) -> str:
    """Who holds (or last held) the marts folder's lock, in words."""
    try:
        holder = json.loads(lock_path(marts_dir).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        holder = {}
    if not holder:
        return "a process that has not yet said who it is"
    return f"pid {holder.get('pid')}, started {holder.get('started')} ({holder.get('command')})"


@contextmanager
def writer_lock(marts_dir: Path, what: str | None = None) -> Iterator[None]:
    """Hold the marts folder's writer lock (exclusive `flock` on `<marts_dir>/.lock`) for the block; refuse at
    once, naming the holder, when another process holds it. Re-entrant in the process that holds it."""
    marts_dir = Path(marts_dir)
    marts_dir.mkdir(parents=True, exist_ok=True)
    path = str(lock_path(marts_dir).resolve())
    with _HELD_GUARD:
        held = _HELD.get(path)
        if held is not None:
            held[1] += 1
        else:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                raise MartsLocked(
                    f"{marts_dir} is being written by another run ({holder_of(marts_dir)}); this run was refused "
                    "and changed nothing: wait for that run to end, then run again") from None
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, json.dumps({
                "pid": os.getpid(),
                "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "command": what or " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:200],
            }).encode(), 0)
            _HELD[path] = [descriptor, 1]
    try:
        yield
    finally:
        with _HELD_GUARD:
            held = _HELD[path]
            held[1] -= 1
            if held[1] == 0:
                del _HELD[path]
                os.ftruncate(held[0], 0)
                os.close(held[0])  # closing the descriptor releases the flock


# --- releases ---------------------------------------------------------------------------------------------


def release_id(tag: str = "") -> str:
    """A new release's folder name: UTC time to the microsecond (names sort in release order), and a tag."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stamp}-{tag}" if tag else stamp


def current_release(marts_dir: Path) -> Path | None:
    """The release `current` points at, if any."""
    pointer = Path(marts_dir) / CURRENT
    return (Path(marts_dir) / os.readlink(pointer)) if pointer.is_symlink() else None


def publish_release(marts_dir: Path, working: Path, outputs: Path | None, profile: Profile, catalogue: Catalogue,
                    tag: str = "") -> Path:
    """Release the shared marts file made from the working database (`pipelines.shared_database`: the tiers
    of schemas/tiers.py) and the built outputs as one set; returns the new release folder."""
    marts_dir = Path(marts_dir)
    with writer_lock(marts_dir):
        releases = marts_dir / RELEASES
        releases.mkdir(exist_ok=True)
        for leftover in releases.glob(".*.partial"):
            _remove(leftover)  # a release a killed publication left half-made; never pointed at
        adopt_old_layout(marts_dir)
        name = release_id(tag)
        partial = releases / f".{name}.partial"
        partial.mkdir()
        database = partial / DATABASE_NAME
        write_shared_database(working, database, profile, catalogue)
        os.chmod(database, 0o444)
        if outputs is not None and outputs.is_dir():
            shutil.copytree(outputs, partial / OUTPUTS_NAME, ignore=shutil.ignore_patterns(".*"))
        else:
            (partial / OUTPUTS_NAME).mkdir()
        _fsync_tree(partial)
        final = releases / name
        partial.rename(final)
        _fsync_directory(releases)
        switch_to(marts_dir, final)
        prune(marts_dir)
    return final


def switch_to(marts_dir: Path, release: Path) -> None:
    """Point `current` at the release (one `os.replace` of a new symlink: the atomic step), then make sure the
    stable paths go through `current`."""
    _point(marts_dir / CURRENT, release.relative_to(marts_dir))
    for name in (DATABASE_NAME, OUTPUTS_NAME):
        stable = marts_dir / name
        if not stable.is_symlink():
            _point(stable, Path(CURRENT) / name)
    Path(f"{marts_dir / DATABASE_NAME}.wal").unlink(missing_ok=True)  # the old layout's; never read now
    _fsync_directory(marts_dir)


def prune(marts_dir: Path, keep: int = KEEP_RELEASES) -> list[Path]:
    """Remove all but the newest `keep` releases (never the current one); returns what was removed."""
    releases = Path(marts_dir) / RELEASES
    current = current_release(marts_dir)
    names = sorted(p.name for p in releases.iterdir() if not p.name.startswith("."))
    kept = set(names[-keep:]) | ({current.name} if current is not None else set())
    removed = []
    for name in names:
        if name not in kept:
            _remove(releases / name)
            removed.append(releases / name)
    return removed


def adopt_old_layout(marts_dir: Path) -> Path | None:
    """An older marts folder (real `ina.duckdb`, real `outputs/`) becomes a release of its own, its files hard
    linked (same bytes, no copy), and its stable paths switched to links through `current`; returns it."""
    marts_dir = Path(marts_dir)
    database, outputs = marts_dir / DATABASE_NAME, marts_dir / OUTPUTS_NAME
    old_database = database.is_file() and not database.is_symlink()
    old_outputs = outputs.is_dir() and not outputs.is_symlink()
    if not (old_database or old_outputs):
        return None
    releases = marts_dir / RELEASES
    releases.mkdir(exist_ok=True)
    # what readers see now, through the stable paths (one of them a link already if a kill stopped an adoption)
    shown_database = database.resolve() if database.exists() else None
    shown_outputs = outputs.resolve() if outputs.is_dir() else None
    release = releases / release_id("adopted")
    partial = releases / f".{release.name}.partial"
    partial.mkdir()
    if shown_database is not None:
        os.link(shown_database, partial / DATABASE_NAME)
        wal = Path(f"{shown_database}.wal")
        if wal.exists():  # what readers of the old file saw included it
            os.link(wal, partial / f"{DATABASE_NAME}.wal")
    if shown_outputs is not None:
        shutil.copytree(shown_outputs, partial / OUTPUTS_NAME, copy_function=os.link,
                        ignore=shutil.ignore_patterns(".*"))
    else:
        (partial / OUTPUTS_NAME).mkdir()
    _fsync_tree(partial)
    partial.rename(release)
    _point(marts_dir / CURRENT, release.relative_to(marts_dir))
    if old_database:
        _point(database, Path(CURRENT) / DATABASE_NAME)  # a file replaced by a link: one rename
    if old_outputs:
        link = marts_dir / f".{OUTPUTS_NAME}.adopting"
        _remove(link)
        link.symlink_to(Path(CURRENT) / OUTPUTS_NAME)
        _exchange(link, outputs)  # now `link` names the old folder
        _remove(link)
    _fsync_directory(marts_dir)
    return release


# --- file-system steps --------------------------------------------------------------------------------------


def _point(link: Path, target: Path) -> None:
    """Make `link` a symlink to `target` in one rename (readers see the old entry or the new link)."""
    staged = link.with_name(f".{link.name}.{os.getpid()}.linking")
    staged.unlink(missing_ok=True)
    staged.symlink_to(target)
    os.replace(staged, link)


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> None:
    """Swap two directory entries in one step (Linux renameat2 RENAME_EXCHANGE); elsewhere two renames."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        at_fdcwd = -100
        if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
            return
    aside = b.with_name(f".{b.name}.{os.getpid()}.aside")
    b.rename(aside)
    a.rename(b)
    aside.rename(a)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    for directory in [root, *(p for p in root.rglob("*") if p.is_dir() and not p.is_symlink())]:
        _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def content_hash(database: Path, schemas: tuple[str, ...] = ("marts",)) -> str:
    """A hash of every table's rows (sorted) in the given schemas: equal content, equal hash, whatever the
    file's bytes or the thread count that built it."""
    digest = hashlib.sha256()
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN (SELECT unnest($schemas)) ORDER BY 1, 2",
            {"schemas": list(schemas)},
        ).fetchall()
        for schema, table in tables:
            digest.update(f"{schema}.{table}".encode())
            columns = con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = $s AND table_name = $t ORDER BY ordinal_position",
                {"s": schema, "t": table},
            ).fetchall()
            digest.update(repr(columns).encode())
            # identifiers come from the catalogue, not from input
            row_hash = con.execute(
                f'SELECT count(*), coalesce(sum(hash(t)), 0), coalesce(bit_xor(hash(t)), 0) FROM "{schema}"."{table}" AS t'
            ).fetchone()
            digest.update(repr(row_hash).encode())
    return digest.hexdigest()
