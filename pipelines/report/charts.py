"""Charts of the report (matplotlib), drawn from the disclosed commissioner tables only.

Every value a chart draws has already been through `pipelines.outputs.build_tables` (disclosure control): a
suppressed rate is not drawn and its place is marked "*", so a chart can never show what the tables hide.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from pipelines.outputs.workbook import COMPARISON_STYLE  # noqa: E402

NHS_BLUE = "#005eb8"
NHS_DARK = "#003087"
GREY = "#768692"
ENGLAND = "#212b32"
DEMOGRAPHY = "#ed8b00"
SYSTEM = "#41b6e6"


@dataclass(frozen=True)
class GradientPanel:
    """One measure's deprivation gradient for one area and year (national deciles)."""

    title: str
    deciles: pl.DataFrame  # quantile, dsr, dsr_lower_ci_95, dsr_upper_ci_95 (null = not shown)
    unit: str
    england: float | None  # England's DSR of the measure, same year
    area_value: float | None  # the area's own DSR
    sii: tuple[float, float, float] | None  # SII and its 95% limits
    sii_note: str  # why there is no SII (suppressed, or not computed), "" when there is one


@dataclass(frozen=True)
class DriftPanel:
    """One measure's growth since the base year: the area, England and demographic expectation (index = 100)."""

    title: str
    years: Sequence[str]
    area: Sequence[float | None]
    england: Sequence[float | None]
    demographic: Sequence[float | None]
    system: Sequence[float | None] | None  # for a footprint: the system's line, for context
    area_label: str


def _grid(n: int, width: float = 11.5, height: float = 3.9) -> tuple[Figure, list]:
    cols = 2 if n > 1 else 1
    rows = math.ceil(n / cols)
    # Fixed margins rather than constrained layout: the same look, a third of the drawing time.
    fig, axes = plt.subplots(rows, cols, figsize=(width, height * rows), squeeze=False)
    fig.subplots_adjust(left=0.07, right=0.985, top=1 - 0.75 / (height * rows), bottom=0.62 / (height * rows) + 0.02,
                        hspace=0.42, wspace=0.16)
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def _style(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#e8edee", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=8)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def gradient_chart(panels: Sequence[GradientPanel], year: str) -> Figure:
    """Age-standardised rate by national IMD decile with 95% limits, England's rate, the SII annotated."""
    fig, axes = _grid(len(panels))
    for ax, panel in zip(axes, panels):
        _style(ax)
        frame = panel.deciles.sort("quantile")
        x = frame["quantile"].to_list()
        y = frame["dsr"].to_list()
        lo = frame["dsr_lower_ci_95"].to_list()
        hi = frame["dsr_upper_ci_95"].to_list()
        shown = [i for i, v in enumerate(y) if v is not None]
        ax.bar([x[i] for i in shown], [y[i] for i in shown], color=NHS_BLUE, alpha=0.85, width=0.7,
               label="Rate (DSR)")
        with_limits = [i for i in shown if lo[i] is not None and hi[i] is not None]
        ax.errorbar([x[i] for i in with_limits], [y[i] for i in with_limits],
                    yerr=[[y[i] - lo[i] for i in with_limits], [hi[i] - y[i] for i in with_limits]],
                    fmt="none", ecolor=NHS_DARK, elinewidth=1, capsize=3, label="95% limits")
        top = max([h for h in hi if h is not None] + [v for v in y if v is not None] + [panel.england or 0, 1])
        for i, v in enumerate(y):
            if v is None:
                ax.text(x[i], top * 0.03, "*", ha="center", va="bottom", fontsize=12, color=GREY)
        if panel.england is not None:
            ax.axhline(panel.england, color=ENGLAND, linestyle="--", linewidth=1.2,
                       label=f"England {_number(panel.england)}")
        if panel.area_value is not None:
            ax.axhline(panel.area_value, color=DEMOGRAPHY, linestyle=":", linewidth=1.6,
                       label=f"Area {_number(panel.area_value)}")
        ax.set_xticks(range(1, 11), ["1\nmost", "2", "3", "4", "5", "6", "7", "8", "9", "10\nleast"])
        ax.set_xlim(0.4, 10.6)
        ax.set_ylim(0, top * 1.32)
        ax.set_title(panel.title, fontsize=10, loc="left")
        ax.set_ylabel(panel.unit, fontsize=8)
        ax.set_xlabel("National IMD decile", fontsize=8)
        if panel.sii is not None:
            sii, sii_lo, sii_hi = panel.sii
            text = f"SII {_number(sii)} (95% CI {_number(sii_lo)} to {_number(sii_hi)})"
        else:
            text = f"SII not shown: {panel.sii_note}" if panel.sii_note else "SII not available"
        ax.text(0.99, 0.97, text, transform=ax.transAxes, ha="right", va="top", fontsize=8,
                bbox={"boxstyle": "round,pad=0.3", "fc": "#f0f4f5", "ec": "#d8dde0"})
        ax.legend(loc="upper left", fontsize=7, frameon=False, ncol=2, bbox_to_anchor=(0, 0.9))
    fig.suptitle(f"Deprivation gradient, {year}: directly age-standardised rate by national deprivation decile "
                 "(* = suppressed)", fontsize=10, x=0.01, ha="left")
    return fig


def drift_chart(panels: Sequence[DriftPanel], base_year: str) -> Figure:
    """Activity indexed to the base year (= 100) against England and against demographic growth."""
    fig, axes = _grid(len(panels))
    for ax, panel in zip(axes, panels):
        _style(ax)
        x = list(range(len(panel.years)))
        series = [(panel.area, panel.area_label, NHS_BLUE, "-", "o", 2.2),
                  (panel.england, "England", ENGLAND, "--", None, 1.4),
                  (panel.demographic, "Expected from population size and age", DEMOGRAPHY, ":", None, 1.8)]
        if panel.system is not None:
            series.insert(1, (panel.system, "System", SYSTEM, "-", None, 1.2))
        for values, label, colour, style, marker, width in series:
            ys = [float("nan") if v is None else v for v in values]
            ax.plot(x, ys, color=colour, linestyle=style, marker=marker, markersize=3.5, linewidth=width,
                    label=label)
        ax.axhline(100, color="#aeb7bd", linewidth=0.8)
        ax.set_xticks(x, list(panel.years), rotation=0, fontsize=7)
        ax.set_title(panel.title, fontsize=10, loc="left")
        ax.set_ylabel(f"Index ({base_year} = 100)", fontsize=8)
        last_area, last_england = _last(panel.area), _last(panel.england)
        if last_area is not None and last_england is not None:
            ax.text(0.99, 0.03, f"Drift against England: {last_area - last_england:+.1f} points",
                    transform=ax.transAxes, ha="right", va="bottom", fontsize=8,
                    bbox={"boxstyle": "round,pad=0.3", "fc": "#f0f4f5", "ec": "#d8dde0"})
        ax.legend(loc="upper left", fontsize=7, frameon=False)
    fig.suptitle(f"Right drift: activity indexed to {base_year} (= 100) against England and against demographic "
                 "growth (gaps = suppressed)", fontsize=10, x=0.01, ha="left")
    return fig


def _last(values: Sequence[float | None]) -> float | None:
    return values[-1] if values and values[-1] is not None else None


def compare_chart(rows: pl.DataFrame, title: str, unit: str, england: float | None) -> Figure:
    """Areas' values with 95% limits, sorted, coloured by comparison with England (a Fingertips "compare
    areas" chart). `rows`: area_name, value, lower_ci_95, upper_ci_95, comparison_95 (null value = hidden)."""
    frame = rows.sort("value", nulls_last=True, descending=True)
    n = frame.height
    height = max(3.0, 0.22 * n + 1.2)
    fig, ax = plt.subplots(figsize=(11.5, height))
    fig.subplots_adjust(left=0.16, right=0.98, top=1 - 0.4 / height, bottom=0.6 / height)
    _style(ax)
    ax.grid(axis="x", color="#e8edee", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    names = frame["area_name"].to_list()
    for i, (value, lo, hi, comparison) in enumerate(zip(frame["value"], frame["lower_ci_95"],
                                                        frame["upper_ci_95"], frame["comparison_95"])):
        y = n - 1 - i
        if value is None:
            ax.text(0.0, y, "  * suppressed", va="center", fontsize=7, color=GREY,
                    transform=ax.get_yaxis_transform())
            continue
        colour = "#" + COMPARISON_STYLE.get(comparison or "not_compared", ("FFFFFF", "000000"))[0]
        ax.barh(y, value, color=colour, edgecolor="#4c6272", linewidth=0.5, height=0.7)
        if lo is not None and hi is not None:
            ax.plot([lo, hi], [y, y], color="#212b32", linewidth=1)
    if england is not None:
        ax.axvline(england, color=ENGLAND, linestyle="--", linewidth=1.2, label=f"England {_number(england)}")
        ax.legend(loc="lower right", fontsize=8)
    ax.set_yticks(range(n), list(reversed(names)), fontsize=7)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel(unit, fontsize=8)
    ax.set_title(title, fontsize=10, loc="left")
    return fig
