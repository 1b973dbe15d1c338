"""The reconciliation of ED attendances with NHS England's published A&E (schemas.registry.ReconciliationRule),
its SQL run on small staging tables made here: each threshold, the decisions and the message.

The corpus case (tests/bad_inputs/corpus.py, one provider's records missing) runs it through the real pipeline.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from assets.tables import reconciliation_params
from pipelines.sources.decisions import load_decisions
from pipelines.sql import check_query
from schemas.registry import ED_RECONCILIATION

CHECK = "marts/checks/fct_activity__ed_reconciles_with_published_ae"
MONTHS = [dt.date(2019 + (m - 1) // 12, (m - 1) % 12 + 1, 1) for m in range(4, 4 + 15)]  # 2019-04 .. 2020-06


def world(extract: dict[tuple[str, dt.date], int], published: dict[tuple[str, dt.date], int]):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging")
    con.execute("CREATE TABLE staging.stg_uec__ed_attendances (month DATE, provider_code VARCHAR, "
                "attendances BIGINT)")
    con.execute("CREATE TABLE staging.stg_uec__ae_monthly_providers (series VARCHAR, month DATE, "
                "provider_code VARCHAR, attendances_all BIGINT)")
    for table, values, rows in (("stg_uec__ed_attendances", "?, ?, ?", extract),
                                ("stg_uec__ae_monthly_providers", "'provider_monthly', ?, ?, ?", published)):
        if rows:
            con.executemany(f"INSERT INTO staging.{table} VALUES ({values})",
                            [(month, provider, n) for (provider, month), n in rows.items()])
    return con


def steady(provider: str, share: float, published: int = 2_000):
    return ({(provider, m): round(share * published) for m in MONTHS}, {(provider, m): published for m in MONTHS})


def run(con, raw_dir: Path) -> tuple[bool, str]:
    params = {"first_month": "2019-04-01", "last_month": "2020-06-01", **reconciliation_params(raw_dir)}
    return check_query(con, CHECK, params)


def test_steady_shares_reconcile(tmp_path):
    extract, published = steady("RXN", 0.95)
    other_extract, other_published = steady("RTX", 0.03)
    ok, detail = run(world({**extract, **other_extract}, {**published, **other_published}), tmp_path)
    assert ok and detail.startswith("30 provider-months reconcile"), detail


def test_a_provider_missing_from_a_month_is_named_with_its_file_and_figures(tmp_path):
    extract, published = steady("RXN", 0.95)
    other, other_published = steady("RXL", 0.9)
    del extract[("RXN", MONTHS[8])]  # 2019-12: RXN's records missing
    ok, detail = run(world({**extract, **other}, {**published, **other_published}), tmp_path)
    assert not ok
    expected = (f"{tmp_path}/uec/ecds/ecds_attendances_2019-12.csv, column PROVIDER_CODE = RXN, 2019-12: "
                "0 attendances in the extract, 2,000 published (series provider_monthly): a share of 0 against "
                "the usual 0.95 (median of 8 months held, 2019-04 to 2019-11")
    assert expected in detail and f"{tmp_path}/decisions.yaml" in detail, detail
    assert detail.startswith("1 provider-month(s)")


def test_more_than_the_margin_over_the_published_count_fails_without_history(tmp_path):
    extract, published = steady("RXN", 0.95)
    extract[("RXN", MONTHS[0])] = round(2_000 * (ED_RECONCILIATION.ceiling + 0.05))  # the first month: no history
    ok, detail = run(world(extract, published), tmp_path)
    assert not ok and "2019-04: 2,300 attendances in the extract, 2,000 published" in detail, detail
    assert "more than the 1.1x margin" in detail


@pytest.mark.parametrize(("factor", "passes"), [(0.61, True), (0.59, False), (1.49, True), (1.51, False)])
def test_the_share_band_is_the_rules(tmp_path, factor, passes):
    extract, published = steady("RXN", 0.5)
    extract[("RXN", MONTHS[10])] = round(1_000 * factor)
    ok, detail = run(world(extract, published), tmp_path)
    assert ok is passes, detail


def test_small_providers_and_unpaired_months_are_not_judged(tmp_path):
    extract, published = steady("RTX", 0.02)  # 40 a month expected: under min_expected
    extract[("RTX", MONTHS[9])] = 5
    extract[("RXZ", MONTHS[9])] = 900  # a provider the published files do not hold
    ok, detail = run(world(extract, published), tmp_path)
    assert ok, detail
    ok, detail = run(world({}, published), tmp_path)
    assert ok and detail == "no provider and month held in both the extract and the published A&E"


def test_a_recorded_decision_accepts_the_month_and_leaves_it_out_of_the_baseline(tmp_path):
    extract, published = steady("RXN", 0.95)
    for month in MONTHS[8:10]:
        extract[("RXN", month)] = 900  # a two-month outage
    (tmp_path / "decisions.yaml").write_text(
        "decisions:\n  - source: ecds_attendances\n    periods: 2019-12..2020-01\n    rule: reconciliation\n"
        "    reason: RXN's feed was down; NHS England's figure confirmed\n    decided_by: BI team lead\n"
        "    date: 2020-03-02\n", encoding="utf-8")
    assert load_decisions(tmp_path).months("ecds_attendances", "reconciliation") == ["2019-12-01", "2020-01-01"]
    ok, detail = run(world(extract, published), tmp_path)
    assert ok and detail.startswith("13 provider-months"), detail
    (tmp_path / "decisions.yaml").write_text((tmp_path / "decisions.yaml").read_text().replace(
        "rule: reconciliation", "rule: volume"), encoding="utf-8")  # a volume decision is not this rule's
    ok, detail = run(world(extract, published), tmp_path)
    assert not ok and detail.startswith("2 provider-month(s)"), detail


def test_the_baseline_is_the_previous_twelve_calendar_months_not_the_last_twelve_held(tmp_path):
    """A gap in the published series (the public mirror: by type to 2019-03, monthly from 2021-04): the months
    after it are judged against their own history, not the shares of before the gap."""
    before = [dt.date(2018 + (m - 1) // 12, (m - 1) % 12 + 1, 1) for m in range(4, 16)]  # 2018-04 .. 2019-03
    after = [dt.date(2021 + (m - 1) // 12, (m - 1) % 12 + 1, 1) for m in range(4, 16)]  # 2021-04 .. 2022-03
    extract = {("RRF", m): 100 for m in before + after}  # the ICB's residents steady ...
    published = {("RRF", m): 10_000 for m in before} | {("RRF", m): 18_000 for m in after}  # ... the trust grew
    con = world(extract, published)
    params = {"first_month": "2018-04-01", "last_month": "2022-03-01", **reconciliation_params(tmp_path)}
    ok, detail = check_query(con, CHECK, params)
    assert ok and detail.startswith("24 provider-months reconcile"), detail
    extract[("RRF", after[5])] = 50  # 2021-09: half the residents' attendances missing, judged on 2021-04 .. 08
    ok, detail = check_query(world(extract, published), CHECK, params)
    assert not ok and "a share of 0.00278 against the usual 0.00556 (median of 5 months held, 2021-04 to 2021-08" \
        in detail, detail
