"""Jobs, schedules and the new-extract sensor: how the pipeline refreshes itself as data arrive.

* Monthly: UEC activity and GP workforce (NHS England publishes both monthly; ICB extracts land monthly).
* Annually: population estimates and JSNA indicators (ONS mid-year estimates appear each summer).
* Whenever a raw file appears or changes: the sensor starts a run of that source and everything downstream.
"""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from assets.raw import raw_asset_key
from pipelines.resources import InaSettings
from schemas.registry import RAW_SOURCES

refresh_everything = dg.define_asset_job(
    "refresh_everything",
    selection=dg.AssetSelection.all(),
    description="Validate every raw source, rebuild staging, every mart and output, then publish the marts.",
)

refresh_activity_and_workforce = dg.define_asset_job(
    "refresh_activity_and_workforce",
    selection=dg.AssetSelection.groups("uec", "gp").downstream(),
    description="UEC activity and GP workforce sources, and everything built on them.",
)

refresh_population_and_jsna = dg.define_asset_job(
    "refresh_population_and_jsna",
    selection=dg.AssetSelection.groups("population", "jsna").downstream(),
    description="Population estimates and JSNA indicators, and everything built on them.",
)

monthly_refresh = dg.ScheduleDefinition(
    name="monthly_activity_and_workforce",
    job=refresh_activity_and_workforce,
    cron_schedule="0 6 15 * *",  # after NHS England's monthly A&E (2nd Thursday) and GPW releases
    execution_timezone="Europe/London",
    description="15th of each month, 06:00 UK time.",
)

annual_refresh = dg.ScheduleDefinition(
    name="annual_population_and_jsna",
    job=refresh_population_and_jsna,
    cron_schedule="0 6 1 8 *",  # ONS mid-year estimates are released in the summer
    execution_timezone="Europe/London",
    description="1 August each year, 06:00 UK time.",
)


def source_fingerprints(settings: InaSettings) -> dict[str, str]:
    """Per raw source, a fingerprint of its files (names, sizes, modification times): cheap to take every
    minute, and it changes when a file is added, replaced or removed."""
    fingerprints = {}
    for name, source in RAW_SOURCES.items():
        stats = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in source.files(settings.raw_path)]
        if stats:
            fingerprints[name] = hashlib.sha256(json.dumps(stats).encode()).hexdigest()[:16]
    return fingerprints


@dg.sensor(
    name="new_raw_extract",
    target=dg.AssetSelection.all(),
    minimum_interval_seconds=60,
    description="Starts a run for a raw source (and everything downstream) when its files appear or change "
    "in data/raw/. The run key is the source and its fingerprint, so each change runs once.",
)
def new_raw_extract(context: dg.SensorEvaluationContext, settings: InaSettings) -> dg.SensorResult:
    seen = json.loads(context.cursor) if context.cursor else {}
    current = source_fingerprints(settings)
    changed = sorted(name for name, fingerprint in current.items() if seen.get(name) != fingerprint)
    if not changed:
        return dg.SensorResult(skip_reason=dg.SkipReason("no new or changed raw files"), cursor=json.dumps(current))
    graph = context.repository_def.asset_graph
    requests = []
    for name in changed:
        selection = dg.AssetSelection.assets(raw_asset_key(name)).downstream()
        requests.append(dg.RunRequest(
            run_key=f"{name}:{current[name]}",
            asset_selection=sorted(selection.resolve(graph), key=lambda k: k.to_user_string()),
            tags={"ina/source": name},
        ))
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(current))


JOBS = [refresh_everything, refresh_activity_and_workforce, refresh_population_and_jsna]
SCHEDULES = [monthly_refresh, annual_refresh]
SENSORS = [new_raw_extract]
