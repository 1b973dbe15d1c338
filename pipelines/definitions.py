"""The Dagster code location: every asset, check, resource and job, assembled in one place.

`defs` uses the project's own folders (data/raw, data/marts, config/profiles/demo.yaml). Tests and the CLI
call `build_definitions(InaSettings(...))` to point the same graph somewhere else.
"""

from __future__ import annotations

import dagster as dg

from assets.indicators import indicator_assets
from assets.marts import mart_assets
from assets.outputs import output_assets
from assets.publish import build_publish_asset
from assets.raw import raw_assets
from assets.staging import staging_assets
from pipelines.automation import JOBS, SCHEDULES, SENSORS
from pipelines.resources import InaSettings, build_resources

ALL_ASSETS = [*raw_assets, *staging_assets, *mart_assets, *indicator_assets, *output_assets]

# Publication comes last: it waits for every mart and output (and their blocking checks) in the run.
ALL_ASSETS.append(
    build_publish_asset(key for asset in ALL_ASSETS for key in asset.keys if key.path[0] in ("marts", "outputs"))
)


def build_definitions(settings: InaSettings | None = None) -> dg.Definitions:
    return dg.Definitions(
        assets=ALL_ASSETS,
        resources=build_resources(settings),
        jobs=JOBS,
        schedules=SCHEDULES,
        sensors=SENSORS,
        # One DuckDB file admits one writer process: run steps in the run's own process, one after another.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
