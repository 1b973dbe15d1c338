"""The real asset graph, materialised in-process on a small generated world: the marts reconcile and show
every effect the generator planted."""

from __future__ import annotations

import duckdb
import pytest


def test_every_asset_materialises_and_every_check_passes(demo_world):
    result = demo_world.result
    failures = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert result.success, f"failed steps: {failures}"
    evaluations = result.get_asset_check_evaluations()
    assert evaluations, "no asset check ran"
    failed = [(e.asset_key.to_user_string(), e.check_name, e.metadata) for e in evaluations if not e.passed]
    assert not failed


def test_marts_database_has_every_mart(demo_world):
    from schemas.marts import MART_MODELS

    with demo_world.connect() as con:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'").fetchall()}
    assert set(MART_MODELS) <= tables


def test_every_system_lsoa_maps_to_exactly_one_footprint(demo_world):
    with demo_world.connect() as con:
        lookup = con.execute(
            "SELECT count(*) FROM staging.stg_geography__lsoas WHERE icb_code = ?", [demo_world.profile.icb_code]
        ).fetchone()[0]
        rows, distinct, footprints = con.execute(
            "SELECT count(*), count(DISTINCT lsoa_code), count(DISTINCT footprint_code) FROM marts.dim_geography"
        ).fetchone()
        per_lsoa = con.execute(
            "SELECT max(n) FROM (SELECT lsoa_code, count(DISTINCT footprint_code) n FROM marts.dim_geography GROUP BY 1)"
        ).fetchone()[0]
    assert rows == distinct == lookup > 1000
    assert footprints == 5
    assert per_lsoa == 1


def test_activity_summed_over_footprints_equals_the_system_total_in_the_raw_extracts(demo_world):
    """The mart's footprint totals against an independent count of the raw ECDS records of system residents."""
    raw_files = str(demo_world.raw_dir / "uec" / "ecds" / "*.csv")
    with demo_world.connect() as con:
        by_footprint = con.execute(
            "SELECT g.footprint_code, sum(a.activity) FROM marts.fct_activity a JOIN marts.dim_geography g "
            "USING (lsoa_code) WHERE a.measure = 'ae_attendances_all' GROUP BY 1"
        ).fetchall()
        system_lsoas = [r[0] for r in con.execute("SELECT lsoa_code FROM marts.dim_geography").fetchall()]
    raw = duckdb.connect()
    raw.execute("CREATE TABLE system_lsoas (lsoa_code VARCHAR)")
    raw.executemany("INSERT INTO system_lsoas VALUES (?)", [[code] for code in system_lsoas])
    raw_total = raw.execute(
        "SELECT count(*) FROM read_csv(?, all_varchar = true) WHERE LSOA_OF_RESIDENCE IN (SELECT lsoa_code FROM system_lsoas) "
        "AND CAST(ARRIVAL_DATE AS DATE) BETWEEN DATE '2018-04-01' AND DATE '2025-03-31'",
        [raw_files],
    ).fetchone()[0]
    assert len(by_footprint) == 5
    assert sum(total for _, total in by_footprint) == raw_total > 0


def test_neighbourhoods_sum_to_the_system(demo_world):
    with demo_world.connect() as con:
        system, via_neighbourhoods, unassigned = con.execute(
            "SELECT sum(a.activity), sum(a.activity) FILTER (WHERE g.neighbourhood_code IS NOT NULL), "
            "count(DISTINCT g.lsoa_code) FILTER (WHERE g.neighbourhood_code IS NULL) "
            "FROM marts.fct_activity a JOIN marts.dim_geography g USING (lsoa_code)"
        ).fetchone()
    assert unassigned == 0
    assert via_neighbourhoods == system


def test_population_matches_the_generator(demo_world):
    expected = {int(year): total for year, total in demo_world.manifest["icb_population_by_year"].items()}
    with demo_world.connect() as con:
        actual = dict(con.execute("SELECT financial_year, sum(population) FROM marts.fct_population GROUP BY 1").fetchall())
    assert actual == expected


def test_planted_deprivation_gradient_is_visible(demo_world):
    with demo_world.connect() as con:
        rates = dict(con.execute(
            """
            WITH pop AS (SELECT lsoa_code, sum(population) p FROM marts.fct_population WHERE financial_year = 2023 GROUP BY 1),
            act AS (SELECT lsoa_code, sum(activity) a FROM marts.fct_activity
                    WHERE financial_year = 2023 AND measure = 'emergency_admissions' GROUP BY 1)
            SELECT d.imd_decile, sum(coalesce(act.a, 0)) / sum(pop.p) * 1000
            FROM pop LEFT JOIN act USING (lsoa_code)
            JOIN marts.dim_lsoa_deprivation d USING (lsoa_code)
            GROUP BY 1 ORDER BY 1
            """
        ).fetchall())
    assert rates[1] > 1.5 * rates[10]
    assert rates[1] > rates[3] > rates[6] > rates[10]


def _indirect_ratio(con, measure: str, year: int) -> float:
    return con.execute(
        """
        WITH england AS (
            SELECT a.age_band, a.sex, a.activity / p.population AS rate
            FROM marts.fct_england_activity a JOIN marts.fct_england_population p USING (financial_year, age_band, sex)
            WHERE a.financial_year = $year AND a.measure = $measure
        ),
        expected AS (
            SELECT sum(p.population * e.rate) AS e FROM marts.fct_population p JOIN england e USING (age_band, sex)
            WHERE p.financial_year = $year
        ),
        observed AS (SELECT sum(activity) AS o FROM marts.fct_activity WHERE financial_year = $year AND measure = $measure)
        SELECT o / e * 100 FROM observed, expected
        """,
        {"year": year, "measure": measure},
    ).fetchone()[0]


def test_planted_excess_emergency_admissions_is_visible(demo_world):
    with demo_world.connect() as con:
        admissions = _indirect_ratio(con, "emergency_admissions", 2023)
        attendances = _indirect_ratio(con, "ae_attendances_all", 2023)
    assert admissions == pytest.approx(120, abs=8)
    assert attendances == pytest.approx(101, abs=6)


def test_planted_faster_growth_than_england_is_visible(demo_world):
    with demo_world.connect() as con:
        icb = dict(con.execute(
            "SELECT financial_year, sum(activity) FROM marts.fct_activity WHERE measure = 'emergency_admissions' "
            "AND financial_year IN (2018, 2023) GROUP BY 1").fetchall())
        england = dict(con.execute(
            "SELECT financial_year, sum(activity) FROM marts.fct_england_activity WHERE measure = 'emergency_admissions' "
            "AND financial_year IN (2018, 2023) GROUP BY 1").fetchall())
    icb_growth = icb[2023] / icb[2018] - 1
    england_growth = england[2023] / england[2018] - 1
    assert icb_growth == pytest.approx(0.18, abs=0.05)
    assert england_growth == pytest.approx(0.007, abs=0.02)


def test_planted_gp_shortfall_is_visible(demo_world):
    with demo_world.connect() as con:
        icb = con.execute(
            "SELECT sum(gp_fte_qualified) / sum(registered_patients) * 1e5 FROM marts.fct_gp_workforce "
            "WHERE month = DATE '2024-03-01'").fetchone()[0]
        england = con.execute(
            "SELECT fte / registered_patients * 1e5 FROM marts.fct_england_gp_workforce "
            "WHERE month = DATE '2024-03-01' AND staff_group = 'gp_fte_qualified'").fetchone()[0]
    assert icb / england - 1 == pytest.approx(-0.125, abs=0.04)


def test_no_record_level_table_in_the_marts_database(demo_world):
    with demo_world.connect() as con:
        columns = {r[0].lower() for r in con.execute("SELECT column_name FROM information_schema.columns").fetchall()}
    assert not columns & {"ec_ident", "spell_id", "arrival_date", "admission_date", "age_at_arrival"}


def test_every_pcn_is_a_neighbourhood_in_the_drill_path(demo_world):
    with demo_world.connect() as con:
        areas = con.execute("SELECT count(*) FROM marts.dim_areas WHERE level = 'neighbourhood'").fetchone()[0]
        pcns = con.execute("SELECT count(DISTINCT neighbourhood_code) FROM marts.dim_practices").fetchone()[0]
        orphans = con.execute(
            "SELECT count(*) FROM marts.dim_areas c LEFT JOIN marts.dim_areas p "
            "ON p.level = c.parent_level AND p.area_code = c.parent_code "
            "WHERE c.parent_code IS NOT NULL AND p.area_code IS NULL").fetchone()[0]
    assert areas == pcns == 42
    assert orphans == 0
