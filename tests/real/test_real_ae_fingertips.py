"""A&E monthly series (months, gaps, successions) and Fingertips indicators."""

from __future__ import annotations

import datetime as dt
import logging

import polars as pl
from real_helpers import LSC_ICB, load, real_path

from pipelines.sources.readers.fingertips import FT_SCHEMA
from pipelines.sources.readers.nhs_ae import AE_SCHEMA, apply_successions, month_coverage, read_ae_monthly


def _fy(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(
        pl.when(pl.col("month").dt.month() >= 4).then(pl.col("month").dt.year())
        .otherwise(pl.col("month").dt.year() - 1).alias("fy"))


def test_icb_monthly_months_and_lsc_totals():
    d = load("ae_icb_monthly_2022_04_2025_07")
    assert list(d.columns) == list(AE_SCHEMA) and d["org_level"].unique().to_list() == ["icb"]
    assert d["month"].min() == dt.date(2022, 4, 1) and d["month"].n_unique() == 40 and d["org_code"].n_unique() == 42
    assert d["attendances_type1"].null_count() == d.height  # not in this file
    lsc = _fy(d.filter(pl.col("org_code") == LSC_ICB)).group_by("fy").agg(
        pl.col("attendances_all").sum(), pl.col("emergency_admissions").sum()).sort("fy")
    assert lsc["attendances_all"].to_list()[:3] == [792_827, 852_850, 892_412]
    assert lsc["emergency_admissions"].to_list()[:3] == [198_087, 211_306, 218_718]


def test_trust_monthly_reports_missing_months_without_inventing_them(caplog):
    with caplog.at_level(logging.WARNING, logger="pipelines.sources.readers.nhs_ae"):
        d = read_ae_monthly(real_path("uec_ae/ae_trust_monthly_2021-04_2025-07.csv.gz"))
    assert "RYG has no rows for 2022-08" in caplog.text
    assert d.height == 7895  # no rows added
    cov = month_coverage(d).filter(pl.col("org_code") == "RAT").row(0, named=True)
    assert len(cov["missing_months"]) == 11 and cov["missing_months"][0] == dt.date(2024, 3, 1)


def test_merged_trust_series_stops_and_maps_to_its_successor():
    d = load("ae_trust_monthly_2021_04_2025_07")
    succ = load("ods_trust_successions")
    cov = month_coverage(d, successions=succ).filter(pl.col("org_code").is_in(["RVY", "RW6", "RXN"]))
    rows = {r["org_code"]: r for r in cov.iter_rows(named=True)}
    assert rows["RVY"]["last_month"] == dt.date(2023, 6, 1) and rows["RVY"]["successor_code"] == "RBN"
    assert rows["RW6"]["ends_early"] and rows["RW6"]["successor_code"] is None  # split between RM3 and R0A
    assert not rows["RXN"]["ends_early"]
    cur = apply_successions(d, succ)
    rbn = cur.filter(pl.col("org_code_current") == "RBN").group_by("month").agg(pl.col("attendances_all").sum())
    assert rbn["month"].n_unique() == 52  # one continuous series after mapping RVY to RBN


def test_by_type_series_2016_19():
    d = load("ae_trust_by_type_2016_04_2019_03")
    assert d["month"].min() == dt.date(2016, 4, 1) and d["month"].max() == dt.date(2019, 3, 1)
    assert (d["attendances_all"] == d["attendances_type1"] + d["attendances_type2"] + d["attendances_other"]).all()
    assert d["emergency_admissions"].null_count() == d.height  # only admissions via A&E in this source
    rxn = d.filter(pl.col("org_code") == "RXN")
    assert rxn.height == 36 and (rxn["attendances_type1"] > 0).all()


def test_fingertips_export():
    d = load("fingertips_93553_practice_imd2019")
    assert list(d.columns) == list(FT_SCHEMA)
    eng = d.filter((pl.col("area_code") == "E92000001"))
    assert eng["value"].round(2).unique().to_list() == [21.72]
    assert d.filter(pl.col("area_type") == "GP").height == 6545  # "GP" in this 2021 export, "GPs" later


def test_fingertips_quoted_line_breaks_are_trimmed_and_cis_parsed():
    d = load("fingertips_93930_ae_0_4_practice_pcn")
    assert d.height == 7610  # 7,613 physical lines: quoted CR LF inside two PCN names
    assert "Phoenix PCN" in d["parent_name"].to_list()
    assert not d["parent_name"].drop_nulls().str.contains("\r|\n").any()
    eng = d.filter((pl.col("area_code") == "E92000001") & (pl.col("sex") == "Male")).row(0, named=True)
    assert eng["count"] == 1_302_555 and eng["denominator"] == 1_565_772
    assert eng["lower_ci_95"] < eng["value"] < eng["upper_ci_95"]
    assert set(d["compared_to_parent"].drop_nulls()) <= {"Better", "Similar", "Worse", "Not compared"}


def test_fingertips_api_layout_and_trafford():
    api = load("fingertips_93553_practice_2010_2019")
    assert set(api["period"]) == {"2010", "2015", "2019"}
    t = load("trafford_la_health_indicators")
    assert t["indicator_id"].null_count() == t.height and t["count"].null_count() == t.height
    assert {"Persons", "Male", "Female"} >= set(t["sex"])
    blackpool = t.filter((pl.col("area_code") == "E06000009") & pl.col("indicator_name").str.contains("falls"))
    assert blackpool.height > 0 and blackpool["area_type"].unique().to_list() == ["Unitary authority"]
