"""The HTML report for commissioners: static pages that open offline, drawn from the disclosed indicator tables.

`read_report_inputs` reads the marts (the commissioner tables through `pipelines.outputs.build_tables`, so the
report hides exactly what the workbook and the CSVs hide) and the LSOA boundaries; `build_report` writes the
pages (`site.py`, templates in `templates/`), charts (`charts.py`) and maps (`maps.py`); `scan_report` reads
every page back and reports any small count. No Dagster import: `assets/report.py` calls these.
Docs: `docs/report.md`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.config import Profile
from pipelines.indicators.catalogue import Catalogue
from pipelines.outputs import build_tables, read_marts
from pipelines.report.maps import boundary_path, read_boundaries
from pipelines.report.pages import ReportInputs
from pipelines.report.scan import scan_html, scan_report
from pipelines.report.site import ReportResult, build_report

#: The marts the report reads besides those of `pipelines.outputs.tables.MARTS`.
EXTRA_MARTS = ("dim_geography", "dim_lsoa_deprivation")


def read_report_inputs(con: duckdb.DuckDBPyConnection, profile: Profile, catalogue: Catalogue,
                       raw_dir: Path | None = None) -> ReportInputs:
    """Everything the report shows, from a connection to the marts (read-only is enough) and the raw folder."""
    marts = read_marts(con)
    tables = build_tables(marts, profile, catalogue)
    geography = con.execute("SELECT * FROM marts.dim_geography").pl()
    deciles = con.execute(
        "SELECT lsoa_code, imd_decile FROM marts.dim_lsoa_deprivation WHERE in_system AND imd_edition = $edition",
        {"edition": profile.imd_edition},
    ).pl()
    boundaries, note = None, ""
    path = boundary_path(raw_dir, profile.lsoa_vintage) if raw_dir is not None else None
    if path is None:
        note = (f"No LSOA boundary file (data/raw/geography/lsoa{str(profile.lsoa_vintage)[-2:]}_boundaries.geojson):"
                " maps are omitted.")
    else:
        boundaries = read_boundaries(path, profile.lsoa_vintage)
        matched = int(boundaries["lsoa_code"].isin(geography["lsoa_code"].to_list()).sum())
        missing = geography.height - matched
        note = f"Boundaries: {path.name}" + (f" ({missing} of the system's LSOAs have no polygon)." if missing else ".")
    return ReportInputs(tables=tables, catalogue=catalogue, areas=marts["dim_areas"], geography=geography,
                        deciles=deciles, boundaries=boundaries, boundary_note=note)


__all__ = [
    "EXTRA_MARTS",
    "ReportInputs",
    "ReportResult",
    "build_report",
    "read_report_inputs",
    "scan_html",
    "scan_report",
]
