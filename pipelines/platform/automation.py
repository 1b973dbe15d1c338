"""Jobs, schedules and the new-extract sensor: how the pipeline refreshes itself as data arrive.

* Monthly: the last month's UEC activity (a monthly partition) and the GP workforce, and everything downstream.
* Annually: the last mid-year's population estimates (a yearly partition) and the JSNA indicators.
* Whenever a raw file appears or changes: the sensor starts a run of that source for the partitions whose files
  changed (a new month's extract runs that month only) and everything downstream; a new IMD edition becomes a
  new partition.
* Everything else (geography, practice map, the marts from what is staged): `refresh_unpartitioned`.
* Runs whose process was killed (`kill -9`, a lost machine) stay "started" in the instance and would hold the
  run queue's one slot for ever: `fail_dead_runs` marks them failed; `ina materialize` and `ina dev` call it as
  they start and the `dead_runs` sensor every minute under the daemon. Dagster's own run monitoring
  (`run_monitoring` in dagster.yaml) times out runs stuck starting or cancelling, but cannot see whether the
  worker of a started run is alive with the default run launcher (and never sees `ina materialize`'s in-process
  runs): that is what this adds.

A Dagster run covers one kind of partition at most, so no job spans them all: `ina materialize` (or a backfill
in the UI) runs the whole graph in phases (pipelines/platform/run.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import dagster as dg
from dagster._core.events import DagsterEventType

from assets.raw import raw_asset_key
from assets.partitions import IMD_EDITIONS, PartitionFilesError, partitionings, range_tags
from assets.resources import InaSettings
from schemas.registry import RAW_SOURCES

#: Partitioned assets (raw and staging of the partitioned sources): a run of them needs a partition.
PARTITIONED = dg.AssetSelection.assets(
    *(raw_asset_key(name) for name, source in RAW_SOURCES.items() if source.partitioned_by)
).downstream() - dg.AssetSelection.key_prefixes(
    "marts", "outputs", "published")

refresh_unpartitioned = dg.define_asset_job(
    "refresh_unpartitioned",
    selection=dg.AssetSelection.all() - PARTITIONED,
    description="Every asset that is not partitioned: the unpartitioned sources and their staging, every mart, "
    "indicator and output from what is staged, then publication. Partitioned sources are refreshed by "
    "partition (the jobs below, the sensor, backfills).",
)

refresh_activity_and_workforce = dg.define_asset_job(
    "refresh_activity_and_workforce",
    selection=dg.AssetSelection.groups("uec", "gp").downstream(),
    description="One month of UEC activity (partitioned by month), the GP workforce and registered patients, "
    "and everything built on them.",
)

refresh_population_and_jsna = dg.define_asset_job(
    "refresh_population_and_jsna",
    selection=dg.AssetSelection.groups("population", "jsna").downstream(),
    description="One mid-year of population estimates (partitioned by year), the JSNA indicators, and "
    "everything built on them.",
)

load_imd_edition = dg.define_asset_job(
    "load_imd_edition",
    selection=dg.AssetSelection.groups("deprivation").downstream(),
    description="One edition of the English Indices of Deprivation (partitioned by edition), and everything "
    "built on it.",
)

@dg.schedule(
    name="monthly_activity_and_workforce",
    job=refresh_activity_and_workforce,
    # after NHS England's monthly A&E (2nd Thursday) release and the ICB's month-end extracts
    cron_schedule="0 6 15 * *",
    execution_timezone="Europe/London",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="15th of each month, 06:00 UK time: the month that has just ended, for the monthly sources whose "
    "extract for it has arrived (a later one is picked up by the new_raw_extract sensor).",
)
def monthly_refresh(context: dg.ScheduleEvaluationContext, settings: InaSettings) -> dg.RunRequest | dg.SkipReason:
    ended = context.scheduled_execution_time.date().replace(day=1) - dt.timedelta(days=1)
    month = ended.replace(day=1).isoformat()
    monthly = [name for name, source in RAW_SOURCES.items() if source.partitioned_by == "month"]
    arrived = [name for name in monthly
               if any(partitionings(settings.profile().first_month)["month"].key_of(path) == month
                      for path in RAW_SOURCES[name].files(settings.raw_path))]
    if not arrived:
        return dg.SkipReason(f"no monthly extract for {month[:7]} in the raw folder yet")
    unpartitioned = [raw_asset_key(name) for name, source in RAW_SOURCES.items()
                     if source.partitioned_by is None and source.group in ("uec", "gp")]
    selection = dg.AssetSelection.assets(*(raw_asset_key(name) for name in arrived), *unpartitioned).downstream()
    return dg.RunRequest(
        run_key=f"monthly:{month}", partition_key=month,
        asset_selection=sorted(selection.resolve(context.repository_def.asset_graph), key=lambda k: k.to_user_string()),
        tags={"ina/partitions": month, "ina/sources": ",".join(arrived)},
    )


@dg.schedule(
    name="annual_population_and_jsna",
    job=refresh_population_and_jsna,
    cron_schedule="0 6 1 8 *",  # ONS mid-year estimates are released in the summer
    execution_timezone="Europe/London",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="1 August each year, 06:00 UK time: the last complete mid-year (mid-2025 on 1 August 2026).",
)
def annual_refresh(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    year = str(context.scheduled_execution_time.year - 1)  # the last whole year, POPULATION_YEARS' last partition
    return dg.RunRequest(run_key=f"annual:{year}", partition_key=year)


def _fingerprint(paths: list[Path]) -> str:
    stats = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in paths]
    return hashlib.sha256(json.dumps(stats).encode()).hexdigest()[:16]


def source_fingerprints(settings: InaSettings) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Per raw source, per partition ("" for an unpartitioned source), a fingerprint of its files (names,
    sizes, modification times): cheap to take every minute, and it changes when a file is added or replaced.
    Also, per source, the problem that kept it out (a file whose name gives no partition, or a month that has
    not ended yet); the other sources are fingerprinted as usual."""
    fingerprints: dict[str, dict[str, str]] = {}
    problems: dict[str, str] = {}
    parts = partitionings(settings.profile().first_month)
    for name, source in RAW_SOURCES.items():
        paths = source.files(settings.raw_path)
        if not paths:
            continue
        if source.partitioned_by is None:
            fingerprints[name] = {"": _fingerprint(paths)}
            continue
        partitioning = parts[source.partitioned_by]
        try:
            keys = partitioning.keys_of_files(paths, name)
        except PartitionFilesError as error:
            problems[name] = str(error)
            continue
        grouped = partitioning.by_key(paths)
        fingerprints[name] = {key: _fingerprint(grouped[key]) for key in keys}
    return fingerprints, problems


#: The job a sensor run of a source belongs to (a run spans one kind of partition): by the source's partitions.
JOB_FOR_PARTITIONS = {None: refresh_unpartitioned, "month": refresh_activity_and_workforce,
                      "year": refresh_population_and_jsna, "edition": load_imd_edition}


def already_materialised(instance: dg.DagsterInstance, current: dict[str, dict[str, str]]) -> dict:
    """The cursor a first tick starts from: the current fingerprints of the partitions (and unpartitioned
    sources) whose raw asset has been materialised, so turning the sensor on does not re-run what is built."""
    seen: dict[str, dict[str, str]] = {}
    for name, partitions in current.items():
        key = raw_asset_key(name)
        if RAW_SOURCES[name].partitioned_by is None:
            done = {""} if instance.get_latest_materialization_event(key) is not None else set()
        else:
            done = set(instance.get_materialized_partitions(key))
        seen[name] = {partition: fp for partition, fp in partitions.items() if partition in done}
    return seen


@dg.sensor(
    name="new_raw_extract",
    jobs=list(JOB_FOR_PARTITIONS.values()),
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a run for a raw source when its files appear or change in data/raw/: for a partitioned "
    "source, of the changed partitions only (one run per stretch of adjacent ones); then everything downstream. The run key is the source, the "
    "partitions and their fingerprint, so each change runs once. On its first tick, files of sources and "
    "partitions already materialised (e.g. by `ina demo`) are taken as they are.",
)
def new_raw_extract(context: dg.SensorEvaluationContext, settings: InaSettings) -> dg.SensorResult:
    current, problems = source_fingerprints(settings)
    seen = json.loads(context.cursor) if context.cursor else already_materialised(context.instance, current)
    for name, problem in problems.items():
        context.log.warning(f"raw source {name} left alone until its files are fixed: {problem}")
        current[name] = seen.get(name, {})  # keep its place: the fixed files will count as changed
    graph = context.repository_def.asset_graph
    requests, new_editions = [], []
    for name in sorted(current):
        before = seen.get(name) if isinstance(seen.get(name), dict) else {}
        changed = sorted(key for key, fingerprint in current[name].items() if before.get(key) != fingerprint)
        if changed:
            requests += _run_requests(name, changed, current[name], graph,
                                      partitionings(settings.profile().first_month))
        if changed and RAW_SOURCES[name].partitioned_by == "edition":
            new_editions += [key for key in changed
                             if not context.instance.has_dynamic_partition(IMD_EDITIONS.name, key)]
    if not requests:
        reason = "no new or changed raw files" + "".join(f"; {problem}" for problem in problems.values())
        return dg.SensorResult(skip_reason=dg.SkipReason(reason), cursor=json.dumps(current))
    partition_requests = [IMD_EDITIONS.build_add_request(sorted(set(new_editions)))] if new_editions else []
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(current),
                           dynamic_partitions_requests=partition_requests)


def _run_requests(name: str, changed: list[str], fingerprints: dict[str, str], graph,
                  parts: dict) -> list[dg.RunRequest]:
    """One run per stretch of adjacent changed partitions (a range one run can cover; each IMD edition on its
    own), of the source and everything downstream; one run for an unpartitioned source."""
    source = RAW_SOURCES[name]
    selection = dg.AssetSelection.assets(raw_asset_key(name)).downstream()
    if source.partitioned_by is None:
        selection = selection - PARTITIONED  # a new lookup re-derives the marts; partitions keep their rows
    keys = sorted(selection.resolve(graph), key=lambda k: k.to_user_string())
    job = JOB_FOR_PARTITIONS[source.partitioned_by].name
    stretches = [changed] if source.partitioned_by is None else parts[source.partitioned_by].contiguous(changed)
    requests = []
    for stretch in stretches:
        digest = hashlib.sha256(json.dumps([fingerprints[key] for key in stretch]).encode()).hexdigest()[:16]
        tags = {"ina/source": name}
        partition_key = None
        if source.partitioned_by == "edition":
            partition_key = stretch[0]
        elif source.partitioned_by is not None:
            tags |= range_tags(stretch[0], stretch[-1])
        if source.partitioned_by is not None:
            tags["ina/partitions"] = ",".join(stretch)
        span = "" if source.partitioned_by is None else f"{stretch[0]}..{stretch[-1]}:"
        requests.append(dg.RunRequest(run_key=f"{name}:{span}{digest}", job_name=job, asset_selection=keys,
                                      partition_key=partition_key, tags=tags))
    return requests


#: The statuses of a run whose process should be alive.
_IN_PROGRESS = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.CANCELING]


def fail_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed every run in progress whose process is gone (no such pid, a zombie, or a newer process under
    the pid); return their ids. A run not yet started by its worker (no pid recorded) is left to Dagster's run
    monitoring (start timeout)."""
    failed = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=_IN_PROGRESS)):
        run = record.dagster_run
        started = instance.get_records_for_run(run.run_id, of_type=DagsterEventType.RUN_START, limit=1).records
        if not started:
            continue
        pid = started[0].event_log_entry.dagster_event.pid
        if pid is None or _process_alive(pid, since=started[0].event_log_entry.timestamp):
            continue
        message = (f"The process that ran this run (pid {pid}) is gone: killed or lost mid-run. Marked failed so "
                   "the run queue, schedules and sensors go on; nothing it built was published.")
        instance.report_engine_event(message, run)
        instance.report_run_failed(run, message)
        failed.append(run.run_id)
    return failed


def _process_alive(pid: int, since: float) -> bool:
    """Whether process `pid` is running and is the one that started at or before `since` (epoch seconds)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
    except (OSError, StopIteration, ValueError):
        return True  # no /proc (macOS): the pid exists, take it as the run's
    fields = stat[stat.rindex(")") + 2:].split()
    state, start_ticks = fields[0], int(fields[19])
    if state in ("Z", "X"):
        return False
    return boot + start_ticks / os.sysconf("SC_CLK_TCK") <= since + 2  # pid reused by a newer process: gone


@dg.sensor(
    name="dead_runs",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Marks failed the runs a killed process left 'started' (their pid is gone), so the run queue "
    "(one run at a time) launches the next one and schedules and the new_raw_extract sensor go on.",
)
def dead_runs(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    failed = fail_dead_runs(context.instance)
    return dg.SkipReason(f"marked {len(failed)} run(s) of killed processes failed: {', '.join(failed)}" if failed
                         else "no run of a killed process")


# The public-data graph (assets/public.py) has no partitions: its files change when `ina fetch` is run.
refresh_everything = dg.define_asset_job(
    "refresh_everything",
    selection=dg.AssetSelection.all(),
    description="Read every public file, rebuild every mart, then publish (the public-data graph).",
)
PUBLIC_JOBS = [refresh_everything]

JOBS = [refresh_unpartitioned, refresh_activity_and_workforce, refresh_population_and_jsna, load_imd_edition]
SCHEDULES = [monthly_refresh, annual_refresh]
SENSORS = [new_raw_extract]
#: Sensors of every profile's code location.
HOUSEKEEPING_SENSORS = [dead_runs]
