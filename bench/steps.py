"""Where the time goes: the step durations Dagster recorded for the runs on an instance, per step and per layer.

    DAGSTER_HOME=/tmp/home uv run ina materialize ...   # a run on its own instance (bench_pipeline.py does this)
    DAGSTER_HOME=/tmp/home uv run python bench/steps.py [--top 25]

A step is one asset (or one asset check's own op, e.g. a Great Expectations suite) as Dagster executes it; its
duration is Dagster's own (from step start to step success or failure), summed over the runs of the instance (a
graph run is several Dagster runs: pipelines/platform/run.py). The layer is the first part of the step's name.
"""

from __future__ import annotations

import argparse
import re
import warnings
from collections import defaultdict

import dagster as dg
from dagster._core.events import DagsterEventType


def step_durations(instance: dg.DagsterInstance) -> dict[str, float]:
    """Seconds per step key, summed over every run of the instance."""
    seconds: dict[str, float] = defaultdict(float)
    for event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
        for record in instance.get_event_records(dg.EventRecordsFilter(event_type=event_type), limit=100_000):
            event = record.event_log_entry.dagster_event
            duration = getattr(event.event_specific_data, "duration_ms", None)
            if event.step_key and duration is not None:
                seconds[event.step_key] += duration / 1000
    return dict(seconds)


def layer_of(step_key: str) -> str:
    """`staging__stg_uec__ed_attendances` -> staging. A check that runs as its own op (a Great Expectations suite,
    the record-level field checks) has no layer in its name, and Dagster numbers its repeats: `great_expectations_2`
    -> checks: great_expectations."""
    if "__" in step_key:
        return step_key.split("__", 1)[0]
    return "checks: " + re.sub(r"_\d+$", "", step_key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=DeprecationWarning)  # get_event_records: still the way in Dagster 1.x
    with dg.DagsterInstance.get() as instance:
        seconds = step_durations(instance)
    total = sum(seconds.values())
    layers: dict[str, float] = defaultdict(float)
    for step, s in seconds.items():
        layers[layer_of(step)] += s
    print(f"{len(seconds)} steps, {total:.1f} s of step time in all")
    print("| layer | seconds | share |\n|---|---:|---:|")
    for layer, s in sorted(layers.items(), key=lambda item: -item[1]):
        print(f"| {layer} | {s:.1f} | {s / total:.0%} |")
    print(f"\n| step (the {args.top} longest) | seconds |\n|---|---:|")
    for step, s in sorted(seconds.items(), key=lambda item: -item[1])[: args.top]:
        print(f"| `{step}` | {s:.1f} |")


if __name__ == "__main__":
    main()
