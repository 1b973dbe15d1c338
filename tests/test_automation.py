"""Schedules and the new-extract sensor, evaluated with Dagster's build contexts."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from pipelines.platform.automation import new_raw_extract
from pipelines.platform.definitions import build_definitions
from pipelines.config import DEFAULT_PROFILE, load_profile
from assets.partitions import IMD_EDITIONS, POPULATION_YEARS, activity_months

ACTIVITY_MONTHS = activity_months(load_profile(DEFAULT_PROFILE).first_month)
from assets.resources import InaSettings


@pytest.fixture
def raw_copy(demo_raw_dir, tmp_path):
    """A private copy of two sources of the demo raw dir, so the test can add and change files."""
    raw = tmp_path / "raw"
    for sub in ("jsna", "uec/ae_monthly"):
        shutil.copytree(demo_raw_dir / sub, raw / sub)
    return raw


RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


@pytest.fixture(autouse=True)
def instance():
    """The Dagster instance the sensor reads (what is materialised already): a fresh one per test."""
    with dg.instance_for_test() as test_instance:
        yield test_instance


def evaluate(defs, settings, cursor=None):
    with dg.instance_for_test() as fresh:
        context = dg.build_sensor_context(cursor=cursor, definitions=defs, resources={"settings": settings},
                                          instance=fresh)
        return new_raw_extract(context)


def test_turning_the_sensor_on_does_not_rerun_what_is_materialised(raw_copy, tmp_path, instance):
    """First tick (no cursor): partitions and sources whose raw asset is materialised are the baseline; only
    the month that has not been materialised yet is requested."""
    settings = InaSettings(raw_dir=str(raw_copy), marts_dir=str(tmp_path / "marts"))
    defs = build_definitions(settings)
    months = [f"{path.name[11:18]}-01" for path in sorted((raw_copy / "uec" / "ae_monthly").glob("*.csv"))]
    for month in months[:-1]:
        instance.report_runless_asset_event(dg.AssetMaterialization(["raw", "ae_monthly"], partition=month))
    instance.report_runless_asset_event(dg.AssetMaterialization(["raw", "fingertips"]))

    context = dg.build_sensor_context(definitions=defs, resources={"settings": settings}, instance=instance)
    result = new_raw_extract(context)
    assert [(r.tags["ina/source"], r.tags["ina/partitions"]) for r in result.run_requests] == [
        ("ae_monthly", months[-1])]
    assert set(json.loads(result.cursor)["ae_monthly"]) == set(months)  # every month is in the new cursor


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
    # every month with a file, in one run (a range of the monthly partitions)
    assert ae.tags[RANGE_START] == "2018-04-01" and ae.tags[RANGE_END] == "2025-03-01"
    # an unpartitioned source's run re-derives the marts and leaves the partitioned staging tables alone
    jsna = next(r for r in first.run_requests if r.tags["ina/source"] == "fingertips")
    assert RANGE_START not in jsna.tags
    assert not {k for k in jsna.asset_selection if k.path[0] in ("raw", "staging")} - {
        dg.AssetKey(["raw", "fingertips"]), dg.AssetKey(["staging", "stg_jsna__indicator_values"])}

    # nothing changed: a skip, same cursor
    second = evaluate(defs, settings, cursor=first.cursor)
    assert not second.run_requests and second.skip_reason
    assert json.loads(second.cursor) == json.loads(first.cursor)

    # a new monthly extract arrives: only that source and only that month run, with a new idempotent run key
    month = sorted((raw_copy / "uec" / "ae_monthly").glob("*.csv"))[-1]
    shutil.copyfile(month, month.with_name("monthly_ae_2025-04.csv"))
    third = evaluate(defs, settings, cursor=second.cursor)
    assert [r.tags["ina/source"] for r in third.run_requests] == ["ae_monthly"]
    (request,) = third.run_requests
    assert request.tags["ina/partitions"] == "2025-04-01"
    assert request.tags[RANGE_START] == request.tags[RANGE_END] == "2025-04-01"
    assert request.run_key.startswith("ae_monthly:2025-04-01..2025-04-01:") and request.run_key != ae.run_key

    # the same state evaluated again from the older cursor gives the same run key (Dagster dedupes it)
    again = evaluate(defs, settings, cursor=second.cursor)
    assert again.run_requests[0].run_key == request.run_key

    # a month's extract replaced in place (new size/mtime): that month only
    june = raw_copy / "uec" / "ae_monthly" / "monthly_ae_2021-06.csv"
    june.write_text(june.read_text(encoding="utf-8"), encoding="utf-8")
    os.utime(june, ns=(1, 1))
    fourth = evaluate(defs, settings, cursor=third.cursor)
    assert [(r.tags["ina/source"], r.tags["ina/partitions"]) for r in fourth.run_requests] == [
        ("ae_monthly", "2021-06-01")]

    # two months far apart replaced: one run each, not one run over the 30 months between them
    for name in ("monthly_ae_2019-01.csv", "monthly_ae_2021-07.csv"):
        path = raw_copy / "uec" / "ae_monthly" / name
        path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        os.utime(path, ns=(2, 2))
    apart = evaluate(defs, settings, cursor=fourth.cursor)
    assert [(r.tags[RANGE_START], r.tags[RANGE_END]) for r in apart.run_requests] == [
        ("2019-01-01", "2019-01-01"), ("2021-07-01", "2021-07-01")]

    # a file for a month that has not ended: that source waits (with the reason), the others go on
    (raw_copy / "uec" / "ae_monthly" / "monthly_ae_2099-01.csv").write_text("x", encoding="utf-8")

    # an unpartitioned file replaced in place is a change too
    fingertips = raw_copy / "jsna" / "fingertips_indicators.csv"
    fingertips.write_text(fingertips.read_text(encoding="utf-8") + "", encoding="utf-8")
    os.utime(fingertips, ns=(1, 1))
    fifth = evaluate(defs, settings, cursor=apart.cursor)
    assert [r.tags["ina/source"] for r in fifth.run_requests] == ["fingertips"]
    assert json.loads(fifth.cursor)["ae_monthly"] == json.loads(apart.cursor)["ae_monthly"]


def test_sensor_adds_a_new_imd_edition_as_a_partition(demo_raw_dir, tmp_path, instance):
    raw = tmp_path / "raw"
    shutil.copytree(demo_raw_dir / "imd", raw / "imd")
    settings = InaSettings(raw_dir=str(raw), marts_dir=str(tmp_path / "marts"))
    defs = build_definitions(settings)
    context = dg.build_sensor_context(definitions=defs, resources={"settings": settings}, instance=instance)
    first = new_raw_extract(context)
    (request,) = first.run_requests
    assert request.tags["ina/partitions"] == "2019" and request.partition_key == "2019"
    (add,) = first.dynamic_partitions_requests
    assert add.partitions_def_name == "imd_editions" and list(add.partition_keys) == ["2019"]

    # a file whose name carries no edition: the sensor says so and requests nothing
    (raw / "imd" / "File_7_-_All_IoD_Scores__Ranks__Deciles_and_Population_Denominators.csv").write_text("x")
    context = dg.build_sensor_context(cursor=first.cursor, definitions=defs, resources={"settings": settings},
                                      instance=instance)
    stuck = new_raw_extract(context)
    assert not stuck.run_requests and "must carry its edition" in stuck.skip_reason.skip_message


def test_jobs_and_schedules_target_the_right_assets_and_partitions():
    defs = build_definitions()
    monthly = defs.resolve_job_def("refresh_activity_and_workforce")
    annual = defs.resolve_job_def("refresh_population_and_jsna")
    monthly_keys = {k.to_user_string() for k in monthly.asset_layer.selected_asset_keys}
    annual_keys = {k.to_user_string() for k in annual.asset_layer.selected_asset_keys}
    assert "raw/ecds_attendances" in monthly_keys and "raw/gp_workforce_practice" in monthly_keys
    assert "raw/population_lsoa" not in monthly_keys
    assert "raw/population_lsoa" in annual_keys and "raw/fingertips" in annual_keys
    assert "raw/ecds_attendances" not in annual_keys
    assert monthly.partitions_def == ACTIVITY_MONTHS and annual.partitions_def == POPULATION_YEARS
    assert defs.resolve_job_def("load_imd_edition").partitions_def == IMD_EDITIONS
    unpartitioned = defs.resolve_job_def("refresh_unpartitioned")
    assert unpartitioned.partitions_def is None
    assert {"marts/fct_activity", "published/ina_duckdb", "raw/geography_lookup"} <= {
        k.to_user_string() for k in unpartitioned.asset_layer.selected_asset_keys}


def test_schedules_request_the_period_that_has_just_ended(raw_copy, tmp_path):
    settings = InaSettings(raw_dir=str(raw_copy), marts_dir=str(tmp_path / "marts"))
    defs = build_definitions(settings)
    monthly = defs.resolve_schedule_def("monthly_activity_and_workforce")
    annual = defs.resolve_schedule_def("annual_population_and_jsna")
    repository = defs.get_repository_def()
    assert monthly.cron_schedule == "0 6 15 * *" and annual.cron_schedule == "0 6 1 8 *"
    assert monthly.execution_timezone == annual.execution_timezone == "Europe/London"

    def tick(schedule, *when):
        context = dg.build_schedule_context(scheduled_execution_time=datetime(*when, tzinfo=ZoneInfo("Europe/London")),
                                            repository_def=repository, resources={"settings": settings})
        return schedule.evaluate_tick(context)

    # 15 April 2025: March's A&E file is in this raw folder (the only monthly source here): March, A&E only
    (request,) = tick(monthly, 2025, 4, 15, 6, 0).run_requests
    assert request.partition_key == "2025-03-01" and request.tags["ina/sources"] == "ae_monthly"
    keys = {k.to_user_string() for k in request.asset_selection}
    assert "raw/ae_monthly" in keys and "raw/ecds_attendances" not in keys  # ECDS for March has not arrived
    assert "staging/stg_uec__ed_attendances" not in keys
    # 15 May 2025: no April extract has arrived: a skip that says so
    skipped = tick(monthly, 2025, 5, 15, 6, 0)
    assert not skipped.run_requests and "no monthly extract for 2025-04" in skipped.skip_message
    (request,) = tick(annual, 2026, 8, 1, 6, 0).run_requests
    assert request.partition_key == "2025"  # mid-2025 estimates appear in summer 2026
