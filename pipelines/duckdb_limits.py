"""How much of the machine DuckDB may take: one memory limit and one thread count for every connection of a run."""

from __future__ import annotations

import os

import duckdb


#: DuckDB's defaults (80% of RAM, a thread per core) let one aggregation take a laptop's memory; these fit a
#: 2-core, 8 GB machine beside the Python process. Set INA_DUCKDB_MEMORY_LIMIT / INA_DUCKDB_THREADS (or the
#: settings resource's fields in the UI's launchpad) on a bigger server. Beyond the limit DuckDB spills to
#: `.build/duckdb_tmp`.
DEFAULT_DUCKDB_MEMORY_LIMIT = "1GB"
DEFAULT_DUCKDB_THREADS = 2


def duckdb_limits_from_env() -> tuple[str, int]:
    """INA_DUCKDB_MEMORY_LIMIT and INA_DUCKDB_THREADS, checked by DuckDB itself; a ValueError names the bad one."""
    memory = os.environ.get("INA_DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT)
    threads = os.environ.get("INA_DUCKDB_THREADS", str(DEFAULT_DUCKDB_THREADS))
    if not threads.strip().isdigit() or int(threads) < 1:
        raise ValueError(f"INA_DUCKDB_THREADS={threads!r} is not a number of threads (a whole number, 1 or more)")
    try:
        with duckdb.connect() as con:
            con.execute(f"SET memory_limit = '{memory.replace(chr(39), '')}'")
    except duckdb.Error:
        raise ValueError(f"INA_DUCKDB_MEMORY_LIMIT={memory!r} is not a memory size DuckDB understands "
                         "(e.g. 1GB, 4GB, 500MB)") from None
    return memory, int(threads)
