"""The commissioner tables: the indicator marts, cut to the published levels and passed through disclosure control.

Pure functions on polars frames (no Dagster): `read_marts` reads the marts from a DuckDB connection and
`build_tables` returns the `CommissionerTables` that the workbook and the CSVs are both written from, so the
two can never disagree about what is hidden (a reader holding both learns nothing more than from one).

Disclosure (see `pipelines.disclosure`) is applied table by table, with the groups of cells that add up to a
published total:

- indicator values: per indicator × period, the areas of each level under each parent (footprints and local
  authorities under the system, neighbourhoods under their footprint and under the system);
- deprivation gradients: per measure × year × area × quantile set, the quantiles (their total is the area's
  count in the indicator table); per measure × year × quantile set × quantile, the areas under each parent;
  and each quintile as the total of its two deciles;
- right drift: per measure × year, the footprints under the system (base-year and current activity).

Values computed across tables are hidden with what they come from: the most/least deprived rates, their ratio
and gap when the first or last quantile is hidden; the SII and RII (and the SII rows of the indicator table)
when any quantile of the set is hidden, because a regression slope with the other quantiles and the total
published would give the hidden one back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import duckdb
import numpy as np
import polars as pl

from pipelines.config import Profile
from pipelines.disclosure import (
    FLAG,
    HIDDEN,
    REASON,
    DisclosureRule,
    DisclosureSpec,
    Group,
    apply_disclosure,
    hide_cells,
    hierarchy_groups,
    partition_groups,
)
from pipelines.outputs.trend import trend_words
from schemas.vocabulary import PEOPLE

#: Levels a commissioner table is published at (England appears as the comparator; LSOAs are not published:
#: almost every LSOA count would be suppressed).
PUBLISHED_LEVELS: tuple[str, ...] = ("system", "footprint", "neighbourhood", "local_authority")

MARTS = ("fct_indicator_values", "fct_deprivation_gradients", "fct_inequality_summary", "fct_right_drift",
         "dim_areas", "fct_indicator_availability")

_LIMITS = ("lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8")
_VALUE_COLUMNS = ("value", *_LIMITS, "comparison_95", "comparison_99_8")

INDICATOR_SPEC = DisclosureSpec(
    counts=("numerator", "denominator"),
    derived={c: ("numerator", "denominator") for c in (*_VALUE_COLUMNS, "expected", "excess")},
    small_values=("expected", "excess"),
    on_flag=_VALUE_COLUMNS,
    units={"numerator": "numerator_counts", "denominator": "denominator_counts"},
)

_RATES = ("crude_rate", "crude_lower_ci_95", "crude_upper_ci_95", "dsr", "dsr_lower_ci_95", "dsr_upper_ci_95",
          "dsr_lower_ci_99_8", "dsr_upper_ci_99_8")
GRADIENT_SPEC = DisclosureSpec(
    counts=("activity", "population"),
    derived={c: ("activity", "population") for c in _RATES},
    on_flag=tuple(c for c in _RATES if c.startswith("dsr")),
)

DRIFT_SPEC = DisclosureSpec(
    counts=("base_activity", "activity", "base_population", "population"),
    derived={
        "growth_pct": ("base_activity", "activity"),
        "demographic_expected_activity": ("base_activity",),
        "excess_over_demographic": ("base_activity", "activity"),
        "drift_vs_england_pp": ("base_activity", "activity"),
        "drift_vs_demographic_pp": ("base_activity", "activity"),
        "population_growth_pct": ("base_population", "population"),
        "demographic_growth_pct": ("base_population", "population"),
    },
    small_values=("demographic_expected_activity", "excess_over_demographic"),
)

_EXTREMES = {
    "most_deprived_rate": "first",
    "least_deprived_rate": "last",
    "rate_ratio": "either",
    "rate_gap": "either",
}
_SII_COLUMNS = tuple(f"{index}{part}" for index in ("sii", "rii")
                     for part in ("", "_lower_ci_95", "_upper_ci_95", "_lower_ci_99_8", "_upper_ci_99_8"))


@dataclass
class CommissionerTables:
    """Everything a commissioner output shows, after disclosure control. Every frame carries `suppressed`,
    `suppression_reason` and `suppressed_columns` (the cells a writer shows as "*")."""

    indicators: pl.DataFrame  # fct_indicator_values, published levels, every period, + trend, gap
    gradients: pl.DataFrame
    inequality: pl.DataFrame
    right_drift: pl.DataFrame
    definitions: pl.DataFrame
    profile: Profile
    rule: DisclosureRule
    # One row per indicator x level the profile's data do not allow, with the reason (fct_indicator_availability)
    unavailable: pl.DataFrame | None = None

    @property
    def synthetic_warning(self) -> str | None:
        """The words every output built on synthetic records opens with (None for real data)."""
        synthetic = self.profile.synthetic_entities
        if not synthetic:
            return None
        return ("SYNTHETIC DATA - NOT REAL PATIENTS: built from synthetic records generated by `ina demo-data` "
                f"({', '.join(synthetic)}). Do not use these figures for any decision.")

    def periods(self) -> list[str]:
        return sorted(self.indicators["period"].unique().drop_nulls().to_list())

    def latest(self) -> pl.DataFrame:
        """The indicator rows of each indicator's latest period at each level (what the level sheets show): a
        level whose data stop earlier (neighbourhoods on the older IMD edition's LSOAs) shows its own latest."""
        frame = self.indicators
        latest = frame.group_by("indicator_id", "level").agg(pl.col("period").max().alias("_latest"))
        return frame.join(latest, on=["indicator_id", "level"]).filter(
            pl.col("period") == pl.col("_latest")).drop("_latest")


def read_marts(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    """The indicator marts and the drill path (`marts.dim_areas`) as polars frames (via Arrow)."""
    return {name: con.execute(f"SELECT * FROM marts.{name}").pl() for name in MARTS}  # names from MARTS


def area_links(areas: pl.DataFrame) -> pl.DataFrame:
    """Parent links for secondary suppression: the drill path of `dim_areas`, plus every area directly under
    the system (neighbourhoods share LSOAs across footprints by registrations, so they sum exactly to the
    system, not always to their footprint)."""
    direct = areas.filter(pl.col("parent_code").is_not_null()).select(
        "level", "area_code", "parent_level", "parent_code")
    system = areas.filter(pl.col("level") == "system").select("area_code").to_series().to_list()
    under_system = [
        areas.filter(~pl.col("level").is_in(["system", "lsoa"])).select(
            "level", "area_code", pl.lit("system").alias("parent_level"), pl.lit(code).alias("parent_code"))
        for code in system
    ]
    return pl.concat([direct, *under_system]).filter(pl.col("level") != "lsoa").unique(maintain_order=True)


# --- gradients and the summaries computed from them ----------------------------------------------------------


def _quintile_groups(frame: pl.DataFrame, keys: Sequence[str]) -> list[Group]:
    """Each quintile row is the total of its two deciles (national and within-system sets)."""
    rows = frame.select([*keys, "quantile_type", "quantile"]).with_row_index("_row")
    deciles = rows.filter(pl.col("quantile_type").str.ends_with("_decile")).with_columns(
        pl.col("quantile_type").str.replace("_decile", "_quintile").alias("_qtype"),
        ((pl.col("quantile") + 1) // 2).cast(pl.Int32).alias("_quintile"),
    )
    quintiles = rows.filter(pl.col("quantile_type").str.ends_with("_quintile")).select(
        *keys, pl.col("quantile_type").alias("_qtype"), pl.col("quantile").cast(pl.Int32).alias("_quintile"),
        pl.col("_row").alias("_total"))
    joined = deciles.join(quintiles, on=[*keys, "_qtype", "_quintile"], how="left", nulls_equal=True,
                          maintain_order="left")
    grouped = joined.group_by([*keys, "_qtype", "_quintile"], maintain_order=True).agg(
        pl.col("_row"), pl.col("_total").first())
    return [Group(tuple(p), t) for p, t in zip(grouped["_row"].to_list(), grouped["_total"].to_list())]


def disclose_gradients(gradients: pl.DataFrame, links: pl.DataFrame, rule: DisclosureRule) -> pl.DataFrame:
    frame = gradients.filter(pl.col("level").is_in(PUBLISHED_LEVELS)).sort(
        "measure", "financial_year", "level", "area_code", "quantile_type", "quantile")
    area_keys = ["measure", "financial_year", "level", "area_code"]
    groups = (
        partition_groups(frame, by=[*area_keys, "quantile_type"])
        + _quintile_groups(frame, area_keys)
        + hierarchy_groups(frame, links, by=["measure", "financial_year", "quantile_type", "quantile"])
    )
    return apply_disclosure(frame, GRADIENT_SPEC, rule, groups)


def disclose_inequality(summary: pl.DataFrame, gradients: pl.DataFrame) -> pl.DataFrame:
    """Hide the summary values computed from hidden quantiles of the (already disclosed) gradients."""
    keys = ["measure", "financial_year", "level", "area_code", "quantile_type"]
    frame = summary.filter(pl.col("level").is_in(PUBLISHED_LEVELS)).sort(keys)
    hidden_quantiles = gradients.group_by(keys).agg(
        (pl.col(HIDDEN).list.len() > 0).any().alias("_any"),
        pl.col(HIDDEN).filter(pl.col("quantile") == pl.col("quantile").min()).first().list.len().gt(0)
        .alias("_first"),
        pl.col(HIDDEN).filter(pl.col("quantile") == pl.col("quantile").max()).first().list.len().gt(0)
        .alias("_last"),
    )
    flags = frame.select(keys).join(hidden_quantiles, on=keys, how="left", maintain_order="left").fill_null(False)
    masks = {}
    for column, which in _EXTREMES.items():
        if column in frame.columns:
            first, last = flags["_first"].to_numpy(), flags["_last"].to_numpy()
            masks[column] = {"first": first, "last": last, "either": first | last}[which]
    for column in _SII_COLUMNS:
        if column in frame.columns:
            masks[column] = flags["_any"].to_numpy()
    return hide_cells(frame, masks, "computed from a hidden deprivation quantile")


# --- indicator values -----------------------------------------------------------------------------------------


def count_units(values: pl.DataFrame, catalogue) -> pl.DataFrame:
    """`numerator_counts` and `denominator_counts`: what each row's numerator and denominator count (the
    catalogue's measures: people, LSOAs, FTE staff, score). Without a catalogue every count is of people."""
    units = {} if catalogue is None else {
        i.id: (i.numerator.counts, i.denominator.counts if i.denominator else None) for i in catalogue.indicators}
    return values.with_columns(
        pl.col("indicator_id").replace_strict({k: n for k, (n, _) in units.items()}, default=PEOPLE,
                                              return_dtype=pl.String).alias("numerator_counts"),
        pl.col("indicator_id").replace_strict({k: d or PEOPLE for k, (_, d) in units.items()}, default=PEOPLE,
                                              return_dtype=pl.String).alias("denominator_counts"),
    )


def disclose_indicators(values: pl.DataFrame, links: pl.DataFrame, rule: DisclosureRule) -> pl.DataFrame:
    """Disclosure of the indicator rows (`values` carries numerator_counts / denominator_counts: count_units)."""
    frame = values.filter(pl.col("level").is_in(PUBLISHED_LEVELS)).sort("indicator_id", "period", "level",
                                                                         "area_code")
    return apply_disclosure(frame, INDICATOR_SPEC, rule, hierarchy_groups(frame, links, by=["indicator_id", "period"]))


def hide_sii_rows(frame: pl.DataFrame, inequality: pl.DataFrame, sii_indicators: dict[str, tuple[str, str]]
                  ) -> pl.DataFrame:
    """Hide the value and limits of SII indicator rows whose SII the (disclosed) inequality summary hides.
    `sii_indicators`: indicator id -> (activity measure, quantile type)."""
    if not sii_indicators:
        return frame
    hidden_sii = inequality.filter(pl.col(HIDDEN).list.contains("sii")).select(
        "measure", "period", "level", "area_code", "quantile_type").unique()
    lookup = pl.DataFrame(
        [(i, m, q) for i, (m, q) in sii_indicators.items()],
        schema={"indicator_id": pl.String, "measure": pl.String, "quantile_type": pl.String}, orient="row")
    marked = frame.select("indicator_id", "period", "level", "area_code").join(
        lookup, on="indicator_id", how="left", maintain_order="left"
    ).join(hidden_sii.with_columns(pl.lit(True).alias("_hide")),
           on=["measure", "period", "level", "area_code", "quantile_type"], how="left", maintain_order="left")
    mask = marked["_hide"].fill_null(False).to_numpy()
    return hide_cells(frame, {c: mask for c in _VALUE_COLUMNS if c in frame.columns},
                      "computed from a hidden deprivation quantile")


def add_trend(frame: pl.DataFrame, polarity: dict[str, str | None]) -> pl.DataFrame:
    """`trend`: the recent trend of each area's series up to and including the row's period (trend.py).
    Monthly indicators use the same month of each year; hidden values never enter the line."""
    series_month = pl.when(pl.col("period_type") == "month").then(pl.col("period").str.slice(5, 2)).otherwise(
        pl.lit(""))
    ordered = frame.select("indicator_id", "level", "area_code", "period", "value", "lower_ci_95", "upper_ci_95",
                           series_month.alias("_series")).with_row_index("_row").sort(
        "indicator_id", "level", "area_code", "_series", "period")
    keys = list(zip(*(ordered[c].to_list() for c in ("indicator_id", "level", "area_code", "_series"))))
    rows, values, lower, upper = (ordered[c].to_list() for c in ("_row", "value", "lower_ci_95", "upper_ci_95"))
    trends: list[str | None] = [None] * frame.height
    start = 0
    for k in range(len(keys)):
        if k > 0 and keys[k] != keys[k - 1]:
            start = k
        if values[k] is None:
            continue
        lo = max(start, k - 12)  # trend_words keeps the latest points; a short window is enough
        trends[rows[k]] = trend_words(values[lo: k + 1], lower[lo: k + 1], upper[lo: k + 1],
                                      polarity.get(keys[k][0]))
    return frame.with_columns(pl.Series("trend", trends, dtype=pl.String))


def add_gap(frame: pl.DataFrame, inequality: pl.DataFrame, measures: dict[str, str], quantile_type: str
            ) -> pl.DataFrame:
    """The most-vs-least-deprived ratio and gap (fct_inequality_summary, `quantile_type`) of each activity
    indicator's measure, area and year; hidden there = hidden here."""
    if not measures:
        return frame.with_columns(pl.lit(None, pl.Float64).alias("rate_ratio"), pl.lit(None, pl.Float64)
                                  .alias("rate_gap"), pl.lit(None, pl.String).alias("gap_unit"))
    lookup = pl.DataFrame(list(measures.items()), schema={"indicator_id": pl.String, "measure": pl.String},
                          orient="row")
    summary = inequality.filter(pl.col("quantile_type") == quantile_type).select(
        "measure", "period", "level", "area_code", "rate_ratio", "rate_gap", pl.col("rate_unit").alias("gap_unit"),
        pl.col(HIDDEN).list.set_intersection(["rate_ratio", "rate_gap"]).alias("_gap_hidden"))
    out = frame.join(lookup, on="indicator_id", how="left", maintain_order="left").join(
        summary, on=["measure", "period", "level", "area_code"], how="left", maintain_order="left").drop("measure")
    gap_hidden = (pl.col("_gap_hidden").list.len() > 0).fill_null(False)
    note = "gap computed from a hidden deprivation decile"
    return out.with_columns(
        pl.when(gap_hidden).then(pl.concat_list(pl.col(HIDDEN), pl.col("_gap_hidden"))).otherwise(pl.col(HIDDEN))
        .alias(HIDDEN),
        (pl.col(FLAG) | gap_hidden).alias(FLAG),
        pl.when(gap_hidden).then(pl.concat_str([pl.col(REASON), pl.lit(note)], separator="; ", ignore_nulls=True))
        .otherwise(pl.col(REASON)).alias(REASON),
    ).drop("_gap_hidden")


# --- right drift ----------------------------------------------------------------------------------------------


def disclose_right_drift(drift: pl.DataFrame, links: pl.DataFrame, rule: DisclosureRule) -> pl.DataFrame:
    """England's row is published (a national total); the system's and footprints' go through disclosure."""
    frame = drift.sort("measure", "financial_year", "level", "area_code")
    local = frame.filter(pl.col("level") != "england")
    disclosed = apply_disclosure(local, DRIFT_SPEC, rule,
                                 hierarchy_groups(local, links, by=["measure", "financial_year"]))
    england = frame.filter(pl.col("level") == "england").with_columns(
        pl.lit(False).alias(FLAG), pl.lit(None, pl.String).alias(REASON),
        pl.lit([], pl.List(pl.String)).alias(HIDDEN))
    return pl.concat([england, disclosed], how="diagonal_relaxed").sort(
        "measure", pl.col("level").replace_strict({"england": 0, "system": 1}, default=2), "area_code",
        "financial_year")


# --- definitions ----------------------------------------------------------------------------------------------


def definitions(catalogue, values: pl.DataFrame) -> pl.DataFrame:
    """One row per indicator: the catalogue's definition (or, without a catalogue, what the mart says)."""
    if catalogue is None:
        return values.select("indicator_id", "indicator_name", "unit", "method").unique(maintain_order=True)
    rows = []
    for i in catalogue.indicators:
        rows.append({
            "indicator_id": i.id,
            "family": i.family.replace("_", " "),
            "indicator_name": i.name,
            "definition": i.definition,
            "numerator": i.numerator.description or i.numerator.id,
            "denominator": (i.denominator.description or i.denominator.id) if i.denominator else None,
            "method": i.method,
            "multiplier": i.multiplier,
            "unit": i.unit,
            "polarity": i.polarity.replace("_", " "),
            "levels": ", ".join(lvl for lvl in i.levels if lvl in PUBLISHED_LEVELS),
            "period_type": i.period_type.replace("_", " "),
            "source": i.source,
            "caveats": i.caveats,
        })
    return pl.DataFrame(rows)


# --- everything -----------------------------------------------------------------------------------------------


def build_tables(marts: dict[str, pl.DataFrame], profile: Profile, catalogue=None,
                 rule: DisclosureRule | None = None) -> CommissionerTables:
    """Apply disclosure control to every indicator mart and assemble the commissioner tables."""
    rule = rule or DisclosureRule.from_profile(profile)
    links = area_links(marts["dim_areas"])
    gradients = disclose_gradients(marts["fct_deprivation_gradients"], links, rule)
    inequality = disclose_inequality(marts["fct_inequality_summary"], gradients)
    indicators = disclose_indicators(count_units(marts["fct_indicator_values"], catalogue), links, rule)

    polarity: dict[str, str | None] = {}
    measures: dict[str, str] = {}
    sii: dict[str, tuple[str, str]] = {}
    quantile_type = "national_decile"
    order: list[str] = []
    if catalogue is not None:
        quantile_type = catalogue.settings.sii_indicator_quantile
        for i in catalogue.indicators:
            order.append(i.id)
            polarity[i.id] = None if i.polarity == "no_polarity" else i.polarity
            if i.measure and i.family == "demand":
                measures[i.id] = i.measure
            if i.method == "sii" and i.measure:
                sii[i.id] = (i.measure, i.options.get("quantile", quantile_type))
    indicators = hide_sii_rows(indicators, inequality, sii)
    indicators = add_trend(indicators, polarity)
    indicators = add_gap(indicators, inequality, measures, quantile_type)
    rank = {iid: n for n, iid in enumerate(order)}
    indicators = indicators.with_columns(
        pl.col("indicator_id").replace_strict(rank, default=len(rank), return_dtype=pl.Int32).alias("_order")
    ).sort("_order", "level", "area_name", "area_code", "period").drop("_order")
    return CommissionerTables(
        indicators=indicators,
        gradients=gradients,
        inequality=inequality,
        right_drift=disclose_right_drift(marts["fct_right_drift"], links, rule),
        definitions=definitions(catalogue, marts["fct_indicator_values"]),
        profile=profile,
        rule=rule,
        unavailable=unavailable_rows(marts.get("fct_indicator_availability")),
    )


def unavailable_rows(availability: pl.DataFrame | None) -> pl.DataFrame:
    """The published levels of each indicator the profile's data do not allow, with the reason."""
    columns = ["indicator_id", "indicator_name", "level", "missing_inputs", "reason"]
    if availability is None or availability.is_empty():
        return pl.DataFrame(schema={c: pl.String for c in columns})
    return (availability.filter(~pl.col("available"), pl.col("level").is_in(["england", *PUBLISHED_LEVELS]))
            .select(columns).sort("indicator_id", "level"))


def hidden_count(frame: pl.DataFrame) -> int:
    """How many cells of a disclosed frame are hidden."""
    return int(np.sum(frame[HIDDEN].list.len().to_numpy())) if HIDDEN in frame.columns else 0
