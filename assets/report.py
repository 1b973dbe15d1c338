"""The HTML report for commissioners: one static site, released as `<marts_dir>/outputs/report/`.

Built from the indicator marts through the same disclosure pass as the workbook and the CSVs
(`pipelines.outputs.build_tables`), so it hides exactly the cells they hide. The site is written to the run's
build (`.build/outputs/.report-building/`), every page is read back by the disclosure scanner
(`pipelines.report.scan`), and only then does it take the place of the build's last report
(`.build/outputs/report/`); the publish asset releases it with the marts, workbook and CSVs as one set
(pipelines/publish.py), so a reader never sees the folder missing. If a small count is found the run fails and
nothing is released. Docs: `docs/report.md`.
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
REPORT_DIR = Path("report")  # under the outputs folder: the build's, then the release's
_BUILDING = Path(".report-building")
_REPLACED = Path(".report-replaced")


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

    building = settings.build_outputs_path / _BUILDING
    shutil.rmtree(building, ignore_errors=True)
    result = build_report(inputs, building)
    pages, findings = scan_report(building, inputs.tables.rule)
    if findings:
        shutil.rmtree(building, ignore_errors=True)
        shown = "\n".join(str(f) for f in findings[:20])
        raise dg.Failure(description=f"{len(findings)} small count(s) would have been published in the report; "
                                     f"nothing was written.\n{shown}")
    out_dir = settings.build_outputs_path
    published = _swap_in(building, out_dir / REPORT_DIR, out_dir / _REPLACED)

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
    """Replace the build's report folder by the one just built and scanned (nobody reads the build; readers see
    releases)."""
    shutil.rmtree(replaced, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.rename(replaced)
    building.rename(target)
    shutil.rmtree(replaced, ignore_errors=True)
    return target


report_assets = [html_report]
