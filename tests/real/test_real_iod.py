"""IoD2019 (LSOA 2011) and IoD2025 (LSOA 2021) readers on the published files."""

from __future__ import annotations

import polars as pl
import pytest
from real_helpers import LSC_ICB, load, real_path

from pipelines.sources.readers.iod import IOD_SCHEMA, merge_iod, read_iod


def test_file1_rank_with_thousands_separator_parses_to_int():
    raw = real_path("imd2019/iod2019_file1_imd_lsoa11.csv.gz")
    import gzip

    assert '"29,199"' in gzip.open(raw, "rt", encoding="utf-8-sig").read(400)  # as published
    f1 = load("iod2019_file1")
    row = f1.filter(pl.col("lsoa_code") == "E01000001").row(0, named=True)
    assert row["imd_rank"] == 29199 and isinstance(row["imd_rank"], int)
    assert row["imd_decile"] == 9 and row["lad_code"] == "E09000001"
    assert row["imd_score"] is None  # File 1 has no scores
    assert f1.schema["imd_rank"] == pl.Int64 and list(f1.columns) == list(IOD_SCHEMA)
    assert f1.height == 32844 and f1["lsoa_vintage"].unique().to_list() == [2011]
    assert f1["imd_edition"].unique().to_list() == [2019]
    assert f1["imd_rank"].min() == 1 and f1["imd_rank"].max() == 32844
    # ties: 26 pairs of LSOAs share a rank (equal scores), e.g. E01013651 and E01020912 both rank 2,852
    assert f1["imd_rank"].n_unique() == 32818
    assert f1.filter(pl.col("imd_rank") == 2852)["lsoa_code"].sort().to_list() == ["E01013651", "E01020912"]
    per_decile = f1.group_by("imd_decile").len()["len"]
    assert per_decile.min() == 3284 and per_decile.max() == 3285


def test_bom_is_stripped_from_the_first_header():
    f2 = load("iod2019_file2")
    assert f2["lsoa_code"].null_count() == 0  # found "LSOA code (2011)" despite the leading BOM


def test_files_1_2_6_agree_and_merge():
    f1, f2, f6 = load("iod2019_file1"), load("iod2019_file2"), load("iod2019_file6")
    both = f1.select("lsoa_code", "imd_rank", "imd_decile").join(
        f2.select("lsoa_code", "imd_rank", "imd_decile"), on="lsoa_code", suffix="_f2")
    assert both.height == 32844
    assert (both["imd_rank"] == both["imd_rank_f2"]).all() and (both["imd_decile"] == both["imd_decile_f2"]).all()
    assert f6.filter(pl.col("lsoa_code") == "E01000001")["population"].item() == 1296  # "1,296"
    merged = merge_iod(f1, f2, f6)
    assert merged.height == 32844
    assert merged.select(pl.col("imd_rank", "income_rank", "environment_decile", "population").null_count()).sum_horizontal().item() == 0
    tidy = load("iod2019_domains_tidy")
    check = merged.join(tidy.select("lsoa_code", pl.col("health_rank").alias("h")), on="lsoa_code")
    assert (check["health_rank"] == check["h"]).all()


def test_merge_refuses_disagreeing_files():
    f1 = load("iod2019_file1")
    bad = f1.with_columns(pl.when(pl.col("lsoa_code") == "E01000001").then(1).otherwise(pl.col("imd_rank")).alias("imd_rank"))
    with pytest.raises(ValueError, match="disagree on imd_rank for LSOA E01000001"):
        merge_iod(f1, bad)


def test_lsc_deprivation_profile_imd2019():
    lookup = load("lookup_lsoa11_sicbl22_icb22_lad22").filter(pl.col("icb_code") == LSC_ICB)
    lsc = lookup.join(merge_iod(load("iod2019_file1"), load("iod2019_file6")), on="lsoa_code")
    assert lsc.height == 1058
    assert lsc.filter(pl.col("imd_decile") <= 2).height == 314  # 29.7% of LSOAs in the most deprived 20%
    share = lsc.filter(pl.col("imd_decile") <= 2)["population"].sum() / lsc["population"].sum()
    assert share == pytest.approx(0.2905, abs=0.0005)


def test_iod2025_scores_lsoa21():
    d = load("iod2025_scores")
    assert d.height == 33755 and d["imd_edition"].unique().to_list() == [2025]
    assert d["lsoa_vintage"].unique().to_list() == [2021]
    assert d["imd_score"].null_count() == 0 and d["housing_score"].null_count() == 0
    assert d["imd_rank"].max() == 33755
    # higher score, more deprived: rank 1 has the highest score
    assert d.sort("imd_rank")["imd_score"][0] == d["imd_score"].max()
    lsc = load("lookup_lsoa21_sicbl24_icb24").filter(pl.col("icb_code") == LSC_ICB).join(d, on="lsoa_code")
    assert lsc.height == 1060
    assert lsc.filter(pl.col("imd_decile") <= 2).height == 317


def test_iod2015_edition_from_lad13_headers():
    d = load("iod2015_imd")
    assert d["imd_edition"].unique().to_list() == [2015] and d["imd_score"].null_count() == 0


def test_publisher_xlsx_layout_reads_like_the_csv(tmp_path):
    """The publisher issues Files 1/2/6 as xlsx with a notes sheet first; the reader finds the data sheet."""
    import openpyxl

    f1 = load("iod2019_file1").head(50)
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active.append(["English indices of deprivation 2019"])
    ws = wb.create_sheet("IMD2019")
    ws.append(["LSOA code (2011)", "LSOA name (2011)", "Local Authority District code (2019)",
               "Local Authority District name (2019)", "Index of Multiple Deprivation (IMD) Rank",
               "Index of Multiple Deprivation (IMD) Decile"])
    for r in f1.iter_rows(named=True):
        ws.append([r["lsoa_code"], r["lsoa_name"], r["lad_code"], r["lad_name"], r["imd_rank"], r["imd_decile"]])
    path = tmp_path / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx"
    wb.save(path)
    got = read_iod(path)
    assert got.equals(f1)
