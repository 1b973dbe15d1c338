"""Tables rebuilt by parts: only the parts (financial years) whose inputs changed since the table's last build.

A table declared with `Parts` (assets/tables.py, e.g. `marts.fct_activity` by `financial_year`) has, beside its
SELECT, a file `assets/sql/<layer>/<table>__parts.sql` that returns one row per part of its inputs:
`(part, fingerprint)`, the fingerprint being an order-free hash of every input row of that part (the rows'
count and the sum of their `hash`, as `pipelines.publish.content_hash`). The ledger `increments.table_parts`
keeps, per table, the fingerprint of each part it was built from, plus one for the whole (`*`): the SQL texts,
the DDL, the bound parameters and the content of every other upstream table (e.g. `marts.dim_geography`).

A build then

- rebuilds the whole table when the table or its ledger is missing or the whole's fingerprint changed (an edited
  SQL file, another profile period, a new geography);
- otherwise deletes the rows of the parts whose fingerprint changed or that are gone, and inserts the SELECT's
  rows of the changed and new parts only (the SELECT binds `$parts`, the parts to build).

Table and ledger change in the caller's transaction, so a failure or a kill leaves both as they were. The rows
are those a full rebuild gives (tests/test_partitions.py compares the content hashes); their physical order may
differ, which no reader relies on (every output orders what it reads).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import duckdb

from pipelines.sql import bound_params, sql_text, table_exists

LEDGER_SCHEMA = "increments"
LEDGER = f"{LEDGER_SCHEMA}.table_parts"
WHOLE = "*"


@dataclass(frozen=True)
class Parts:
    """How a table is rebuilt by parts: the column that names a row's part, and the other upstream tables whose
    content, when it changes, means a rebuild of the whole (the parts SQL covers the rest)."""

    column: str
    whole_inputs: tuple[str, ...] = ()


@dataclass
class PartsBuild:
    """What one build did: every part of the inputs, and those it (re)built and removed."""

    parts: list[str] = field(default_factory=list)
    rebuilt: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    whole: bool = False

    def describe(self) -> str:
        if self.whole:
            return f"whole table built ({len(self.parts)} parts)"
        if not self.rebuilt and not self.removed:
            return f"no part changed (of {len(self.parts)}): rows kept as built"
        said = f"{len(self.rebuilt)} of {len(self.parts)} parts rebuilt: {', '.join(self.rebuilt) or 'none'}"
        return said + (f"; removed: {', '.join(self.removed)}" if self.removed else "")


def _whole_fingerprint(con: duckdb.DuckDBPyConnection, name: str, ddl: str, parts: Parts, params: dict) -> str:
    digest = hashlib.sha256()
    bound: dict = {}
    for text in (sql_text(name), sql_text(f"{name}__parts")):
        digest.update(text.encode())
        bound |= bound_params(text, params) or {}
    digest.update(ddl.encode())
    bound.pop("parts", None)  # which parts are built is not what they are built from
    digest.update(json.dumps(bound, sort_keys=True, default=str).encode())
    for upstream in parts.whole_inputs:  # identifiers from code
        digest.update(repr(con.execute(
            f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {upstream} AS t").fetchone()).encode())
    return digest.hexdigest()


def build_by_parts(con: duckdb.DuckDBPyConnection, table: str, name: str, ddl: str, parts: Parts,
                   params: dict) -> PartsBuild:
    """Bring `table` up to date with the SELECT of `assets/sql/<name>.sql`, part by part (module docstring).
    `ddl` creates the table (CREATE OR REPLACE). Run inside the caller's transaction."""
    parts_sql = sql_text(f"{name}__parts")
    now = {str(part): str(fingerprint)
           for part, fingerprint in con.execute(parts_sql, bound_params(parts_sql, params)).fetchall()}
    whole = _whole_fingerprint(con, name, ddl, parts, params)
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {LEDGER_SCHEMA}")
    con.execute(f"CREATE TABLE IF NOT EXISTS {LEDGER} (table_name VARCHAR, part VARCHAR, fingerprint VARCHAR)")
    held = dict(con.execute(f"SELECT part, fingerprint FROM {LEDGER} WHERE table_name = $t", {"t": table}).fetchall())
    build = PartsBuild(parts=sorted(now))
    if not table_exists(con, table) or held.get(WHOLE) != whole:
        con.execute(ddl)
        build.whole, build.rebuilt = True, sorted(now)
    else:
        build.rebuilt = sorted(p for p, fingerprint in now.items() if held.get(p) != fingerprint)
        build.removed = sorted(set(held) - set(now) - {WHOLE})
        gone = build.rebuilt + build.removed
        if gone:
            con.execute(f'DELETE FROM {table} WHERE CAST("{parts.column}" AS VARCHAR) IN (SELECT unnest($p))',
                        {"p": gone})  # identifiers from code
    if build.rebuilt:
        text = sql_text(name)
        con.execute(f"INSERT INTO {table} BY NAME\n{text}", bound_params(text, {**params, "parts": build.rebuilt}))
    con.execute(f"DELETE FROM {LEDGER} WHERE table_name = $t", {"t": table})
    con.executemany(f"INSERT INTO {LEDGER} VALUES (?, ?, ?)",
                    [(table, WHOLE, whole), *((table, p, f) for p, f in sorted(now.items()))])
    return build
