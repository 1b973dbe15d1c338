"""Partitions matching how the data arrive: activity by month, population by mid-year, IMD by edition.

A source is partitioned when each of its files covers one period and says which in its name
(`ecds_attendances_2024-06.csv`, `sape_lsoa11_mid2023_males.csv`, `File_7_-_All_IoD2019_...csv`). Its raw asset
validates, and its staging asset replaces, only the rows of the partitions a run targets: re-running June 2024
replaces June 2024 and leaves every other month as it was. The marts above are not partitioned: they roll the
months up to financial years (and read every year and edition) each time they are built.

Every partitioned asset has a single-run backfill policy: a backfill of a range is one run that reads the
range's files in one DuckDB statement, not one run per month.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import dagster as dg

from functools import lru_cache

from schemas.registry import PERIOD_IN_NAME, RAW_SOURCES

# Single-run backfill policies are marked beta in Dagster 1.13; they are what makes a range one run.
warnings.filterwarnings("ignore", category=dg.BetaWarning, message=".*backfill_policy.*")

PartitionKind = Literal["month", "year", "edition"]



@lru_cache
def activity_months(first_month: str) -> dg.MonthlyPartitionsDefinition:
    """Months from the profile's first (April of its first financial year, the INA's baseline) to the last
    complete month: the profile in force decides, so no profile is read when this module is imported."""
    return dg.MonthlyPartitionsDefinition(start_date=first_month, timezone="Europe/London")


POPULATION_YEARS = dg.TimeWindowPartitionsDefinition(
    # Mid-year estimates: one per calendar year, from 2011 (the first on LSOA 2011 boundaries).
    cron_schedule="0 0 1 1 *",
    start="2011",
    fmt="%Y",
    timezone="Europe/London",
)
IMD_EDITIONS = dg.DynamicPartitionsDefinition(name="imd_editions")  # a new edition every four to six years


class PartitionFilesError(ValueError):
    """A run targets partitions that have no file, a file names a period outside the partitions, or a period
    has two files of one source."""


def refuse_duplicates(paths: list[Path], source: str) -> None:
    """One file per source and period: a second file for a period (`x_2019-04.csv` beside `x_2019-04.csv.gz`)
    would count that period twice, so it stops the run, naming both files (schemas.registry.duplicate_files)."""
    raw_source = RAW_SOURCES.get(source)
    message = raw_source.duplicates_message(paths) if raw_source is not None else None
    if message:
        raise PartitionFilesError(message)


@dataclass(frozen=True)
class Partitioning:
    """How one kind of partition maps to files (their names) and to staging rows (a column's values).

    kind: month, year or edition. definition: the Dagster partitions definition.
    column: the staging column holding the partition's value (replaced per partition).
    file_pattern: regular expression whose groups give the partition in a file name.
    """

    kind: PartitionKind
    definition: dg.PartitionsDefinition
    column: str
    file_pattern: str

    def key_of(self, path: Path) -> str | None:
        """The partition key a file's name carries (`2024-06-01`, `2023`, `2019`), None if it carries none."""
        match = re.search(self.file_pattern, path.name)
        if match is None:
            return None
        if self.kind == "month":
            year, month = int(match.group(1)), int(match.group(2))
            return dt.date(year, month, 1).isoformat() if 1 <= month <= 12 else None
        return match.group(1)

    def value(self, key: str) -> dt.date | int:
        """The staging column's value for a partition key."""
        return dt.date.fromisoformat(key) if self.kind == "month" else int(key)

    def label(self, key: str) -> str:
        return key[:7] if self.kind == "month" else key

    def by_key(self, paths: list[Path]) -> dict[str, list[Path]]:
        """The files grouped by the partition their names give ("" for none)."""
        grouped: dict[str, list[Path]] = {}
        for path in paths:
            grouped.setdefault(self.key_of(path) or "", []).append(path)
        return grouped

    def files_for(self, paths: list[Path], keys: list[str], source: str) -> list[Path]:
        """The files of the given partitions; every partition must have one (and not two: `refuse_duplicates`)."""
        by_key = self.by_key(paths)
        missing = [key for key in keys if key not in by_key]
        if missing:
            shown = ", ".join(self.label(key) for key in missing[:12]) + (" ..." if len(missing) > 12 else "")
            raise PartitionFilesError(
                f"No file of source {source} for {len(missing)} of the {len(keys)} {self.kind} partition(s) this "
                f"run targets: {shown}. Add the extract(s) to the raw folder, or run a range that has them.")
        chosen = [path for key in keys for path in by_key[key]]
        refuse_duplicates(chosen, source)
        return chosen

    def keys_of_files(self, paths: list[Path], source: str) -> list[str]:
        """The partition keys the files name, in partition order; a file naming none, or naming a period the
        partitions do not cover, is an error naming the file."""
        keys = set()
        for path in paths:
            key = self.key_of(path)
            if key is None:
                raise PartitionFilesError(f"{path}: the file name of a {source} file must carry its {self.kind} "
                                          f"(pattern {self.file_pattern!r})")
            if self.kind != "edition" and not self.definition.has_partition_key(key):
                first, last = self.definition.get_first_partition_key(), self.definition.get_last_partition_key()
                raise PartitionFilesError(
                    f"{path}: names {self.kind} {self.label(key)}, outside the {self.kind} partitions "
                    f"({self.label(first)} to {self.label(last)}; a month is a partition once it has ended)")
            keys.add(key)
        refuse_duplicates(paths, source)
        return sorted(keys)


    def contiguous(self, keys: list[str]) -> list[list[str]]:
        """Sorted keys split into runs of adjacent partitions (each a range one run can cover); editions are
        each their own (dynamic partitions have no order a range could follow)."""
        if self.kind == "edition":
            return [[key] for key in keys]
        runs: list[list[str]] = []
        for key in keys:
            if runs and self.definition.get_next_partition_key(runs[-1][-1]) == key:
                runs[-1].append(key)
            else:
                runs.append([key])
        return runs


MONTH_FILE = PERIOD_IN_NAME["month"]
YEARLY = Partitioning("year", POPULATION_YEARS, "year", PERIOD_IN_NAME["year"])
BY_EDITION = Partitioning("edition", IMD_EDITIONS, "imd_edition", PERIOD_IN_NAME["edition"])


@lru_cache
def partitionings(first_month: str) -> dict[PartitionKind, Partitioning]:
    """The three kinds of partition for a profile whose activity starts in `first_month` (Profile.first_month)."""
    monthly = Partitioning("month", activity_months(first_month), "month", MONTH_FILE)
    return {p.kind: p for p in (monthly, YEARLY, BY_EDITION)}


def partitioning_of(definition: dg.PartitionsDefinition) -> Partitioning:
    """The Partitioning a Dagster partitions definition belongs to (an asset's `partitions_def`)."""
    if isinstance(definition, dg.MonthlyPartitionsDefinition):
        return partitionings(definition.start.strftime("%Y-%m-%d"))["month"]
    for partitioning in (YEARLY, BY_EDITION):
        if definition == partitioning.definition:
            return partitioning
    raise ValueError(f"not a partitions definition of this project: {definition!r}")


def range_tags(first: str, last: str) -> dict[str, str]:
    """Run tags targeting partitions `first` to `last` in one run (the assets' single-run backfill policy)."""
    return {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}


def parse_range(kind: PartitionKind, text: str, parts: dict[PartitionKind, Partitioning]) -> tuple[str, str]:
    """`2024-06`, `2024-04..2024-06` (months), `2023`, `2019..2024` (years), `2019` (editions) → first and last
    partition keys of the profile's partitions (`partitionings(profile.first_month)`). Raises ValueError naming
    what is wrong."""
    partitioning = parts[kind]
    ends = [part.strip() for part in text.split("..")]
    if len(ends) == 1:
        ends *= 2
    if len(ends) != 2 or not all(ends):
        raise ValueError(f"--{kind}s {text!r}: give one {kind} or a range FIRST..LAST")
    if kind == "month":
        if not all(re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", end) for end in ends):
            raise ValueError(f"--months {text!r}: months are YYYY-MM (e.g. 2024-04..2024-06)")
        ends = [f"{end}-01" for end in ends]
    elif not all(re.fullmatch(r"\d{4}", end) for end in ends):
        raise ValueError(f"--{kind}s {text!r}: {kind}s are YYYY (e.g. 2019..2024)")
    if kind != "edition":
        for end in ends:
            if not partitioning.definition.has_partition_key(end):
                first, last = partitioning.definition.get_first_partition_key(), partitioning.definition.get_last_partition_key()
                raise ValueError(f"--{kind}s {text!r}: {partitioning.label(end)} is not a {kind} partition "
                                 f"({partitioning.label(first)} to {partitioning.label(last)})")
    if ends[0] > ends[1]:
        raise ValueError(f"--{kind}s {text!r}: the first {kind} is after the last")
    return ends[0], ends[1]
