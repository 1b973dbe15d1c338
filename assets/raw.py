"""Raw layer: one asset per source, validating its files in `data/raw/` against the source's pandera model.

The files stay where they are (record-level extracts never leave the raw layer); the asset records what was
validated: files, rows and checksums, and any recorded decision (`decisions.yaml`) that accepted a finding.
A period with two files of the source is refused before any is read (assets/partitions.py). A file that fails stops everything downstream of it. Rules across
sources (an LSOA code not in the lookup, a practice in two PCNs) are the staging layer's: it quarantines the
failing lines (the source's `policy`, schemas.registry).
"""

from __future__ import annotations

import hashlib

import dagster as dg

from assets.partitions import Partitioning
from assets.resources import InaSettings
from pipelines.sources.validation import validate_source
from schemas.ddl import dagster_table_schema
from schemas.registry import RawSource


def raw_asset_key(source_name: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", source_name])


def model_grain(model: type) -> str:
    """The first paragraph of the model's docstring: its grain ("One row per ...")."""
    return " ".join((model.__doc__ or "").strip().split("\n\n")[0].split())


def partition_files(context: dg.AssetExecutionContext, source: RawSource, raw_dir,
                    parts: dict[str, Partitioning]) -> list:
    """The source's files the run targets: all of them, or those of the run's partitions (each must have one)."""
    paths = source.files(raw_dir)
    if source.partitioned_by is None:
        return paths
    return parts[source.partitioned_by].files_for(paths, context.partition_keys, source.name)


def partitioning_args(source: RawSource, parts: dict[str, Partitioning]) -> dict:
    """`@dg.asset` arguments partitioning a source's assets by the period its files cover (none if unpartitioned)."""
    if source.partitioned_by is None:
        return {}
    return {"partitions_def": parts[source.partitioned_by].definition,
            "backfill_policy": dg.BackfillPolicy.single_run()}


def build_raw_asset(source: RawSource, parts: dict[str, Partitioning]) -> dg.AssetsDefinition:
    grain = model_grain(source.model)
    by = f"\n\nPartitioned by {source.partitioned_by} (the file name says which)." if source.partitioned_by else ""

    @dg.asset(
        key=raw_asset_key(source.name),
        group_name=source.group,
        description=f"{grain}\n\n{source.description}\n\nFiles: `data/raw/{source.glob}`{by}",
        kinds={"csv", "pandera"},
        tags={"layer": "raw"},
        metadata={
            "dagster/column_schema": dagster_table_schema(source.model),
            "files_glob": source.glob,
            "record_level": source.record_level,
            "policy": source.policy,
        },
        **partitioning_args(source, parts),
    )
    def _raw(context, settings: InaSettings) -> dg.MaterializeResult:
        reports = validate_source(settings.raw_path, source, paths=partition_files(context, source, settings.raw_path, parts))
        combined = hashlib.sha256("".join(r.sha256 for r in reports).encode()).hexdigest()
        files = "\n".join(f"| {r.path.name} | {r.rows:,} | `{r.sha256[:12]}` |" for r in reports)
        decided = [f"- {r.path.name}: {note}" for r in reports for note in r.decisions]
        if decided:
            context.log.info(f"recorded decisions applied to {source.name}:\n" + "\n".join(decided))
        return dg.MaterializeResult(
            metadata={
                "files": dg.MetadataValue.int(len(reports)),
                "rows": dg.MetadataValue.int(sum(r.rows for r in reports)),
                "policy": source.policy,
                "validated_files": dg.MetadataValue.md("| file | rows | sha256 |\n|---|---|---|\n" + files),
                # Findings a person accepted in the raw folder's decisions.yaml (pipelines/sources/decisions.py).
                "decisions_applied": dg.MetadataValue.md("\n".join(decided) or "none"),
            },
            data_version=dg.DataVersion(combined),
        )

    return _raw

