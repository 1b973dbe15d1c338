"""Malformed input: the reader names the file, the 1-based line (or sheet row) and the column."""

from __future__ import annotations

import gzip

import pytest
from real_helpers import real_path

from pipelines.sources.readers import ReaderError
from pipelines.sources.readers._io import load_table, parse_month_text
from pipelines.sources.readers.iod import read_iod
from pipelines.sources.readers.nhs_ae import read_ae_monthly
from pipelines.sources.readers.nhs_gp_org import read_epraccur
from pipelines.sources.readers.ons_geography import read_lsoa_icb_lookup
from pipelines.sources.readers.ons_population import read_lsoa_population_syoa


def _real_lines(rel: str, n: int) -> list[str]:
    with gzip.open(real_path(rel), "rt", encoding="utf-8", newline="") as fh:
        return [next(fh) for _ in range(n)]


def test_bad_rank_names_file_line_and_column(tmp_path):
    lines = _real_lines("imd2019/iod2019_file1_imd_lsoa11.csv.gz", 6)  # BOM, CRLF, "29,199" as published
    assert lines[4].startswith("E01000005,")
    lines[4] = 'E01000005,City of London 001E,E09000001,City of London,"8,6x8",3\r\n'
    path = tmp_path / "File_1_-_IMD2019.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        fh.writelines(lines)
    with pytest.raises(ReaderError) as err:
        read_iod(path)
    e = err.value
    assert e.path == path and e.line == 5 and e.column == "Index of Multiple Deprivation (IMD) Rank"
    assert "line 5" in str(e) and "'8,6x8'" in str(e) and str(path) in str(e)


def test_line_numbers_follow_quoted_line_breaks(tmp_path):
    path = tmp_path / "ae.csv"
    path.write_text(
        "icb22_code,total_attendances,attendances_over_4hours,total_emergency_admissions,"
        "emergency_admissions_over_4hours,pct_attendance_over_4hours,pct_emergency_admissions_over_4hours,date\n"
        'E54000048,62725,15164,15203,5348,0.24,0.35,"April\n2022"\n'
        "E54000048,63000,15000,15100,5300,0.24,0.35,Smarch 2022\n")
    with pytest.raises(ReaderError) as err:
        read_ae_monthly(path)
    assert err.value.line == 4 and err.value.column == "date"  # the record on line 2 spans two lines


def test_rank_out_of_range_is_rejected(tmp_path):
    path = tmp_path / "imd.csv"
    path.write_text("lsoa11_code,IMD_rank,IMD_decile\nE01000001,29199,9\nE01000002,40000,10\n")
    with pytest.raises(ReaderError, match=r"line 3, column 'IMD_rank': value above 32844"):
        read_iod(path, edition=2019)


def test_ragged_line(tmp_path):
    path = tmp_path / "lookup.csv"
    path.write_text("LSOA11CD,LSOA11NM,SICBL22CD,SICBL22CDH,ICB22CD,ICB22CDH\n"
                    "E01012571,Blackburn with Darwen 007A,E38000014,00Q,E54000048,QE1\n"
                    "E01012572,Blackburn with Darwen 007B,E38000014,00Q,E54000048\n")
    with pytest.raises(ReaderError, match=r"line 3: expected 6 fields, found 5"):
        read_lsoa_icb_lookup(path)


def test_missing_column_names_the_header_line(tmp_path):
    path = tmp_path / "lookup.csv"
    path.write_text("LSOA11CD,LSOA11NM,SICBL22CDH\nE01012571,Blackburn with Darwen 007A,00Q\n")
    with pytest.raises(ReaderError) as err:
        read_lsoa_icb_lookup(path)
    assert err.value.line == 1 and "missing required column" in str(err.value)


def test_bad_lsoa_code_and_vintage_conflict(tmp_path):
    path = tmp_path / "lookup.csv"
    path.write_text("LSOA11CD,SICBL22CD,ICB22CD\nE01012571,E38000014,E54000048\nE0101257,E38000014,E54000048\n")
    with pytest.raises(ReaderError, match=r"line 3, column 'LSOA11CD': not a valid LSOA code"):
        read_lsoa_icb_lookup(path)
    path.write_text("LSOA11CD,SICBL22CD,ICB22CD\nE01012571,E38000014,E54000048\nE01035001,E38000014,E54000048\n")
    with pytest.raises(ReaderError, match="exists only in the 2021 LSOA set"):
        read_lsoa_icb_lookup(path)


def test_headerless_file_with_wrong_field_count(tmp_path):
    lines = _real_lines("gp_practice_org/epraccur_2019-12.csv.gz", 3)
    lines[2] = lines[2].rstrip('\r\n').rsplit(",", 1)[0] + "\r\n"  # 26 fields
    path = tmp_path / "epraccur.csv"
    path.write_text("".join(lines), newline="")
    with pytest.raises(ReaderError, match=r"epraccur.csv, line 3: expected 27 fields, found 26"):
        read_epraccur(path)


def test_population_total_must_equal_the_ages(tmp_path):
    ages = ",".join(str(a) for a in range(90)) + ",90+"
    vals = ",".join(["10"] * 91)
    path = tmp_path / "pop_mid2020.csv"
    path.write_text(f"lsoa11_code,lsoa11_name,total_population,{ages}\n"
                    f"E01000001,City of London 001A,910,{vals}\nE01000002,City of London 001B,911,{vals}\n")
    with pytest.raises(ReaderError, match=r"line 3, column 'total_population': all-ages total differs"):
        read_lsoa_population_syoa(path)


def test_spreadsheet_errors_name_the_sheet_and_row(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "IMD2019"
    ws.append(["Title row above the header"])
    ws.append([])
    ws.append(["LSOA code (2011)", "Index of Multiple Deprivation (IMD) Rank", "Index of Multiple Deprivation (IMD) Decile"])
    ws.append(["E01000001", 29199, 9])
    ws.append(["E01000002", "n/k?", 10])
    path = tmp_path / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx"
    wb.save(path)
    with pytest.raises(ReaderError) as err:
        read_iod(path)
    assert err.value.sheet == "IMD2019" and err.value.line == 5
    assert "sheet 'IMD2019', row 5" in str(err.value)


def test_missing_file_and_empty_file(tmp_path):
    with pytest.raises(ReaderError, match="file not found"):
        load_table(tmp_path / "nope.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ReaderError, match="empty"):
        load_table(tmp_path / "empty.csv")


@pytest.mark.parametrize(("text", "iso"), [
    ("April 2022", "2022-04-01"), ("APRIL 2019", "2019-04-01"), ("Apr 2022", "2022-04-01"),
    ("2022-04-01", "2022-04-01"), ("2022-04", "2022-04-01"), ("01APR2020", "2020-04-01"),
    ("01Jan2022", "2022-01-01"), ("01-Sep-20", "2020-09-01"), ("MSitAE-APRIL-2019", "2019-04-01"),
    ("15/03/2021", "2021-03-01"), ("20191001", "2019-10-01"), ("Smarch 2022", None),
])
def test_month_labels(text, iso):
    import polars as pl

    got = parse_month_text(pl.Series([text]))[0]
    assert (got.isoformat() if got else None) == iso
