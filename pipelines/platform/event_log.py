"""Dagster's SQLite event log, with batched writes: the instance's event log storage (dagster.yaml).

A run over a range of partitions records, for each asset, one "planned" and one materialisation event per
partition: 84 months of ten monthly assets are 1,680 events. Dagster's `SqliteEventLogStorage` writes each event
on its own: a new SQLAlchemy engine, a connection, a transaction and a commit for the run's file, and the same again
for the cross-run index, for every event. Dagster itself batches these events (it sends them with batch metadata
when `DAGSTER_EVENT_BATCH_SIZE` is set) but its SQLite storage writes a batch one event at a time.

`BatchedSqliteEventLogStorage` changes how, never what: the same rows in the same tables and files as Dagster's
own storage, so Dagster's webserver and daemon read them as theirs (a folder written by one reads with the other).
- a batch is written in one transaction per file (the run's file, then the index), not one per event;
- each file's engine is kept (SQLAlchemy engines are costly to create; connections still open per use, so no
  file stays open between writes and other processes see every commit);
- whether the index has a table is asked once per process (tables are only ever added, by `dagster instance
  migrate`, which restarts nothing in this process).
Events that are not asset materialisations or observations (run and step events, checks) go through Dagster's
own `store_event` unchanged.

`ina` sets `DAGSTER_EVENT_BATCH_SIZE` so that Dagster sends its batches (pipelines/platform/instance.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from dagster._core.events import ASSET_EVENTS
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlalchemy_compat import db_result
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool


class BatchedSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log storage, writing a batch of events in one transaction per file."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: dict[str, Engine] = {}
        self._tables: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> "BatchedSqliteEventLogStorage":
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(self.conn_string_for_shard(shard), poolclass=NullPool,
                                   connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
            self._engines[shard] = engine
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:  # emptied by wipe(): the file may be new
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn:
                with conn.begin():
                    yield conn

    def has_table(self, table_name: str) -> bool:
        if table_name not in self._tables and super().has_table(table_name):
            self._tables.add(table_name)
        return table_name in self._tables

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """The asset events of a batch in one transaction per run file and one for the index; others one by one."""
        batched = []
        for event in events:
            if event.is_dagster_event and event.dagster_event_type in ASSET_EVENTS:
                batched.append(event)
            else:
                self.store_event(event)
        if not batched:
            return
        statements = [self.prepare_insert_event(event) for event in batched]
        by_run: dict[str, list] = defaultdict(list)
        for event, statement in zip(batched, statements):
            by_run[event.run_id].append(statement)
        for run_id, run_statements in by_run.items():
            with self.run_connection(run_id) as conn:
                for statement in run_statements:
                    conn.execute(statement)
        with self.index_transaction() as conn:
            event_ids = []
            for statement in statements:
                with db_result(conn, statement) as result:
                    event_ids.append(result.inserted_primary_key[0])
            self._store_asset_event_tags(conn, batched, event_ids)
            for event, event_id in zip(batched, event_ids):
                self._store_asset_event(conn, event, event_id)

    def dispose(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
        super().dispose()
