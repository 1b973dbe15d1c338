"""Indicator marts: the Integrated Needs Assessment's indicators, computed from the catalogue.

`config/indicators.yaml` (loaded by `pipelines.indicators.catalogue`) says what to compute; the SQL in
`assets/sql/indicators/` aggregates the marts to areas (system, footprint, neighbourhood by GP-registration
shares, local authority, LSOA) and to deprivation quantiles; `pipelines.indicators.compute` applies the
statistics of `pipelines.stats`. Each mart's columns come from its pandera model in `schemas/indicators.py`
(DDL generated from it); each is validated against it (blocking) and carries reconciliation checks
(`assets/sql/indicators/checks/`). Each asset comes from the one table factory, `assets/tables.py`.
Docs: `docs/indicators.md`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandera.errors as pa_errors
import polars as pl

from assets.common import MartCheck
from assets.marts import MART_TABLES
from assets.tables import TableRun, TableSpec, table_asset
from pipelines.indicators import compute
from pipelines.indicators.availability import PERIOD_COLUMNS, availability, coverage_sql
from pipelines.indicators.catalogue import Catalogue
from pipelines.sql import SqlChain
from schemas.entities import ENTITIES
from schemas.indicators import INDICATOR_MODELS, WeightedPopulationFile

def read_weighted_population(raw_dir: Path, catalogue: Catalogue) -> pl.DataFrame | None:
    """The optional supplied weighted population (None when the catalogue names no file or it is absent)."""
    name = catalogue.settings.weighted_population_file
    if not name:
        return None
    path = Path(raw_dir) / name
    if not path.exists():
        return None
    frame = pl.read_csv(path, schema_overrides={"area_code": pl.String, "financial_year": pl.String,
                                                "weighted_population": pl.Float64})
    try:
        return WeightedPopulationFile.validate(frame, lazy=True)
    except pa_errors.SchemaErrors as exc:
        raise ValueError(f"{path}: does not match WeightedPopulationFile:\n{exc.failure_cases.head(20)}") from exc


# ------------------------------------------------------------------------------------------- the four builds


def build_availability(con: duckdb.DuckDBPyConnection, run: TableRun) -> pl.DataFrame:
    """Declared availability (inputs x the profile's sources), then data coverage: a level with no rows."""
    counts = {(i, level): n for i, level, n in con.execute(
        "SELECT indicator_id, level, count(*) FROM marts.fct_indicator_values GROUP BY ALL").fetchall()}
    staged = {name for (name,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'staging'").fetchall()}
    coverage = {name: con.execute(coverage_sql(ENTITIES[name].table, column)).fetchone()[0]
                for name, column in PERIOD_COLUMNS.items() if ENTITIES[name].table in staged}
    return availability(run.catalogue, run.profile, counts, coverage)


def build_right_drift(con: duckdb.DuckDBPyConnection, run: TableRun) -> None:
    if not run.held.by_method("growth"):
        return
    SqlChain(con, run.params).insert("marts.fct_right_drift", "indicators/right_drift")


def build_deprivation_gradients(con: duckdb.DuckDBPyConnection, run: TableRun) -> None:
    if not run.held.by_method("sii"):
        return
    chain = SqlChain(con, run.params)
    rows = compute.quantile_rows(chain.frame("indicators/activity_by_quantile"),
                                 chain.frame("indicators/population_by_quantile"))
    gradients = compute.deprivation_gradients(rows, run.catalogue.settings)
    con.register("gradient_rows", gradients.to_arrow())
    chain.insert("marts.fct_deprivation_gradients", "indicators/fct_deprivation_gradients")
    con.unregister("gradient_rows")


def build_inequality_summary(con: duckdb.DuckDBPyConnection, run: TableRun) -> None:
    gradients = con.execute("SELECT * FROM marts.fct_deprivation_gradients").pl()
    if gradients.is_empty():
        return
    summary = compute.inequality_summary(gradients.drop("area_name"), run.catalogue.settings)
    con.register("inequality_rows", summary.to_arrow())
    SqlChain(con, run.params).insert("marts.fct_inequality_summary", "indicators/fct_inequality_summary")
    con.unregister("inequality_rows")


def indicator_values(con, params, catalogue: Catalogue, weighted_file: pl.DataFrame | None) -> pl.DataFrame:
    """Every catalogue indicator's rows (before area names), from the marts and the other indicator marts."""
    chain = SqlChain(con, params)
    parts = []
    demand = catalogue.by_method("crude_rate", "dsr", "isr", "per_weighted_capita")
    demand = [i for i in demand if i.numerator.kind == "activity"]
    if demand:
        rows = chain.frame("indicators/activity_by_age_sex")
        reference = chain.frame("indicators/england_rates")
        weighted = None
        if weighted_file is not None:
            con.register("weighted_population_file", weighted_file.to_arrow())
            weighted = chain.frame("indicators/weighted_population_areas")
            con.unregister("weighted_population_file")
        parts.append(compute.activity_indicators(rows, reference, demand, catalogue.settings, weighted))
    deprivation = [i for i in catalogue.by_family("deprivation") if i.numerator.kind != "practice_imd_score"]
    if deprivation:  # LSOA-based (deprivation_by_area.sql); practice-based below
        parts.append(compute.deprivation_indicators(chain.frame("indicators/deprivation_by_area"), deprivation))
    by_practice = [i for i in catalogue.by_family("deprivation") if i.numerator.kind == "practice_imd_score"]
    if by_practice:
        parts.append(compute.practice_deprivation_indicators(
            chain.frame("indicators/practice_deprivation_by_area"), by_practice))
    workforce = catalogue.by_method("ratio_per_population")
    if workforce:
        unweighted = [i for i in workforce if i.denominator.kind == "registered_patients"]
        weightings = sorted({i.denominator.weighting_measure for i in workforce} - {None})
        for n, weighting in enumerate(weightings or [None]):
            chain.run("indicators/practice_weighted_patients", weighting_measure=weighting or "ae_attendances_all")
            rows = chain.frame("indicators/workforce_by_area")
            chosen = [i for i in workforce if i.denominator.kind == "weighted_registered_patients"
                      and i.denominator.weighting_measure == weighting]
            parts.append(compute.workforce_indicators(rows, chosen + (unweighted if n == 0 else []),
                                                      weighted_by=weighting))
    jsna = catalogue.by_family("jsna")
    if jsna:
        parts.append(compute.jsna_indicators(chain.frame("indicators/jsna_published"),
                                             chain.frame("indicators/jsna_aggregates"), jsna))
    sii = catalogue.by_method("sii")
    if sii:
        summary = con.execute("SELECT * FROM marts.fct_inequality_summary").pl()
        gradients = con.execute(
            "SELECT measure, financial_year, period, level, area_code, quantile_type, activity, population "
            "FROM marts.fct_deprivation_gradients").pl()
        parts.append(compute.sii_indicators(summary, gradients, sii, catalogue.settings))
    growth = [i for i in catalogue.by_method("growth") if i.numerator.kind == "activity"]
    if growth:
        parts.append(compute.growth_indicators(con.execute("SELECT * FROM marts.fct_right_drift").pl(), growth))
    published = [i for i in catalogue.by_method("growth") if i.numerator.kind == "published_ae_activity"]
    if published:
        parts.append(compute.published_growth_indicators(
            con.execute("SELECT * FROM marts.fct_ae_published_growth").pl(), published, params))
    return compute.finalise(pl.concat(parts), catalogue)


def build_indicator_values(con: duckdb.DuckDBPyConnection, run: TableRun) -> None:
    held = run.held
    values = indicator_values(con, run.params, held, read_weighted_population(run.raw_dir, held))
    con.register("indicator_rows", values.to_arrow())
    SqlChain(con, run.params).insert("marts.fct_indicator_values", "indicators/fct_indicator_values")
    con.unregister("indicator_rows")


# ------------------------------------------------------------------------------------------- the tables

_ACTIVITY_INPUTS = tuple(f"marts.{t}" for t in (
    "dim_geography", "dim_areas", "dim_practices", "fct_activity", "fct_population", "fct_england_activity",
    "fct_england_population", "fct_practice_lsoa_registrations"))


def _indicators(name: str, upstream: tuple[str, ...], build, checks: tuple[MartCheck, ...] = (),
                serves: tuple[str, ...] = ()) -> TableSpec:
    return TableSpec("indicators", name, tuple(u if "." in u else f"marts.{u}" for u in upstream),
                     INDICATOR_MODELS[name], build, checks, serves)


INDICATOR_TABLES: tuple[TableSpec, ...] = (
    _indicators(
        "fct_right_drift", _ACTIVITY_INPUTS, build_right_drift,
        (MartCheck("footprints_sum_to_the_system", "Footprints' activity sums to the system's, every measure and year"),
         MartCheck("system_matches_fct_activity", "The system's activity equals marts.fct_activity's total")),
        serves=("growth",),
    ),
    _indicators(
        "fct_deprivation_gradients", (*_ACTIVITY_INPUTS, "dim_lsoa_deprivation"), build_deprivation_gradients,
        (MartCheck("quantiles_sum_to_the_system",
                   "For every quantile set, the system's quantiles sum to marts.fct_activity's total"),),
        serves=("sii",),
    ),
    _indicators(
        "fct_inequality_summary", ("fct_deprivation_gradients", "dim_areas", "dim_practices"),
        build_inequality_summary,
        (MartCheck("system_has_an_sii_every_measure_and_year",
                   "The system has an SII on national deciles for every measure and year", blocking=False),),
        serves=("sii",),
    ),
    _indicators(
        "fct_indicator_values",
        (*_ACTIVITY_INPUTS, "dim_lsoa_deprivation", "fct_gp_workforce", "fct_england_gp_workforce",
         "fct_registered_patients", "fct_jsna_indicator_values", "fct_right_drift", "fct_inequality_summary",
         "fct_deprivation_gradients", "fct_ae_published_growth", "fct_practice_deprivation"),
        build_indicator_values,
        (MartCheck("footprints_sum_to_the_system", "Footprints' numerators sum to the system's (activity counts)",
                   serves=("crude_rate",)),
         MartCheck("neighbourhoods_sum_to_the_system",
                   "Neighbourhoods' numerators sum to the system's within rounding of fractional shares",
                   serves=("crude_rate",)),
         MartCheck("system_matches_fct_activity", "System crude-rate numerators equal marts.fct_activity's totals",
                   serves=("crude_rate",))),
    ),
    _indicators("fct_indicator_availability", ("fct_indicator_values",), build_availability),
)

indicator_assets = [table_asset(spec, (*MART_TABLES, *INDICATOR_TABLES)) for spec in INDICATOR_TABLES]
