"""Disclosure control for every table a commissioner sees: no reader can see, or work out, a small count.

Pure functions on polars frames; no Dagster import. The threshold is the profile's `disclosure` block
(`min_suppressed`, `max_suppressed`; default 1 to 7). Three rules, applied in this order:

1. **Primary suppression.** A count of people (numerator, denominator, observed ...) from `min` to `max`
   inclusive is hidden. Counts of other things (a footprint's LSOAs, a PCN's GP FTE, a summed IMD score) say
   nothing about an individual and are published: a table names what each row's count counts (`units`). Zero is published: "none" discloses nothing about an individual, and hiding zeros would make every
   hidden cell look small. The rule applies to the value a reader sees: fractional counts (a neighbourhood's
   share of an LSOA's activity, apportioned by GP registrations) are hidden when they would *round* into the
   range, up or down, so 0.4 of an attendance is hidden with the 1 it came from and 7.38 attendances (shown
   as 7.4, read as 7) are hidden as 7 is: the range is `min - 1 < value < max + 0.5`. A published fraction is
   therefore at least `max + 0.5`, which every writer shows as `max + 0.5` or more (one decimal, or rounded
   half away from zero as a spreadsheet does). Count-like values that are not counts of
   people but that readers take for counts (expected, excess) are hidden too when they fall in the same
   range, so that no count-like cell ever shows 1 to 7.
2. **Secondary suppression.** Cells that add up to a published total form a *group* (the footprints of the
   system, the neighbourhoods of a footprint, the deciles of a deprivation gradient). Within a group:

   - if exactly one part is hidden while the total is published, the hidden count is the total minus the
     others, so the next smallest published part (non-zero first) is hidden as well;
   - if the hidden parts together still add up to a small count (their sum is recoverable as the total
     minus the published parts), more parts are hidden, smallest first, until it is not;
   - if the total itself is hidden but every part is published, the total is the sum of the parts, so the
     smallest part is hidden.

   A hidden cell can be the total of one group and a part of another (a footprint is both), so the rule is
   applied until no group changes. It protects against recovery by subtraction within any one published
   total; it does not solve the general problem of several overlapping totals (linear programming attacks),
   which needs a dedicated tool (tau-Argus) and is out of scope for tables of this shape.
3. **Derived values.** Every value computed from a hidden count (rate, ratio, share, confidence limits,
   expected, excess, the England comparison) is hidden with it.

`apply_disclosure` does all three and adds three columns: `suppressed` (any cell of the row hidden),
`suppression_reason` (why, in words) and `suppressed_columns` (which cells, so a writer can print "*" there
and leave a genuinely missing value blank).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np
import polars as pl

from schemas.vocabulary import PEOPLE

SUPPRESSED_MARK = "*"

#: Output columns added by `apply_disclosure`.
FLAG = "suppressed"
REASON = "suppression_reason"
HIDDEN = "suppressed_columns"


@dataclass(frozen=True)
class DisclosureRule:
    """Counts from `min_suppressed` to `max_suppressed` inclusive are hidden (the profile's `disclosure`)."""

    min_suppressed: int = 1
    max_suppressed: int = 7

    def __post_init__(self) -> None:
        if not 0 < self.min_suppressed <= self.max_suppressed:
            raise ValueError(
                f"disclosure threshold must satisfy 0 < min <= max, got {self.min_suppressed}..{self.max_suppressed}"
            )

    @classmethod
    def from_profile(cls, profile) -> "DisclosureRule":
        return cls(profile.min_suppressed, profile.max_suppressed)

    @property
    def words(self) -> str:
        return f"from {self.min_suppressed} to {self.max_suppressed}"

    @property
    def bounds(self) -> tuple[float, float]:
        """The open interval of small values, `(min - 1, max + 0.5)`: every value a reader would take for a
        count from min to max, rounding either way (`is_small`). The one definition: the rule, the secondary
        rule's sums and the three scanners all read it."""
        return self.min_suppressed - 1, self.max_suppressed + 0.5

    def is_small(self, value) -> bool:
        """True when a value is a small count: `min - 1 < value < max + 0.5`, i.e. it would be read (rounded)
        as a count from min to max; for whole numbers, min..max; a fraction that rounds up into the range
        (0.4) counts too. Null and NaN are not small (nothing is shown)."""
        if value is None or isinstance(value, bool):
            return False
        try:
            number = float(value)
        except (TypeError, ValueError):
            return False
        low, high = self.bounds
        return not math.isnan(number) and low < number < high

    def small(self, expr: pl.Expr | str) -> pl.Expr:
        """Polars expression of `is_small` (null and NaN give False)."""
        expr = pl.col(expr) if isinstance(expr, str) else expr
        value = expr.cast(pl.Float64)
        low, high = self.bounds
        in_range = value.is_between(low, high, closed="none")
        return (in_range & value.is_not_nan()).fill_null(False)


DEFAULT_RULE = DisclosureRule()


# --- groups: sets of cells that add up to a published total -------------------------------------------------


@dataclass(frozen=True)
class Group:
    """Row positions of the parts of one total, and of the total itself (None: published elsewhere)."""

    parts: tuple[int, ...]
    total: int | None = None


def partition_groups(frame: pl.DataFrame, by: Sequence[str]) -> list[Group]:
    """One group per value of `by`, every row a part, the total published elsewhere (e.g. the deciles of one
    indicator × area × period, whose sum is the area's count in the indicator table)."""
    indexed = frame.select(by).with_row_index("_row")
    grouped = indexed.group_by(list(by), maintain_order=True).agg(pl.col("_row"))
    return [Group(tuple(rows)) for rows in grouped["_row"].to_list() if len(rows) > 0]


def hierarchy_groups(
    frame: pl.DataFrame,
    parents: pl.DataFrame,
    by: Sequence[str],
    level: str = "level",
    area: str = "area_code",
) -> list[Group]:
    """Groups from a drill path: the areas of one level under one parent are the parts, the parent's row (same
    `by` values, e.g. indicator × period) is the total.

    `parents` has columns level, area_code, parent_level, parent_code (as `marts.dim_areas`). Parts whose
    parent has no row in `frame` still form a group: its total is taken to be published elsewhere.
    """
    rows = frame.select([*by, level, area]).with_row_index("_row")
    links = parents.select(
        pl.col("level").alias(level), pl.col("area_code").alias(area), "parent_level", "parent_code"
    ).unique()
    children = rows.join(links, on=[level, area], how="inner", maintain_order="left")
    totals = rows.select(
        *by, pl.col(level).alias("parent_level"), pl.col(area).alias("parent_code"), pl.col("_row").alias("_total")
    )
    keyed = children.join(totals, on=[*by, "parent_level", "parent_code"], how="left", nulls_equal=True,
                          maintain_order="left")
    grouped = keyed.group_by([*by, "parent_level", "parent_code", level], maintain_order=True).agg(
        pl.col("_row"), pl.col("_total").first()
    )
    return [Group(tuple(parts), total) for parts, total in zip(grouped["_row"].to_list(), grouped["_total"].to_list())]


# --- the rules ------------------------------------------------------------------------------------------------


def secondary_suppression(
    values: Sequence[float | None] | np.ndarray,
    hidden: Sequence[bool] | np.ndarray,
    groups: Iterable[Group],
    rule: DisclosureRule = DEFAULT_RULE,
) -> np.ndarray:
    """The cells to hide in addition to `hidden` so that no hidden count can be worked out from a total.

    For each group (see the module docstring), until nothing changes:
    total published and exactly one part hidden, or the hidden parts summing to a small count: hide the
    smallest published non-zero part (then a zero part, then the total itself); total hidden and no part
    hidden: hide the smallest part. Null cells are never hidden and never count as protection.
    Returns the new mask of cells hidden by this rule only (not those already hidden).
    """
    vals = np.array([np.nan if v is None else v for v in values] if not isinstance(values, np.ndarray) else values,
                    dtype=float)
    mask = np.array(hidden, dtype=bool).copy()
    added = np.zeros(len(vals), dtype=bool)
    groups = [g for g in groups if g.parts]
    member_of: dict[int, list[int]] = {}
    for gi, group in enumerate(groups):
        for cell in (*group.parts, *(() if group.total is None else (group.total,))):
            member_of.setdefault(cell, []).append(gi)

    # Smallest groups first (neighbourhoods of a footprint before neighbourhoods of the system): protecting a
    # cell within its smallest total usually protects it in the larger ones too, so fewer cells are hidden, and
    # the result does not depend on the order the groups were listed in. A group with no hidden member needs
    # nothing until one of its cells is hidden (then it is queued).
    def key(gi: int) -> tuple[int, tuple[int, ...]]:
        return (len(groups[gi].parts), tuple(sorted(groups[gi].parts)))

    heap = [(key(gi), gi) for gi, g in enumerate(groups)
            if mask[list(g.parts)].any() or (g.total is not None and mask[g.total])]
    heapq.heapify(heap)
    queued = {gi for _, gi in heap}
    while heap:
        _, gi = heapq.heappop(heap)
        queued.discard(gi)
        cell = _cell_to_hide(groups[gi], vals, mask, rule)
        if cell is None:
            continue
        mask[cell] = True
        added[cell] = True
        for other in (*member_of.get(cell, ()), gi):  # gi itself may need a further cell
            if other not in queued:
                heapq.heappush(heap, (key(other), other))
                queued.add(other)
    return added


def _cell_to_hide(group: Group, vals: np.ndarray, mask: np.ndarray, rule: DisclosureRule) -> int | None:
    parts = np.array(group.parts)
    hidden_parts = parts[mask[parts]]
    total_hidden = group.total is not None and mask[group.total]
    if total_hidden:
        if len(hidden_parts) > 0:
            return None
    else:
        if len(hidden_parts) == 0:
            return None
        if len(hidden_parts) >= 2 and not rule.is_small(np.nansum(vals[hidden_parts])):
            return None
    published = parts[~mask[parts] & ~np.isnan(vals[parts])]
    nonzero = published[vals[published] != 0]
    for candidates in (nonzero, published):
        if len(candidates):
            # smallest value first; ties by position, so the choice is deterministic
            order = np.lexsort((candidates, vals[candidates]))
            return int(candidates[order[0]])
    if group.total is not None and not total_hidden and not np.isnan(vals[group.total]):
        return int(group.total)
    return None  # every part already hidden (or null): nothing further to hide in this group


@dataclass(frozen=True)
class DisclosureSpec:
    """Which columns of a table are counts and which are computed from them.

    counts:   hidden when 1 to 7 (primary) and protected within groups (secondary), e.g. numerator, denominator
    derived:  column -> the counts it is computed from; hidden when any of them is hidden
    small_values: count-like derived columns (expected, excess) hidden when they are themselves 1 to 7
    on_flag:  columns hidden when the input already carries `suppressed = true` (a mart that withheld a value,
              e.g. a DSR from fewer than 10 events); its `suppression_reason` is kept
    units:    count column -> a column of the frame saying what that row's count counts; primary suppression
              applies only where it says `people` (or is null), so an area's 3 LSOAs or 2.4 GP FTE are shown
    """

    counts: tuple[str, ...]
    derived: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    small_values: tuple[str, ...] = ()
    on_flag: tuple[str, ...] = ()
    units: Mapping[str, str] = field(default_factory=dict)


def counts_people(frame: pl.DataFrame, unit_column: str | None) -> np.ndarray:
    """Rows whose count counts people: `unit_column` is null or says `people` (every row when it is absent)."""
    if unit_column is None or unit_column not in frame.columns:
        return np.ones(frame.height, dtype=bool)
    return frame[unit_column].fill_null(PEOPLE).eq(PEOPLE).to_numpy().astype(bool)


def apply_disclosure(
    frame: pl.DataFrame,
    spec: DisclosureSpec,
    rule: DisclosureRule = DEFAULT_RULE,
    groups: Sequence[Group] = (),
) -> pl.DataFrame:
    """Primary, secondary and derived suppression (module docstring) of one table.

    `groups` hold row positions of `frame` (build them from the same frame with `hierarchy_groups` /
    `partition_groups`); they apply to every count column. Hidden cells become null; the result has the
    columns `suppressed`, `suppression_reason` and `suppressed_columns` (replacing any already there).
    """
    n = frame.height
    present = set(frame.columns)
    counts = [c for c in spec.counts if c in present]
    none = np.zeros(n, dtype=bool)
    notes: dict[str, np.ndarray] = {}  # reason text -> rows it applies to (in the order first noted)
    hidden: dict[str, np.ndarray] = {}

    def note(mask: np.ndarray, text: str) -> None:
        notes[text] = notes.get(text, none) | mask

    flagged = frame[FLAG].fill_null(False).to_numpy().astype(bool) if FLAG in present else none
    for column in counts:
        primary = frame.select(rule.small(column)).to_series().to_numpy().astype(bool)
        primary &= counts_people(frame, spec.units.get(column))
        note(primary, f"{column} {rule.words}")
        values = frame[column].cast(pl.Float64).fill_null(np.nan).to_numpy()
        secondary = secondary_suppression(values, primary, groups, rule)
        note(secondary, f"{column} hidden so that another hidden count cannot be worked out from the total")
        hidden[column] = primary | secondary

    for column in (c for c in spec.small_values if c in present):
        small = frame.select(rule.small(column)).to_series().to_numpy().astype(bool)
        note(small & ~hidden.get(column, none), f"{column} {rule.words}")
        hidden[column] = hidden.get(column, none) | small

    for column, sources in spec.derived.items():
        if column not in present:
            continue
        mask = none.copy()
        for source in sources:
            mask |= hidden.get(source, none)
        note(mask & ~hidden.get(column, none), "values computed from a hidden count")
        hidden[column] = hidden.get(column, none) | mask

    for column in (c for c in spec.on_flag if c in present):
        hidden[column] = hidden.get(column, none) | flagged

    # the source table's own note (a value withheld, or not compared) comes first
    source_note = pl.col(REASON) if REASON in present else pl.lit(None, pl.String)
    if FLAG in present:
        source_note = pl.when(pl.col(FLAG).fill_null(False) & source_note.is_null()).then(
            pl.lit("withheld in the source table")).otherwise(source_note)
    ordered = [c for c in frame.columns if c in hidden]
    # masks travel as real (temporary) columns: expressions over literal Series are not safe to broadcast
    masks = {f"__hide_{k}": hidden[c] for k, c in enumerate(ordered)}
    note_masks = {f"__note_{k}": (text, mask) for k, (text, mask) in enumerate(notes.items()) if mask.any()}
    work = frame.with_columns(
        *(pl.Series(name, mask, dtype=pl.Boolean) for name, mask in masks.items()),
        *(pl.Series(name, mask, dtype=pl.Boolean) for name, (_, mask) in note_masks.items()),
        pl.Series("__flagged", flagged, dtype=pl.Boolean),
    )
    reason = pl.concat_str(
        [source_note, *(pl.when(pl.col(name)).then(pl.lit(text)) for name, (text, _) in note_masks.items())],
        separator="; ", ignore_nulls=True,
    )
    return work.with_columns(
        *(pl.when(pl.col(f"__hide_{k}")).then(None).otherwise(pl.col(c)).alias(c) for k, c in enumerate(ordered)),
        pl.when(reason == "").then(None).otherwise(reason).alias(REASON),
        _hidden_list(list(zip(ordered, masks))).alias(HIDDEN),
    ).with_columns(
        (pl.col("__flagged") | (pl.col(HIDDEN).list.len() > 0)).alias(FLAG),
    ).select(*frame.columns, *(c for c in (FLAG, REASON, HIDDEN) if c not in present))


def _hidden_list(columns_and_masks: Sequence[tuple[str, str]]) -> pl.Expr:
    """A list of the names of the hidden columns, from (column, mask column) pairs."""
    if not columns_and_masks:
        return pl.concat_list(pl.lit(None, pl.String)).list.drop_nulls()
    return pl.concat_list(
        pl.when(pl.col(mask)).then(pl.lit(column)).otherwise(pl.lit(None, pl.String))
        for column, mask in columns_and_masks
    ).list.drop_nulls()


def hide_cells(frame: pl.DataFrame, masks: Mapping[str, np.ndarray], reason: str) -> pl.DataFrame:
    """Hide the cells of `frame` where `masks[column]` is true (values computed from cells hidden in another
    table), adding to `suppressed`, `suppression_reason` and `suppressed_columns` (created if absent)."""
    n = frame.height
    masks = {c: np.asarray(m, dtype=bool) for c, m in masks.items() if c in frame.columns}
    any_hidden = np.zeros(n, dtype=bool)
    for mask in masks.values():
        any_hidden |= mask
    columns = list(frame.columns) + [c for c in (FLAG, REASON, HIDDEN) if c not in frame.columns]
    if FLAG not in frame.columns:
        frame = frame.with_columns(pl.lit(False).alias(FLAG))
    if REASON not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.String).alias(REASON))
    if HIDDEN not in frame.columns:
        frame = frame.with_columns(pl.concat_list(pl.lit(None, pl.String)).list.drop_nulls().alias(HIDDEN))
    ordered = list(masks)
    names = {c: f"__hide_{k}" for k, c in enumerate(ordered)}
    work = frame.with_columns(
        *(pl.Series(names[c], masks[c], dtype=pl.Boolean) for c in ordered),
        pl.Series("__any", any_hidden, dtype=pl.Boolean),
    )
    already = pl.col(REASON).fill_null("").str.contains(reason, literal=True)
    return work.with_columns(
        *(pl.when(pl.col(names[c])).then(None).otherwise(pl.col(c)).alias(c) for c in ordered),
        pl.concat_list(pl.col(HIDDEN), _hidden_list([(c, names[c]) for c in ordered]))
        .list.unique(maintain_order=True).alias(HIDDEN),
        (pl.col(FLAG).fill_null(False) | pl.col("__any")).alias(FLAG),
        pl.when(pl.col("__any") & ~already)
        .then(pl.concat_str([pl.col(REASON), pl.lit(reason)], separator="; ", ignore_nulls=True))
        .otherwise(pl.col(REASON)).alias(REASON),
    ).select(columns)


# --- checks shared by the tests and the output assets -------------------------------------------------------


def small_cells(frame: pl.DataFrame, columns: Iterable[str], rule: DisclosureRule = DEFAULT_RULE) -> pl.DataFrame:
    """The rows where any of `columns` still shows a value in [min, max] (should be empty after disclosure)."""
    present = [c for c in columns if c in frame.columns]
    if not present:
        return frame.clear()
    return frame.filter(pl.any_horizontal(rule.small(c) for c in present))


def recoverable_cells(hidden: Sequence[bool], groups: Iterable[Group]) -> list[int]:
    """Hidden cells that subtraction within one group would reveal: the only hidden member of a group whose
    other members are all published (the total is the sum of the parts). Should be empty after disclosure."""
    mask = np.array(hidden, dtype=bool)
    found: list[int] = []
    for group in groups:
        members = list(group.parts) + ([] if group.total is None else [group.total])
        unknown = [m for m in members if mask[m]]
        if len(unknown) == 1:  # a null member counts as published: nulls are no protection
            found.append(unknown[0])
    return sorted(set(found))
