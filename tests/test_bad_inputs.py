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
from bad_inputs.corpus import CASES, NO_ROW, write_case
from bad_inputs.harness import copy_marts, materialize, overlay_raw

from assets.raw import raw_asset_key
from assets.staging import QUARANTINE_CHECK
from schemas.entities import ENTITIES
from pipelines.publish import content_hash

REJECTED = [case for case in CASES if case.outcome == "reject"]
QUARANTINED = [case for case in CASES if case.outcome == "quarantine"]
REFUSED = [case for case in CASES if case.outcome == "refuse"]
CHECKED = [case for case in CASES if case.outcome == "check"]
ACCEPTED = [case for case in CASES if case.outcome == "accept"]
STAGING_OF = {entity.local: entity.table for entity in ENTITIES.values() if entity.local}


def test_the_corpus_covers_every_kind_of_problem():
    assert {case.name for case in CASES} >= {
        "missing column", "extra column", "wrong type", "empty file", "truncated gzip", "wrong encoding",
        "duplicate keys", "negative counts", "dates outside the period", "unknown LSOA codes",
        "LSOA 2021 codes in a 2011 source", "a practice in two PCNs", "ages over 120",
        "sex codes outside the standard", "header repeated mid-way"}
    # issue 12, item 1: completeness and plausibility before staging, and more ways files are saved badly
    assert {case.name for case in CASES} >= {
        "a month delivered twice (.csv and .csv.gz)", "registered patients (age, sex) extract date not the file's month",
        "registered patients (LSOA) extract date not the file's month",
        "a discharge in the future (2034, a 5,753-day stay)", "discharge before admission",
        "length of stay not the dates' difference", "an implausible length of stay (over five years)",
        "a month's extract cut in half", "a month's records twice over", "a line break inside a quoted value",
        "an unusual month without a recorded decision", "a recorded decision accepts an unusual month"}
    # and, for ED attendances, reconciliation with NHS England's published A&E
    assert "one provider's records missing from a month (volume within range)" in {case.name for case in CASES}
    assert len({case.name for case in CASES}) == len(CASES) >= 35


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
    row = "" if case.row == NO_ROW else str(case.row) if case.row is not None else r"\d+"
    named = case.named or bad.name
    line = rf"^\s+{re.escape(named)}\s+{row}\s+{re.escape(case.column)}\s+.*{re.escape(case.rule)}"
    assert any(re.search(line, text) for text in message.splitlines()), message
    assert content_hash(marts / "ina.duckdb") == before


def test_bad_lines_are_quarantined_and_the_published_marts_do_not_change(demo_world, published, tmp_path):
    """The three quarantine cases together, in one run of the whole graph (their downstream is most of it, and
    publication releases only a build whose every mart and output was made and checked in the run)."""
    marts, before = published
    raw = overlay_raw(demo_world.raw_dir, tmp_path / "raw")
    bad = {case.name: write_case(case, raw) for case in QUARANTINED}
    result = materialize(raw, marts, demo_world.profile.source_path, dg.AssetSelection.all())

    assert result.success, failure_messages(result)
    assert any(m.asset_key.path[0] == "published" for m in result.get_asset_materialization_events())
    assert content_hash(marts / "ina.duckdb") == before
    with duckdb.connect(str(marts / ".build" / "ina.duckdb"), read_only=True) as con:  # staging: restricted
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


@pytest.mark.parametrize("case", REFUSED, ids=lambda case: case.name.replace(" ", "_"))
def test_a_period_delivered_twice_is_refused_naming_both_files(case, demo_world, published, tmp_path):
    """`ina materialize` (every partition with a file) stops before running, naming both files; a run given
    the month anyway fails at the raw asset, naming them; nothing runs downstream, nothing is published."""
    marts, before = published
    raw = overlay_raw(demo_world.raw_dir, tmp_path / "raw")
    bad = write_case(case, raw)
    copies = sorted(bad.parent.glob(bad.name.removesuffix(".gz").removesuffix(".csv") + ".csv*"))
    assert len(copies) == 2
    profile = demo_world.profile.source_path

    result = materialize(raw, marts, profile, downstream_of(case.source))
    assert not result.success and result.results == []
    (problem,) = result.problems
    assert case.rule in problem and all(str(path) in problem for path in copies), problem

    month = f"{bad.name.removesuffix('.gz').removesuffix('.csv')[-7:]}-01"
    result = materialize(raw, marts, profile, downstream_of(case.source), ranges={"month": (month, month)})
    assert not result.success
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failed == [f"raw__{case.source}"]
    message = failure_messages(result)
    assert "PartitionFilesError" in message and all(str(path) in message for path in copies), message
    assert result.get_asset_materialization_events() == []
    assert content_hash(marts / "ina.duckdb") == before


def check_evaluation(result: dg.ExecuteInProcessResult, qualified: str):
    mart, name = qualified.split(".")
    (evaluation,) = [e for e in result.get_asset_check_evaluations()
                     if e.asset_key.path[-1] == mart and e.check_name == name]
    return evaluation


@pytest.mark.parametrize("case", CHECKED, ids=lambda case: case.name.replace(" ", "_"))
def test_figures_that_do_not_reconcile_stop_the_run_at_the_mart_check(case, demo_world, tmp_path):
    """Each file is valid and the month's volume is within range, but the blocking check finds the extract's
    figures wrong against the published ones: it names the file, the column and value and the figures, nothing
    downstream of the mart runs and nothing is published. A decision recorded for the month lets it through."""
    marts = copy_marts(demo_world.marts_dir, tmp_path / "marts")  # this case rebuilds the working copy's marts
    before = content_hash(marts / "ina.duckdb")
    raw = overlay_raw(demo_world.raw_dir, tmp_path / "raw")
    bad = write_case(case, raw)
    selection = downstream_of(case.source)
    result = materialize(raw, marts, demo_world.profile.source_path, selection)

    assert not result.success
    evaluation = check_evaluation(result, case.check)
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    detail = str(evaluation.metadata["detail"].value)
    assert f"{bad}, column {case.column}" in detail and case.rule in detail, detail
    assert "record a decision (rule: reconciliation)" in detail
    assert not any(m.asset_key.path[0] in ("indicators", "published")
                   for m in result.get_asset_materialization_events())
    assert content_hash(marts / "ina.duckdb") == before

    month = bad.name.removesuffix(".csv")[-7:]
    (raw / "decisions.yaml").unlink()
    (raw / "decisions.yaml").write_text(
        (demo_world.raw_dir / "decisions.yaml").read_text(encoding="utf-8").rstrip("\n") + "\n" + "\n".join([
            "  - source: ecds_attendances", f"    periods: {month}", "    rule: reconciliation",
            "    reason: provider ZA1's feed failed; NHS England confirmed its published figure",
            "    decided_by: BI team lead", "    date: 2019-08-01"]) + "\n", encoding="utf-8")
    result = materialize(raw, marts, demo_world.profile.source_path,
                         selection - dg.AssetSelection.key_prefixes("published"))
    assert check_evaluation(result, case.check).passed


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda case: case.name.replace(" ", "_"))
def test_an_odd_but_right_input_is_accepted_and_the_marts_do_not_change(case, demo_world, published, tmp_path):
    """The source's downstream is rebuilt in the working copy (publication aside: it releases only a whole
    graph's build) and its marts come out as they were; a recorded decision shows in the raw asset's metadata."""
    marts, before = published
    working = marts / ".build" / "ina.duckdb"
    built_before = content_hash(working)
    raw = overlay_raw(demo_world.raw_dir, tmp_path / "raw")
    write_case(case, raw)
    selection = (dg.AssetSelection.assets(raw_asset_key(case.source)) if case.raw_only
                 else downstream_of(case.source) - dg.AssetSelection.key_prefixes("published"))
    result = materialize(raw, marts, demo_world.profile.source_path, selection)

    assert result.success, failure_messages(result)
    events = result.get_asset_materialization_events()
    raw_events = [m for m in events if m.asset_key == raw_asset_key(case.source)]
    assert raw_events
    # a run over a range records the same metadata on each partition's materialisation
    applied = {str(m.materialization.metadata["decisions_applied"].value) for m in raw_events}
    if case.rule:
        assert any(case.rule in text for text in applied), applied
    else:
        assert applied == {"none"}, applied
    if not case.raw_only:
        assert any(m.asset_key.path[0] == "marts" for m in events)
    assert content_hash(working) == built_before
    assert content_hash(marts / "ina.duckdb") == before
