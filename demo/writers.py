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
