"""Synthetic demo data: a Lancashire-and-South-Cumbria-shaped ICB in England, in the raw files' real layouts.

`generate_demo_data(out_dir, seed=..., scale=...)` writes every file of docs/raw-formats.md. Modules, one job each:
`world` (geography), `deprivation` (IoD2019), `population` (England and LSOA estimates), `practices` and `gp`
(practices, PCNs, registrations, workforce), `rates` (England rates and the ICB's calibrated effects),
`activity` (record-level ECDS and SUS extracts, month by month), `national` (England comparators),
`jsna` (Fingertips indicators), `writers` (CSV output), `generate` (the whole run).
"""

from pipelines.demo.generate import generate_demo_data

__all__ = ["generate_demo_data"]
