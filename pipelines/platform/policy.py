"""Platform-wide asset policy, applied once at load time: owners and freshness expectations by source/layer.

Owners are Dagster team owners (shown in the UI's catalogue); freshness says how stale an asset may be before
the UI warns and then fails it, following each source's release cadence.
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

OWNERS_BY_LAYER: dict[str, str] = {
    "raw": "team:data-engineering",
    "staging": "team:data-engineering",
    "marts": "team:intelligence",
    "outputs": "team:intelligence",
    "published": "team:intelligence",
}

# Monthly sources: warn after 40 days, fail after 70. Annual ones: warn after 13 months, fail after 18.
MONTHLY = dg.FreshnessPolicy.time_window(fail_window=timedelta(days=70), warn_window=timedelta(days=40))
ANNUAL = dg.FreshnessPolicy.time_window(fail_window=timedelta(days=548), warn_window=timedelta(days=396))

FRESHNESS_BY_GROUP: dict[str, dg.FreshnessPolicy] = {
    "uec": MONTHLY,
    "gp": MONTHLY,
    "marts": MONTHLY,
    "indicators": MONTHLY,
    "outputs": MONTHLY,
    "publication": MONTHLY,
    "population": ANNUAL,
    "jsna": ANNUAL,
}


def apply_policy(spec: dg.AssetSpec) -> dg.AssetSpec:
    owner = OWNERS_BY_LAYER.get(spec.key.path[0])
    freshness = FRESHNESS_BY_GROUP.get(spec.group_name or "")
    updated = spec.merge_attributes(owners=[owner]) if owner and owner not in spec.owners else spec
    if freshness is not None and spec.freshness_policy is None:
        updated = updated.replace_attributes(freshness_policy=freshness)
    return updated
