"""Readers for the real public sources: one module per publisher/format, each returning a polars
DataFrame in a documented canonical shape (see ``docs/real-data-sources.md``)."""

from ._io import ReaderError

__all__ = ["ReaderError"]
