"""Writing the raw files: exact headers, fixed number formats, `\\n` line ends, and a record of what was written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl


def fixed(values, decimals: int) -> pl.Series:
    """Floats as text with a fixed number of decimals (NaN -> empty cell), never `-0.00` or exponents."""
    x = np.asarray(values, dtype=float)
    x = np.round(x, decimals) + 0.0
    text = np.char.mod(f"%.{decimals}f", np.where(np.isnan(x), 0.0, x)).astype(object)
    text[np.isnan(x)] = None
    return pl.Series(text.tolist(), dtype=pl.String)


class Writer:
    """Writes CSVs under `out_dir` and remembers each file's rows and bytes."""

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self.files: dict[str, dict[str, int]] = {}

    def csv(self, relpath: str, frame: pl.DataFrame, columns, *, bom: bool = False) -> None:
        if list(frame.columns) != list(columns):
            raise ValueError(f"{relpath}: columns {frame.columns} differ from the contract {list(columns)}")
        path = self.out_dir / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.write_csv(path, include_bom=bom, line_terminator="\n", null_value="")
        self.files[relpath] = {"rows": frame.height, "bytes": path.stat().st_size}

    def summary(self) -> dict[str, dict[str, int]]:
        return dict(sorted(self.files.items()))


def write_pandemic_decisions(out_dir: Path, months, sources=("ecds_attendances", "apc_spells")) -> None:
    """`decisions.yaml` (pipelines/sources/decisions.py): the demo's pandemic year (FY2020/21, shaped by
    `params.COVID_MONTHLY_2020`) accepted for the record-level sources, as an analyst would record the real one,
    so the volume rule (schemas.registry.VolumeRule) passes those months and measures later ones against the
    months before it. Written only when the months generated include that year."""
    held = {f"{month:%Y-%m}" for month in months}
    first, last = "2020-04", "2021-03"
    if not held & {first, last}:
        return
    lines = ["# Recorded decisions (docs/data-quality.md): findings of a plausibility rule accepted by a person.",
             "# Written by the demo generator: its synthetic pandemic year halves ED attendances in April 2020.",
             "decisions:"]
    for source in sources:
        lines += [f"  - source: {source}", f"    periods: {first}..{last}", "    rule: volume",
                  "    reason: COVID-19 pandemic year of the demo world (demo/params.py COVID_MONTHLY_2020); "
                  "urgent care activity fell sharply (ED attendances by about half in April 2020)",
                  "    decided_by: demo generator", "    date: 2021-05-12"]
    path = Path(out_dir) / "decisions.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
