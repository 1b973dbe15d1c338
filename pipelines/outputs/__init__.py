"""Commissioner outputs: the indicator marts as a workbook and CSV files, after disclosure control.

`tables.build_tables` applies `pipelines.disclosure` to the marts once; `sheets` writes the workbook and `csvs`
the CSV files from that one result; `scan` reads every output back and reports any small count. No Dagster
import: the assets in `assets/outputs.py` call these. Docs: `docs/commissioner-outputs.md`.
"""

from pipelines.outputs.csvs import csv_frames, write_commissioner_csvs
from pipelines.outputs.scan import scan_outputs
from pipelines.outputs.sheets import WORKBOOK_NAME, write_commissioner_workbook
from pipelines.outputs.tables import CommissionerTables, build_tables, read_marts

__all__ = [
    "CommissionerTables",
    "WORKBOOK_NAME",
    "build_tables",
    "csv_frames",
    "read_marts",
    "scan_outputs",
    "write_commissioner_csvs",
    "write_commissioner_workbook",
]
