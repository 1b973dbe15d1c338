"""The bad-input corpus (tests/bad_inputs/corpus.py) through the real pipeline.

One good materialisation is shared (the demo world); its published database is copied once. For each bad
input, a raw folder of symlinks to the demo files gets the one bad file swapped in, and only the affected
source's downstream is materialised (commissioner output files aside: they are not the marts). A rejected file
must fail its raw asset with an error naming file, row, column and rule, and nothing downstream may run; a
quarantined line must land in `staging.quarantine_rows` with its reason while the run goes on. Either way the
published marts' `content_hash` must be unchanged.
"""

from __future__ import annotations

import re

import dagster as dg
import duckdb
import pytest
from bad_inputs.corpus import CASES, write_case
from bad_inputs.harness import copy_marts, materialize, overlay_raw

from assets.raw import raw_asset_key
from assets.staging import QUARANTINE_CHECK
from schemas.entities import ENTITIES
from pipelines.publish import content_hash

REJECTED = [case for case in CASES if case.outcome == "reject"]
QUARANTINED = [case for case in CASES if case.outcome == "quarantine"]
STAGING_OF = {entity.local: entity.table for entity in ENTITIES.values() if entity.local}


def test_the_corpus_covers_every_kind_of_problem():
    assert {case.name for case in CASES} >= {
        "missing column", "extra column", "wrong type", "empty file", "truncated gzip", "wrong encoding",
        "duplicate keys", "negative counts", "dates outside the period", "unknown LSOA codes",
        "LSOA 2021 codes in a 2011 source", "a practice in two PCNs", "ages over 120",
        "sex codes outside the standard", "header repeated mid-way"}


@pytest.fixture(scope="module")
def published(demo_world, tmp_path_factory):
    """A published database from a good run (a copy of the demo world's, with its working copy)."""
    marts = copy_marts(demo_world.marts_dir, tmp_path_factory.mktemp("bad_inputs") / "marts")
    return marts, content_hash(marts / "ina.duckdb")


def downstream_of(*sources: str) -> dg.AssetSelection:
    selected = dg.AssetSelection.assets(*(raw_asset_key(source) for source in sources)).downstream()
    return selected - dg.AssetSelection.key_prefixes("outputs")


def failure_messages(result: dg.ExecuteInProcessResult) -> str:
    messages = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            while error is not None:
                messages.append(error.message)
                error = error.cause
    return "\n".join(messages)


@pytest.mark.parametrize("case", REJECTED, ids=lambda case: case.name.replace(" ", "_"))
def test_a_bad_file_is_rejected_with_file_row_and_column(case, demo_world, published, tmp_path):
    marts, before = published
    raw = overlay_raw(demo_world.raw_dir, tmp_path / "raw")
    bad = write_case(case, raw)
    result = materialize(raw, marts, demo_world.profile.source_path, downstream_of(case.source))

    assert not result.success
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failed == [f"raw__{case.source}"]
    assert result.get_asset_materialization_events() == []  # nothing downstream ran, nothing was published
    message = failure_messages(result)
    assert "RawFileError" in message and str(bad) in message
    row = str(case.row) if case.row is not None else r"\d+"
    line = rf"^\s+{re.escape(bad.name)}\s+{row}\s+{re.escape(case.column)}\s+.*{re.escape(case.rule)}"
    assert any(re.search(line, text) for text in message.splitlines()), message
    assert content_hash(marts / "ina.duckdb") == before


def test_bad_lines_are_quarantined_and_the_published_marts_do_not_change(demo_world, published, tmp_path):
    """The three quarantine cases together (their downstream is most of the graph): one run."""
    marts, before = published
    raw = overlay_raw(demo_world.raw_dir, tmp_path / "raw")
    bad = {case.name: write_case(case, raw) for case in QUARANTINED}
    result = materialize(raw, marts, demo_world.profile.source_path,
                         downstream_of(*{case.source for case in QUARANTINED}))

    assert result.success, failure_messages(result)
    assert any(m.asset_key.path[0] == "published" for m in result.get_asset_materialization_events())
    assert content_hash(marts / "ina.duckdb") == before
    with duckdb.connect(str(marts / "ina.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT source, file, line, column_name, value, reason FROM staging.quarantine_rows "
                           "ORDER BY source, file, line").fetchall()
    staged = {m.asset_key.path[-1]: m.materialization.metadata for m in result.get_asset_materialization_events()
              if m.asset_key.path[0] == "staging"}
    warnings = {e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations()
                if e.check_name == QUARANTINE_CHECK}
    for case in QUARANTINED:
        mine = [r for r in rows if r[0] == case.source]
        assert [(r[1], r[2], r[3]) for r in mine] == [(bad[case.name].name, line, case.column) for line in case.lines]
        assert all(case.rule in r[5] for r in mine), mine
        table = STAGING_OF[case.source]
        assert staged[table]["quarantined_lines"].value == len(case.lines)
        assert not warnings[table].passed and warnings[table].severity == dg.AssetCheckSeverity.WARN
    assert len(rows) == sum(len(case.lines) for case in QUARANTINED)


def test_a_missing_monthly_file_is_caught_before_publication(demo_world, published, tmp_path):
    """Every file that is there is valid, but the month without its extract is a partition without a file: the
    run of the months with files around it fails at that source's raw asset, naming the month, and nothing
    downstream runs. (Should a gap reach the marts anyway, e.g. a month never loaded in a working copy, the
    blocking suite `gx_fct_activity_every_month` stops publication: tests/test_partitions.py.)"""
    marts, before = published
    raw = overlay_raw(demo_world.raw_dir, tmp_path / "raw")
    (raw / "uec" / "ecds" / "ecds_attendances_2021-06.csv").unlink()
    result = materialize(raw, marts, demo_world.profile.source_path, downstream_of("ecds_attendances"))

    assert not result.success
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failed == ["raw__ecds_attendances"]
    message = failure_messages(result)
    assert "No file of source ecds_attendances for 1 of the 84 month partition(s)" in message
    assert "2021-06" in message
    assert result.get_asset_materialization_events() == []
    assert content_hash(marts / "ina.duckdb") == before
