"""JSNA indicators in the OHID Fingertips export layout, for England and each local authority of the ICB.

A mix of the kinds Fingertips publishes: life expectancies (value and limits, no count), directly
standardised rates (count, denominator, Dobson-style limits), proportions (Wilson limits), a crude rate
(Poisson limits) and a score without limits. Local authority values follow their deprivation; limits come from
`pipelines.stats`, and the comparison with England from the 95% limits, as Fingertips does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from demo import contract
from demo.deprivation import Deprivation
from demo.periods import stream
from demo.population import Population
from demo.world import World
from demo.writers import fixed
from pipelines.stats import poisson_limits, wilson_limits

REGION_CODE, REGION_NAME = "E12990001", "North West region (statistical)"
AREA_TYPES = {"UA": "Counties & UAs (from Apr 2023)", "D": "Districts & UAs (from Apr 2023)",
              "MD": "Counties & UAs (from Apr 2023)", "LB": "Counties & UAs (from Apr 2023)"}  # fmt: skip
SUPPRESSED = "Value suppressed for disclosure control due to small count"
DOBSON_VARIANCE_INFLATION = 1.1  # variance of a DSR relative to a crude rate with the same count


@dataclass(frozen=True)
class Indicator:
    id: int
    name: str
    kind: str  # le | dsr | prop | crude | score
    sexes: tuple[str, ...]
    age: str
    periods: str  # 3y | fy | cy | school | imd
    england: dict[str, float]  # sex -> England value in the first period
    trend: float  # per period: additive (le) or relative (others)
    gradient: float  # per unit of deprivation z: additive (le), log (dsr, crude), logit (prop)
    noise: float
    polarity: str  # higher | lower | none (which direction is better)
    ages: tuple[int, int] = (0, 90)  # denominator ages
    sample: int = 0  # survey sample size per local authority (proportions from surveys)


INDICATORS = (
    Indicator(90366, "Life expectancy at birth", "le", ("Male", "Female"), "All ages", "3y",
              {"Male": 79.6, "Female": 83.2}, 0.05, -1.6, 0.4, "higher"),
    Indicator(90362, "Healthy life expectancy at birth", "le", ("Male", "Female"), "All ages", "3y",
              {"Male": 63.1, "Female": 63.9}, -0.1, -3.5, 1.2, "higher"),
    Indicator(108, "Under 75 mortality rate from all causes", "dsr", ("Persons",), "<75 yrs", "3y",
              {"Persons": 330.0}, 0.005, 0.22, 0.05, "lower", ages=(0, 74)),
    Indicator(22401, "Emergency hospital admissions due to falls in people aged 65 and over", "dsr", ("Persons",),
              "65+ yrs", "fy", {"Persons": 2200.0}, -0.01, 0.08, 0.08, "lower", ages=(65, 90)),
    Indicator(92906, "Admission episodes for alcohol-related conditions (Narrow)", "dsr", ("Persons",),
              "All ages", "fy", {"Persons": 500.0}, 0.0, 0.18, 0.08, "lower"),
    Indicator(41001, "Suicide rate", "dsr", ("Persons",), "10+ yrs", "3y", {"Persons": 10.2}, 0.01, 0.12, 0.10,
              "lower", ages=(10, 90)),
    Indicator(92443, "Smoking Prevalence in adults (18+) - current smokers (APS)", "prop", ("Persons",), "18+ yrs",
              "cy", {"Persons": 14.4}, -0.04, 0.15, 0.15, "lower", ages=(18, 90), sample=600),
    Indicator(93014, "Percentage of physically active adults", "prop", ("Persons",), "19+ yrs", "fy",
              {"Persons": 66.0}, 0.0, -0.12, 0.10, "higher", ages=(19, 90), sample=500),
    Indicator(20601, "Reception prevalence of obesity (including severe obesity)", "prop", ("Persons",), "4-5 yrs",
              "school", {"Persons": 9.7}, 0.01, 0.15, 0.08, "lower", ages=(4, 4)),
    Indicator(20602, "Year 6 prevalence of obesity (including severe obesity)", "prop", ("Persons",), "10-11 yrs",
              "school", {"Persons": 20.2}, 0.01, 0.15, 0.06, "lower", ages=(10, 10)),
    Indicator(20401, "Under 18s conception rate / 1,000", "crude", ("Female",), "<18 yrs", "cy", {"Female": 17.0},
              -0.06, 0.30, 0.12, "lower", ages=(15, 17)),
    Indicator(93553, "Deprivation score (IMD 2019)", "score", ("Persons",), "All ages", "imd", {"Persons": 21.7},
              0.0, 0.0, 0.0, "none"),
)  # fmt: skip


def _periods(kind: str) -> list[tuple[str, int, str, int]]:
    """(label, sortable, range, mid-year of the denominator)."""
    if kind == "3y":
        return [(f"{y} - {(y + 2) % 100:02d}", y * 10000, "3y", y + 1) for y in range(2016, 2021)]
    if kind in ("fy", "school"):
        return [(f"{y}/{(y + 1) % 100:02d}", y * 10000, "1y", y) for y in range(2018, 2024)]
    if kind == "cy":
        return [(f"{y}", y * 10000, "1y", y) for y in range(2018, 2024)]
    return [("2019", 20190000, "1y", 2019)]


def _compare(value, lo, hi, england, polarity) -> str:
    if np.isnan(value) or np.isnan(lo) or np.isnan(hi):
        return "Not compared"
    if lo > england:
        return {"higher": "Better", "lower": "Worse"}.get(polarity, "Higher")
    if hi < england:
        return {"higher": "Worse", "lower": "Better"}.get(polarity, "Lower")
    return "Similar"


def _trend_words(values: list[float], spread: float, polarity: str) -> str:
    values = [v for v in values if not np.isnan(v)]
    if len(values) < 5 or np.isnan(spread):
        return "Cannot be calculated"
    change = values[-1] - values[0]
    if abs(change) <= spread:
        return "No significant change"
    up = change > 0
    if polarity == "none":
        return "Increasing" if up else "Decreasing"
    better = up == (polarity == "higher")
    return f"{'Increasing' if up else 'Decreasing'} & getting {'better' if better else 'worse'}"


def write_fingertips(world: World, dep: Deprivation, pop: Population, seed: int, writer) -> dict:
    rng = stream(seed, "fingertips")
    icb = world.icb_lsoas
    las = world.icb_las
    lsoa_la = world.lsoa_la[icb]
    years = pop.years

    def la_pop(la: int | None, year: int, lo: int, hi: int, sex: str) -> float:
        y = min(max(year, years[0]), years[-1])
        if la is None:
            p = pop.england[y]
        else:
            p = pop.icb[y][lsoa_la == la].sum(axis=0)
        s = {"Male": [0], "Female": [1]}.get(sex, [0, 1])
        return float(p[s, lo : hi + 1].sum())

    # deprivation of each LA: population-weighted z and IMD score
    people = pop.icb[years[0]].sum(axis=(1, 2)).astype(float)
    z_la = {la: float(np.average(dep.z[icb][lsoa_la == la], weights=people[lsoa_la == la])) for la in las}
    score_la = {la: float(np.average(dep.imd_score[icb][lsoa_la == la], weights=people[lsoa_la == la])) for la in las}
    areas = [(None, "E92000001", "England", "England", "", "")] + [
        (la, world.la_code[la], world.la_name[la], AREA_TYPES[world.la_kind[la]], REGION_CODE, REGION_NAME)
        for la in sorted(las, key=lambda i: world.la_code[i])
    ]

    rows = []
    for ind in INDICATORS:
        periods = _periods(ind.periods)
        for sex in ind.sexes:
            england_values = []
            for t, (_, _, _, year) in enumerate(periods):
                base = ind.england[sex]
                england_values.append(base + ind.trend * t if ind.kind == "le" else base * (1 + ind.trend) ** t)
            for la, code, name, area_type, parent_code, parent_name in areas:
                persistent = 0.0 if la is None else rng.normal(0, ind.noise)
                z = 0.0 if la is None else z_la[la]
                series = []
                for t, (label, sortable, span, year) in enumerate(periods):
                    e_value = england_values[t]
                    jitter = 0.0 if la is None else rng.normal(0, ind.noise / 3)
                    years_in = 3 if span == "3y" else 1
                    denom = la_pop(la, year, *ind.ages, sex) * years_in
                    value = lo95 = hi95 = lo998 = hi998 = np.nan
                    count = denominator = np.nan
                    note = ""
                    if ind.kind == "le":
                        value = e_value + ind.gradient * z + persistent + jitter
                        se = 0.04 if la is None else (0.9 if "Healthy" in ind.name else 0.35)
                        lo95, hi95 = value - 1.96 * se, value + 1.96 * se
                        lo998, hi998 = value - 3.0902 * se, value + 3.0902 * se
                    elif ind.kind == "score":
                        value = 21.7 if la is None else score_la[la]
                    elif ind.kind == "dsr":
                        age_factor = 1.0 if la is None else float(np.exp(rng.normal(0, 0.04)))
                        expected = e_value * np.exp(ind.gradient * z + persistent + jitter) * denom / 1e5
                        observed = float(rng.poisson(expected * age_factor))
                        count, denominator = observed, round(denom)
                        value = observed / age_factor / denom * 1e5
                        for conf, (a, b) in ((0.95, (0, 1)), (0.998, (2, 3))):
                            lo, hi = poisson_limits(observed, conf)
                            k = np.sqrt(DOBSON_VARIANCE_INFLATION)
                            lim = (value * (1 + k * (lo - observed) / max(observed, 1)),
                                   value * (1 + k * (hi - observed) / max(observed, 1)))  # fmt: skip
                            lo95, hi95 = (lim if conf == 0.95 else (lo95, hi95))
                            lo998, hi998 = (lim if conf == 0.998 else (lo998, hi998))
                    elif ind.kind == "prop":
                        p = e_value / 100
                        logit = np.log(p / (1 - p)) + ind.gradient * z + persistent + jitter
                        p = 1 / (1 + np.exp(-logit))
                        n = (ind.sample * (250 if la is None else 1)) if ind.sample else round(denom * 0.95)
                        x = float(rng.binomial(int(n), p))
                        count, denominator = x, float(n)
                        value = 100 * x / n
                        lo95, hi95 = (100 * v for v in wilson_limits(x, n, 0.95))
                        lo998, hi998 = (100 * v for v in wilson_limits(x, n, 0.998))
                    elif ind.kind == "crude":
                        expected = e_value * np.exp(ind.gradient * z + persistent + jitter) * denom / 1000
                        observed = float(rng.poisson(expected))
                        count, denominator = observed, round(denom)
                        value = observed / denom * 1000
                        lo95, hi95 = (v / denom * 1000 for v in poisson_limits(observed, 0.95))
                        lo998, hi998 = (v / denom * 1000 for v in poisson_limits(observed, 0.998))
                    if not np.isnan(count) and count < 5 and la is not None:
                        value = lo95 = hi95 = lo998 = hi998 = count = np.nan
                        note = SUPPRESSED
                    series.append((value, hi95 - lo95))
                    rows.append({
                        "Indicator ID": ind.id, "Indicator Name": ind.name, "Parent Code": parent_code,
                        "Parent Name": parent_name, "Area Code": code, "Area Name": name, "Area Type": area_type,
                        "Sex": sex, "Age": ind.age, "Category Type": "", "Category": "", "Time period": label,
                        "Value": float(value), "Lower CI 95.0 limit": float(lo95), "Upper CI 95.0 limit": float(hi95),
                        "Lower CI 99.8 limit": float(lo998), "Upper CI 99.8 limit": float(hi998),
                        "Count": float(count), "Denominator": float(denominator), "Value note": note,
                        "Recent Trend": "",
                        "Compared to England value or percentiles": "Not compared" if la is None
                        else _compare(value, lo95, hi95, england_values[t] if ind.kind != "score" else np.nan,
                                      ind.polarity),
                        "Compared to percentiles": "Not compared", "Time period Sortable": sortable,
                        "New data": "", "Compared to goal": "", "Time period range": span,
                    })  # fmt: skip
                rows[-1]["Recent Trend"] = _trend_words([v for v, _ in series], series[-1][1], ind.polarity)

    frame = pl.DataFrame(rows)
    floats = ["Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit"]
    frame = frame.with_columns(
        [fixed(frame[c].to_numpy(), 3).alias(c) for c in floats]
        + [fixed(frame[c].to_numpy(), 0).alias(c) for c in ("Count", "Denominator")]
    )
    empty = ["Parent Code", "Parent Name", "Category Type", "Category", "Value note", "Recent Trend", "New data",
             "Compared to goal"]  # fmt: skip
    frame = frame.with_columns([pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in empty])
    frame = frame.select(contract.FINGERTIPS_COLUMNS)
    writer.csv(contract.FINGERTIPS, frame, contract.FINGERTIPS_COLUMNS)
    return {"indicators": len(INDICATORS), "areas": len(areas), "rows": frame.height}
