"""Synthetic demo data: a Lancashire-and-South-Cumbria-shaped ICB in England, in the raw files' real layouts.

`generate_demo_data(out_dir, seed=..., scale=...)` writes every file of docs/raw-formats.md. Modules, one job each:
`world` (geography), `deprivation` (IoD2019), `population` (England and LSOA estimates), `practices` and `gp`
(practices, PCNs, registrations, workforce), `rates` (England rates and the ICB's calibrated effects),
`activity` (record-level ECDS and SUS extracts, month by month), `national` (England comparators),
`jsna` (Fingertips indicators), `writers` (CSV output), `generate` (the whole run).

`area` is the ICB as the rate model and the record generator see it, so that a second world feeds them too:
`real_geography.generate_local_extracts` writes synthetic ECDS and SUS extracts (and England's activity by age
and sex) on the real geography of an ICB read from the public files (the "mixed profile").
"""

from demo.generate import generate_demo_data

__all__ = ["generate_demo_data"]
