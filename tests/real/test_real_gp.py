"""GP practice organisation, registered patients and workforce."""

from __future__ import annotations

import polars as pl
from real_helpers import LSC_ICB, LSC_SUB_ICBS, load

from pipelines.sources.readers.nhs_gp_org import ODS_FIELDS, PRACTICE_SCHEMA


def test_practice_map_2022_lsc():
    d = load("gp_practice_map_2022_01")
    assert list(d.columns) == list(PRACTICE_SCHEMA)
    assert d.height == 6527 and d["extract_date"].unique().to_list()[0].isoformat() == "2022-01-01"
    lsc = d.filter(pl.col("icb_code") == LSC_ICB)
    assert lsc.height == 202 and lsc["pcn_code"].n_unique() == 42
    assert lsc["icb_nhs_code"].unique().to_list() == ["QE1"]
    assert sorted(lsc["sub_icb_nhs_code"].unique()) == LSC_SUB_ICBS


def test_practice_map_2020_date_format():
    d = load("gp_practice_map_2020_09")  # EXTRACT_DATE "01-Sep-20"
    assert d["extract_date"].unique().to_list()[0].isoformat() == "2020-09-01"
    assert d.filter(pl.col("icb_code") == LSC_ICB).height == 207


def test_epcn_and_epraccur():
    e = load("epcn_2019_12_practices")
    assert e["relationship_start"].min().isoformat() >= "2019-07-01" and e["pcn_code"].str.starts_with("U").all()
    p = load("epraccur_2019_12")  # headerless: documented ODS names
    assert p.height == 14357 and p["practice_code"].n_unique() == 14357
    assert p.filter(pl.col("practice_code") == "A81001").row(0, named=True)["sub_icb_nhs_code"] == "00K"
    assert p["is_gp_practice"].sum() == (p["prescribing_setting"] == 4).sum() > 8000
    assert len(ODS_FIELDS) == 27


def test_etr_headerless():
    t = load("ods_etr")
    assert t.height == 218 and t.columns[:3] == ["org_code", "org_name", "national_grouping"]
    assert t.filter(pl.col("org_code") == "RXN")["high_level_health_geography"].item() == "QE1"


def test_ccg_icb_codes_drop_the_free_text_row():
    c = load("ccg_icb_codes")
    assert c.height == 248 and c.filter(pl.col("icb_nhs_code") == "QE1").height == 8


def test_registered_patients_totals():
    a = load("gp_registered_patients_2021_01")
    assert a["patients"].sum() == 60_606_345 and a["month"].unique().to_list()[0].isoformat() == "2021-01-01"
    assert a["sex"].unique().to_list() == ["P"] and a["age_band"].unique().to_list() == ["all"]
    practices = load("gp_practice_map_2022_01").filter(pl.col("icb_code") == LSC_ICB).select("practice_code")
    assert a.join(practices, on="practice_code")["patients"].sum() == 1_783_314


def test_registered_patients_by_lsoa_keep_patients_without_an_lsoa():
    d = load("gp_registered_patients_lsoa_pennine_2020_04")
    assert d["lsoa_vintage"].unique().to_list() == [2011]
    assert d["lsoa_code"].null_count() == 36  # "NO2011" in the file
    assert d["patients"].sum() == 589_463


def test_registered_patients_single_year_pyramid():
    d = load("gp_registered_patients_syoa_pennine_2020")
    assert set(d["sex"]) == {"M", "F"} and (d["patients"] >= 0).all()
    assert d.filter(pl.col("age_band") == "95+")["age_upper"].null_count() == d.filter(pl.col("age_band") == "95+").height
    m = load("pcn_membership_pennine_2020")
    assert m.height == 74 and m["pcn_name"].n_unique() == 13


def test_practice_workforce_quintile_runs_the_other_way_in_the_file():
    w = load("gp_workforce_practice_annual")
    by_q = w.group_by("imd_quintile").agg(pl.col("imd_score").mean(), pl.col("imd_quintile_published").first()).drop_nulls().sort("imd_quintile")
    assert by_q["imd_score"].to_list() == sorted(by_q["imd_score"].to_list(), reverse=True)  # 1 = most deprived
    assert (by_q["imd_quintile"] + by_q["imd_quintile_published"] == 6).all()
    lsc = w.filter(pl.col("icb_name") == "Lancashire and South Cumbria").group_by("year").agg(
        pl.len(), pl.col("patients").sum(), pl.col("gp_extgl_fte").sum()).sort("year")
    assert lsc["len"].to_list() == [200, 200, 196]
    assert [round(x) for x in lsc["patients"]] == [1_826_620, 1_849_272, 1_860_452]
    assert [round(x, 1) for x in lsc["gp_extgl_fte"]] == [726.9, 740.0, 745.3]
    assert w["month"].null_count() == w.height  # annual means: year, not month


def test_pcn_workforce_one_row_per_pcn_year_staff_group():
    p = load("gp_workforce_pcn_staff_group")
    assert p.select(pl.struct("year", "pcn_code", "staff_group").is_duplicated().sum()).item() == 0
    assert (p["n_source_rows"] >= 1).all() and (p["n_source_rows"] > 1).sum() > 0
    q = p.group_by("imd_quintile").agg(pl.col("imd_score").mean()).sort("imd_quintile")
    assert q["imd_score"][0] > q["imd_score"][-1]
