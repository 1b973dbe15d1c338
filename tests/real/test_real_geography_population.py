"""ONS lookups and population estimates."""

from __future__ import annotations

import polars as pl
import pytest
from real_helpers import LSC_ICB, LSC_SUB_ICBS, load

from pipelines.sources.readers.ons_geography import LOOKUP_SCHEMA


@pytest.mark.parametrize(("source_id", "n_england", "n_lsc", "vintage"), [
    ("lookup_lsoa11_sicbl22_icb22_lad22", 32844, 1058, 2011),
    ("lookup_lsoa21_sicbl24_icb24", 33755, 1060, 2021),
])
def test_lsc_icb_has_its_eight_sub_icb_locations(source_id, n_england, n_lsc, vintage):
    d = load(source_id)
    assert list(d.columns) == list(LOOKUP_SCHEMA)
    assert d.height == n_england and d["lsoa_vintage"].unique().to_list() == [vintage]
    lsc = d.filter(pl.col("icb_code") == LSC_ICB)
    assert lsc.height == n_lsc
    assert lsc["icb_nhs_code"].unique().to_list() == ["QE1"]
    assert sorted(lsc["sub_icb_nhs_code"].unique()) == LSC_SUB_ICBS
    assert lsc["sub_icb_code"].n_unique() == 8


def test_lsoa11_lookup_carries_lad_and_the_2024_lookup_does_not():
    assert load("lookup_lsoa11_sicbl22_icb22_lad22")["lad_code"].null_count() == 0
    assert load("lookup_lsoa21_sicbl24_icb24")["lad_code"].null_count() == 33755


def test_ccg21_lookup_reads_into_the_same_shape():
    d = load("lookup_lsoa11_ccg21_stp21_lad21")
    lsc = d.filter(pl.col("icb_code") == LSC_ICB)
    assert lsc.height == 1058 and lsc["sub_icb_code"].n_unique() == 8
    assert d["sub_icb_nhs_code"].null_count() == d.height  # no ODS codes in that file, none guessed


def test_lsoa11_to_lsoa21_lookup():
    d = load("lookup_lsoa11_lsoa21_lad22")
    assert set(d["change_code"].unique()) == {"U", "S", "M", "X"}
    lsc11 = load("lookup_lsoa11_sicbl22_icb22_lad22").filter(pl.col("icb_code") == LSC_ICB)["lsoa_code"]
    lsc21 = load("lookup_lsoa21_sicbl24_icb24").filter(pl.col("icb_code") == LSC_ICB)["lsoa_code"]
    mapped = d.filter(pl.col("lsoa11_code").is_in(lsc11.implode()))
    assert set(mapped["lsoa21_code"]) == set(lsc21)
    # a split: one 2011 LSOA, several 2021 LSOAs
    split = d.filter(pl.col("change_code") == "S").group_by("lsoa11_code").len()
    assert split["len"].min() >= 2


def test_lsoa_population_long_shape_and_totals():
    d = load("ons_sape_lsoa11_syoa_mid2020")
    assert d.columns == ["year", "lsoa_code", "lsoa_vintage", "age", "sex", "population"]
    assert d["year"].unique().to_list() == [2020] and d["sex"].unique().to_list() == ["P"]
    assert d["age"].min() == 0 and d["age"].max() == 90  # 90 = 90 and over
    assert d.height == 34753 * 91  # England and Wales LSOAs
    one = d.filter(pl.col("lsoa_code") == "E01011949")
    assert one["population"].sum() == 1944 and one.filter(pl.col("age") == 90)["population"].item() == 7
    lsc = load("lookup_lsoa11_sicbl22_icb22_lad22").filter(pl.col("icb_code") == LSC_ICB).select("lsoa_code")
    assert d.join(lsc, on="lsoa_code")["population"].sum() == 1_701_655


@pytest.mark.parametrize("year", [2017, 2019])
def test_other_lsoa_population_years(year):
    d = load(f"ons_sape_lsoa11_syoa_mid{year}")
    assert d["year"].unique().to_list() == [year] and d["lsoa_code"].n_unique() == 34753


def test_england_mye_by_sex():
    d = load("ons_mye_countries_sex_syoa_mid2023")
    assert d.columns == ["year", "area_code", "sex", "age", "population"]
    assert d.height == 182 and set(d["sex"]) == {"M", "F"} and d["area_code"].unique().to_list() == ["E92000001"]
    assert d["population"].sum() == 57_690_323


def test_esp2013():
    d = load("esp2013")
    assert d.height == 19 and d["esp2013_population"].sum() == 100_000
    assert d.filter(pl.col("age_band") == "90+")["age_upper"].item() is None
