"""Disclosure control: hand-built cases for each rule, then properties over random hierarchies (hypothesis)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.config import DEFAULT_PROFILE, load_profile
from pipelines.disclosure import (
    DisclosureRule,
    DisclosureSpec,
    Group,
    apply_disclosure,
    hierarchy_groups,
    partition_groups,
    recoverable_cells,
    secondary_suppression,
    small_cells,
)

SPEC = DisclosureSpec(
    counts=("numerator", "denominator"),
    derived={
        "value": ("numerator", "denominator"),
        "lower_ci_95": ("numerator", "denominator"),
        "upper_ci_95": ("numerator", "denominator"),
        "expected": ("numerator",),
        "excess": ("numerator",),
        "comparison_95": ("numerator", "denominator"),
    },
    small_values=("expected", "excess"),
    on_flag=("value", "lower_ci_95", "upper_ci_95", "comparison_95"),
)


def table(levels_areas_counts, denominators=None) -> pl.DataFrame:
    levels, areas, counts = zip(*levels_areas_counts)
    n = len(counts)
    denominators = denominators or [1000] * n
    return pl.DataFrame({
        "indicator_id": ["ae"] * n,
        "period": ["2023/24"] * n,
        "level": list(levels),
        "area_code": list(areas),
        "numerator": list(counts),
        "denominator": denominators,
    }).with_columns(
        value=pl.col("numerator") / pl.col("denominator") * 1000,
        lower_ci_95=pl.col("numerator") / pl.col("denominator") * 900,
        upper_ci_95=pl.col("numerator") / pl.col("denominator") * 1100,
        comparison_95=pl.lit("similar"),
    )


def parents_of(mapping: dict[str, tuple[str, str, str]]) -> pl.DataFrame:
    """area -> (level, parent level, parent code)."""
    return pl.DataFrame(
        [{"level": lvl, "area_code": area, "parent_level": pl_, "parent_code": pc} for area, (lvl, pl_, pc) in
         mapping.items()]
    )


FOOTPRINTS = parents_of({f"F{i}": ("footprint", "system", "S") for i in range(1, 5)})


# --- the threshold ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, small", [(0, False), (1, True), (4, True), (7, True), (8, False), (0.4, True),
                                          (7.09, True), (7.38, True), (7.4999, True), (7.5, False), (7.51, False),
                                          (-3, False), (None, False), (float("nan"), False)])
def test_rule_is_small(value, small):
    rule = DisclosureRule()
    assert rule.is_small(value) is small
    assert pl.select(rule.small(pl.lit(value, dtype=pl.Float64))).item() is small


def test_rule_comes_from_the_profile():
    profile = load_profile(DEFAULT_PROFILE)
    rule = DisclosureRule.from_profile(profile)
    assert (rule.min_suppressed, rule.max_suppressed) == (1, 7)


@pytest.mark.parametrize("low, high", [(0, 5), (5, 4)])
def test_rule_rejects_a_nonsense_threshold(low, high):
    with pytest.raises(ValueError, match="disclosure threshold"):
        DisclosureRule(low, high)


# --- primary and derived ---------------------------------------------------------------------------------------


def test_primary_hides_counts_from_1_to_7_and_everything_computed_from_them_but_not_zero():
    frame = table([("footprint", "F1", 0), ("footprint", "F2", 1), ("footprint", "F3", 7), ("footprint", "F4", 8)])
    out = apply_disclosure(frame, SPEC)
    assert out["numerator"].to_list() == [0, None, None, 8]
    assert out["value"].is_null().to_list() == [False, True, True, False]
    assert out["lower_ci_95"].is_null().to_list() == out["comparison_95"].is_null().to_list() == [False, True, True, False]
    assert out["denominator"].to_list() == [1000] * 4  # the population is not hidden with its numerator
    assert out["suppressed"].to_list() == [False, True, True, False]
    assert out["suppressed_columns"][1].to_list() == ["numerator", "value", "lower_ci_95", "upper_ci_95",
                                                      "comparison_95"]
    assert "numerator from 1 to 7" in out["suppression_reason"][1]


def test_fractional_counts_apportioned_to_neighbourhoods_are_hidden_when_they_round_into_the_range():
    # 7.09 and 7.38 (shown 7.1 and 7.4, read as 7) were published while the rule hid only up to 7.0 (issue 12)
    frame = table([("neighbourhood", "N1", 0.0), ("neighbourhood", "N2", 0.4), ("neighbourhood", "N3", 6.9),
                   ("neighbourhood", "N4", 7.09), ("neighbourhood", "N5", 7.38), ("neighbourhood", "N6", 7.5),
                   ("neighbourhood", "N7", 9.2)])
    assert apply_disclosure(frame, SPEC)["numerator"].to_list() == [0.0, None, None, None, None, 7.5, 9.2]


def test_a_small_denominator_hides_the_rate_too():
    frame = table([("footprint", "F1", 0), ("footprint", "F2", 20)], denominators=[5, 900])
    out = apply_disclosure(frame, SPEC)
    assert out["denominator"].to_list() == [None, 900]
    assert out["value"].is_null().to_list() == [True, False]


def test_counts_of_lsoas_or_staff_are_published_whatever_their_size():
    """Only counts of people are disclosive: a row whose unit says LSOAs keeps its 3 of 6 (and its share);
    a row counting people, or with no unit, is hidden as before."""
    spec = DisclosureSpec(counts=SPEC.counts, derived=SPEC.derived,
                          units={"numerator": "numerator_counts", "denominator": "denominator_counts"})
    frame = table([("footprint", "F1", 3), ("footprint", "F2", 3), ("footprint", "F3", 3)],
                  denominators=[6, 900, 900]).with_columns(
        pl.Series("numerator_counts", ["LSOAs", "people", None]),
        pl.Series("denominator_counts", ["LSOAs", "people", "people"]))
    out = apply_disclosure(frame, spec, groups=[Group((0,)), Group((1, 2))])  # a group is one indicator
    assert out["numerator"].to_list() == [3, None, None]
    assert out["denominator"].to_list() == [6, 900, 900]
    assert out["value"].is_null().to_list() == [False, True, True]


def test_a_custom_threshold():
    frame = table([("footprint", "F1", 9), ("footprint", "F2", 10), ("footprint", "F3", 11)])
    out = apply_disclosure(frame, SPEC, DisclosureRule(1, 10))
    assert out["numerator"].to_list() == [None, None, 11]


def test_expected_and_excess_are_hidden_when_small_or_when_their_count_is():
    frame = table([("footprint", "F1", 100), ("footprint", "F2", 3), ("footprint", "F3", 40)]).with_columns(
        expected=pl.Series([96.0, 2.5, 30.0]), excess=pl.Series([4.0, 0.5, 10.0])
    )
    out = apply_disclosure(frame, SPEC)
    assert out["numerator"].to_list() == [100, None, 40]
    assert out["expected"].to_list() == [96.0, None, 30.0]
    assert out["excess"].to_list() == [None, None, 10.0]  # 4 looks like a small count; 0.5 belongs to a hidden one
    assert out["value"][0] is not None  # the observed count of 100 is not small: its rate stands


def test_a_value_withheld_by_the_mart_stays_withheld_with_its_reason():
    frame = table([("footprint", "F1", 9), ("footprint", "F2", 20)]).with_columns(
        suppressed=pl.Series([True, False]), suppression_reason=pl.Series(["fewer than 10 events: DSR unreliable", None])
    )
    out = apply_disclosure(frame, SPEC)
    assert out["numerator"].to_list() == [9, 20]  # 9 is publishable; only its DSR is withheld
    assert out["value"].to_list()[0] is None
    assert out["suppression_reason"].to_list() == ["fewer than 10 events: DSR unreliable", None]


# --- secondary -------------------------------------------------------------------------------------------------


def test_one_hidden_footprint_takes_the_next_smallest_with_it():
    frame = table([("system", "S", 173), ("footprint", "F1", 3), ("footprint", "F2", 50),
                   ("footprint", "F3", 20), ("footprint", "F4", 100)])
    groups = hierarchy_groups(frame, FOOTPRINTS, by=["indicator_id", "period"])
    assert groups == [Group(parts=(1, 2, 3, 4), total=0)]
    out = apply_disclosure(frame, SPEC, groups=groups)
    assert out["numerator"].to_list() == [173, None, 50, None, 100]
    assert "cannot be worked out" in out["suppression_reason"][3]
    assert recoverable_cells(out["numerator"].is_null().to_list(), groups) == []


def test_zero_is_not_chosen_while_a_nonzero_cell_remains():
    frame = table([("system", "S", 33), ("footprint", "F1", 3), ("footprint", "F2", 0),
                   ("footprint", "F3", 30), ("footprint", "F4", 0)])
    out = apply_disclosure(frame, SPEC, groups=hierarchy_groups(frame, FOOTPRINTS, by=["indicator_id", "period"]))
    assert out["numerator"].to_list() == [33, None, 0, None, 0]


def test_two_small_hidden_cells_summing_to_a_small_count_take_a_third():
    frame = table([("system", "S", 105), ("footprint", "F1", 2), ("footprint", "F2", 3),
                   ("footprint", "F3", 40), ("footprint", "F4", 60)])
    out = apply_disclosure(frame, SPEC, groups=hierarchy_groups(frame, FOOTPRINTS, by=["indicator_id", "period"]))
    assert out["numerator"].to_list() == [105, None, None, None, 60]


def test_a_hidden_total_with_every_part_published_hides_a_part():
    hidden = secondary_suppression([100, 30, 70], [True, False, False], [Group((1, 2), total=0)])
    assert hidden.tolist() == [False, True, False]


def test_secondary_cascades_down_a_hierarchy():
    # system = F1 + F2; F1 = N1 + N2; F2 = N3. F2 = N3 = 2 are hidden; the system total would give F2 away, so
    # F1 is hidden too. F1 = N1 + N2 then has two unknowns (F1 and N1 = 3), so N2 = 47 can stay.
    parents = parents_of({"F1": ("footprint", "system", "S"), "F2": ("footprint", "system", "S"),
                          "N1": ("neighbourhood", "footprint", "F1"), "N2": ("neighbourhood", "footprint", "F1"),
                          "N3": ("neighbourhood", "footprint", "F2")})
    frame = table([("system", "S", 52), ("footprint", "F1", 50), ("footprint", "F2", 2),
                   ("neighbourhood", "N1", 3), ("neighbourhood", "N2", 47), ("neighbourhood", "N3", 2)])
    groups = hierarchy_groups(frame, parents, by=["indicator_id", "period"])
    out = apply_disclosure(frame, SPEC, groups=groups)
    assert out["numerator"].to_list() == [52, None, None, None, 47, None]
    assert recoverable_cells(out["numerator"].is_null().to_list(), groups) == []


def test_deciles_are_a_group_whose_total_is_published_elsewhere():
    frame = pl.DataFrame({"indicator_id": ["ae"] * 10 + ["adm"] * 10, "decile": list(range(1, 11)) * 2,
                          "numerator": [90, 80, 70, 60, 50, 40, 30, 20, 10, 5] + [9] * 10})
    groups = partition_groups(frame, by=["indicator_id"])
    assert [len(g.parts) for g in groups] == [10, 10] and all(g.total is None for g in groups)
    out = apply_disclosure(frame, DisclosureSpec(counts=("numerator",)), groups=groups)
    assert out["numerator"].to_list()[:10] == [90, 80, 70, 60, 50, 40, 30, 20, None, None]
    assert out["numerator"].to_list()[10:] == [9] * 10


def test_nothing_hidden_leaves_the_table_as_it_was():
    frame = table([("system", "S", 300), ("footprint", "F1", 100), ("footprint", "F2", 200)])
    out = apply_disclosure(frame, SPEC, groups=hierarchy_groups(frame, FOOTPRINTS, by=["indicator_id", "period"]))
    assert out.drop("suppressed", "suppression_reason", "suppressed_columns").equals(frame)
    assert not out["suppressed"].any()


# --- properties ------------------------------------------------------------------------------------------------

# Counts skewed towards the small numbers that matter, with zeros and a few large ones.
counts = st.one_of(st.integers(0, 9), st.integers(0, 40), st.integers(0, 2000))


@st.composite
def hierarchies(draw):
    """A system of 1-5 footprints of 1-5 neighbourhoods each, for 1-2 indicators; totals are the sums."""
    rows, links = [], {}
    shape = draw(st.lists(st.integers(1, 5), min_size=1, max_size=5))
    for indicator in range(draw(st.integers(1, 2))):
        system_total = 0
        footprint_rows = []
        for f, n_neighbourhoods in enumerate(shape):
            values = draw(st.lists(counts, min_size=n_neighbourhoods, max_size=n_neighbourhoods))
            for n, value in enumerate(values):
                rows.append((indicator, "neighbourhood", f"N{f}.{n}", value))
                links[f"N{f}.{n}"] = ("neighbourhood", "footprint", f"F{f}")
            footprint_rows.append((indicator, "footprint", f"F{f}", sum(values)))
            links[f"F{f}"] = ("footprint", "system", "S")
            system_total += sum(values)
        rows += footprint_rows + [(indicator, "system", "S", system_total)]
    frame = pl.DataFrame(rows, schema=["indicator_id", "level", "area_code", "numerator"], orient="row")
    frame = frame.with_columns(denominator=pl.lit(10_000), value=pl.col("numerator") / 10)
    return frame, parents_of(links)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hierarchies(), st.integers(1, 10))
def test_no_small_count_is_published_and_none_is_recoverable_from_a_total(world, high):
    frame, parents = world
    rule = DisclosureRule(1, high)
    groups = hierarchy_groups(frame, parents, by=["indicator_id"])
    out = apply_disclosure(frame, SPEC, rule, groups=groups)
    hidden = out["numerator"].is_null().to_numpy()

    # no published count in [1, high]
    assert small_cells(out, ["numerator", "denominator"], rule).is_empty()
    # no single hidden cell is the only unknown of a published total
    assert recoverable_cells(hidden, groups) == []
    # where the total is published, the hidden parts do not add up to a small count either
    values = frame["numerator"].to_numpy()
    for group in groups:
        parts = np.array(group.parts)
        if (group.total is None or not hidden[group.total]) and hidden[parts].any():
            assert not rule.is_small(values[parts][hidden[parts]].sum())
    # what is published is what came in, and every rate of a hidden count is hidden
    kept = ~hidden
    assert (out["numerator"].to_numpy()[kept] == values[kept]).all()
    assert out["value"].is_null().to_numpy()[hidden].all()
    # zero is never primary-suppressed: a zero hidden is always there to protect another cell
    zeros_hidden = (values == 0) & hidden
    for i in np.flatnonzero(zeros_hidden):
        assert "cannot be worked out" in out["suppression_reason"][int(i)]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hierarchies(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_the_groups(world, random):
    frame, parents = world
    groups = hierarchy_groups(frame, parents, by=["indicator_id"])
    shuffled = list(groups)
    random.shuffle(shuffled)
    a = apply_disclosure(frame, SPEC, groups=groups)["numerator"]
    b = apply_disclosure(frame, SPEC, groups=shuffled)["numerator"]
    assert a.is_null().to_list() == b.is_null().to_list()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(counts, min_size=2, max_size=10), min_size=1, max_size=4))
def test_gradient_deciles_protect_each_other(gradients):
    frame = pl.DataFrame(
        [(g, d, v) for g, values in enumerate(gradients) for d, v in enumerate(values)],
        schema=["indicator_id", "decile", "numerator"], orient="row",
    )
    groups = partition_groups(frame, by=["indicator_id"])
    out = apply_disclosure(frame, DisclosureSpec(counts=("numerator",)), groups=groups)
    assert small_cells(out, ["numerator"]).is_empty()
    hidden = out["numerator"].is_null().to_list()
    for group, values in zip(groups, gradients):
        n_hidden = sum(hidden[i] for i in group.parts)
        # one hidden decile alone would be the area total minus the others
        assert n_hidden != 1


# --- what a reader sees: the rule, the writers' formats and the scanners agree ----------------------------------

# Fractional counts (registration-share weighted attendances), dense near the edges of the range: 0.4, 7.09,
# 7.38, 7.45, 7.4999 are small; 7.5 is the first published fraction above a threshold of 7.
fractions = st.one_of(
    st.floats(0, 12, allow_nan=False).map(lambda v: round(v, 2)),
    st.integers(0, 12).flatmap(lambda k: st.sampled_from([k - 0.5, k - 0.4999, k - 0.01, k, k + 0.09, k + 0.38,
                                                          k + 0.45, k + 0.4999, k + 0.5]).filter(lambda v: v >= 0)),
    st.integers(0, 400).map(float),
)


def _as_excel_shows(value: float, number_format: str) -> str:
    """A number as a spreadsheet shows it under the workbook's count formats (half away from zero)."""
    from decimal import ROUND_HALF_UP, Decimal
    places = {"#,##0": Decimal(1), "#,##0.0": Decimal("0.1"), "General": None}[number_format]
    return repr(value) if places is None else str(Decimal(repr(value)).quantize(places, rounding=ROUND_HALF_UP))


def _reads_as(text: str) -> int:
    """The whole number a reader takes a shown count for: the text rounded half up."""
    from decimal import ROUND_HALF_UP, Decimal
    return int(Decimal(text.replace(",", "")).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(fractions, min_size=1, max_size=12), st.integers(1, 10), st.integers(1, 3))
def test_no_shown_count_reads_as_a_small_count_in_the_workbook_the_csv_or_the_report(values, high, low):
    """Whatever the fractions, after disclosure no count that the workbook (through its number format), the CSV
    (its text) or the report (its formatted text) shows reads as one from min to max, and the scanners agree."""
    import tempfile
    from pathlib import Path

    from openpyxl import load_workbook

    from pipelines.outputs.scan import scan_csv, scan_workbook
    from pipelines.outputs.workbook import Column, Sheet, write_workbook
    from pipelines.report.pages import fmt_count

    low = min(low, high)
    rule = DisclosureRule(low, high)
    frame = pl.DataFrame({"area_code": [f"N{i}" for i in range(len(values))],
                          "numerator": [float(v) for v in values]})
    out = apply_disclosure(frame, DisclosureSpec(counts=("numerator",)), rule)
    shown = [v for v in out["numerator"].to_list() if v is not None]

    def small(text: str) -> bool:
        return low <= _reads_as(text) <= high

    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "w.xlsx"
        write_workbook(book, [Sheet("T", "t", out, [Column("area_code", "Area"),
                                                    Column("numerator", "Numerator", "count")])])
        ws = load_workbook(book).active
        cells = [ws.cell(r, 2) for r in range(4, 4 + out.height)]
        workbook_texts = [_as_excel_shows(c.value, c.number_format) for c in cells
                          if isinstance(c.value, (int, float))]
        csv = Path(tmp) / "c.csv"
        out.select("area_code", "numerator").write_csv(csv)
        csv_texts = [line.split(",")[1] for line in csv.read_text().splitlines()[1:] if line.split(",")[1]]
        report_texts = [fmt_count(v) for v in shown]
        for where, texts in (("workbook", workbook_texts), ("csv", csv_texts), ("report", report_texts)):
            assert not [t for t in texts if small(t)], (where, texts)
        assert scan_workbook(book, rule) == [] and scan_csv(csv, rule) == []
        # every value the rule hides would read as a small count (or is a fraction below min rounding up)
        assert all(rule.is_small(v) for v, o in zip(values, out["numerator"].to_list()) if o is None)
