"""Publication: swap the working marts database in as `data/marts/ina.duckdb`, all at once.

Downstream of every mart and output, so Dagster runs it only when every upstream blocking check has passed
in the run (see pipelines/publish.py for why the swap is atomic and reader-safe).
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg

from pipelines.publish import content_hash, publish_database
from assets.resources import InaSettings

PUBLISH_KEY = dg.AssetKey(["published", "ina_duckdb"])


def build_publish_asset(upstream: Iterable[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLISH_KEY,
        deps=sorted(upstream, key=lambda k: k.to_user_string()),
        group_name="publication",
        description="One file: the published marts database `data/marts/ina.duckdb`, replaced atomically by "
        "the run's checked working copy (`data/marts/.build/ina.duckdb`).",
        kinds={"duckdb"},
        tags={"layer": "published"},
    )
    def published_ina_duckdb(settings: InaSettings) -> dg.MaterializeResult:
        published = publish_database(settings.working_database_path, settings.database_path)
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(published)),
                "size_mb": round(published.stat().st_size / 1e6, 1),
                "content_hash": content_hash(published),
            }
        )

    return published_ina_duckdb
