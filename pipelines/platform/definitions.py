"""The Dagster code location: every asset, check, resource and job of one graph, for any profile.

The graph is the same for every profile (demo, real public data, an ICB's own extracts, or a mix): only the
source adapter of each entity differs (`pipelines.sources`, `assets/staging.py`); the marts, indicators,
outputs and publication above the staging tables are written once.

Nothing is read at import: `defs` is loaded by Dagster when the code location loads (`dagster dev -m
pipelines.platform.definitions`, `ina dev --profile ...`), for the profile named by `INA_PROFILE` (default: the
demo) and its folders (`INA_RAW_DIR`, `INA_MARTS_DIR`, default `data/raw/<profile>`, `data/marts/<profile>`).
The CLI and tests call `build_definitions(InaSettings(...))` to point the same graph at a profile and folders.
"""

from __future__ import annotations

import os

import dagster as dg

from assets.indicators import indicator_assets
from assets.marts import mart_assets
from assets.outputs import output_assets
from assets.publish import build_publish_asset
from assets.quality import quality_checks
from assets.report import report_assets
from assets.staging import staging_assets
from pipelines.platform.automation import HOUSEKEEPING_SENSORS, JOBS, PUBLIC_JOBS, SCHEDULES, SENSORS
from pipelines.config import DEFAULT_PROFILE, Profile, load_profile
from pipelines.platform.policy import apply_policy
from assets.resources import InaSettings, build_resources


def graph_assets(profile: Profile) -> list[dg.AssetsDefinition]:
    """Every asset of the profile's graph: its entities' raw and staging assets, then the shared layers, then
    publication (which waits for every mart and output, and their blocking checks, in the run)."""
    assets = [*staging_assets(profile), *mart_assets, *indicator_assets, *output_assets, *report_assets]
    published = (key for asset in assets for key in asset.keys if key.path[0] in ("marts", "outputs"))
    return [*assets, build_publish_asset(published)]


def graph_checks(profile: Profile) -> list[dg.AssetChecksDefinition]:
    """Checks defined apart from their assets (Great Expectations suites, the record-level guard): pass them
    with the assets wherever the graph is materialised (`dg.materialize([*assets, *checks])`)."""
    return [*quality_checks]


def _partitioned_automation(profile: Profile) -> bool:
    """The partition jobs, schedules and sensor watch the local raw files of every entity: a profile that takes
    some entities from public files (refreshed by `ina fetch`) gets the one refresh job instead."""
    return profile.sources_default == "local" and not profile.source_overrides


def build_definitions(settings: InaSettings | None = None) -> dg.Definitions:
    profile = settings.profile() if settings is not None else load_profile(DEFAULT_PROFILE)
    automated = _partitioned_automation(profile)
    return dg.Definitions(
        assets=dg.map_asset_specs(apply_policy, graph_assets(profile)),
        resources=build_resources(settings),
        asset_checks=graph_checks(profile),
        jobs=JOBS if automated else PUBLIC_JOBS,
        schedules=SCHEDULES if automated else [],
        sensors=[*(SENSORS if automated else []), *HOUSEKEEPING_SENSORS],
        # One DuckDB file admits one writer process: run steps in the run's own process, one after another.
        executor=dg.in_process_executor,
    )


PROFILE_ENV, RAW_DIR_ENV, MARTS_DIR_ENV = "INA_PROFILE", "INA_RAW_DIR", "INA_MARTS_DIR"


def settings_from_environment() -> InaSettings:
    """The settings a code location loads with: `INA_PROFILE` (default demo.yaml) and its folders."""
    profile = load_profile(os.environ.get(PROFILE_ENV) or DEFAULT_PROFILE)
    return InaSettings(profile_path=str(profile.source_path),
                       raw_dir=os.environ.get(RAW_DIR_ENV) or str(profile.default_raw_dir),
                       marts_dir=os.environ.get(MARTS_DIR_ENV) or str(profile.default_marts_dir))


def demo_graph() -> tuple[list[dg.AssetsDefinition], list[dg.AssetChecksDefinition]]:
    """The demo profile's assets and checks (what tests and benchmarks materialise on generated data)."""
    profile = load_profile(DEFAULT_PROFILE)
    return graph_assets(profile), graph_checks(profile)


@dg.definitions
def defs() -> dg.Definitions:
    """The code location, loaded by Dagster (not at import): the graph of the profile in force."""
    return build_definitions(settings_from_environment())
