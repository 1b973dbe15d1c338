"""The HTML report for commissioners: one static site under `<marts_dir>/outputs/report/`.

Built from the indicator marts through the same disclosure pass as the workbook and the CSVs
(`pipelines.outputs.build_tables`), so it hides exactly the cells they hide. The site is written to
`outputs/.report-building/`, every page is read back by the disclosure scanner (`pipelines.report.scan`), and
only then swapped in for the published folder; if a small count is found the run fails and the report already
published stays as it was. Docs: `docs/report.md`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg

from assets.marts import mart_asset_key
from pipelines.indicators.catalogue import DEFAULT_CATALOGUE, load_catalogue
from pipelines.outputs.tables import MARTS
from pipelines.report import EXTRA_MARTS, build_report, read_report_inputs, scan_report
from assets.resources import InaSettings, MartsDatabase

GROUP = "outputs"
REPORT_KEY = dg.AssetKey(["outputs", "html_report"])
SCAN_CHECK = "no_small_counts"
REPORT_DIR = Path("outputs") / "report"  # under the marts folder
_BUILDING = Path("outputs") / ".report-building"
_REPLACED = Path("outputs") / ".report-replaced"


@dg.asset(
    key=REPORT_KEY,
    deps=[mart_asset_key(table) for table in (*MARTS, *EXTRA_MARTS)],
    group_name=GROUP,
    kinds={"html"},
    tags={"layer": "outputs"},
    description=(
        "One static HTML site for commissioners (`outputs/report/index.html`), opened from disk with no network: "
        "a page for the system, one per footprint and one for the neighbourhoods, each with the indicator table "
        "(value, 95% limits, England value, significance in words and colour, trend, most-vs-least deprived "
        "ratio), deprivation-gradient charts with the SII, right-drift charts against England and demography, and "
        "maps of LSOAs by deprivation and of neighbourhoods by comparison with England; plus the data dictionary. "
        "Small counts suppressed as in the workbook."),
    check_specs=[dg.AssetCheckSpec(
        SCAN_CHECK, asset=REPORT_KEY, blocking=True,
        description="No count column of any page shows a count from 1 to 7 (the profile's disclosure "
                    "threshold), read back from disk")],
)
def html_report(settings: InaSettings, marts_db: MartsDatabase) -> dg.MaterializeResult:
    profile = settings.profile()
    with marts_db.connect() as con:
        inputs = read_report_inputs(con, profile, load_catalogue(DEFAULT_CATALOGUE), settings.raw_path)

    building = settings.marts_path / _BUILDING
    shutil.rmtree(building, ignore_errors=True)
    result = build_report(inputs, building)
    pages, findings = scan_report(building, inputs.tables.rule)
    if findings:
        shutil.rmtree(building, ignore_errors=True)
        shown = "\n".join(str(f) for f in findings[:20])
        raise dg.Failure(description=f"{len(findings)} small count(s) would have been published in the report; "
                                     f"nothing was written.\n{shown}")
    published = _swap_in(building, settings.marts_path / REPORT_DIR, settings.marts_path / _REPLACED)

    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(published / "index.html")),
            "pages": dg.MetadataValue.md("\n".join(f"- `{p.name}`" for p in result.pages)),
            "figures": len(result.figures),
            "maps": result.maps,
            "boundaries": inputs.boundary_note,
            "bytes": sum(p.stat().st_size for p in published.rglob("*") if p.is_file()),
        },
        check_results=[dg.AssetCheckResult(check_name=SCAN_CHECK, passed=True,
                                           metadata={"pages scanned": len(pages), "findings": 0})],
    )


def _swap_in(building: Path, target: Path, replaced: Path) -> Path:
    """Replace the published folder by the built one with two renames (readers see the old or the new site)."""
    shutil.rmtree(replaced, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.rename(replaced)
    building.rename(target)
    shutil.rmtree(replaced, ignore_errors=True)
    return target


report_assets = [html_report]
