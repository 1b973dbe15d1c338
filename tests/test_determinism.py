"""Determinism: the same inputs give bit-identical marts (and staging tables), whatever DuckDB's thread count.

The demo world is built with DuckDB's default thread count; `full_refresh` rebuilds the same database from
scratch in another process with a different one (1, or 4 on a one-core machine). Their `content_hash` must be
equal: sums of fractional values are exact decimal sums and frames handed to polars are ordered
(docs/data-quality.md), so nothing depends on the order in which threads finish.
"""

from __future__ import annotations

import duckdb
import polars as pl
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
    assert content_hash(refresh.database) == content_hash(demo_world.database)  # the shared files
    if content_hash(refresh.working, SCHEMAS) != content_hash(demo_world.working, SCHEMAS):
        ours, theirs = table_hashes(refresh.working), table_hashes(demo_world.working)
        differ = sorted(t for t in ours.keys() | theirs.keys() if ours.get(t) != theirs.get(t))
        pytest.fail(f"threads={refresh.threads} and threads={refresh.default_threads} differ in: {differ}")


# --- the commissioner outputs: same marts, same bytes (issue 12, row 18) -----------------------------------------


def _build_outputs(demo_world, directory):
    """Workbook, CSVs and report written from the demo world's marts by the functions the output assets call."""
    from pipelines.indicators.catalogue import load_catalogue
    from pipelines.outputs import write_commissioner_csvs, write_commissioner_workbook
    from pipelines.report import build_report, read_report_inputs

    with demo_world.connect() as con:
        inputs = read_report_inputs(con, demo_world.profile, load_catalogue(), demo_world.raw_dir)
    write_commissioner_workbook(inputs.tables, directory)
    write_commissioner_csvs(inputs.tables, directory)
    build_report(inputs, directory / "report")
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def outputs_twice(demo_world, tmp_path_factory):
    import time

    first = _build_outputs(demo_world, tmp_path_factory.mktemp("outputs_a"))
    time.sleep(2.1)  # past the zip format's two-second clock and docProps' one-second one
    second = _build_outputs(demo_world, tmp_path_factory.mktemp("outputs_b"))
    return first, second


def test_two_builds_of_the_outputs_from_the_same_marts_are_byte_identical(outputs_twice):
    first, second = outputs_twice
    assert first.keys() == second.keys()
    kinds = {name.rsplit(".", 1)[-1] for name in first}
    assert {"xlsx", "csv", "html", "png"} <= kinds, kinds
    differ = sorted(name for name in first if first[name] != second[name])
    assert differ == [], f"outputs differ between two builds from the same marts: {differ}"


def test_the_workbook_carries_a_fixed_timestamp_not_the_clock(outputs_twice):
    import io
    import zipfile

    from pipelines.outputs import WORKBOOK_NAME

    book = zipfile.ZipFile(io.BytesIO(outputs_twice[0][WORKBOOK_NAME]))
    assert {info.date_time for info in book.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    core = book.read("docProps/core.xml").decode()
    assert core.count("2000-01-01T00:00:00Z") == 2, core  # created and modified


def test_source_date_epoch_sets_the_workbook_timestamp(monkeypatch, tmp_path):
    import zipfile

    from pipelines.outputs.workbook import Column, Sheet, write_workbook

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    path = write_workbook(tmp_path / "w.xlsx", [Sheet("T", "t", pl.DataFrame({"a": ["x"]}), [Column("a", "A")])])
    with zipfile.ZipFile(path) as book:
        assert {i.date_time for i in book.infolist()} == {(2023, 11, 14, 22, 13, 20)}
        assert "2023-11-14T22:13:20Z" in book.read("docProps/core.xml").decode()


def test_the_duckdb_file_is_identified_by_its_content_not_its_bytes(refresh, demo_world):
    """Two builds of the same marts give equal content hashes (above) but DuckDB files whose bytes differ:
    DuckDB's compressed segments (FSST and dictionary strings, ALP doubles) are laid out differently from one
    build to the next, even with one thread, and every block begins with a checksum of its contents
    (docs/commissioner-outputs.md, Determinism). So a release is named by `content_hash`, never by a checksum
    of the file."""
    assert refresh.success, refresh.output
    assert content_hash(refresh.working, SCHEMAS) == content_hash(demo_world.working, SCHEMAS)
    same_bytes = refresh.database.read_bytes() == demo_world.database.read_bytes()
    assert not same_bytes, ("the DuckDB files are byte-identical now: docs/commissioner-outputs.md "
                            "(Determinism) says they are not; update it")


def test_why_the_duckdb_bytes_differ_compressed_text_segments(tmp_path):
    """The documented cause, in small: the same statement, one thread, twice: integers give the same bytes,
    compressed text does not, and text with compression forced off does."""
    def build(name: str, sql: str, compression: str | None = None) -> bytes:
        path = tmp_path / name / "ina.duckdb"  # the same file name: it is stored in the catalogue
        path.parent.mkdir()
        with duckdb.connect(str(path)) as con:
            con.execute("SET threads = 1")
            if compression:
                con.execute(f"SET force_compression = '{compression}'")
            con.execute(sql)
        return path.read_bytes()

    integers = "CREATE TABLE t AS SELECT range AS i FROM range(300000)"
    text = "CREATE TABLE t AS SELECT 'E0' || range AS s FROM range(300000)"
    assert build("i1", integers) == build("i2", integers)
    assert build("t1", text) != build("t2", text)
    assert build("u1", text, "uncompressed") == build("u2", text, "uncompressed")
