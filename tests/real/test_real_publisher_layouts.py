"""Publisher layouts not in our mirror (their real files are XLSX workbooks or monthly CSVs fetched by URL):
small files in those layouts, built from real values, read into the same canonical shapes."""

from __future__ import annotations

import datetime as dt

import polars as pl
from real_helpers import load

from pipelines.sources.readers.nhs_ae import read_ae_monthly_provider_csv
from pipelines.sources.readers.ons_population import read_lsoa_population_syoa


def test_sape_workbook_with_title_rows_and_sex_sheets(tmp_path):
    import openpyxl

    real = load("ons_sape_lsoa11_syoa_mid2020").filter(pl.col("lsoa_code").is_in(["E01011949", "E01011950"]))
    wb = openpyxl.Workbook()
    wb.active.title = "Contents"
    for sheet in ("Mid-2020 Persons", "Mid-2020 Males"):
        ws = wb.create_sheet(sheet)
        ws.append(["Mid-2020 Population Estimates for Lower Layer Super Output Areas in England and Wales"])
        ws.append([])
        ws.append(["LSOA Code", "LSOA Name", "LA Code (2018 boundaries)", "LA name (2018 boundaries)",
                   "LA Code (2020 boundaries)", "LA name (2020 boundaries)", "All Ages", *range(90), "90+"])
        for code in ("E01011949", "E01011950"):
            ages = real.filter(pl.col("lsoa_code") == code).sort("age")["population"].to_list()
            ws.append([code, "x", "E06000001", "Hartlepool", "E06000001", "Hartlepool", sum(ages), *ages])
    path = tmp_path / "sape23dt2mid2020lsoasyoaestimatesunformatted.xlsx"
    wb.save(path)
    got = read_lsoa_population_syoa(path)  # first sheet with the header: persons
    assert got["year"].unique().to_list() == [2020] and got["sex"].unique().to_list() == ["P"]
    assert got.sort("lsoa_code", "age")["population"].to_list() == real.sort("lsoa_code", "age")["population"].to_list()
    males = read_lsoa_population_syoa(path, sheet="Mid-2020 Males")
    assert males["sex"].unique().to_list() == ["M"]


def test_nhse_monthly_provider_csv(tmp_path):
    header = ("Period,Org Code,Parent Org,Org name,A&E attendances Type 1,A&E attendances Type 2,"
              "A&E attendances Other A&E Department,Attendances over 4hrs Type 1,Attendances over 4hrs Type 2,"
              "Attendances over 4hrs Other Department,Patients who have waited 4-12 hs from DTA to admission,"
              "Patients who have waited 12+ hrs from DTA to admission,Emergency admissions via A&E - Type 1,"
              "Emergency admissions via A&E - Type 2,Emergency admissions via A&E - Other A&E department,"
              "Other emergency admissions")
    path = tmp_path / "monthly_ae_2019-04.csv"
    path.write_text(header + "\n"
                    "MSitAE-APRIL-2019,RXN,NHS ENGLAND NORTH (LANCASHIRE AND SOUTH CUMBRIA),"
                    "LANCASHIRE TEACHING HOSPITALS NHS FOUNDATION TRUST,\"10,035\",0,2100,1500,0,10,700,2,1947,0,39,900\n"
                    "MSitAE-APRIL-2019,TOTAL,,TOTAL,1,1,1,1,1,1,1,1,1,1,1,1\n")
    d = read_ae_monthly_provider_csv(path)
    row = d.row(0, named=True)
    assert d.height == 1 and row["month"] == dt.date(2019, 4, 1) and row["org_code"] == "RXN"
    assert row["attendances_all"] == 12135 and row["attendances_type1"] == 10035
    assert row["emergency_admissions_via_ae"] == 1986 and row["emergency_admissions"] == 2886
    assert row["dta_over_4h"] == 702 and row["dta_over_12h"] == 2


def test_ods_spreadsheet(tmp_path):
    """ONS and MHCLG also issue ODS; the same reader reads it."""
    import pandas as pd

    from pipelines.sources.readers.iod import read_iod

    f1 = load("iod2019_file1").head(20)
    frame = pd.DataFrame({
        "LSOA code (2011)": f1["lsoa_code"].to_list(),
        "Local Authority District code (2019)": f1["lad_code"].to_list(),
        "Index of Multiple Deprivation (IMD) Rank": f1["imd_rank"].to_list(),
        "Index of Multiple Deprivation (IMD) Decile": f1["imd_decile"].to_list(),
    })
    path = tmp_path / "File_1_-_IMD2019.ods"
    frame.to_excel(path, sheet_name="IMD2019", index=False, engine="odf")
    got = read_iod(path)
    assert got["imd_rank"].to_list() == f1["imd_rank"].to_list() and got["imd_edition"][0] == 2019
