"""Commissioner outputs: the indicator marts as an Excel workbook and CSV files, after disclosure control.

Both files come from one pass of `pipelines.outputs.build_tables` (so the workbook and the CSVs hide exactly
the same cells) and are written into the run's build (`<marts_dir>/.build/outputs/`), released with the marts
and the report as one set by the publish asset (`<marts_dir>/outputs/` then shows them). Before they take the
place of the build's last ones, the disclosure scanner (`pipelines.outputs.scan`) reads the new files back from
disk; if it finds a count from 1 to 7 (the profile's threshold) the run fails, so nothing is released.
Docs: `docs/commissioner-outputs.md`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg

from assets.marts import mart_asset_key
from pipelines.indicators.catalogue import DEFAULT_CATALOGUE, load_catalogue
from pipelines.outputs import (
    WORKBOOK_NAME,
    build_tables,
    read_marts,
    scan_outputs,
    write_commissioner_csvs,
    write_commissioner_workbook,
)
from pipelines.outputs.csvs import CSV_DIR
from pipelines.outputs.tables import MARTS, hidden_count
from assets.resources import InaSettings, MartsDatabase

GROUP = "outputs"
WORKBOOK_KEY = dg.AssetKey(["outputs", "commissioner_workbook"])
CSVS_KEY = dg.AssetKey(["outputs", "commissioner_csvs"])
SCAN_CHECK = "no_small_counts"
_DEPS = [mart_asset_key(table) for table in MARTS]


def _scan_check(key: dg.AssetKey) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(SCAN_CHECK, asset=key, blocking=True,
                             description="No count-like cell of the published files shows a count from 1 to 7 "
                                         "(the profile's disclosure threshold), read back from disk")


@dg.multi_asset(
    name="commissioner_outputs",
    specs=[
        dg.AssetSpec(
            WORKBOOK_KEY, deps=_DEPS, group_name=GROUP, kinds={"excel"}, tags={"layer": "outputs"},
            description=(
                "One Excel workbook for commissioners (`outputs/ina_commissioner_indicators.xlsx`): README, "
                "Definitions, one sheet per level (System, Footprints, Neighbourhoods, Local authorities) with each "
                "indicator's latest value, 95% limits, England value, significance in words and colour, recent "
                "trend and most-vs-least-deprived gap; Deprivation gradient, Inequality and Right drift sheets. "
                "Small counts and everything that would reveal them show '*'."),
        ),
        dg.AssetSpec(
            CSVS_KEY, deps=_DEPS, group_name=GROUP, kinds={"csv"}, tags={"layer": "outputs"},
            description=(
                "One tidy CSV file per table (`outputs/csv/`): indicators by level (system, footprint, "
                "neighbourhood, local authority; one row per indicator x area x period, every period), deprivation "
                "gradients, inequality summary, right drift and definitions, with the same suppression as the "
                "workbook (hidden cells empty, `suppressed`, `suppression_reason`, `suppressed_columns`)."),
        ),
    ],
    check_specs=[_scan_check(WORKBOOK_KEY), _scan_check(CSVS_KEY)],
)
def commissioner_outputs(settings: InaSettings, marts_db: MartsDatabase):
    profile = settings.profile()
    with marts_db.connect() as con:
        marts = read_marts(con)
    tables = build_tables(marts, profile, load_catalogue(DEFAULT_CATALOGUE))

    out_dir = settings.build_outputs_path
    staging = out_dir / ".building"
    shutil.rmtree(staging, ignore_errors=True)
    workbook = write_commissioner_workbook(tables, staging)
    csvs = write_commissioner_csvs(tables, staging)
    scanned, findings = scan_outputs(staging, tables.rule)
    if findings:
        shutil.rmtree(staging, ignore_errors=True)
        shown = "\n".join(str(f) for f in findings[:20])
        raise dg.Failure(
            description=f"{len(findings)} small count(s) would have been published; nothing was written.\n{shown}",
        )
    published = _into_build(staging, out_dir, [workbook, *csvs])

    summary = {
        "rule": f"counts {tables.rule.words} hidden",
        "hidden cells (indicators)": hidden_count(tables.indicators),
        "hidden cells (gradients)": hidden_count(tables.gradients),
        "hidden cells (inequality)": hidden_count(tables.inequality),
        "hidden cells (right drift)": hidden_count(tables.right_drift),
    }
    check_meta = {"files scanned": len(scanned), "findings": 0}
    workbook_path = published[0]
    yield dg.MaterializeResult(
        asset_key=WORKBOOK_KEY,
        metadata={"path": dg.MetadataValue.path(str(workbook_path)),
                  "bytes": workbook_path.stat().st_size, **summary},
        check_results=[dg.AssetCheckResult(asset_key=WORKBOOK_KEY, check_name=SCAN_CHECK, passed=True,
                                           metadata=check_meta)],
    )
    yield dg.MaterializeResult(
        asset_key=CSVS_KEY,
        metadata={"directory": dg.MetadataValue.path(str(out_dir / CSV_DIR)),
                  "files": dg.MetadataValue.md("\n".join(f"- `{p.name}`" for p in published[1:])), **summary},
        check_results=[dg.AssetCheckResult(asset_key=CSVS_KEY, check_name=SCAN_CHECK, passed=True,
                                           metadata=check_meta)],
    )


def _into_build(staging: Path, out_dir: Path, files: list[Path]) -> list[Path]:
    """Put the scanned files in the build's outputs folder in place of the last ones (the whole `csv/` folder is
    replaced, so a table no longer made leaves no file behind); the publish asset releases them."""
    shutil.rmtree(out_dir / CSV_DIR, ignore_errors=True)
    published = []
    for path in files:
        target = out_dir / path.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        path.replace(target)
        published.append(target)
    shutil.rmtree(staging, ignore_errors=True)
    return published


output_assets = [commissioner_outputs]

__all__ = ["output_assets", "WORKBOOK_NAME"]
