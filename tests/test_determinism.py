"""Determinism: the same inputs give bit-identical marts (and staging tables), whatever DuckDB's thread count.

The demo world is built with DuckDB's default thread count; `full_refresh` rebuilds the same database from
scratch in another process with a different one (1, or 4 on a one-core machine). Their `content_hash` must be
equal: sums of fractional values are exact decimal sums and frames handed to polars are ordered
(docs/data-quality.md), so nothing depends on the order in which threads finish.
"""

from __future__ import annotations

import duckdb
import pytest
from bad_inputs.harness import full_refresh

from pipelines.publish import content_hash

SCHEMAS = ("marts", "staging")


@pytest.fixture(scope="module")
def refresh(demo_world, tmp_path_factory):
    return full_refresh(demo_world.marts_dir, demo_world.raw_dir, demo_world.profile.source_path,
                        tmp_path_factory.mktemp("refresh"))


def table_hashes(database) -> dict[str, tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute("SELECT table_schema || '.' || table_name FROM information_schema.tables "
                             "WHERE table_schema IN ('marts', 'staging') ORDER BY 1").fetchall()
        return {t: con.execute(f"SELECT count(*), sum(hash(x)) FROM {t} AS x").fetchone() for (t,) in tables}


def test_two_runs_with_different_thread_counts_give_identical_marts(refresh, demo_world):
    assert refresh.success, refresh.output
    assert refresh.threads != refresh.default_threads
    if content_hash(refresh.database, SCHEMAS) != content_hash(demo_world.database, SCHEMAS):
        ours, theirs = table_hashes(refresh.database), table_hashes(demo_world.database)
        differ = sorted(t for t in ours.keys() | theirs.keys() if ours.get(t) != theirs.get(t))
        pytest.fail(f"threads={refresh.threads} and threads={refresh.default_threads} differ in: {differ}")
