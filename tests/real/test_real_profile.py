"""The real LSC profile (`config/profiles/lsc.yaml`, `sources: {default: public}`) materialised on the real files.

One graph for every profile: the LSC profile takes every entity it can from the publishers' files (the shared
mirror, `../shared/data/real`, read in place) and runs the same staging tables, marts, indicators and outputs as
the demo. The graph is run once per session, in-process, into a temporary marts folder (fixture `lsc`, about
45 s: marked `slow` by tests/real/conftest.py); the tests read the marts and the commissioner outputs under
`<marts>/outputs/`. Expected values are what the files give (docs/real-data.md sets each beside the ICB's
published figure and the reason they differ).

Tests marked `xfail(strict=True)` state what the pipeline should give and does not yet (each reason says what
is wrong): when the pipeline is fixed they XPASS, which fails the run, and the marker is to be removed.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from real_helpers import LSC_ICB, LSC_SUB_ICBS, REAL
from typer.testing import CliRunner

from pipelines.config import DEFAULT_PROFILE, PROJECT_DIR, load_profile

LSC_PROFILE = PROJECT_DIR / "config" / "profiles" / "lsc.yaml"
FOOTPRINTS = {"CL": "Central Lancashire", "FC": "Fylde Coast", "MB": "Morecambe Bay", "PL": "Pennine Lancashire",
              "WL": "West Lancashire"}
#: Entities the public files do not give: their staging tables are empty and the indicators needing them are
#: listed in marts.fct_indicator_availability.
NOT_HELD = {"ed_attendances", "admitted_spells", "england_activity", "registered_patients_age_sex"}
#: Non-blocking checks the real files fail, and why: the run reports them; any other failed check is a regression.
KNOWN_CHECK_FAILURES = {
    # practice x LSOA registrations are published for Pennine Lancashire only (and 8 LSOAs of Central Lancashire)
    "marts/dim_geography:every_lsoa_has_a_neighbourhood",
    "marts/dim_geography:gx_dim_geography_neighbourhoods",
    # 9 JSNA indicators of the catalogue are not in the Fingertips extract held (Trafford Data Lab: 4 matched);
    # where the check is gone, fct_indicator_availability lists them (test_every_indicator_called_available_has_values)
    "marts/fct_indicator_values:every_catalogue_indicator_has_rows",
}


@dataclass
class LscRun:
    result: object  # pipelines.platform.run.GraphRun
    marts_dir: Path
    seconds: float

    @property
    def database(self) -> Path:
        """The released shared marts file."""
        return self.marts_dir / "ina.duckdb"

    @property
    def working(self) -> Path:
        """The restricted working database: every table as built."""
        return self.marts_dir / ".build" / "ina.duckdb"

    @property
    def outputs(self) -> Path:
        return self.marts_dir / "outputs"

    def rows(self, sql: str, params: dict | None = None) -> list[tuple]:
        """Rows of the working database (what was computed, before disclosure control)."""
        with duckdb.connect(str(self.working), read_only=True) as con:
            return con.execute(sql, params).fetchall()

    def one(self, sql: str, params: dict | None = None):
        rows = self.rows(sql, params)
        assert len(rows) == 1, f"{len(rows)} rows for {sql} {params}"
        return rows[0] if len(rows[0]) > 1 else rows[0][0]

    def indicator(self, indicator_id: str, level: str, area_code: str, period: str) -> dict:
        """One row of marts.fct_indicator_values, by column name."""
        with duckdb.connect(str(self.working), read_only=True) as con:
            frame = con.execute("SELECT * FROM marts.fct_indicator_values WHERE indicator_id = $i AND level = $l "
                                "AND area_code = $a AND period = $p",
                                {"i": indicator_id, "l": level, "a": area_code, "p": period}).pl()
        assert frame.height == 1, f"{frame.height} rows for {indicator_id} {level} {area_code} {period}"
        return frame.row(0, named=True)

    def values(self, indicator_id: str, level: str) -> dict[tuple[str, str], float | None]:
        """(area_code, period) -> value of an indicator at a level."""
        return {(a, p): v for a, p, v in self.rows(
            "SELECT area_code, period, value FROM marts.fct_indicator_values WHERE indicator_id = $i AND level = $l",
            {"i": indicator_id, "l": level})}


@pytest.fixture(scope="session")
def lsc(real_dir, tmp_path_factory) -> LscRun:
    """The LSC profile's whole graph (assets and checks) on the mirror, as `ina materialize` runs it."""
    from pipelines.platform.definitions import graph_assets, graph_checks
    from assets.resources import InaSettings, build_resources
    from pipelines.platform.run import QUIET, run_graph

    profile = load_profile(LSC_PROFILE)
    marts_dir = tmp_path_factory.mktemp("lsc_marts")
    settings = InaSettings(raw_dir=str(real_dir), marts_dir=str(marts_dir), profile_path=str(LSC_PROFILE))
    started = time.perf_counter()
    result = run_graph([*graph_assets(profile), *graph_checks(profile)], build_resources(settings),
                       dg.DagsterInstance.ephemeral(), real_dir, run_config=QUIET)
    return LscRun(result, marts_dir, time.perf_counter() - started)


# -- the profile and the graph --------------------------------------------------------------------------------


def test_lsc_profile_takes_public_files_and_runs_the_demo_graph():
    lsc = load_profile(LSC_PROFILE)
    assert lsc.sources_default == "public" and not lsc.source_overrides
    assert lsc.icb_code == LSC_ICB and lsc.icb_nhs_code == "QE1"
    assert sorted(r["sub_icb_nhs_code"] for r in lsc.footprint_rows()) == LSC_SUB_ICBS
    assert {fp.code: fp.name for fp in lsc.footprints} == FOOTPRINTS and lsc.base_financial_year == 2018
    assert (lsc.lsoa_vintage, lsc.imd_edition) == (2011, 2019)
    assert set(lsc.providers) == {"RXR", "RXL", "RXN", "RTX"}
    assert {name for name, layout in lsc.layouts.items() if layout is None} == NOT_HELD
    assert {layout for layout in lsc.layouts.values() if layout is not None} == {"public"}
    assert load_profile(DEFAULT_PROFILE).sources_default == "local"

    from pipelines.platform.definitions import build_definitions, graph_assets
    from assets.resources import InaSettings
    from schemas.staging import STAGING_MODELS

    def keys(profile) -> set[str]:
        return {key.to_user_string() for asset in graph_assets(profile) for key in asset.keys}

    # one graph: the demo's, less the raw assets of its local files
    public, demo = keys(lsc), keys(load_profile(DEFAULT_PROFILE))
    assert public == {k for k in demo if not k.startswith("raw/")}
    assert "raw/ecds_attendances" in demo and not any(k.startswith("raw/") for k in public)
    assert not any("public" in k for k in public)  # no public_* marts, no stg_public__* tables
    assert {k for k in public if k.startswith("staging/")} == \
        {f"staging/{table}" for table in STAGING_MODELS} | {"staging/stg_config__footprints"}
    graph = build_definitions(InaSettings(profile_path=str(LSC_PROFILE))).resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        if key.path[0] in ("staging", "marts"):
            assert "One row per" in (graph.get(key).description or ""), key


def test_the_whole_graph_materialises_on_the_real_files(lsc):
    assert lsc.result.success, lsc.result.problems
    evaluations = lsc.result.get_asset_check_evaluations()
    failed = {f"{e.asset_key.to_user_string()}:{e.check_name}" for e in evaluations if not e.passed}
    assert failed <= KNOWN_CHECK_FAILURES, sorted(failed - KNOWN_CHECK_FAILURES)
    # every staging table conforms to its contract
    contracts = [e for e in evaluations if e.check_name == "conforms_to_contract"]
    assert len(contracts) >= 14 and all(e.passed for e in contracts)
    assert lsc.database.is_file()  # published, not only the working copy
    for output in ("ina_commissioner_indicators.xlsx", "csv/indicators_system.csv", "report/index.html"):
        assert (lsc.outputs / output).is_file(), output


def test_what_the_public_files_do_not_hold_is_empty_not_invented(lsc):
    for table in ("stg_uec__ed_attendances", "stg_uec__admitted_spells", "stg_uec__england_activity_age_sex",
                  "stg_gp__registered_patients_age_sex"):
        assert lsc.one(f"SELECT count(*) FROM staging.{table}") == 0, table
    for table in ("fct_activity", "fct_england_activity", "fct_deprivation_gradients", "fct_right_drift"):
        assert lsc.one(f"SELECT count(*) FROM marts.{table}") == 0, table
    tables = [r[0] for r in lsc.rows("SELECT schema_name || '.' || table_name FROM duckdb_tables()")]
    assert not [t for t in tables if "public" in t]
    assert {t.split(".")[1] for t in tables if t.startswith("staging.")} >= {
        "stg_geography__lsoas", "stg_imd__lsoa_deprivation", "stg_gp__workforce_practice", "stg_uec__ae_monthly_providers",
        "stg_jsna__indicator_values", "stg_uec__trust_catchments"}


# -- geography and population -------------------------------------------------------------------------------------


def test_the_icb_has_its_eight_sub_icb_locations_and_about_1060_lsoas(lsc):
    counts = dict(lsc.rows("SELECT lsoa_vintage, count(*) FROM staging.stg_geography__lsoas "
                           "WHERE icb_code = $icb GROUP BY 1", {"icb": LSC_ICB}))
    assert counts == {2011: 1058, 2021: 1060}
    for vintage in (2011, 2021):
        subs = [r[0] for r in lsc.rows("SELECT DISTINCT sub_icb_nhs_code FROM staging.stg_geography__lsoas "
                                       "WHERE icb_code = $icb AND lsoa_vintage = $v ORDER BY 1",
                                       {"icb": LSC_ICB, "v": vintage})]
        assert subs == LSC_SUB_ICBS
    # 00X grows from 102 to 107 LSOAs between the boundary sets, 01K falls from 206 to 203
    by_sub = dict(lsc.rows("SELECT lsoa_vintage || sub_icb_nhs_code, count(*) FROM staging.stg_geography__lsoas "
                           "WHERE icb_code = $icb AND sub_icb_nhs_code IN ('00X', '01K') GROUP BY 1", {"icb": LSC_ICB}))
    assert by_sub == {"201100X": 102, "202100X": 107, "201101K": 206, "202101K": 203}
    assert lsc.one("SELECT count(*), count(DISTINCT lsoa_code), count(DISTINCT footprint_code), min(lsoa_vintage), "
                   "max(lsoa_vintage) FROM marts.dim_geography") == (1058, 1058, 5, 2011, 2011)
    # neighbourhoods only where practice x LSOA registrations are published (Pennine Lancashire)
    pennine = lsc.one("SELECT count(*), count(neighbourhood_code) FROM marts.dim_geography "
                      "WHERE footprint_name = 'Pennine Lancashire'")
    assert pennine[0] == 335 and pennine[1] >= 320
    assert lsc.one("SELECT count(neighbourhood_code) FROM marts.dim_geography WHERE footprint_code IN ('FC', 'MB')") == 0
    assert lsc.one("SELECT count(*) FROM marts.dim_practices") > 190
    assert lsc.one("SELECT count(*) FROM marts.dim_practices WHERE footprint_code IS NULL") == 0


def test_neighbourhoods_get_lsoa_values_only_where_registrations_cover_them(lsc):
    """Pennine Lancashire's practice x LSOA file covers Pennine's PCNs (88-100% of their lists) and a few stray
    patients of other PCNs: only PCNs covered for at least 80% of their patients get LSOA-based values; every
    PCN keeps its practice-based ones (GP FTE, practice-weighted IMD)."""
    pcns = dict(lsc.rows(
        "SELECT indicator_id, count(DISTINCT area_code) FROM marts.fct_indicator_values WHERE level = 'neighbourhood' "
        "AND value IS NOT NULL AND indicator_id IN ('imd_core20_population_share', 'imd_core20_lsoa_share', "
        "'gp_fte_qualified_per_100k', 'imd_score_practice_weighted') GROUP BY 1"))
    assert pcns["imd_core20_population_share"] == pcns["imd_core20_lsoa_share"] == 13
    assert pcns["gp_fte_qualified_per_100k"] == 41 and pcns["imd_score_practice_weighted"] == 41
    outside = lsc.one("SELECT count(*) FROM marts.fct_indicator_values AS v JOIN marts.dim_areas AS a "
                      "ON a.level = v.level AND a.area_code = v.area_code WHERE v.level = 'neighbourhood' "
                      "AND v.indicator_id = 'imd_core20_lsoa_share' AND a.parent_code <> 'PL'")
    assert outside == 0


def test_south_cumbria_takes_millom_and_bentham_but_not_eden(lsc):
    by_lad = dict(lsc.rows("SELECT lad_name, count(*) FROM marts.dim_geography GROUP BY 1"))
    assert len(by_lad) == 18 and "Eden" not in by_lad
    # Copeland's Millom LSOAs (Copeland 008) and Craven's Bentham LSOAs (Craven 001): Morecambe Bay, 01K
    assert (by_lad["Copeland"], by_lad["Craven"]) == (6, 3)
    assert lsc.one("SELECT count(*), min(lsoa_name), max(lsoa_name), any_value(footprint_code), "
                   "count(DISTINCT sub_icb_nhs_code) FROM marts.dim_geography WHERE lad_name = 'Copeland'") \
        == (6, "Copeland 008B", "Copeland 008G", "MB", 1)
    assert {r[0] for r in lsc.rows("SELECT lsoa_name FROM marts.dim_geography WHERE lad_name = 'Craven'")} \
        == {"Craven 001A", "Craven 001B", "Craven 001D"}
    assert (by_lad["South Lakeland"], by_lad["Barrow-in-Furness"]) == (59, 49)
    # Eden's LSOAs belong to North East and North Cumbria, in both boundary sets
    assert lsc.one("SELECT count(*) FROM staging.stg_geography__lsoas WHERE icb_code = $icb "
                   "AND (lad_name = 'Eden' OR lsoa_name LIKE 'Eden %')", {"icb": LSC_ICB}) == 0
    assert {r[0] for r in lsc.rows("SELECT DISTINCT icb_code FROM staging.stg_geography__lsoas "
                                   "WHERE lsoa_name LIKE 'Eden %'")} == {"E54000050"}


def test_footprints_lsoas_add_up_to_the_system(lsc):
    by_footprint = dict(lsc.rows("SELECT footprint_code, count(*) FROM marts.dim_geography GROUP BY 1"))
    assert by_footprint == {"CL": 229, "FC": 215, "MB": 206, "PL": 335, "WL": 73}
    assert sum(by_footprint.values()) == 1058
    assert dict(lsc.rows("SELECT level, count(*) FROM marts.dim_areas GROUP BY 1")) == {
        "system": 1, "footprint": 5, "lsoa": 1058, "local_authority": 18, "neighbourhood": 42}
    for period, lsoas, core20 in (("IMD2019", 1058, 314), ("IMD2025", 1060, 317)):
        parts = lsc.one("SELECT sum(numerator), sum(denominator), count(*) FROM marts.fct_indicator_values "
                        "WHERE indicator_id = 'imd_core20_lsoa_share' AND level = 'footprint' AND period = $p",
                        {"p": period})
        system = lsc.indicator("imd_core20_lsoa_share", "system", LSC_ICB, period)
        assert parts == (core20, lsoas, 5) == (system["numerator"], system["denominator"], 5)
        local_authorities = lsc.one("SELECT sum(denominator) FROM marts.fct_indicator_values WHERE indicator_id = "
                                    "'imd_core20_lsoa_share' AND level = 'local_authority' AND period = $p", {"p": period})
        assert local_authorities == lsoas


def test_population_is_persons_by_lsoa_for_the_mid_years_held(lsc):
    assert [r[0] for r in lsc.rows("SELECT DISTINCT sex FROM marts.fct_population")] == ["P"]
    years = {r[0]: r[1:] for r in lsc.rows("SELECT financial_year, count(DISTINCT lsoa_code), count(DISTINCT age_band), "
                                           "sum(population) FROM marts.fct_population GROUP BY 1")}
    assert sorted(years) == [2017, 2019, 2020]
    assert years[2020] == (1058, 19, 1_701_655)
    # the residents of the deprivation indicators are the latest mid-year held up to the profile's last year
    assert lsc.indicator("imd_core20_population_share", "system", LSC_ICB, "IMD2019")["denominator"] == 1_701_655


# -- deprivation ------------------------------------------------------------------------------------------------


def test_dim_lsoa_deprivation_holds_both_editions_on_their_own_boundaries(lsc):
    editions = {r[0]: r[1:] for r in lsc.rows(
        "SELECT imd_edition, min(lsoa_vintage), max(lsoa_vintage), count(*), count(*) FILTER (WHERE in_system), "
        "count(imd_score), count(population) FROM marts.dim_lsoa_deprivation GROUP BY 1")}
    assert editions == {2019: (2011, 2011, 32_844, 1058, 0, 32_844), 2025: (2021, 2021, 33_755, 1060, 33_755, 33_755)}
    bases = dict(lsc.rows("SELECT imd_edition, string_agg(DISTINCT population_basis, ' | ') "
                          "FROM marts.dim_lsoa_deprivation GROUP BY 1"))
    assert "File 6" in bases[2019] and "mid-2015" in bases[2019]
    assert "mid-2020" in bases[2025] and "apportioned to LSOA 2021" in bases[2025]
    # residents in deciles 1-2 on the IoD2019's own mid-2015 denominators (File 6)
    share = lsc.one("SELECT 100.0 * sum(population) FILTER (WHERE imd_decile <= 2) / sum(population) "
                    "FROM marts.dim_lsoa_deprivation WHERE imd_edition = 2019 AND in_system")
    assert share == pytest.approx(29.05, abs=0.01)


def test_imd2019_deprivation_profile_is_what_the_files_give_not_the_published_31pct(lsc):
    core20 = lsc.indicator("imd_core20_lsoa_share", "system", LSC_ICB, "IMD2019")
    assert (core20["numerator"], core20["denominator"]) == (314, 1058)
    assert core20["value"] == pytest.approx(29.68, abs=0.01)
    # Wilson limits (pipelines.stats) around 314 / 1,058
    assert core20["lower_ci_95"] == pytest.approx(27.0, abs=0.1) and core20["upper_ci_95"] == pytest.approx(32.5, abs=0.1)
    assert core20["england_value"] == pytest.approx(20.0, abs=0.01) and core20["comparison_95"] == "higher"
    assert core20["suppressed"] is False
    decile1 = lsc.indicator("imd_decile1_lsoa_share", "system", LSC_ICB, "IMD2019")
    assert decile1["numerator"] == 198 and decile1["value"] == pytest.approx(18.71, abs=0.01)
    # residents: ONS mid-2020 LSOA estimates (29.05% on the IoD's mid-2015 denominators: dim_lsoa_deprivation)
    residents = lsc.indicator("imd_core20_population_share", "system", LSC_ICB, "IMD2019")
    assert residents["value"] == pytest.approx(29.03, abs=0.01)
    # 31% would need 328 LSOAs: neither edition held reproduces the published figure ...
    assert abs(core20["value"] - 31.0) > 1
    assert lsc.indicator("imd_core20_lsoa_share", "system", LSC_ICB, "IMD2025")["numerator"] < 328
    # ... but the 14 Lancashire authorities alone give 31.1% (293 of 941)
    lancashire = lsc.one("SELECT sum(numerator), sum(denominator) FROM marts.fct_indicator_values "
                         "WHERE indicator_id = 'imd_core20_lsoa_share' AND level = 'local_authority' "
                         "AND period = 'IMD2019' AND area_code NOT IN ('E07000027', 'E07000031', 'E07000029', 'E07000163')")
    assert lancashire == (293, 941) and 100 * 293 / 941 == pytest.approx(31.1, abs=0.05)


def test_imd2025_deprivation_profile_on_lsoa_2021(lsc):
    core20 = lsc.indicator("imd_core20_lsoa_share", "system", LSC_ICB, "IMD2025")
    assert (core20["numerator"], core20["denominator"]) == (317, 1060)
    assert core20["value"] == pytest.approx(29.91, abs=0.01)
    assert lsc.indicator("imd_decile1_lsoa_share", "system", LSC_ICB, "IMD2025")["numerator"] == 191
    assert lsc.indicator("imd_core20_population_share", "system", LSC_ICB, "IMD2025")["value"] == \
        pytest.approx(29.4, abs=0.1)
    weighted = lsc.indicator("imd_score_population_weighted", "system", LSC_ICB, "IMD2025")
    assert weighted["value"] == pytest.approx(25.8, abs=0.1)
    england = lsc.indicator("imd_score_population_weighted", "england", "E92000001", "IMD2025")
    assert england["value"] == pytest.approx(21.9, abs=0.1) and weighted["value"] > england["value"]
    assert weighted["england_value"] == pytest.approx(england["value"])
    assert lsc.indicator("imd_core20_lsoa_share", "england", "E92000001", "IMD2025")["value"] == pytest.approx(20.0, abs=0.01)


def test_footprints_and_local_authorities_of_the_deprivation_profile(lsc):
    rows = {r[0]: r[1:] for r in lsc.rows(
        "SELECT area_code, numerator, denominator, value FROM marts.fct_indicator_values "
        "WHERE indicator_id = 'imd_core20_lsoa_share' AND level = 'footprint' AND period = 'IMD2019'")}
    assert {code: (n, d) for code, (n, d, _) in rows.items()} == {
        "CL": (48, 229), "FC": (71, 215), "MB": (42, 206), "PL": (139, 335), "WL": (14, 73)}
    assert max(rows, key=lambda code: rows[code][2]) == "PL"
    assert rows["PL"][2] == pytest.approx(41.5, abs=0.05) and rows["FC"][2] == pytest.approx(33.0, abs=0.05)
    blackpool = lsc.indicator("imd_core20_lsoa_share", "local_authority", "E06000009", "IMD2019")
    assert (blackpool["denominator"], blackpool["numerator"], blackpool["area_name"]) == (94, 55, "Blackpool")


def test_imd2019_population_weighted_score_is_not_given_without_scores(lsc):
    assert lsc.one("SELECT count(imd_score) FROM marts.dim_lsoa_deprivation WHERE imd_edition = 2019") == 0
    values = [r[0] for r in lsc.rows("SELECT value FROM marts.fct_indicator_values WHERE indicator_id = "
                                     "'imd_score_population_weighted' AND period = 'IMD2019'")]
    assert all(v is None for v in values), values


# -- A&E growth and right drift (published series) ------------------------------------------------------------------


def _growth(lsc: LscRun, comparison: str, measure: str = "ae_attendances_all", base: int = 2018, year: int = 2023):
    return lsc.one(
        "SELECT system_base, system_value, system_growth_pct, england_base, england_value, england_growth_pct, "
        "drift_pp FROM marts.fct_ae_published_growth WHERE comparison = $c AND measure = $m "
        "AND base_financial_year = $b AND financial_year = $y", {"c": comparison, "m": measure, "b": base, "y": year})


def test_ae_growth_fy2018_to_fy2023_from_the_published_series(lsc):
    # residence-weighted attribution (OHID catchments, RVY/RBN merger blended) against every NHS trust in England
    sb, sv, sg, eb, ev, eg, drift = _growth(lsc, "catchment")
    assert sb == pytest.approx(766_432, abs=1) and sv == pytest.approx(904_671, abs=1)
    assert sg == pytest.approx(18.04, abs=0.01) and eg == pytest.approx(8.74, abs=0.01)
    assert drift == pytest.approx(9.30, abs=0.01)
    # the profile's four trusts against England's all-provider total: the ICB's published +19% vs +5.8%
    sb, sv, sg, eb, ev, eg, drift = _growth(lsc, "as_published")
    assert (sb, sv) == (686_638, 818_273) and (eb, ev) == (24_826_981, 26_278_922)
    assert sg == pytest.approx(19.17, abs=0.01) and eg == pytest.approx(5.85, abs=0.01)
    assert drift == pytest.approx(13.32, abs=0.01)
    # like for like (NHS trusts on both sides) England grew +8.7%: the drift is about 10 points, not 13
    sb, sv, sg, eb, ev, eg, drift = _growth(lsc, "trusts")
    assert (eb, ev) == (22_726_757, 24_713_100)
    assert eg == pytest.approx(8.74, abs=0.01) and drift == pytest.approx(10.43, abs=0.01)
    # the ICB-level series exists from April 2022 only
    sb, sv, sg, eb, ev, eg, drift = _growth(lsc, "icb_series", base=2022, year=2023)
    assert (sb, sv) == (792_827, 852_850) and sg == pytest.approx(7.57, abs=0.01) and eg == pytest.approx(3.67, abs=0.01)


def test_ae_growth_indicator_is_the_catchment_weighted_published_series(lsc):
    growth = lsc.indicator("ae_attendances_all_growth_published", "system", LSC_ICB, "2023/24")
    assert growth["value"] == pytest.approx(18.04, abs=0.01)
    assert growth["england_value"] == pytest.approx(8.74, abs=0.01)
    assert growth["numerator"] == pytest.approx(904_671, abs=1) and growth["denominator"] == pytest.approx(766_432, abs=1)
    assert growth["period_type"] == "financial_year_growth" and growth["method"] == "growth"
    assert lsc.indicator("ae_attendances_all_growth_published", "england", "E92000001", "2023/24")["value"] == \
        pytest.approx(8.74, abs=0.01)
    # every year of the indicator is the catchment comparison of fct_ae_published_growth, from FY2018/19
    catchment = {f"{y}/{(y + 1) % 100:02d}": (s, e) for y, s, e in lsc.rows(
        "SELECT financial_year, system_growth_pct, england_growth_pct FROM marts.fct_ae_published_growth "
        "WHERE measure = 'ae_attendances_all' AND comparison = 'catchment' AND base_financial_year = 2018")}
    system = lsc.values("ae_attendances_all_growth_published", "system")
    assert sorted(p for _, p in system) == sorted(catchment) == ["2021/22", "2022/23", "2023/24", "2024/25"]
    for (_, period), value in system.items():
        assert value == pytest.approx(catchment[period][0], rel=1e-12)
        assert lsc.indicator("ae_attendances_all_growth_published", "england", "E92000001", period)["value"] == \
            pytest.approx(catchment[period][1], rel=1e-12)


def test_missing_months_and_mergers_are_reported_not_filled(lsc):
    # RYG Aug 2022 - Mar 2023, RNU Aug - Sep 2022, RWX Aug 2022: 11 trust-months missing in FY2022/23
    assert lsc.one("SELECT org_months_missing FROM marts.fct_ae_published_annual WHERE measure = 'ae_attendances_all' "
                   "AND basis = 'nhs_trusts' AND financial_year = 2022") == 11
    assert lsc.one("SELECT count(*), count(attendances_all) FROM marts.fct_ae_published_monthly "
                   "WHERE org_code = 'RYG' AND NOT reported") == (8, 0)
    # Southport and Ormskirk (RVY) ends June 2023 and continues as RBN
    assert lsc.one("SELECT max(month), any_value(org_code_current) FROM marts.fct_ae_published_monthly "
                   "WHERE org_code = 'RVY' AND series = 'trust_monthly'") == (date(2023, 6, 1), "RBN")
    # the split trust (RW6 -> RM3 and R0A) has no successor and no catchment share
    assert lsc.one("SELECT count(org_code_current), count(catchment_share) FROM marts.fct_ae_published_monthly "
                   "WHERE org_code = 'RW6'") == (0, 0)
    # the profile's trusts are exactly the ICB series' emergency admissions (FY2022/23 on)
    assert lsc.one("SELECT activity FROM marts.fct_ae_published_annual WHERE measure = 'emergency_admissions' "
                   "AND basis = 'profile_providers' AND financial_year = 2023") == 211_306
    # the provider mart: the profile's four trusts, FY2023/24 as the trust file gives them
    assert [r[0] for r in lsc.rows("SELECT DISTINCT provider_code FROM marts.fct_ae_monthly_providers "
                                   "WHERE is_system_provider ORDER BY 1")] == ["RTX", "RXL", "RXN", "RXR"]
    assert lsc.one("SELECT sum(attendances_all) FROM marts.fct_ae_monthly_providers "
                   "WHERE is_system_provider AND financial_year = 2023") == 818_273


def test_emergency_admissions_growth_from_fy2018_is_not_invented(lsc):
    assert lsc.one("SELECT count(*) FROM marts.fct_ae_published_growth WHERE measure = 'emergency_admissions' "
                   "AND base_financial_year = 2018") == 0
    assert lsc.one("SELECT min(base_financial_year) FROM marts.fct_ae_published_growth "
                   "WHERE measure = 'emergency_admissions' AND comparison = 'trusts'") == 2021
    # the indicator starts from FY2021/22, the first year total emergency admissions are published by trust
    system = lsc.values("emergency_admissions_growth_published", "system")
    assert sorted(p for _, p in system) == ["2022/23", "2023/24", "2024/25"]
    growth = lsc.indicator("emergency_admissions_growth_published", "system", LSC_ICB, "2023/24")
    assert growth["value"] == pytest.approx(11.08, abs=0.01) and growth["england_value"] == pytest.approx(6.86, abs=0.01)
    # the plan's +18% vs +0.7% stays a published figure of the profile, never a value of the marts
    published = {p["id"]: p["value"] for p in load_profile(LSC_PROFILE).public["published"]}
    assert published["emergency_admissions_growth_system"] == 18.0


# -- GP capacity ------------------------------------------------------------------------------------------------


def test_gp_workforce_marts_are_calendar_year_means(lsc):
    years = {r[0]: r[1:] for r in lsc.rows(
        "SELECT month, count(DISTINCT period_kind), any_value(period_kind), count(*), sum(gp_fte_qualified), "
        "sum(registered_patients) FROM marts.fct_gp_workforce GROUP BY 1")}
    assert sorted(years) == [date(2023, 1, 1), date(2024, 1, 1), date(2025, 1, 1)]
    assert all(kinds == 1 and kind == "calendar_year_mean" for kinds, kind, *_ in years.values())
    _, _, practices, fte, patients = years[date(2023, 1, 1)]
    assert practices == 200 and fte == pytest.approx(726.9, abs=0.05) and patients == pytest.approx(1_826_620, abs=1)
    assert years[date(2024, 1, 1)][2] == 200 and years[date(2025, 1, 1)][2] == 196
    assert lsc.one("SELECT count(*) FROM marts.fct_gp_workforce WHERE system_code <> $icb", {"icb": LSC_ICB}) == 0
    england = lsc.rows("SELECT DISTINCT month, period_kind FROM marts.fct_england_gp_workforce ORDER BY 1")
    assert england == [(date(y, 1, 1), "calendar_year_mean") for y in (2023, 2024, 2025)]


def test_gp_fte_per_100k_against_england_2023_to_2025(lsc):
    expected = {"2023": 39.79, "2024": 40.02, "2025": 40.06}
    for year, rate in expected.items():
        row = lsc.indicator("gp_fte_qualified_per_100k", "system", LSC_ICB, year)
        assert row["value"] == pytest.approx(rate, abs=0.01), year
        assert row["unit"] == "FTE per 100,000 registered patients" and row["period_type"] == "month"
        # fewer fully qualified GPs per patient than England, every year held (the plan says 12.5% fewer)
        assert -8 < 100 * (row["value"] / row["england_value"] - 1) < -5, year
    row = lsc.indicator("gp_fte_qualified_per_100k", "system", LSC_ICB, "2023")
    assert row["numerator"] == pytest.approx(726.9, abs=0.05) and row["denominator"] == pytest.approx(1_826_620, abs=1)
    assert row["england_value"] == pytest.approx(42.8, abs=0.05)
    footprints = lsc.one("SELECT sum(denominator), count(*) FROM marts.fct_indicator_values WHERE indicator_id = "
                         "'gp_fte_qualified_per_100k' AND level = 'footprint' AND period = '2023'")
    assert footprints[1] == 5 and footprints[0] == pytest.approx(1_826_620, rel=0.01)
    assert lsc.indicator("gp_fte_all_per_100k", "system", LSC_ICB, "2023")["value"] == pytest.approx(56.71, abs=0.01)


def test_england_gp_fte_per_100k_counts_only_practices_reporting_fte(lsc):
    """England's denominator, like the system's, counts only the practices that report the staff group."""
    reporting = {str(month.year): rate for month, rate in lsc.rows(
        "SELECT month, 1e5 * sum(gp_fte_qualified) / sum(registered_patients) FILTER (WHERE gp_fte_qualified "
        "IS NOT NULL) FROM staging.stg_gp__workforce_practice GROUP BY 1")}
    assert reporting["2023"] == pytest.approx(42.84, abs=0.01)
    for year, rate in reporting.items():
        assert lsc.indicator("gp_fte_qualified_per_100k", "england", "E92000001", year)["value"] == \
            pytest.approx(rate, rel=1e-9), year


# -- JSNA ---------------------------------------------------------------------------------------------------------


def test_jsna_indicators_from_the_fingertips_extract(lsc):
    areas = {r[0] for r in lsc.rows("SELECT DISTINCT area_code FROM marts.fct_jsna_indicator_values "
                                    "WHERE level = 'local_authority'")}
    assert areas == {r[0] for r in lsc.rows("SELECT DISTINCT lad_code FROM marts.dim_geography")} and len(areas) == 18
    assert {r[0] for r in lsc.rows("SELECT DISTINCT indicator_id FROM marts.fct_jsna_indicator_values")} == \
        {22401, 90362, 92443, 92906}
    alcohol = lsc.one("SELECT count(*), count(DISTINCT area_code), count(DISTINCT period) FROM marts.fct_indicator_values "
                      "WHERE indicator_id = 'jsna_alcohol_admissions' AND level = 'local_authority'")
    assert alcohol == (180, 18, 10)
    # the indicator rows are Fingertips' published values, unchanged
    mismatched = lsc.one(
        "SELECT count(*) FROM marts.fct_indicator_values AS v JOIN marts.fct_jsna_indicator_values AS j "
        "ON j.indicator_id = 92906 AND j.sex = 'Persons' AND j.area_code = v.area_code AND j.period = v.period "
        "WHERE v.indicator_id = 'jsna_alcohol_admissions' AND v.value IS DISTINCT FROM j.value")
    assert mismatched == 0


# -- what the public data cannot give -------------------------------------------------------------------------------


def _availability(lsc: LscRun) -> dict[tuple[str, str], dict]:
    with duckdb.connect(str(lsc.database), read_only=True) as con:
        frame = con.execute("SELECT * FROM marts.fct_indicator_availability").pl()
    return {(r["indicator_id"], r["level"]): r for r in frame.iter_rows(named=True)}


def test_indicator_availability_says_what_the_public_files_cannot_give_and_why(lsc):
    rows = _availability(lsc)
    # record-level ECDS / SUS activity is confidential: every indicator that needs it, at every level
    for indicator_id in ("ae_attendances_all_dsr", "emergency_admissions_isr", "ae_attendances_all_sii",
                         "ae_attendances_all_crude_rate", "emergency_bed_days_sii"):
        row = rows[(indicator_id, "system")]
        assert row["available"] is False and "confidential" in row["reason"], indicator_id
    for row in rows.values():
        needs_records = {"ed_attendances", "admitted_spells"} & set(row["inputs"].split(", "))
        if needs_records:
            assert row["available"] is False and "confidential" in row["reason"]
            assert needs_records <= set(row["missing_inputs"].split(", "))
    # deprivation, GP workforce (per registered patient) and JSNA are available
    for indicator_id in ("imd_core20_lsoa_share", "imd_core20_population_share", "imd_score_population_weighted",
                         "gp_fte_qualified_per_100k", "gp_fte_all_per_100k", "nurses_fte_per_100k",
                         "ae_attendances_all_growth_published", "emergency_admissions_growth_published"):
        assert rows[(indicator_id, "system")]["available"] is True, indicator_id
    assert all(r["available"] for r in rows.values() if r["family"] == "deprivation")
    # the JSNA indicators the Fingertips extract holds, at local authority and England level
    for indicator_id in ("jsna_alcohol_admissions", "jsna_falls_admissions_65plus", "jsna_smoking_prevalence",
                         "jsna_healthy_life_expectancy_female", "jsna_healthy_life_expectancy_male"):
        for level in ("local_authority", "england"):
            assert rows[(indicator_id, level)]["available"] is True, (indicator_id, level)
    # every JSNA input is held: a JSNA indicator is never missing an input (at most data the extract lacks)
    assert all(r["missing_inputs"] is None for r in rows.values() if r["family"] == "jsna")
    # need-weighted GP rates need the practices' age-sex lists, which no public adapter reads yet
    weighted = rows[("gp_fte_qualified_per_100k_weighted", "system")]
    assert weighted["available"] is False and "registered_patients_age_sex" in weighted["missing_inputs"]
    # every unavailable row says why; available rows miss nothing and need no reason; nothing is synthetic
    for key, row in rows.items():
        if row["available"]:
            assert row["missing_inputs"] is None and row["reason"] is None, key
        else:
            assert (row["reason"] or "").strip(), key
        assert row["synthetic_inputs"] is None, key
    # no value is published for an indicator at a level it is unavailable at
    valued = set(lsc.rows("SELECT DISTINCT indicator_id, level FROM marts.fct_indicator_values"))
    assert all(rows[pair]["available"] for pair in valued)
    # the commissioner CSV lists the same reasons
    with open(lsc.outputs / "csv" / "not_available.csv", newline="") as handle:
        listed = {(r["indicator_id"], r["level"]): r["reason"] for r in csv.DictReader(handle)}
    assert "confidential" in listed[("ae_attendances_all_dsr", "system")]


def test_every_indicator_called_available_has_values(lsc):
    # 9 JSNA indicators of the catalogue (jsna_imd_score, jsna_life_expectancy_*, jsna_suicide_rate, ...) are not
    # in the Fingertips extract held, nor any JSNA indicator at system or footprint level: not available, and why
    rows = _availability(lsc)
    available = {pair for pair, row in rows.items() if row["available"]}
    valued = set(lsc.rows("SELECT DISTINCT indicator_id, level FROM marts.fct_indicator_values"))
    assert sorted(available - valued) == []
    for pair in ("jsna_suicide_rate", "local_authority"), ("jsna_reception_obesity", "system"):
        assert rows[pair]["available"] is False and rows[pair]["missing_inputs"] is None and rows[pair]["reason"]


# -- the commissioner outputs of the real run ---------------------------------------------------------------------

#: The system's figures every output must show: (indicator, level).
SYSTEM_FIGURES = ("imd_core20_lsoa_share", "ae_attendances_all_growth_published", "gp_fte_qualified_per_100k")


def _sheet(path: Path, title: str) -> list[dict]:
    """The rows of a workbook sheet below its header row (the row starting 'Indicator'), by header."""
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    rows = list(workbook[title].iter_rows())
    start = next(i for i, row in enumerate(rows) if row[0].value == "Indicator")
    header = [cell.value for cell in rows[start]]
    return [{name: cell for name, cell in zip(header, row) if name} for row in rows[start + 1:]
            if row[0].value is not None]


def test_workbook_shows_the_real_values(lsc):
    path = lsc.outputs / "ina_commissioner_indicators.xlsx"
    system = {row["Indicator ID"].value: row for row in _sheet(path, "System")}
    for indicator_id in SYSTEM_FIGURES:
        row = system[indicator_id]
        assert row["Area code"].value == LSC_ICB
        period = row["Period"].value
        # the sheet shows the latest period of each indicator
        latest = max(p for _, p in lsc.values(indicator_id, "system"))
        assert period == latest, indicator_id
        mart = lsc.indicator(indicator_id, "system", LSC_ICB, period)["value"]
        assert row["Value"].number_format == "#,##0.0"  # shown to 1 decimal place
        assert round(row["Value"].value, 1) == round(mart, 1) and row["Value"].value == pytest.approx(mart, rel=1e-9)
    # the workbook's latest periods: IMD2025, FY2024/25, 2025
    assert system["imd_core20_lsoa_share"]["Value"].value == pytest.approx(29.91, abs=0.01)
    assert system["ae_attendances_all_growth_published"]["Value"].value == pytest.approx(22.99, abs=0.01)
    assert system["gp_fte_qualified_per_100k"]["Value"].value == pytest.approx(40.06, abs=0.01)
    footprints = {row["Area code"].value: row for row in _sheet(path, "Footprints")
                  if row["Indicator ID"].value == "imd_core20_lsoa_share"}
    assert set(footprints) == set(FOOTPRINTS)
    for code, row in footprints.items():
        mart = lsc.indicator("imd_core20_lsoa_share", "footprint", code, row["Period"].value)["value"]
        assert round(row["Value"].value, 1) == round(mart, 1), code


def _csv(lsc: LscRun, name: str) -> dict[tuple[str, str, str], dict]:
    with open(lsc.outputs / "csv" / name, newline="") as handle:
        return {(r["indicator_id"], r["area_code"], r["period"]): r for r in csv.DictReader(handle)}


def test_csvs_hold_the_real_values_of_every_period(lsc):
    system = _csv(lsc, "indicators_system.csv")
    expected = {("imd_core20_lsoa_share", "IMD2019"): 29.68, ("imd_core20_lsoa_share", "IMD2025"): 29.91,
                ("ae_attendances_all_growth_published", "2023/24"): 18.04,
                ("gp_fte_qualified_per_100k", "2023"): 39.79, ("gp_fte_qualified_per_100k", "2024"): 40.02,
                ("gp_fte_qualified_per_100k", "2025"): 40.06}
    for (indicator_id, period), figure in expected.items():
        row = system[(indicator_id, LSC_ICB, period)]
        mart = lsc.indicator(indicator_id, "system", LSC_ICB, period)["value"]
        assert row["suppressed"] == "false" and row["level"] == "system"
        assert float(row["value"]) == pytest.approx(mart, rel=1e-12)  # written at full precision
        assert float(row["value"]) == pytest.approx(figure, abs=0.01)
    ae = system[("ae_attendances_all_growth_published", LSC_ICB, "2023/24")]
    assert float(ae["england_value"]) == pytest.approx(8.74, abs=0.01)
    footprint = _csv(lsc, "indicators_footprint.csv")
    for code in FOOTPRINTS:
        for period in ("IMD2019", "IMD2025"):
            row = footprint[("imd_core20_lsoa_share", code, period)]
            mart = lsc.indicator("imd_core20_lsoa_share", "footprint", code, period)["value"]
            # LSOAs are not people: a footprint's Core20 count is published whatever its size
            assert row["suppressed"] == "false" and row["numerator_counts"] == "LSOAs", (code, period)
            assert float(row["value"]) == pytest.approx(mart, rel=1e-12), (code, period)
    assert float(footprint[("imd_core20_lsoa_share", "PL", "IMD2019")]["value"]) == pytest.approx(41.49, abs=0.01)


class _IndicatorRows(HTMLParser):
    """The cells' text of each `<tr data-indicator=...>` (first occurrence), the page's body class and h1."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.body_class = ""
        self.h1 = ""
        self._row: str | None = None
        self._cell: list[str] | None = None
        self._in_h1 = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body":
            self.body_class = attrs.get("class") or ""
        elif tag == "h1":
            self._in_h1 = True
        elif tag == "tr" and attrs.get("data-indicator") and attrs["data-indicator"] not in self.rows:
            self._row = attrs["data-indicator"]
            self.rows[self._row] = []
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False
        elif tag == "td" and self._cell is not None and self._row is not None:
            self.rows[self._row].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_h1:
            self.h1 += data


def _pages(lsc: LscRun) -> list[_IndicatorRows]:
    pages = []
    for path in sorted((lsc.outputs / "report").glob("*.html")):
        page = _IndicatorRows()
        page.feed(path.read_text(encoding="utf-8"))
        pages.append(page)
    return pages


def test_report_pages_show_the_real_values(lsc):
    pages = _pages(lsc)
    systems = [p for p in pages if "level-system" in p.body_class.split()]
    assert len(systems) == 1  # found by listing the folder, not by its name
    system = systems[0]
    for indicator_id in SYSTEM_FIGURES:
        cells = system.rows[indicator_id]  # name, period, count, value, limits, unit, England, ...
        period, shown = cells[1], cells[3]
        assert period == max(p for _, p in lsc.values(indicator_id, "system")), indicator_id
        mart = lsc.indicator(indicator_id, "system", LSC_ICB, period)
        assert shown == f"{mart['value']:,.1f}", indicator_id  # 1 decimal place
        assert cells[6] == f"{mart['england_value']:,.1f}", indicator_id
    assert system.rows["gp_fte_qualified_per_100k"][3] == "40.1"
    assert system.rows["ae_attendances_all_growth_published"][3] == "23.0"
    # each footprint's page shows its Core20 LSOA share
    footprints = {p.h1.strip().removesuffix(" footprint"): p for p in pages if "level-footprint" in p.body_class.split()}
    assert set(footprints) == set(FOOTPRINTS.values())
    for code, name in FOOTPRINTS.items():
        cells = footprints[name].rows["imd_core20_lsoa_share"]
        mart = lsc.indicator("imd_core20_lsoa_share", "footprint", code, cells[1])["value"]
        assert cells[3] == f"{mart:,.1f}", code
    # and says what the public files cannot give, and why
    assert "confidential" in (lsc.outputs / "report" / "index.html").read_text(encoding="utf-8")


# -- fetch -----------------------------------------------------------------------------------------------------------


def test_ina_fetch_copies_from_the_mirror(tmp_path):
    from pipelines.platform.cli import app

    result = CliRunner().invoke(app, ["fetch", "--mirror", str(REAL), "--only", "iod2019_file1",
                                      "--only", "esp2013", "--dest", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "2 copied" in result.output and (tmp_path / "imd2019" / "iod2019_file1_imd_lsoa11.csv.gz").is_file()
    again = CliRunner().invoke(app, ["fetch", "--mirror", str(REAL), "--only", "esp2013", "--dest", str(tmp_path)])
    assert "1 cached" in again.output
    bad = CliRunner().invoke(app, ["fetch", "--mirror", str(REAL), "--only", "no_such_source", "--dest", str(tmp_path)])
    assert bad.exit_code == 1


# -- reliability on the real profile's sources: bad input, SIGKILL, determinism ---------------------------------


def _bad_workforce_file(real_dir: Path, raw: Path) -> Path:
    """A raw folder of links to the mirror, with the GP workforce file's third line given a negative FTE."""
    import gzip

    from bad_inputs.harness import overlay_raw

    overlay_raw(real_dir, raw)
    name = "gp_workforce/practice_workforce_annual_2023-2025.csv.gz"
    (raw / name).unlink()
    with gzip.open(real_dir / name, "rt", newline="") as source, gzip.open(raw / name, "wt", newline="") as out:
        for n, line in enumerate(source, start=1):
            if n == 3:
                fields = line.split(",")
                fields[4] = "-2.0"  # TOTAL_GP_EXTGL_FTE
                line = ",".join(fields)
            out.write(line)
    return raw / name


def test_a_bad_published_file_gets_one_clear_error_and_the_marts_stay(lsc, real_dir, tmp_path):
    import subprocess
    import sys

    from bad_inputs.harness import copy_marts

    from pipelines.publish import content_hash

    bad = _bad_workforce_file(real_dir, tmp_path / "raw")
    marts = copy_marts(lsc.marts_dir, tmp_path / "marts")
    before = content_hash(marts / "ina.duckdb")
    run = subprocess.run([sys.executable, "-m", "pipelines.platform.cli", "materialize", "--profile", str(LSC_PROFILE),
                          "--raw-dir", str(tmp_path / "raw"), "--marts-dir", str(marts)],
                         cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600)
    assert run.returncode == 1, run.stdout[-2000:]
    failures = [line for line in run.stdout.splitlines() if line.startswith("  FAILED ")]
    assert failures and all(f"{bad}, line 3, column 'TOTAL_GP_EXTGL_FTE': value below 0" in line
                            for line in failures), failures
    assert "Traceback" not in run.stderr and "Stack Trace" not in run.stderr
    assert content_hash(marts / "ina.duckdb") == before


def test_sigkill_mid_real_run_leaves_the_published_marts_intact(lsc, real_dir, tmp_path):
    import signal

    from bad_inputs.harness import copy_marts, kill_once_writing

    from pipelines.publish import content_hash

    marts = copy_marts(lsc.marts_dir, tmp_path / "marts")
    before = content_hash(marts / "ina.duckdb")
    code = kill_once_writing(real_dir, marts, LSC_PROFILE, ("staging", "marts", "published"), tmp_path / "run.log",
                             after=0.5)
    assert code == -signal.SIGKILL
    assert content_hash(marts / "ina.duckdb") == before
    with duckdb.connect(str(marts / "ina.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.fct_indicator_values").fetchone()[0] > 0


def test_two_real_runs_with_different_thread_counts_give_identical_marts(lsc, real_dir, tmp_path):
    from bad_inputs.harness import full_refresh

    from pipelines.publish import content_hash

    refresh = full_refresh(lsc.marts_dir, real_dir, LSC_PROFILE, tmp_path)
    assert refresh.success, refresh.output
    assert refresh.threads != refresh.default_threads and refresh.errors == []
    schemas = ("marts", "staging")
    assert content_hash(refresh.working, schemas) == content_hash(lsc.working, schemas)
    assert content_hash(refresh.database) == content_hash(lsc.database)
