"""Atomic publication of the marts database.

Runs build in a working copy (`data/marts/.build/ina.duckdb`). Publishing copies the checkpointed working file
next to the published one and renames it over `data/marts/<profile>/ina.duckdb` in one `os.replace`: a reader sees the
old file or the new one, never a half-written one. Connections already open keep reading the old file
(POSIX keeps the replaced inode alive), so a refresh never raises a lock error in a reader, and a run killed
at any point leaves the published file as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import duckdb


def publish_database(working: Path, published: Path) -> Path:
    """Checkpoint the working database, then atomically replace the published file with a copy of it."""
    with duckdb.connect(str(working)) as con:
        con.execute("CHECKPOINT")
    published.parent.mkdir(parents=True, exist_ok=True)
    for leftover in published.parent.glob(f".{published.name}.*.publishing"):
        leftover.unlink(missing_ok=True)  # a copy from a publication that was killed part-way; never read
    staged = published.with_name(f".{published.name}.{os.getpid()}.publishing")
    try:
        shutil.copyfile(working, staged)
        with open(staged, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(staged, published)
    finally:
        staged.unlink(missing_ok=True)
    _fsync_directory(published.parent)
    return published


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
