"""The indicator catalogue, the compute functions and the indicator SQL, on small hand-built data.

No generated world here: frames and a tiny DuckDB marts file are built in the test, so each number can be
worked out by hand. The demo-world checks are in tests/test_indicators_demo.py.
"""

from __future__ import annotations

import copy
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest
import yaml

from pipelines import stats
from pipelines.config import DEFAULT_PROFILE, load_profile
from pipelines.derived import ESP2013_AGE_BANDS, install_macros
from pipelines.indicators import compute
from pipelines.indicators.catalogue import (
    DEFAULT_CATALOGUE,
    FAMILIES,
    CatalogueError,
    load_catalogue,
    parse_catalogue,
)
from pipelines.sql import insert_select, run_sql
from schemas.ddl import create_table_sql
from schemas.marts import MART_MODELS

CATALOGUE = load_catalogue()
SETTINGS = CATALOGUE.settings


# ------------------------------------------------------------------------------------------------ catalogue


def raw_catalogue() -> dict:
    return yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))


def test_catalogue_covers_the_six_families_with_unique_ids():
    assert {i.family for i in CATALOGUE.indicators} == set(FAMILIES)
    ids = [i.id for i in CATALOGUE.indicators]
    assert len(ids) == len(set(ids))
    for indicator in CATALOGUE.indicators:
        assert indicator.name and indicator.definition and indicator.unit and indicator.source, indicator.id
    measures = {i.measure for i in CATALOGUE.by_family("demand")}
    assert measures == {"ae_attendances_all", "ae_attendances_type1", "emergency_admissions", "emergency_bed_days"}
    assert {i.method for i in CATALOGUE.by_family("demand")} == {"crude_rate", "dsr", "isr", "per_weighted_capita"}


def _edit(change) -> dict:
    raw = raw_catalogue()
    change(raw)
    return raw


def _indicator(raw: dict, indicator_id: str) -> dict:
    return next(i for i in raw["indicators"] if i["id"] == indicator_id)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: _indicator(r, "emergency_admissions_dsr").update(method="dsr_magic"), "method 'dsr_magic'"),
        (lambda r: _indicator(r, "emergency_admissions_dsr").update(levels=["lsoa"]), "cannot be published at level"),
        (lambda r: _indicator(r, "emergency_admissions_dsr").update(polarity="up"), "polarity 'up'"),
        (lambda r: _indicator(r, "emergency_admissions_dsr").update(numerator={"measure": "nope"}), "unknown measure"),
        (lambda r: _indicator(r, "emergency_admissions_dsr").pop("unit"), "missing field 'unit'"),
        (lambda r: r["indicators"].append(copy.deepcopy(r["indicators"][0])), "declared twice"),
        (lambda r: _indicator(r, "gp_fte_qualified_per_100k").update(
            denominator={"measure": "resident_population"}), "needs a denominator"),
        (lambda r: r["measures"]["gp_fte_all"].update(column="gp_fte_everything"), "column must be one of"),
        (lambda r: _indicator(r, "jsna_reception_obesity").update(options={}), "options.fingertips_id"),
    ],
)
def test_a_malformed_catalogue_is_refused_naming_the_indicator_and_field(change, message):
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(_edit(change), "indicators.yaml")


def test_the_catalogue_is_read_once_and_again_when_its_file_changes(tmp_path):
    path = tmp_path / "indicators.yaml"
    path.write_text(DEFAULT_CATALOGUE.read_text(encoding="utf-8"), encoding="utf-8")
    first = load_catalogue(path)
    assert load_catalogue(path) is first  # asked for at every mart and output of a run: parsed once
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    _indicator(raw, "emergency_admissions_dsr").update(method="dsr_magic")
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(CatalogueError, match="method 'dsr_magic'"):
        load_catalogue(path)  # an edited file is read again
    path.unlink()
    with pytest.raises(CatalogueError, match="indicator catalogue not found"):
        load_catalogue(path)


def test_adding_an_indicator_is_a_catalogue_edit():
    def add(raw):
        new = copy.deepcopy(_indicator(raw, "emergency_admissions_crude_rate"))
        new.update(id="emergency_admissions_per_100k", multiplier=100_000, unit="per 100,000 residents")
        raw["indicators"].append(new)

    catalogue = parse_catalogue(_edit(add), "edited.yaml")
    new = catalogue.get("emergency_admissions_per_100k")
    rows = activity_rows()
    out = compute.activity_indicators(rows, england_reference(), [new], catalogue.settings)
    system = out.filter(pl.col("level") == "system").row(0, named=True)
    assert system["value"] == pytest.approx(system["numerator"] / system["denominator"] * 100_000)


# ------------------------------------------------------------------------------------------------ compute

BANDS = ["0-4", "85-89"]


def activity_rows(system_factor: float = 2.0, small: bool = False) -> pl.DataFrame:
    """England and a system (+ one footprint) in FY2023/24: 2 age bands x 2 sexes, plus events of unknown sex.

    England's rate is 0.01 a head in 0-4 and 0.1 in 85-89; the system's is `system_factor` times that.
    """
    rows = []
    for level, area, factor, pop in [("england", "E92000001", 1.0, 100_000.0), ("system", "S1", system_factor, 1000.0),
                                     ("footprint", "F1", system_factor, 1000.0)]:
        for band, rate in [("0-4", 0.01), ("85-89", 0.1)]:
            for sex in ["M", "F"]:
                count = 1.0 if small else rate * factor * pop
                rows.append((level, area, 2023, "2023/24", "emergency_admissions", band, sex, count, pop))
        rows.append((level, area, 2023, "2023/24", "emergency_admissions", "85-89", "U", 0.0 if small else 4.0, 0.0))
    return pl.DataFrame(rows, orient="row", schema={
        "level": pl.String, "area_code": pl.String, "financial_year": pl.Int32, "period": pl.String,
        "measure": pl.String, "age_band": pl.String, "sex": pl.String, "activity": pl.Float64,
        "population": pl.Float64})


def england_reference() -> pl.DataFrame:
    rows = activity_rows().filter(pl.col("level") == "england", pl.col("sex") != "U")
    return rows.select("financial_year", "measure", "age_band", "sex", pl.col("activity").alias("ref_count"),
                       pl.col("population").alias("ref_population"))


def by_method(method: str, small: bool = False, weighted: pl.DataFrame | None = None) -> dict[str, dict]:
    indicator = CATALOGUE.get(f"emergency_admissions_{method}")
    out = compute.activity_indicators(activity_rows(small=small), england_reference(), [indicator], SETTINGS, weighted)
    out = compute.finalise(out, CATALOGUE)
    return {row["level"]: row for row in out.iter_rows(named=True)}


def test_crude_rate_counts_events_of_unknown_sex_and_uses_the_stats_limits():
    rows = by_method("crude_rate")
    system = rows["system"]
    assert system["numerator"] == 2 * (20 + 200) + 4 == 444
    assert system["denominator"] == 4000
    expected = stats.crude_rate(pl.DataFrame({"o": [444.0], "n": [4000.0]}), count="o", denominator="n",
                                multiplier=1000)
    assert system["value"] == pytest.approx(111.0)
    assert system["lower_ci_95"] == pytest.approx(expected["lower_ci_95"][0])
    assert system["england_value"] == pytest.approx(rows["england"]["value"])
    assert system["comparison_95"] == "worse" and rows["england"]["comparison_95"] == "not_compared"


def test_isr_uses_england_age_sex_rates_and_reports_expected_and_excess():
    rows = by_method("isr")
    system = rows["system"]
    assert system["expected"] == pytest.approx(2 * (10 + 100))  # England's rates on the system's population
    assert system["numerator"] == 444  # observed includes the 4 events of unknown sex
    assert system["value"] == pytest.approx(444 / 220 * 100)
    assert system["excess"] == pytest.approx(224)
    assert system["england_value"] == 100
    england = rows["england"]
    assert england["value"] == pytest.approx((22_000 + 4) / 22_000 * 100)


def test_per_weighted_capita_is_observed_over_expected_times_england_rate():
    rows = by_method("per_weighted_capita")
    system, isr = rows["system"], by_method("isr")["system"]
    assert system["value"] / system["england_value"] == pytest.approx(isr["value"] / 100)
    assert system["england_value"] == pytest.approx(22_000 / 400_000 * 1000)
    assert system["method"] == "per_weighted_capita"


def test_per_weighted_capita_uses_a_supplied_weighted_population_where_given():
    weighted = pl.DataFrame({"level": ["system"], "area_code": ["S1"], "financial_year": [2023],
                             "weighted_population": [5000.0]}, schema_overrides={"financial_year": pl.Int32})
    rows = by_method("per_weighted_capita", weighted=weighted)
    assert rows["system"]["method"] == "per_supplied_weighted_capita"
    assert rows["system"]["value"] == pytest.approx(444 / 5000 * 1000)
    assert rows["footprint"]["method"] == "per_weighted_capita"  # not in the file: England's age-sex rates


def test_a_dsr_on_fewer_than_10_events_is_withheld_but_keeps_its_count():
    rows = by_method("dsr", small=True)
    system = rows["system"]
    assert system["numerator"] == 4 and system["value"] is None
    assert system["suppressed"] and "10" in system["suppression_reason"]
    assert system["comparison_95"] == "not_compared"
    assert not by_method("dsr")["system"]["suppressed"]


@pytest.mark.parametrize(
    "polarity, value, expected",
    [("higher_is_worse", 120.0, "worse"), ("higher_is_worse", 80.0, "better"), ("higher_is_better", 80.0, "worse"),
     ("no_polarity", 120.0, "higher"), ("higher_is_worse", 101.0, "similar")],
)
def test_comparison_with_england_follows_the_polarity(polarity, value, expected):
    raw = raw_catalogue()
    _indicator(raw, "emergency_admissions_isr")["polarity"] = polarity
    catalogue = parse_catalogue(raw)
    row = compute.empty_values().vstack(pl.DataFrame([{
        "indicator_id": "emergency_admissions_isr", "level": "system", "area_code": "S1", "period": "2023/24",
        "period_type": "financial_year", "value": value, "lower_ci_95": value - 5, "upper_ci_95": value + 5,
        "lower_ci_99_8": value - 8, "upper_ci_99_8": value + 8, "method": "isr", "england_value": 100.0,
        "suppressed": False}], schema=compute.VALUE_COLUMNS))
    out = compute.finalise(row, catalogue).row(0, named=True)
    assert out["comparison_95"] == expected


def gradient_rows(missing_decile: int | None = None) -> pl.DataFrame:
    """One area, 10 national deciles, rates falling from decile 1 (most deprived) to 10; optional empty decile."""
    rows = []
    for decile in range(1, 11):
        for band in ESP2013_AGE_BANDS:
            events = 0.0 if decile == missing_decile else float(40 - 3 * decile)
            rows.append(("system", "S1", 2023, "2023/24", 2019, "emergency_admissions", "national_decile", decile,
                         band, events, 1000.0))
    return pl.DataFrame(rows, orient="row", schema={
        "level": pl.String, "area_code": pl.String, "financial_year": pl.Int32, "period": pl.String,
        "imd_edition": pl.Int32, "measure": pl.String, "quantile_type": pl.String, "quantile": pl.Int32,
        "age_band": pl.String, "activity": pl.Float64, "population": pl.Float64})


def test_sii_is_positive_when_the_more_deprived_use_more():
    gradients = compute.deprivation_gradients(gradient_rows(), SETTINGS)
    assert gradients.height == 10 and not gradients["suppressed"].any()
    summary = compute.inequality_summary(gradients, SETTINGS).row(0, named=True)
    assert summary["sii_computed"] and summary["n_quantiles_populated"] == 10
    assert 0 < summary["sii_lower_ci_95"] < summary["sii"] < summary["sii_upper_ci_95"]
    assert summary["rii"] > 1
    assert summary["rate_ratio"] == pytest.approx(37 / 10)
    assert summary["most_deprived_rate"] - summary["least_deprived_rate"] == pytest.approx(summary["rate_gap"])


def test_no_sii_when_a_quantile_has_no_rate_and_the_row_says_why():
    gradients = compute.deprivation_gradients(gradient_rows(missing_decile=4), SETTINGS)
    summary = compute.inequality_summary(gradients, SETTINGS).row(0, named=True)
    assert not summary["sii_computed"] and summary["sii"] is None
    assert summary["reason"].startswith("only 9 of 10 quantiles have a rate")
    assert summary["rate_ratio"] is not None  # the ends are still there


def test_quantile_rows_keep_activity_without_residents():
    activity = pl.DataFrame({"level": ["system"] * 2, "area_code": ["S1"] * 2, "financial_year": [2023] * 2,
                             "measure": ["emergency_admissions"] * 2, "quantile_type": ["national_decile"] * 2,
                             "quantile": [1, 2], "age_band": ["0-4"] * 2, "activity": [5.0, 3.0]},
                            schema_overrides={"financial_year": pl.Int32, "quantile": pl.Int32})
    population = pl.DataFrame({"level": ["system"], "area_code": ["S1"], "financial_year": [2023],
                               "period": ["2023/24"], "imd_edition": [2019], "quantile_type": ["national_decile"],
                               "quantile": [1], "age_band": ["0-4"], "population": [100.0]},
                              schema_overrides={"financial_year": pl.Int32, "quantile": pl.Int32,
                                                "imd_edition": pl.Int32})
    rows = compute.quantile_rows(activity, population).sort("quantile")
    assert rows["activity"].to_list() == [5.0, 3.0]
    assert rows["population"].to_list() == [100.0, 0.0]
    assert rows["period"].to_list() == ["2023/24", "2023/24"]


def test_deprivation_profile_shares_and_weighted_score():
    rows = pl.DataFrame({
        "level": ["system"] * 3 + ["england"] * 2, "area_code": ["S1"] * 3 + ["E92000001"] * 2,
        "imd_edition": [2019] * 5, "period": ["IMD2019"] * 5, "imd_decile": [1, 2, 9, 1, 10],
        "lsoas": [2.0, 1.0, 1.0, 10.0, 90.0], "residents": [3000.0, 1000.0, 4000.0, 1.0e4, 9.0e4],
        "residents_x_score": [3000.0 * 50, 1000.0 * 40, 4000.0 * 5, 1.0e4 * 50, 9.0e4 * 10],
    }, schema_overrides={"imd_edition": pl.Int32})
    out = compute.deprivation_indicators(rows, CATALOGUE.by_family("deprivation"))
    values = {(r["indicator_id"], r["level"]): r["value"] for r in out.iter_rows(named=True)}
    assert values[("imd_core20_lsoa_share", "system")] == pytest.approx(75)
    assert values[("imd_core20_population_share", "system")] == pytest.approx(50)
    assert values[("imd_decile1_lsoa_share", "england")] == pytest.approx(10)
    assert values[("imd_score_population_weighted", "system")] == pytest.approx((150_000 + 40_000 + 20_000) / 8000)


def test_workforce_per_100k_counts_only_practices_that_reported():
    rows = pl.DataFrame({
        "level": ["system", "england"], "area_code": ["S1", "E92000001"], "month": [None, None],
        "period": ["2024-03"] * 2, "staff_column": ["gp_fte_qualified"] * 2, "fte": [35.0, 30_000.0],
        "registered_patients": [100_000.0, 60_000_000.0], "fte_weighted": [35.0, 30_000.0],
        "weighted_patients": [110_000.0, 60_000_000.0], "practices": [10, None]})
    indicators = [CATALOGUE.get("gp_fte_qualified_per_100k"), CATALOGUE.get("gp_fte_qualified_per_100k_weighted")]
    weighting = indicators[1].denominator.weighting_measure
    out = compute.finalise(compute.workforce_indicators(rows, indicators, weighted_by=weighting), CATALOGUE)
    values = {(r["indicator_id"], r["level"]): r for r in out.iter_rows(named=True)}
    plain = values[("gp_fte_qualified_per_100k", "system")]
    assert plain["value"] == pytest.approx(35.0) and plain["england_value"] == pytest.approx(50.0)
    assert plain["comparison_95"] == "not_compared"  # a census: no limits, no test
    assert values[("gp_fte_qualified_per_100k_weighted", "system")]["value"] == pytest.approx(35 / 1.1)


def test_jsna_aggregates_only_when_every_member_published():
    published = pl.DataFrame({
        "level": ["england", "local_authority"], "area_code": ["E92000001", "L1"], "indicator_id": [20601, 20601],
        "sex": ["Persons"] * 2, "age": ["4-5 yrs"] * 2, "period": ["2023/24"] * 2, "period_sortable": [1, 1],
        "value": [10.0, 12.0], "lower_ci_95": [9.9, 10.0], "upper_ci_95": [10.1, 14.0], "lower_ci_99_8": [9.8, 9.0],
        "upper_ci_99_8": [10.2, 15.0], "count": [1000.0, 120.0], "denominator": [10_000.0, 1000.0],
        "value_note": [None, None]})
    aggregates = pl.DataFrame({
        "level": ["system", "footprint"], "area_code": ["S1", "F1"], "indicator_id": [20601, 20601],
        "sex": ["Persons"] * 2, "age": ["4-5 yrs"] * 2, "period": ["2023/24"] * 2, "period_sortable": [1, 1],
        "count": [300.0, 120.0], "denominator": [2000.0, 1000.0], "n_published": [2, 1], "n_members": [2, 2]})
    out = compute.finalise(compute.jsna_indicators(published, aggregates, [CATALOGUE.get("jsna_reception_obesity")]),
                           CATALOGUE)
    rows = {r["level"]: r for r in out.iter_rows(named=True)}
    assert rows["system"]["value"] == pytest.approx(15) and rows["system"]["method"] == "proportion"
    assert rows["system"]["comparison_95"] == "worse"
    assert rows["footprint"]["suppressed"] and "every member" in rows["footprint"]["suppression_reason"]
    assert rows["local_authority"]["method"] == "published" and rows["local_authority"]["value"] == 12.0


# ------------------------------------------------------------------------------------------------ SQL + assets

SYSTEM = "E54990001"
LSOAS = [f"E01{900000 + i:06d}" for i in range(1, 21)]  # 1-10 in footprint FP1 / LA A, 11-20 in FP2 / LA B


def _decile(i: int) -> int:
    return (i - 1) % 10 + 1


@pytest.fixture
def tiny_marts(tmp_path: Path) -> Path:
    """A marts file with 20 LSOAs in 2 footprints and 2 LAs, 2 PCNs, FY2018 and FY2019 only.

    Registrations (extract April 2019): LSOAs 1-10 are 80% PCN U1 / 20% PCN U2; LSOAs 11-20 100% U2.
    Population: 40 per age band and sex. Emergency admissions: (11 - national decile) per band and sex each
    year, in April; England: 1% a year in every stratum. JSNA: reception obesity for both LAs and England.
    """
    from assets.resources import InaSettings

    profile = load_profile(DEFAULT_PROFILE)
    marts_dir = tmp_path / "marts"
    path = InaSettings(marts_dir=str(marts_dir)).working_database_path  # where runs build
    path.parent.mkdir(parents=True)
    con = install_macros(duckdb.connect(str(path)))
    con.execute("CREATE SCHEMA marts")
    for name, model in MART_MODELS.items():
        con.execute(create_table_sql(model, f"marts.{name}", comments=False))
    lsoas = pl.DataFrame({"lsoa_code": LSOAS, "i": list(range(1, 21))})
    con.register("lsoas", lsoas.to_arrow())
    con.register("bands", pl.DataFrame({"age_band": list(ESP2013_AGE_BANDS)}).to_arrow())
    con.execute(f"""
        INSERT INTO marts.dim_geography BY NAME
        SELECT lsoa_code, 'LSOA ' || i AS lsoa_name, 2011 AS lsoa_vintage,
            CASE WHEN i <= 10 THEN 'E06990001' ELSE 'E06990002' END AS lad_code,
            CASE WHEN i <= 10 THEN 'LA A' ELSE 'LA B' END AS lad_name,
            CASE WHEN i <= 10 THEN 'E38990001' ELSE 'E38990002' END AS sub_icb_code,
            CASE WHEN i <= 10 THEN 'Z0Q' ELSE 'Z0R' END AS sub_icb_nhs_code,
            'Sub-ICB' AS sub_icb_name, CASE WHEN i <= 10 THEN 'FP1' ELSE 'FP2' END AS footprint_code,
            CASE WHEN i <= 10 THEN 'Footprint 1' ELSE 'Footprint 2' END AS footprint_name,
            CASE WHEN i <= 10 THEN 'U1' ELSE 'U2' END AS neighbourhood_code,
            CASE WHEN i <= 10 THEN 'PCN 1' ELSE 'PCN 2' END AS neighbourhood_name,
            CASE WHEN i <= 10 THEN 0.8 ELSE 1.0 END AS neighbourhood_share,
            '{SYSTEM}' AS system_code, 'Tiny ICB' AS system_name, 'test' AS geography_version
        FROM lsoas;
        INSERT INTO marts.dim_lsoa_deprivation BY NAME
        SELECT 2019 AS imd_edition, code AS lsoa_code, 2011 AS lsoa_vintage,
            CASE WHEN n <= 10 THEN 'E06990001' WHEN n <= 20 THEN 'E06990002' ELSE 'E06990099' END AS lad_code,
            n <= 20 AS in_system, 50.0 - 4 * ((n - 1) % 10) AS imd_score, n AS imd_rank,
            (n - 1) % 10 + 1 AS imd_decile, ((n - 1) % 10 + 2) // 2 AS imd_quintile,
            CASE WHEN n <= 20 THEN (n - 1) % 10 + 1 END AS system_imd_decile,
            CASE WHEN n <= 20 THEN ((n - 1) % 10 + 2) // 2 END AS system_imd_quintile,
            1500 AS population
        FROM (SELECT i AS n, 'E01' || lpad(CAST(900000 + i AS VARCHAR), 6, '0') AS code FROM range(1, 101) t(i));
        INSERT INTO marts.fct_population BY NAME
        SELECT lsoa_code, CAST(y AS INTEGER) AS financial_year, age_band, sex, 40 AS population
        FROM lsoas, bands, (VALUES ('M'), ('F')) s(sex), range(2018, 2020) t(y);
        INSERT INTO marts.fct_england_population BY NAME
        SELECT CAST(y AS INTEGER) AS financial_year, age_band, sex, 1000000 AS population
        FROM bands, (VALUES ('M'), ('F')) s(sex), range(2018, 2020) t(y);
        INSERT INTO marts.fct_activity BY NAME
        SELECT lsoa_code, make_date(CAST(y AS INTEGER), 4, 1) AS month, CAST(y AS INTEGER) AS financial_year,
            age_band, sex, 'emergency_admissions' AS measure, 11 - ((i - 1) % 10 + 1) AS activity
        FROM lsoas, bands, (VALUES ('M'), ('F')) s(sex), range(2018, 2020) t(y);
        INSERT INTO marts.fct_england_activity BY NAME
        SELECT CAST(y AS INTEGER) AS financial_year, 'emergency_admissions' AS measure, age_band, sex,
            10000 AS activity
        FROM bands, (VALUES ('M'), ('F')) s(sex), range(2018, 2020) t(y);
        INSERT INTO marts.fct_practice_lsoa_registrations BY NAME
        SELECT practice_code, lsoa_code, DATE '2019-04-01' AS month, pcn AS neighbourhood_code, patients,
            patients / sum(patients) OVER (PARTITION BY lsoa_code) AS lsoa_share
        FROM (SELECT lsoa_code, 'Z90001' AS practice_code, 'U1' AS pcn, 800 AS patients FROM lsoas WHERE i <= 10
              UNION ALL SELECT lsoa_code, 'Z90002', 'U2', 200 FROM lsoas WHERE i <= 10
              UNION ALL SELECT lsoa_code, 'Z90002', 'U2', 1000 FROM lsoas WHERE i > 10);
        INSERT INTO marts.fct_gp_workforce BY NAME
        SELECT practice_code, DATE '2019-03-01' AS month, 'month' AS period_kind, 2018 AS financial_year,
            pcn AS neighbourhood_code,
            fp AS footprint_code, '{SYSTEM}' AS system_code, patients AS registered_patients, fte AS gp_fte_all,
            fte AS gp_fte_qualified, 0.0 AS gp_fte_trainees, 0.0 AS gp_fte_locums, 1.0 AS nurses_fte,
            1.0 AS dpc_fte, 1.0 AS admin_fte
        FROM (VALUES ('Z90001', 'U1', 'FP1', 8000, 4.0), ('Z90002', 'U2', 'FP2', 12000, 5.0))
            p(practice_code, pcn, fp, patients, fte);
        INSERT INTO marts.fct_england_gp_workforce BY NAME
        SELECT DATE '2019-03-01' AS month, 'month' AS period_kind, 2018 AS financial_year, staff_group, fte,
            1000000 AS registered_patients
        FROM (VALUES ('gp_fte_all', 600.0), ('gp_fte_qualified', 500.0), ('gp_fte_trainees', 0.0),
                     ('gp_fte_locums', 0.0), ('nurses_fte', 100.0), ('dpc_fte', 100.0), ('admin_fte', 100.0))
            g(staff_group, fte);
        INSERT INTO marts.fct_registered_patients BY NAME
        SELECT practice_code, DATE '2019-03-01' AS month, 2018 AS financial_year, age_band, sex,
            n AS patients
        FROM (VALUES ('Z90001', 8000 // 38), ('Z90002', 12000 // 38)) p(practice_code, n), bands,
            (VALUES ('M'), ('F')) s(sex);
        INSERT INTO marts.fct_jsna_indicator_values BY NAME
        SELECT 20601 AS indicator_id, 'Reception obesity' AS indicator_name, level, area_code, area_code AS area_name,
            'Persons' AS sex, '4-5 yrs' AS age, NULL AS category_type, NULL AS category, '2018/19' AS period,
            20180000 AS period_sortable, value, value - 1 AS lower_ci_95, value + 1 AS upper_ci_95,
            value - 2 AS lower_ci_99_8, value + 2 AS upper_ci_99_8, count, denominator, NULL AS value_note,
            NULL AS compared_to_england
        FROM (VALUES ('england', 'E92000001', 10.0, 10000.0, 100000.0),
                     ('local_authority', 'E06990001', 12.0, 120.0, 1000.0),
                     ('local_authority', 'E06990002', 8.0, 80.0, 1000.0)) v(level, area_code, value, count, denominator);
    """)
    insert_select(con, "marts.dim_areas", "marts/dim_areas", {"geography_version": "test"})
    con.close()
    assert profile.icb_code == SYSTEM
    return marts_dir


@pytest.fixture
def tiny_built(tiny_marts: Path, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    from assets.indicators import indicator_assets
    from assets.resources import InaSettings, build_resources

    settings = InaSettings(raw_dir=str(tmp_path / "raw"), marts_dir=str(tiny_marts), profile_path=str(DEFAULT_PROFILE))
    supplied = tmp_path / "raw" / SETTINGS.weighted_population_file
    supplied.parent.mkdir(parents=True)
    supplied.write_text("area_code,financial_year,weighted_population\nZ0Q,2018/19,20000\nE38990002,2018/19,10000\n")
    result = dg.materialize(indicator_assets, resources=build_resources(settings),
                            instance=dg.DagsterInstance.ephemeral())
    assert result.success
    blocking_failed = [(e.asset_key.to_user_string(), e.check_name, e.metadata)
                       for e in result.get_asset_check_evaluations()
                       if not e.passed]
    assert not blocking_failed
    con = duckdb.connect(str(settings.working_database_path), read_only=True)
    yield con
    con.close()


def test_area_weights_share_each_lsoa_among_neighbourhoods_by_registrations(tiny_marts: Path):
    from assets.tables import sql_params

    from assets.resources import InaSettings

    con = install_macros(duckdb.connect(str(InaSettings(marts_dir=str(tiny_marts)).working_database_path)))
    run_sql(con, "indicators/area_lsoa_weights", sql_params(load_profile(DEFAULT_PROFILE), CATALOGUE))
    totals = con.execute("SELECT financial_year, lsoa_code, sum(weight) FROM area_lsoa_weights "
                         "WHERE level = 'neighbourhood' GROUP BY ALL").fetchall()
    assert {round(total, 12) for _, _, total in totals} == {1.0}
    assert {year for year, _, _ in totals} == set(range(2018, 2025))  # years without an extract use the nearest
    share = con.execute("SELECT weight FROM area_lsoa_weights WHERE level = 'neighbourhood' AND area_code = 'U2' "
                        "AND lsoa_code = ? AND financial_year = 2018", [LSOAS[0]]).fetchone()[0]
    assert share == pytest.approx(0.2)


def test_indicator_marts_on_a_tiny_world_give_hand_worked_numbers(tiny_built):
    con = tiny_built
    crude = dict(((level, area), (num, value)) for level, area, num, value in con.execute(
        "SELECT level, area_code, numerator, value FROM marts.fct_indicator_values "
        "WHERE indicator_id = 'emergency_admissions_crude_rate' AND period = '2018/19'").fetchall())
    per_lsoa = 38  # 19 bands x 2 sexes: an LSOA of decile d has 38 x (11 - d) admissions and 1,520 residents
    fp1 = per_lsoa * sum(11 - _decile(i) for i in range(1, 11))
    assert crude[("footprint", "FP1")][0] == fp1 == crude[("footprint", "FP2")][0]
    assert crude[("system", SYSTEM)] == (2 * fp1, pytest.approx(2 * fp1 / (20 * 1520) * 1000))
    assert crude[("neighbourhood", "U1")][0] == pytest.approx(0.8 * fp1)
    assert crude[("neighbourhood", "U2")][0] == pytest.approx(0.2 * fp1 + fp1)
    assert crude[("local_authority", "E06990001")][0] == fp1

    isr = con.execute("SELECT value, expected FROM marts.fct_indicator_values WHERE indicator_id = "
                      "'emergency_admissions_isr' AND level = 'system' AND period = '2018/19'").fetchone()
    assert isr[1] == pytest.approx(20 * 1520 * 0.01)  # England: 1% a year in every stratum
    assert isr[0] == pytest.approx(2 * fp1 / (20 * 1520 * 0.01) * 100)

    sii = con.execute("SELECT sii, sii_lower_ci_95, rii FROM marts.fct_inequality_summary WHERE level = 'system' "
                      "AND quantile_type = 'national_decile' AND period = '2018/19'").fetchone()
    assert sii[1] > 0 and sii[2] > 1

    drift = con.execute("SELECT growth_pct, england_growth_pct, demographic_growth_pct, drift_vs_england_pp "
                        "FROM marts.fct_right_drift WHERE level = 'system' AND period = '2019/20'").fetchone()
    assert drift == pytest.approx((0.0, 0.0, 0.0, 0.0))

    core20 = con.execute("SELECT value, numerator, denominator FROM marts.fct_indicator_values WHERE indicator_id = "
                         "'imd_core20_lsoa_share' AND level = 'system'").fetchone()
    assert core20 == pytest.approx((20.0, 4.0, 20.0))

    gp = dict(con.execute("SELECT level, value FROM marts.fct_indicator_values WHERE indicator_id = "
                          "'gp_fte_qualified_per_100k' AND period = '2019-03'").fetchall())
    assert gp["system"] == pytest.approx(9 / 20_000 * 1e5) and gp["england"] == pytest.approx(50.0)

    weighted = {(level, area): (method, value) for level, area, method, value in con.execute(
        "SELECT level, area_code, method, value FROM marts.fct_indicator_values WHERE indicator_id = "
        "'emergency_admissions_per_weighted_capita' AND period = '2018/19'").fetchall()}
    assert weighted[("footprint", "FP1")] == ("per_supplied_weighted_capita", pytest.approx(fp1 / 20_000 * 1000))
    assert weighted[("system", SYSTEM)] == ("per_supplied_weighted_capita", pytest.approx(2 * fp1 / 30_000 * 1000))
    assert weighted[("neighbourhood", "U1")][0] == "per_weighted_capita"  # not in the file: age-sex weighting
    assert weighted[("england", "E92000001")][1] == pytest.approx(1e4 * 38 / (1e6 * 38) * 1000)

    jsna = dict(con.execute("SELECT level || ':' || area_code, value FROM marts.fct_indicator_values WHERE "
                            "indicator_id = 'jsna_reception_obesity'").fetchall())
    assert jsna[f"system:{SYSTEM}"] == pytest.approx(10.0)  # (120 + 80) / 2000
    assert jsna["footprint:FP1"] == pytest.approx(12.0)
