"""The real LSC profile (`config/profiles/lsc.yaml`, `source: public`) materialised on the real public files.

The public-data graph is run once per session, in-process, on the shared mirror (`../shared/data/real`, read in
place) into a temporary marts folder; the tests read the marts. Expected values are what the files give (see
docs/real-data.md for each beside the ICB's published figure and the reason they differ).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.config import DEFAULT_PROFILE, PROJECT_DIR, load_profile

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"
LSC_PROFILE = PROJECT_DIR / "config" / "profiles" / "lsc.yaml"
LSC_SUB_ICBS = ["00Q", "00R", "00X", "01A", "01E", "01K", "02G", "02M"]


@dataclass
class LscRun:
    result: dg.ExecuteInProcessResult
    database: Path
    seconds: float

    def rows(self, sql: str, params: dict | None = None) -> list[tuple]:
        with duckdb.connect(str(self.database), read_only=True) as con:
            return con.execute(sql, params).fetchall()

    def one(self, sql: str, params: dict | None = None):
        rows = self.rows(sql, params)
        assert len(rows) == 1, f"{len(rows)} rows for {sql}"
        return rows[0] if len(rows[0]) > 1 else rows[0][0]


@pytest.fixture(scope="session")
def lsc(tmp_path_factory) -> LscRun:
    if not REAL.is_dir():
        pytest.skip(f"real-data mirror not found at {REAL} (the shared data folder beside the repo)")
    from pipelines.definitions import build_definitions
    from pipelines.resources import InaSettings

    settings = InaSettings(raw_dir=str(REAL), marts_dir=str(tmp_path_factory.mktemp("lsc_marts")),
                           profile_path=str(LSC_PROFILE))
    job = build_definitions(settings).resolve_job_def("refresh_everything")
    started = time.perf_counter()
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    return LscRun(result, settings.database_path, time.perf_counter() - started)


# -- the profile and the graph --------------------------------------------------------------------------------


def test_lsc_profile_selects_the_public_graph_and_demo_stays_raw():
    lsc = load_profile(LSC_PROFILE)
    assert lsc.uses_public_data and lsc.icb_code == "E54000048" and lsc.icb_nhs_code == "QE1"
    assert sorted(r["sub_icb_nhs_code"] for r in lsc.footprint_rows()) == LSC_SUB_ICBS
    assert len(lsc.footprints) == 5 and lsc.base_financial_year == 2018
    assert set(lsc.providers) == {"RXR", "RXL", "RXN", "RTX"}
    assert load_profile(DEFAULT_PROFILE).source == "raw"

    from pipelines.definitions import build_definitions, defs
    from pipelines.resources import InaSettings

    public = build_definitions(InaSettings(profile_path=str(LSC_PROFILE))).resolve_asset_graph()
    keys = {k.to_user_string() for k in public.get_all_asset_keys()}
    assert "marts/public_ae_right_drift" in keys and "raw/ecds_attendances" not in keys
    assert "marts/fct_activity" in {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    for key in public.get_all_asset_keys():
        assert "One row per" in (public.get(key).description or "") or key.path[0] == "published", key


def test_the_whole_public_graph_materialises_with_every_check_passing(lsc):
    assert lsc.result.success
    failed = [f"{e.asset_key.to_user_string()}:{e.check_name}" for e in lsc.result.get_asset_check_evaluations()
              if not e.passed]
    assert failed == []
    assert lsc.database.is_file()  # published, not only the working copy


# -- geography --------------------------------------------------------------------------------------------------


def test_the_icb_has_its_eight_sub_icb_locations_and_about_1060_lsoas(lsc):
    counts = dict(lsc.rows("SELECT lsoa_vintage, count(*) FROM marts.public_lsoa_geography GROUP BY 1"))
    assert counts == {2011: 1058, 2021: 1060}
    for vintage in (2011, 2021):
        subs = [r[0] for r in lsc.rows("SELECT DISTINCT sub_icb_nhs_code FROM marts.public_lsoa_geography "
                                       "WHERE lsoa_vintage = $v ORDER BY 1", {"v": vintage})]
        assert subs == LSC_SUB_ICBS
    # 00X grows from 102 to 107 LSOAs between the boundary sets, 01K falls from 206 to 203
    by_sub = dict(lsc.rows("SELECT lsoa_vintage || sub_icb_nhs_code, count(*) FROM marts.public_lsoa_geography "
                           "WHERE sub_icb_nhs_code IN ('00X', '01K') GROUP BY 1"))
    assert by_sub == {"201100X": 102, "202100X": 107, "201101K": 206, "202101K": 203}
    assert lsc.one("SELECT count(*), count(DISTINCT lsoa_code), count(DISTINCT footprint_code) "
                   "FROM marts.dim_geography") == (1058, 1058, 5)
    # neighbourhoods only where practice x LSOA registrations are published (Pennine Lancashire)
    pennine = lsc.one("SELECT count(*), count(neighbourhood_code) FROM marts.dim_geography "
                      "WHERE footprint_name = 'Pennine Lancashire'")
    assert pennine[0] == 335 and pennine[1] >= 320
    assert lsc.one("SELECT count(neighbourhood_code) FROM marts.dim_geography WHERE footprint_code IN ('FC', 'MB')") == 0
    assert lsc.one("SELECT count(*) FROM marts.dim_practices") > 190


# -- deprivation ------------------------------------------------------------------------------------------------


def _system(lsc: LscRun, edition: int):
    return lsc.one(
        "SELECT lsoas, lsoas_decile_1_2, pct_lsoas_decile_1_2, pct_lsoas_decile_1_2_lower, "
        "pct_lsoas_decile_1_2_upper, lsoas_decile_1, pct_population_decile_1_2, imd_score_population_weighted "
        "FROM marts.public_deprivation_profile WHERE level = 'system' AND imd_edition = $e", {"e": edition})


def test_imd2019_deprivation_profile_is_what_the_files_give_not_the_published_31pct(lsc):
    lsoas, core20, pct, lower, upper, decile1, pct_residents, weighted = _system(lsc, 2019)
    assert (lsoas, core20, decile1) == (1058, 314, 198)
    assert pct == pytest.approx(29.68, abs=0.01)
    # Wilson limits (pipelines.stats) around 314 / 1,058
    assert lower == pytest.approx(27.0, abs=0.1) and upper == pytest.approx(32.5, abs=0.1)
    assert pct_residents == pytest.approx(29.05, abs=0.01)  # IoD2019 mid-2015 denominators
    # 31% would need 328 LSOAs: neither edition held reproduces the published figure
    assert abs(pct - 31.0) > 1
    # no LSOA scores in the IoD2019 files held (Files 1, 2, 6): no weighted score, and it says so
    assert weighted is None
    assert lsc.one("SELECT count(*) FROM marts.public_unavailable WHERE indicator = 'Population-weighted IMD 2019 score'") == 1


def test_imd2025_deprivation_profile_on_lsoa_2021(lsc):
    lsoas, core20, pct, _, _, decile1, pct_residents, weighted = _system(lsc, 2025)
    assert (lsoas, core20, decile1) == (1060, 317, 191)
    assert pct == pytest.approx(29.91, abs=0.01)
    assert pct_residents == pytest.approx(29.4, abs=0.1)
    assert weighted == pytest.approx(25.8, abs=0.1)
    england = lsc.one("SELECT pct_lsoas_decile_1_2, imd_score_population_weighted FROM marts.public_deprivation_profile "
                      "WHERE level = 'england' AND imd_edition = 2025")
    assert england[0] == pytest.approx(20.0, abs=0.01) and weighted > england[1]


def test_footprints_and_local_authorities_of_the_deprivation_profile(lsc):
    rows = dict(lsc.rows("SELECT area_name, lsoas_decile_1_2 FROM marts.public_deprivation_profile "
                         "WHERE imd_edition = 2019 AND level = 'footprint'"))
    assert sum(rows.values()) == 314
    assert max(rows, key=rows.get) == "Pennine Lancashire"
    assert lsc.one("SELECT lsoas, lsoas_decile_1_2 FROM marts.public_deprivation_profile "
                   "WHERE imd_edition = 2019 AND level = 'local_authority' AND area_name = 'Blackpool'") == (94, 55)


# -- A&E growth and right drift -----------------------------------------------------------------------------------


def _drift(lsc: LscRun, comparison: str, measure: str = "ae_attendances_all", base: int = 2018, year: int = 2023):
    return lsc.one(
        "SELECT system_base, system_value, system_growth_pct, england_base, england_value, england_growth_pct, "
        "drift_pp FROM marts.public_ae_right_drift WHERE comparison = $c AND measure = $m "
        "AND base_financial_year = $b AND financial_year = $y", {"c": comparison, "m": measure, "b": base, "y": year})


def test_ae_growth_fy2018_to_fy2023_from_the_published_series(lsc):
    # the profile's four trusts against England's all-provider total: the ICB's published +19% vs +5.8%
    sb, sv, sg, eb, ev, eg, drift = _drift(lsc, "as_published")
    assert (sb, sv) == (686_638, 818_273) and (eb, ev) == (24_826_981, 26_278_922)
    assert sg == pytest.approx(19.17, abs=0.01) and eg == pytest.approx(5.85, abs=0.01)
    assert drift == pytest.approx(13.32, abs=0.01)
    # like for like (NHS trusts on both sides) England grew +8.7%: the drift is about 10 points, not 13
    sb, sv, sg, eb, ev, eg, drift = _drift(lsc, "trusts")
    assert (eb, ev) == (22_726_757, 24_713_100)
    assert eg == pytest.approx(8.74, abs=0.01) and drift == pytest.approx(10.43, abs=0.01)
    # residence-weighted attribution (OHID catchments, RVY/RBN merger blended): the same story
    _, _, sg, _, _, _, drift = _drift(lsc, "catchment")
    assert 16 < sg < 20 and 8 < drift < 11
    # the ICB-level series exists from April 2022 only
    sb, sv, sg, eb, ev, eg, drift = _drift(lsc, "icb_series", base=2022, year=2023)
    assert (sb, sv) == (792_827, 852_850) and sg == pytest.approx(7.57, abs=0.01) and eg == pytest.approx(3.67, abs=0.01)


def test_missing_months_and_mergers_are_reported_not_filled(lsc):
    # RYG Aug 2022 - Mar 2023, RNU Aug - Sep 2022, RWX Aug 2022: 11 trust-months missing in FY2022/23
    assert lsc.one("SELECT org_months_missing FROM marts.public_ae_annual WHERE measure = 'ae_attendances_all' "
                   "AND basis = 'nhs_trusts' AND financial_year = 2022") == 11
    assert lsc.one("SELECT count(*), count(attendances_all) FROM marts.public_ae_monthly "
                   "WHERE org_code = 'RYG' AND NOT reported") == (8, 0)
    # Southport and Ormskirk (RVY) ends June 2023 and continues as RBN
    assert lsc.one("SELECT max(month), any_value(org_code_current) FROM marts.public_ae_monthly "
                   "WHERE org_code = 'RVY' AND series = 'trust_monthly'") == (date(2023, 6, 1), "RBN")
    # the split trust (RW6 -> RM3 and R0A) has no successor and no catchment share
    assert lsc.one("SELECT count(org_code_current), count(catchment_share) FROM marts.public_ae_monthly "
                   "WHERE org_code = 'RW6'") == (0, 0)
    # the profile's trusts are exactly the ICB series' emergency admissions (FY2022/23 on)
    assert lsc.one("SELECT activity FROM marts.public_ae_annual WHERE measure = 'emergency_admissions' "
                   "AND basis = 'profile_providers' AND financial_year = 2023") == 211_306


def test_emergency_admissions_drift_from_fy2018_is_not_invented(lsc):
    assert lsc.one("SELECT count(*) FROM marts.public_ae_right_drift WHERE measure = 'emergency_admissions' "
                   "AND base_financial_year = 2018") == 0
    assert lsc.one("SELECT min(base_financial_year) FROM marts.public_ae_right_drift "
                   "WHERE measure = 'emergency_admissions' AND comparison = 'trusts'") == 2021
    assert lsc.one("SELECT count(*) FROM marts.public_unavailable WHERE published_figure = '+18% vs +0.7% nationally'") == 1


# -- GP capacity ------------------------------------------------------------------------------------------------


def test_gp_fte_per_100k_against_england(lsc):
    rows = {r[0]: r[1:] for r in lsc.rows(
        "SELECT year, practices, fte, registered_patients, fte_per_100k, england_fte_per_100k, pct_vs_england "
        "FROM marts.public_gp_capacity WHERE level = 'system' AND staff_group = 'gp_qualified' ORDER BY year")}
    practices, fte, patients, rate, england, pct = rows[2023]
    assert practices == 200 and fte == pytest.approx(726.9, abs=0.05) and patients == pytest.approx(1_826_620, abs=1)
    assert rate == pytest.approx(39.79, abs=0.01) and england == pytest.approx(42.84, abs=0.01)
    assert pct == pytest.approx(-7.1, abs=0.05)
    assert all(-8 < r[-1] < -5 for r in rows.values())  # fewer GPs per patient than England, every year held
    assert lsc.one("SELECT source_columns FROM marts.public_gp_capacity WHERE staff_group = 'gp_qualified' LIMIT 1") \
        == "TOTAL_GP_EXTGL_FTE"
    footprints = lsc.one("SELECT sum(registered_patients) FROM marts.public_gp_capacity WHERE year = 2023 "
                         "AND level = 'footprint' AND staff_group = 'gp_qualified'")
    assert footprints == pytest.approx(1_826_620, rel=0.01)


# -- what the public data cannot give, and the headline figures ------------------------------------------------------


def test_unavailable_indicators_are_listed_plainly(lsc):
    indicators = " | ".join(r[0] for r in lsc.rows("SELECT indicator FROM marts.public_unavailable"))
    for words in ("Demand per capita by LSOA", "Directly age-standardised", "Indirectly standardised",
                  "Deprivation gradients", "bed days"):
        assert words in indicators
    assert lsc.one("SELECT count(*) FROM marts.public_unavailable WHERE reason = '' OR needs = ''") == 0


def test_headline_figures_sit_beside_the_published_ones(lsc):
    rows = {(r[0], r[1]): r[2:] for r in lsc.rows(
        "SELECT figure_id, variant, published_value, pipeline_value, difference FROM marts.public_headline_figures")}
    published, value, difference = rows[("lsoas_most_deprived_20pct", "IMD 2019, LSOAs 2011")]
    assert published == 31.0 and value == pytest.approx(29.68, abs=0.01) and difference == pytest.approx(-1.32, abs=0.01)
    assert rows[("ae_growth_system", "FY2018/19 -> FY2023/24, profile_providers")][1] == pytest.approx(19.17, abs=0.01)
    assert rows[("gp_fte_per_capita_vs_england", "2023, gp_qualified")][0] == -12.5
    assert rows[("bed_days_growth_system", "not available")][1] is None


def test_ina_fetch_copies_from_the_mirror(tmp_path, monkeypatch):
    if not REAL.is_dir():
        pytest.skip(f"real-data mirror not found at {REAL}")
    from pipelines.cli import app

    result = CliRunner().invoke(app, ["fetch", "--mirror", str(REAL), "--only", "iod2019_file1",
                                      "--only", "esp2013", "--dest", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "2 copied" in result.output and (tmp_path / "imd2019" / "iod2019_file1_imd_lsoa11.csv.gz").is_file()
    again = CliRunner().invoke(app, ["fetch", "--mirror", str(REAL), "--only", "esp2013", "--dest", str(tmp_path)])
    assert "1 cached" in again.output
    bad = CliRunner().invoke(app, ["fetch", "--mirror", str(REAL), "--only", "no_such_source", "--dest", str(tmp_path)])
    assert bad.exit_code == 1
