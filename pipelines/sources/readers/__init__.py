"""Readers for the real public sources: one module per publisher/format, each returning a polars DataFrame
in a documented canonical shape (see ``docs/real-data-sources.md``).

============================  ====================================================================
module                        reads
============================  ====================================================================
``iod``                       IoD2019 Files 1/2/5/6/7, IoD2025 File 7, humaniverse IoD2015/2019/2025
``ons_geography``             LSOA11/21 -> sub-ICB -> ICB (-> LAD) lookups; LSOA11 -> LSOA21
``ons_population``            LSOA single-year-of-age estimates; country MYE by sex; ESP2013
``nhs_gp_org``                gp-reg-pat-prac-map, ePCN, epraccur, etr, CCG -> ICB codes
``nhs_gp_patients``           Patients Registered at a GP Practice (totals, age/sex, by LSOA)
``nhs_gp_workforce``          GP workforce, practice level and PCN staff groups
``nhs_ae``                    monthly A&E attendances and emergency admissions; trust successions
``fingertips``                Fingertips export / API layouts; Trafford Data Lab long extracts
============================  ====================================================================

The source manifest (``config/sources.yaml``) names each file's reader as ``"module:function"``;
:func:`read_source` resolves it and passes the entry's ``reader_args``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import polars as pl

from ._io import ReaderError

__all__ = ["ReaderError", "get_reader", "read_source"]


def get_reader(spec: str) -> Callable[..., pl.DataFrame]:
    """``"pipelines.sources.readers.iod:read_iod"`` (or ``"iod:read_iod"``) -> the function."""
    module, _, func = spec.partition(":")
    if not func:
        raise ValueError(f"reader spec must be 'module:function', got {spec!r}")
    if not module.startswith("pipelines."):
        module = f"{__name__}.{module}"
    return getattr(importlib.import_module(module), func)


def read_source(entry: dict, path: Path | str) -> pl.DataFrame:
    """Read ``path`` with the reader a manifest entry names (and its ``reader_args``)."""
    if not entry.get("reader"):
        raise ValueError(f"source {entry.get('id')!r} has no reader; read it directly")
    return get_reader(entry["reader"])(path, **(entry.get("reader_args") or {}))
