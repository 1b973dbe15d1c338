"""Each derived field (a DuckDB macro in pipelines/derived.py) on the values that matter."""

from datetime import date

import duckdb
import pytest

from pipelines.derived import ESP2013_AGE_BANDS, install_macros


@pytest.fixture(scope="module")
def con():
    connection = install_macros(duckdb.connect())
    yield connection
    connection.close()


def scalar(con, sql, value):
    return con.execute(sql, [value]).fetchone()[0]


@pytest.mark.parametrize(
    "age, band",
    [(0, "0-4"), (4, "0-4"), (5, "5-9"), (17, "15-19"), (89, "85-89"), (90, "90+"), (120, "90+"), (None, None), (-1, None)],
)
def test_age_band(con, age, band):
    assert scalar(con, "SELECT ina_age_band(?)", age) == band


def test_age_band_order_covers_the_19_esp_bands(con):
    orders = [scalar(con, "SELECT ina_age_band_order(?)", band) for band in ESP2013_AGE_BANDS]
    assert orders == list(range(19))


@pytest.mark.parametrize(
    "day, fy", [(date(2018, 4, 1), 2018), (date(2019, 3, 31), 2018), (date(2019, 4, 1), 2019), (date(2025, 1, 15), 2024)]
)
def test_financial_year(con, day, fy):
    assert scalar(con, "SELECT ina_financial_year(?)", day) == fy


@pytest.mark.parametrize("fy, label", [(2018, "2018/19"), (2099, "2099/00"), (2009, "2009/10")])
def test_financial_year_label(con, fy, label):
    assert scalar(con, "SELECT ina_financial_year_label(?)", fy) == label


@pytest.mark.parametrize(
    "code, sex",
    [("1", "M"), ("2", "F"), ("9", "U"), ("X", "U"), ("0", "U"), ("MALE", "M"), ("females", "F"), ("Male", "M"), (None, "U")],
)
def test_sex(con, code, sex):
    assert scalar(con, "SELECT ina_sex(?)", code) == sex


@pytest.mark.parametrize("decile, quintile", [(1, 1), (2, 1), (3, 2), (9, 5), (10, 5)])
def test_imd_quintile(con, decile, quintile):
    assert scalar(con, "SELECT ina_imd_quintile(?)", decile) == quintile


@pytest.mark.parametrize(
    "method, emergency", [("21", True), ("2a", True), ("28", True), ("11", False), ("31", False), ("81", False)]
)
def test_is_emergency_admission(con, method, emergency):
    assert scalar(con, "SELECT ina_is_emergency_admission(?)", method) is emergency


def test_month(con):
    assert scalar(con, "SELECT ina_month(?)", date(2020, 2, 29)) == date(2020, 2, 1)
