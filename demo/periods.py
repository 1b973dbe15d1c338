"""Months, financial years and random streams of the demo world."""

from __future__ import annotations

import calendar
import datetime as dt
import zlib

import numpy as np

EPOCH = dt.date(1970, 1, 1)


def months(first_fy: int, last_fy: int) -> list[dt.date]:
    """First days of the months April `first_fy` ... March `last_fy + 1`."""
    out = []
    for fy in range(first_fy, last_fy + 1):
        for i in range(12):
            month = 4 + i
            year = fy if month <= 12 else fy + 1
            out.append(dt.date(year, (month - 1) % 12 + 1, 1))
    return out


def fy_of(month: dt.date) -> int:
    return month.year if month.month >= 4 else month.year - 1


def fy_slash(fy: int) -> str:
    """2018 -> '2018/19'."""
    return f"{fy}/{(fy + 1) % 100:02d}"


def fy_dash(fy: int) -> str:
    """2018 -> '2018-19'."""
    return f"{fy}-{(fy + 1) % 100:02d}"


def month_index_in_fy(month: dt.date) -> int:
    """April = 0 ... March = 11."""
    return (month.month - 4) % 12


def days_in_month(month: dt.date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def month_end(month: dt.date) -> dt.date:
    return dt.date(month.year, month.month, days_in_month(month))


def epoch_day(day: dt.date) -> int:
    return (day - EPOCH).days


def day_weights(month: dt.date, weekday_weights) -> np.ndarray:
    """Probability of each day of the month, from weights by weekday (Monday first)."""
    n = days_in_month(month)
    first = month.weekday()
    w = np.array([weekday_weights[(first + d) % 7] for d in range(n)], dtype=float)
    return w / w.sum()


def stream(seed: int, *keys: object) -> np.random.Generator:
    """An independent random stream for one part of the world: same seed and keys, same numbers.

    Keyed streams make each file depend only on the seed and its own keys, not on the order of generation.
    """
    words = [int(seed) & 0xFFFFFFFF, (int(seed) >> 32) & 0xFFFFFFFF]
    words += [zlib.crc32(str(k).encode("utf-8")) for k in keys]
    return np.random.default_rng(np.random.SeedSequence(words))
