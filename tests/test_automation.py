"""Schedules and the new-extract sensor, evaluated with Dagster's build contexts."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime

import dagster as dg
import pytest

from pipelines.automation import annual_refresh, monthly_refresh, new_raw_extract
from pipelines.definitions import build_definitions
from pipelines.resources import InaSettings


@pytest.fixture
def raw_copy(demo_raw_dir, tmp_path):
    """A private copy of two sources of the demo raw dir, so the test can add and change files."""
    raw = tmp_path / "raw"
    for sub in ("jsna", "uec/ae_monthly"):
        shutil.copytree(demo_raw_dir / sub, raw / sub)
    return raw


def evaluate(defs, settings, cursor=None):
    context = dg.build_sensor_context(cursor=cursor, definitions=defs, resources={"settings": settings})
    return new_raw_extract(context)


def test_sensor_requests_each_changed_source_once(raw_copy, tmp_path):
    settings = InaSettings(raw_dir=str(raw_copy), marts_dir=str(tmp_path / "marts"))
    defs = build_definitions(settings)

    first = evaluate(defs, settings)
    requested = {r.tags["ina/source"] for r in first.run_requests}
    assert requested == {"fingertips", "ae_monthly"}
    ae = next(r for r in first.run_requests if r.tags["ina/source"] == "ae_monthly")
    keys = {k.to_user_string() for k in ae.asset_selection}
    assert {"raw/ae_monthly", "staging/stg_uec__ae_monthly_providers", "marts/fct_ae_monthly_providers",
            "published/ina_duckdb"} <= keys
    assert "raw/fingertips" not in keys

    # nothing changed: a skip, same cursor
    second = evaluate(defs, settings, cursor=first.cursor)
    assert not second.run_requests and second.skip_reason
    assert json.loads(second.cursor) == json.loads(first.cursor)

    # a new monthly extract arrives: only that source runs, with a new idempotent run key
    month = sorted((raw_copy / "uec" / "ae_monthly").glob("*.csv"))[-1]
    shutil.copyfile(month, month.with_name("monthly_ae_2025-04.csv"))
    third = evaluate(defs, settings, cursor=second.cursor)
    assert [r.tags["ina/source"] for r in third.run_requests] == ["ae_monthly"]
    assert third.run_requests[0].run_key.startswith("ae_monthly:")
    assert third.run_requests[0].run_key != ae.run_key

    # the same state evaluated again from the older cursor gives the same run key (Dagster dedupes it)
    again = evaluate(defs, settings, cursor=second.cursor)
    assert again.run_requests[0].run_key == third.run_requests[0].run_key

    # a file replaced in place (new size/mtime) is a change too
    jsna = raw_copy / "jsna" / "fingertips_indicators.csv"
    jsna.write_text(jsna.read_text(encoding="utf-8") + "", encoding="utf-8")
    os.utime(jsna, ns=(1, 1))
    fourth = evaluate(defs, settings, cursor=third.cursor)
    assert [r.tags["ina/source"] for r in fourth.run_requests] == ["fingertips"]


def test_schedules_target_the_right_assets():
    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    monthly = defs.resolve_job_def(monthly_refresh.job_name)
    annual = defs.resolve_job_def(annual_refresh.job_name)
    monthly_keys = {k.to_user_string() for k in monthly.asset_layer.selected_asset_keys}
    annual_keys = {k.to_user_string() for k in annual.asset_layer.selected_asset_keys}
    assert "raw/ecds_attendances" in monthly_keys and "raw/gp_workforce_practice" in monthly_keys
    assert "raw/population_lsoa" not in monthly_keys
    assert "raw/population_lsoa" in annual_keys and "raw/fingertips" in annual_keys
    assert "raw/ecds_attendances" not in annual_keys
    assert graph  # both jobs resolve against the whole graph


def test_schedule_ticks():
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2025, 5, 15, 6, 0))
    request = monthly_refresh.evaluate_tick(context)
    assert len(request.run_requests) == 1
    assert monthly_refresh.cron_schedule == "0 6 15 * *"
    assert annual_refresh.cron_schedule == "0 6 1 8 *"
