"""The indicator marts, built by the real asset graph on the small generated world (session fixture
`demo_world`): they find again every effect the generator planted, and their counts reconcile across levels."""

from __future__ import annotations

import pytest

from pipelines.indicators.catalogue import load_catalogue

FY = "2023/24"


@pytest.fixture(scope="module")
def con(demo_world):
    with demo_world.connect() as connection:
        yield connection


def value_row(con, indicator_id: str, level: str = "system", period: str = FY) -> dict:
    cur = con.execute(
        "SELECT * FROM marts.fct_indicator_values WHERE indicator_id = ? AND level = ? AND period = ?",
        [indicator_id, level, period],
    )
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    assert len(rows) == 1, f"{indicator_id} {level} {period}: {len(rows)} rows"
    return dict(zip(names, rows[0]))


def test_indicator_assets_materialise_and_every_check_passes(demo_world):
    result = demo_world.result
    indicator_marts = {"marts/fct_indicator_values", "marts/fct_deprivation_gradients",
                       "marts/fct_inequality_summary", "marts/fct_right_drift"}
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert indicator_marts <= materialised
    checks = [e for e in result.get_asset_check_evaluations() if e.asset_key.to_user_string() in indicator_marts]
    assert len(checks) >= 12
    failed = [(e.asset_key.to_user_string(), e.check_name, e.metadata) for e in checks if not e.passed]
    assert not failed


def test_every_catalogue_indicator_reaches_the_mart_at_each_of_its_levels(con):
    """Every indicator the demo holds the inputs of has rows at each of its levels; the only ones it cannot give
    are those needing an entity the demo world does not generate (OHID's practice scores), said with the reason."""
    catalogue = load_catalogue()
    present = set(con.execute("SELECT DISTINCT indicator_id, level FROM marts.fct_indicator_values").fetchall())
    unavailable = {(i, level): reason for i, level, reason in con.execute(
        "SELECT indicator_id, level, reason FROM marts.fct_indicator_availability WHERE NOT available").fetchall()}
    missing = [(i.id, level) for i in catalogue.indicators for level in i.levels
               if (i.id, level) not in present and (i.id, level) not in unavailable]
    assert not missing
    assert {i for i, _ in unavailable} == {"imd_score_practice_weighted"}
    assert all("Fingertips" in reason for reason in unavailable.values())


def test_icb_excess_emergency_admissions_is_significant_and_worse(con, demo_world):
    isr = value_row(con, "emergency_admissions_isr")
    assert isr["value"] == pytest.approx(120, abs=8)
    assert isr["lower_ci_99_8"] > 100
    assert isr["comparison_95"] == isr["comparison_99_8"] == "worse"
    assert isr["excess"] == pytest.approx(isr["numerator"] - isr["expected"])
    assert isr["excess"] > 0.1 * isr["expected"]
    # expected applies England's age-sex rates: the generator's planted count / planted ratio gives it back
    planted_count = demo_world.manifest["expected"]["icb_expected_counts"]["2023"]["emergency_admissions"]
    assert isr["expected"] == pytest.approx(planted_count / 1.20, rel=0.01)
    # per weighted capita: observed / expected against England's crude rate
    pwc = value_row(con, "emergency_admissions_per_weighted_capita")
    assert pwc["value"] / pwc["england_value"] == pytest.approx(isr["value"] / 100, rel=1e-9)
    # A&E about 1% above England: a much smaller ratio
    ae = value_row(con, "ae_attendances_all_isr")
    assert ae["value"] == pytest.approx(101, abs=4)
    assert ae["value"] < isr["value"] - 10


def test_england_rows_are_the_benchmark(con):
    isr = value_row(con, "emergency_admissions_isr", level="england")
    assert isr["value"] == pytest.approx(100) and isr["comparison_95"] == "not_compared"
    crude = value_row(con, "emergency_admissions_crude_rate", level="england")
    system = value_row(con, "emergency_admissions_crude_rate")
    assert system["england_value"] == pytest.approx(crude["value"])


def test_emergency_admissions_rise_with_deprivation_sii_above_zero(con):
    summary = con.execute(
        "SELECT sii, sii_lower_ci_95, sii_upper_ci_95, rii, rii_lower_ci_95, rate_ratio, rate_gap, sii_computed "
        "FROM marts.fct_inequality_summary WHERE measure = 'emergency_admissions' AND level = 'system' "
        "AND quantile_type = 'national_decile' AND period = ?", [FY]).fetchone()
    sii, lower, upper, rii, rii_lower, ratio, gap, computed = summary
    assert computed
    assert 0 < lower < sii < upper
    assert rii > 1 and rii_lower > 1
    assert ratio > 1.5 and gap > 0
    indicator = value_row(con, "emergency_admissions_sii")
    assert indicator["value"] == pytest.approx(sii) and indicator["lower_ci_95"] == pytest.approx(lower)
    rates = dict(con.execute(
        "SELECT quantile, dsr FROM marts.fct_deprivation_gradients WHERE measure = 'emergency_admissions' "
        "AND level = 'system' AND quantile_type = 'national_quintile' AND period = ?", [FY]).fetchall())
    assert rates[1] > rates[3] > rates[5]


def test_every_system_and_footprint_quantile_set_is_summarised_and_gaps_are_explained(con):
    unexplained = con.execute(
        "SELECT count(*) FROM marts.fct_inequality_summary WHERE NOT sii_computed AND reason IS NULL").fetchone()[0]
    assert unexplained == 0
    by_level = dict(con.execute(
        "SELECT level, avg(CAST(sii_computed AS INTEGER)) FROM marts.fct_inequality_summary GROUP BY 1").fetchall())
    assert by_level["system"] == 1.0
    assert by_level["footprint"] > 0.8
    # a neighbourhood lacking events in a decile gets a row that says so
    reason = con.execute(
        "SELECT any_value(reason) FROM marts.fct_inequality_summary WHERE level = 'neighbourhood' AND NOT sii_computed"
    ).fetchone()[0]
    assert reason is None or "quantiles have a rate" in reason


def test_icb_activity_grew_faster_than_england_and_than_demography(con):
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT measure, growth_pct, england_growth_pct, demographic_growth_pct, drift_vs_england_pp, "
        "drift_vs_demographic_pp FROM marts.fct_right_drift WHERE level = 'system' AND period = ?", [FY]).fetchall()}
    for measure, planted_icb, planted_england in [("emergency_admissions", 18, 0.7), ("ae_attendances_all", 19, 5.8)]:
        growth, england, demographic, drift_england, drift_demographic = rows[measure]
        assert growth == pytest.approx(planted_icb, abs=6)
        assert england == pytest.approx(planted_england, abs=1)
        assert drift_england == pytest.approx(growth - england) and drift_england > 8
        assert 0 < demographic < growth and drift_demographic > 5
    growth = value_row(con, "emergency_admissions_growth")
    assert growth["value"] == pytest.approx(rows["emergency_admissions"][0])
    assert growth["england_value"] == pytest.approx(rows["emergency_admissions"][1])


def test_gp_shortfall_against_england_and_steeper_decline(con):
    march = value_row(con, "gp_fte_qualified_per_100k", period="2024-03")
    gap = march["value"] / march["england_value"] - 1
    assert gap == pytest.approx(-0.125, abs=0.04)
    start = value_row(con, "gp_fte_qualified_per_100k", period="2018-04")
    assert march["value"] / start["value"] < march["england_value"] / start["england_value"]
    weighted = value_row(con, "gp_fte_qualified_per_100k_weighted", period="2024-03")
    assert weighted["england_value"] == pytest.approx(march["england_value"])
    assert weighted["value"] / weighted["england_value"] - 1 < -0.05


def test_deprivation_profile_matches_the_planted_core20_share(con):
    core20 = value_row(con, "imd_core20_lsoa_share", period="IMD2019")
    assert core20["value"] == pytest.approx(31, abs=2)
    assert core20["england_value"] == pytest.approx(20, abs=0.1)
    assert core20["comparison_95"] == "higher"
    lsoas = con.execute("SELECT count(*) FROM marts.dim_geography").fetchone()[0]
    assert core20["denominator"] == lsoas
    neighbourhood_lsoas = con.execute(
        "SELECT sum(denominator) FROM marts.fct_indicator_values WHERE indicator_id = 'imd_core20_lsoa_share' "
        "AND level = 'neighbourhood'").fetchone()[0]
    assert neighbourhood_lsoas == pytest.approx(lsoas, rel=1e-9)


def test_counts_reconcile_across_levels(con):
    sums = con.execute(
        """
        SELECT indicator_id, period,
            sum(numerator) FILTER (WHERE level = 'system') AS system,
            sum(numerator) FILTER (WHERE level = 'footprint') AS footprints,
            sum(numerator) FILTER (WHERE level = 'neighbourhood') AS neighbourhoods,
            sum(numerator) FILTER (WHERE level = 'local_authority') AS local_authorities,
            sum(numerator) FILTER (WHERE level = 'lsoa') AS lsoas
        FROM marts.fct_indicator_values
        WHERE method = 'crude_rate' AND period_type = 'financial_year'
        GROUP BY ALL
        """).fetchall()
    assert len(sums) == 4 * 7
    for indicator_id, period, system, footprints, neighbourhoods, local_authorities, lsoas in sums:
        assert footprints == system == local_authorities == lsoas, (indicator_id, period)
        assert neighbourhoods == pytest.approx(system, rel=1e-9), (indicator_id, period)
    activity = con.execute("SELECT sum(activity) FROM marts.fct_activity WHERE measure = 'emergency_admissions' "
                           "AND financial_year = 2023").fetchone()[0]
    assert value_row(con, "emergency_admissions_crude_rate")["numerator"] == activity


def test_small_counts_keep_their_numerators_but_dsrs_are_suppressed(con):
    rows = con.execute(
        "SELECT numerator, value, suppression_reason FROM marts.fct_indicator_values "
        "WHERE method = 'dsr' AND suppressed").fetchall()
    assert all(numerator < 10 and value is None and "10" in reason for numerator, value, reason in rows)


def test_jsna_footprints_and_system_sum_their_local_authorities(con):
    system = value_row(con, "jsna_reception_obesity", period=FY)
    members = con.execute(
        "SELECT sum(numerator), sum(denominator) FROM marts.fct_indicator_values "
        "WHERE indicator_id = 'jsna_reception_obesity' AND level = 'local_authority' AND period = ?", [FY]).fetchone()
    assert (system["numerator"], system["denominator"]) == members  # every demo LA lies wholly in the system
    assert system["method"] == "proportion" and system["comparison_95"] in {"worse", "similar", "better"}
    per_la_only = con.execute(
        "SELECT DISTINCT level FROM marts.fct_indicator_values WHERE indicator_id = 'jsna_under75_mortality'"
    ).fetchall()
    assert {r[0] for r in per_la_only} == {"england", "local_authority"}


def test_the_documented_query_finds_the_neighbourhoods_behind_the_excess(con):
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "indicators.md").read_text(encoding="utf-8")
    block = doc.split("<!-- sql: neighbourhood-excess -->", 1)[1]
    sql = block.split("```sql", 1)[1].split("```", 1)[0]
    rows = con.execute(sql).fetchall()
    neighbourhoods = con.execute("SELECT count(DISTINCT neighbourhood_code) FROM marts.dim_practices").fetchone()[0]
    assert len(rows) == neighbourhoods
    assert all(r[1] for r in rows)  # every PCN named, best fit of some LSOA or not
    excesses = [r[4] for r in rows]
    assert excesses == sorted(excesses, reverse=True)
    assert rows[-1][-1] == pytest.approx(100, abs=0.1)  # cumulative share ends at the whole excess
    system = value_row(con, "emergency_admissions_isr")
    total = con.execute("SELECT sum(excess) FROM marts.fct_indicator_values WHERE indicator_id = "
                        "'emergency_admissions_isr' AND level = 'neighbourhood' AND period = ?", [FY]).fetchone()[0]
    assert total == pytest.approx(system["excess"], rel=1e-9)
