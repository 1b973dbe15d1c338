"""The Dagster code location: every asset, check, resource and job, assembled in one place.

`defs` uses the project's own folders (data/raw, data/marts, config/profiles/demo.yaml). Tests and the CLI
call `build_definitions(InaSettings(...))` to point the same graph somewhere else. A profile with
`source: public` (config/profiles/lsc.yaml) gets the public-data graph of assets/public.py instead.
"""

from __future__ import annotations

import dagster as dg

from assets.indicators import indicator_assets
from assets.marts import mart_assets
from assets.outputs import output_assets
from assets.public import public_assets
from assets.publish import build_publish_asset
from assets.quality import quality_checks
from assets.raw import raw_assets
from assets.report import report_assets
from assets.staging import staging_assets
from pipelines.automation import JOBS, PUBLIC_JOBS, SCHEDULES, SENSORS
from pipelines.config import Profile
from pipelines.policy import apply_policy
from pipelines.resources import InaSettings, build_resources

ALL_ASSETS = [*raw_assets, *staging_assets, *mart_assets, *indicator_assets, *output_assets, *report_assets]

# Publication comes last: it waits for every mart and output (and their blocking checks) in the run.
ALL_ASSETS.append(
    build_publish_asset(key for asset in ALL_ASSETS for key in asset.keys if key.path[0] in ("marts", "outputs"))
)

# Data-quality checks defined apart from their assets (Great Expectations suites, record-level guard): pass
# them with the assets wherever the graph is materialised (`dg.materialize([*ALL_ASSETS, *ALL_CHECKS])`).
ALL_CHECKS = [*quality_checks]

# The public-data graph (real published files only), published the same way.
PUBLIC_ASSETS = [
    *public_assets,
    build_publish_asset(key for asset in public_assets for key in asset.keys if key.path[0] == "marts"),
]


def graph_assets(profile: Profile) -> list[dg.AssetsDefinition]:
    """The one switch between the graphs: `source: public` profiles read public files, others data/raw/."""
    return PUBLIC_ASSETS if profile.uses_public_data else ALL_ASSETS


def graph_checks(profile: Profile) -> list[dg.AssetChecksDefinition]:
    """The checks defined apart from the assets of `graph_assets(profile)` (none for the public graph)."""
    return [] if profile.uses_public_data else ALL_CHECKS


def build_definitions(settings: InaSettings | None = None) -> dg.Definitions:
    public = settings is not None and settings.profile().uses_public_data
    return dg.Definitions(
        assets=dg.map_asset_specs(apply_policy, graph_assets(settings.profile()) if public else ALL_ASSETS),
        resources=build_resources(settings),
        asset_checks=[] if public else ALL_CHECKS,
        jobs=PUBLIC_JOBS if public else JOBS,
        # the schedules and the sensor refresh the partitions of the raw-format sources of data/raw/
        schedules=[] if public else SCHEDULES,
        sensors=[] if public else SENSORS,
        # One DuckDB file admits one writer process: run steps in the run's own process, one after another.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
