"""Raw-file validation: every layout's valid file passes; each kind of bad file fails naming file, row and column."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import polars as pl
import pytest

from pipelines.sources.validation import (
    FileReport,
    RawFileError,
    validate_file,
    validate_source,
)
from schemas.examples import EXAMPLE_PATHS, example_csv, example_frame, write_example
from schemas.registry import RAW_SOURCES

ECDS = RAW_SOURCES["ecds_attendances"]
ECDS_FILE = "ecds_attendances_2019-04.csv"
ECDS_HEADER = ",".join(ECDS.columns)


def write_ecds(tmp_path: Path, lines: list[str], *, header: str = ECDS_HEADER) -> Path:
    path = tmp_path / EXAMPLE_PATHS["ecds_attendances"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def ecds_lines(n: int = 10) -> list[str]:
    return [
        f"EC{i:07d},2019-04-{1 + i % 30:02d},E0190{i % 10_000:04d},{i % 100},{'12'[i % 2]},ZA1,01" for i in range(n)
    ]


def error_of(path: Path, source=ECDS, **kwargs) -> RawFileError:
    with pytest.raises(RawFileError) as caught:
        validate_file(path, source, **kwargs)
    return caught.value


def assert_names(error: RawFileError, row: int, column: str, rule: str, file: str = ECDS_FILE) -> None:
    """Some failure, and its line in the message, names this file, row, column and (part of the) rule."""
    assert any(f.file == file and f.row == row and f.column == column and rule in f.rule for f in error.failures), str(
        error
    )
    pattern = rf"^\s+{re.escape(file)}\s+{row}\s+{re.escape(column)}\s+.*{re.escape(rule)}"
    assert any(re.search(pattern, line) for line in str(error).splitlines()), str(error)


# --- valid files --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(RAW_SOURCES))
def test_each_layouts_example_validates(tmp_path, name):
    path = write_example(tmp_path, name)
    (report,) = validate_source(tmp_path, RAW_SOURCES[name])
    assert isinstance(report, FileReport)
    assert report.ok and report.path == path and report.source == name
    assert report.rows == example_frame(name).height
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert report.columns == RAW_SOURCES[name].columns
    assert report.check_counts and set(report.check_counts.values()) == {0}
    assert report.to_metadata()["rows"] == report.rows


def test_file7_is_written_with_a_bom_and_validates(tmp_path):
    path = write_example(tmp_path, "imd_file7")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert validate_file(path, RAW_SOURCES["imd_file7"]).rows == 3


def test_gzipped_file_validates(tmp_path):
    path = write_example(tmp_path, "apc_spells", gz=True)
    assert validate_file(path, RAW_SOURCES["apc_spells"]).rows == 3


def test_crlf_line_ends_validate(tmp_path):
    path = write_ecds(tmp_path, [])
    path.write_bytes(("\r\n".join([ECDS_HEADER, *ecds_lines(5)]) + "\r\n").encode())
    assert validate_file(path, ECDS).rows == 5


def test_check_counts_name_each_rule(tmp_path):
    report = validate_file(write_ecds(tmp_path, ecds_lines(5)), ECDS)
    assert report.check_counts["AGE_AT_ARRIVAL: from 0 to 120"] == 0
    assert report.check_counts["EC_IDENT: unique"] == 0
    assert report.check_counts["ARRIVAL_DATE: within 2019-04 (the month in the file name)"] == 0


def test_many_batches_line_numbers_and_keys_across_batches(tmp_path):
    lines = ecds_lines(5_000)
    lines[3_456] = lines[3_456].replace(",ZA1,", ",zz,")  # line 3,458 of the file
    lines[4_321] = lines[10]  # duplicates line 12, in another batch
    error = error_of(write_ecds(tmp_path, lines), batch_rows=1_000)
    assert_names(error, 3_458, "PROVIDER_CODE", "matches ^[A-Z0-9]{3,5}$")
    assert_names(error, 4_323, "EC_IDENT", "unique: first seen on row 12")
    assert error.total == 2
    (report,) = error.reports
    assert report.rows == 5_000 and report.failures == 2


def test_validate_source_needs_a_file(tmp_path):
    with pytest.raises(RawFileError, match=r"No file of source ecds_attendances matches .*ecds_attendances_\*\.csv"):
        validate_source(tmp_path, ECDS)


def test_validate_source_reports_every_bad_file(tmp_path):
    write_example(tmp_path, "ecds_attendances")
    bad = tmp_path / "uec/ecds/ecds_attendances_2019-05.csv"
    bad.write_text(ECDS_HEADER + "\nEC1,2019-05-02,E01900001,121,1,ZA1,01\n")
    with pytest.raises(RawFileError) as caught:
        validate_source(tmp_path, ECDS)
    message = str(caught.value)
    assert message.startswith("1 of 2 files of source ecds_attendances failed validation.")
    assert "ecds_attendances_2019-05.csv    2  AGE_AT_ARRIVAL  121" in message
    assert "ecds_attendances_2019-04.csv" not in message.split("\n\n", 1)[1].replace(str(bad), "")
    assert len(caught.value.reports) == 2


# --- bad files: each names file, row and column -------------------------------------------------------------


def test_missing_column(tmp_path):
    header = ECDS_HEADER.replace(",STATED_GENDER", "")
    lines = [re.sub(r",[12X9],ZA1,", ",ZA1,", line) for line in ecds_lines(3)]
    error = error_of(write_ecds(tmp_path, lines, header=header))
    assert_names(error, 1, "STATED_GENDER", "missing column (expected as column 5)")


def test_extra_column(tmp_path):
    error = error_of(write_ecds(tmp_path, [line + ",x" for line in ecds_lines(3)], header=ECDS_HEADER + ",NOTES"))
    assert_names(error, 1, "NOTES", "unexpected column (column 8)")


def test_renamed_column(tmp_path):
    error = error_of(write_ecds(tmp_path, ecds_lines(3), header=ECDS_HEADER.replace("LSOA_OF_RESIDENCE", "LSOA")))
    assert_names(error, 1, "LSOA_OF_RESIDENCE", "column 3 should be named 'LSOA_OF_RESIDENCE': renamed?")


def test_columns_out_of_order(tmp_path):
    header = ECDS_HEADER.replace("STATED_GENDER,PROVIDER_CODE", "PROVIDER_CODE,STATED_GENDER")
    error = error_of(write_ecds(tmp_path, ecds_lines(3), header=header))
    assert_names(error, 1, "PROVIDER_CODE", "columns out of order: column 5 should be 'STATED_GENDER'")


def test_wrong_type(tmp_path):
    lines = ecds_lines(6)
    lines[2] = "EC9,2019-04-02,E01900001,forty,1,ZA1,01"
    lines[4] = "EC8,02/04/2019,E01900001,40,1,ZA1,01"
    error = error_of(write_ecds(tmp_path, lines))
    assert_names(error, 4, "AGE_AT_ARRIVAL", "not a whole number")
    assert_names(error, 6, "ARRIVAL_DATE", "not a date (YYYY-MM-DD)")
    assert error.total == 2  # the uncastable cells are not reported again as empty


def test_wrong_type_number(tmp_path):
    frame = example_frame("gp_workforce_practice").cast({"TOTAL_NURSES_FTE": pl.String})
    frame = frame.with_columns(pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("2,5")).otherwise("TOTAL_NURSES_FTE")
                               .alias("TOTAL_NURSES_FTE"))  # fmt: skip
    path = write_example(tmp_path, "gp_workforce_practice", frame=frame)
    error = error_of(path, RAW_SOURCES["gp_workforce_practice"])
    assert_names(error, 3, "TOTAL_NURSES_FTE", "not a number", file=path.name)  # the writer quotes "2,5"
    assert '"2,5"' in path.read_text()


def test_empty_file(tmp_path):
    path = write_ecds(tmp_path, [])
    path.write_bytes(b"")
    error = error_of(path)
    assert_names(error, 1, "(file)", "empty file (0 bytes)")


def test_header_only(tmp_path):
    error = error_of(write_ecds(tmp_path, []))
    assert_names(error, 2, "(file)", "header only: the file has no data rows")


def test_truncated_gzip(tmp_path):
    data = gzip.compress(("\n".join([ECDS_HEADER, *ecds_lines(60_000)]) + "\n").encode())
    path = tmp_path / "uec/ecds/ecds_attendances_2019-04.csv.gz"
    path.parent.mkdir(parents=True)
    path.write_bytes(data[: len(data) // 2])
    error = error_of(path, batch_rows=5_000)
    (failure,) = error.failures
    assert failure.column == "(file)" and "truncated or corrupt" in failure.rule
    assert 2 < failure.row < 60_002  # the line it breaks off on
    assert_names(error, failure.row, "(file)", "file is truncated or corrupt", file=path.name)


def test_truncated_gzip_within_the_header(tmp_path):
    path = tmp_path / "uec/ecds/ecds_attendances_2019-04.csv.gz"
    path.parent.mkdir(parents=True)
    path.write_bytes(gzip.compress(ECDS_HEADER.encode())[:12])
    error = error_of(path)
    assert_names(error, 1, "(file)", "truncated or corrupt", file=path.name)


def test_wrong_encoding(tmp_path):
    lines = ecds_lines(5)
    lines[3] = "EC\xe9001,2019-04-01,E01900001,3,1,ZA1,01"
    path = write_ecds(tmp_path, [])
    path.write_bytes(("\n".join([ECDS_HEADER, *lines]) + "\n").encode("latin-1"))
    error = error_of(path)
    assert_names(error, 5, "EC_IDENT", "not valid UTF-8 (byte b'\\xe9')")


def test_utf16_file(tmp_path):
    path = write_ecds(tmp_path, [])
    path.write_bytes(("\n".join([ECDS_HEADER, *ecds_lines(2)]) + "\n").encode("utf-16"))
    error = error_of(path)
    assert_names(error, 1, "(all)", "header is not valid UTF-8 (the file looks like UTF-16)")


def test_duplicate_keys(tmp_path):
    lines = ecds_lines(8)
    lines.append(lines[2])
    error = error_of(write_ecds(tmp_path, lines))
    assert_names(error, 10, "EC_IDENT", "unique: first seen on row 4")


def test_duplicate_composite_keys(tmp_path):
    frame = example_frame("gp_patients_age_sex")
    frame = pl.concat([frame, frame.slice(5, 1).with_columns(pl.lit(7, dtype=pl.Int64).alias("NUMBER_OF_PATIENTS"))])
    path = write_example(tmp_path, "gp_patients_age_sex", frame=frame)
    error = error_of(path, RAW_SOURCES["gp_patients_age_sex"])
    last = frame.height + 1
    assert_names(error, last, "ORG_CODE, SEX, AGE_GROUP_5", "unique combination: first seen on row 7", file=path.name)


def test_negative_counts(tmp_path):
    frame = example_frame("gp_patients_age_sex").with_columns(
        pl.when(pl.int_range(pl.len()) == 3)
        .then(-12)
        .otherwise(pl.col("NUMBER_OF_PATIENTS"))
        .alias("NUMBER_OF_PATIENTS")
    )
    path = write_example(tmp_path, "gp_patients_age_sex", frame=frame)
    error = error_of(path, RAW_SOURCES["gp_patients_age_sex"])
    assert_names(error, 5, "NUMBER_OF_PATIENTS", "≥ 0", file=path.name)
    assert "  -12  " in str(error)


def test_dates_outside_the_period(tmp_path):
    lines = ecds_lines(5)
    lines[1] = "EC9,2019-05-01,E01900001,3,1,ZA1,01"  # the file is April 2019
    lines[3] = "EC8,1999-04-01,E01900001,3,1,ZA1,01"  # and implausible
    error = error_of(write_ecds(tmp_path, lines))
    assert_names(error, 3, "ARRIVAL_DATE", "within 2019-04 (the month in the file name)")
    assert_names(error, 5, "ARRIVAL_DATE", "from 2010-04-01 to 2035-03-31")


def test_ae_period_label_must_match_the_file_month(tmp_path):
    frame = example_frame("ae_monthly").with_columns(pl.lit("MSitAE-MAY-2019").alias("Period"))
    path = write_example(tmp_path, "ae_monthly", frame=frame)
    error = error_of(path, RAW_SOURCES["ae_monthly"])
    assert_names(error, 2, "Period", "equals MSitAE-APRIL-2019", file=path.name)


def test_ages_over_120(tmp_path):
    lines = ecds_lines(4)
    lines[0] = "EC9,2019-04-01,E01900001,121,1,ZA1,01"
    error = error_of(write_ecds(tmp_path, lines))
    assert_names(error, 2, "AGE_AT_ARRIVAL", "from 0 to 120")
    assert "  121  " in str(error)


def test_sex_codes_outside_the_standard(tmp_path):
    lines = ecds_lines(4)
    lines[2] = "EC9,2019-04-01,E01900001,12,M,ZA1,01"
    error = error_of(write_ecds(tmp_path, lines))
    assert_names(error, 4, "STATED_GENDER", "one of 1, 2, 9, X")
    frame = example_frame("apc_spells").with_columns(pl.lit("3").alias("SEX"))
    path = write_example(tmp_path, "apc_spells", frame=frame)
    error = error_of(path, RAW_SOURCES["apc_spells"])
    assert_names(error, 2, "SEX", "one of 0, 1, 2, 9", file=path.name)


def test_header_repeated_mid_file(tmp_path):
    lines = ecds_lines(6)
    lines.insert(3, ECDS_HEADER)  # as when two extracts are concatenated
    error = error_of(write_ecds(tmp_path, lines))
    assert_names(error, 5, "(all)", "header row repeated mid-file")
    assert error.total == 1  # and nothing else is reported for that line


def test_blank_line(tmp_path):
    lines = ecds_lines(4)
    lines.insert(2, "")
    error = error_of(write_ecds(tmp_path, lines))
    assert_names(error, 4, "(all)", "blank line")
    assert error.total == 1


def test_malformed_line(tmp_path):
    lines = ecds_lines(4)
    lines[1] = "EC9,2019-04-01,E01900001,12"
    error = error_of(write_ecds(tmp_path, lines))
    assert_names(error, 3, "(all)", "4 fields where the header has 7")


def test_empty_required_cell(tmp_path):
    lines = ecds_lines(4)
    lines[1] = "EC9,2019-04-01,,12,1,ZA1,01"
    error = error_of(write_ecds(tmp_path, lines))
    assert_names(error, 3, "LSOA_OF_RESIDENCE", "required (no empty cells)")


def test_row_check_names_its_columns(tmp_path):
    frame = example_frame("apc_spells").with_columns(pl.lit(1, dtype=pl.Int64).alias("LENGTH_OF_STAY"))
    path = write_example(tmp_path, "apc_spells", frame=frame)
    error = error_of(path, RAW_SOURCES["apc_spells"])
    assert_names(error, 2, "LENGTH_OF_STAY, ADMISSION_DATE, DISCHARGE_DATE",
                 "LENGTH_OF_STAY = DISCHARGE_DATE − ADMISSION_DATE in days", file=path.name)  # fmt: skip
    assert "LENGTH_OF_STAY=1, ADMISSION_DATE=2019-04-01, DISCHARGE_DATE=2019-04-01" in str(error)


def test_sape_all_ages_is_the_sum(tmp_path):
    frame = example_frame("population_lsoa").with_columns(pl.col("All Ages") + 5)
    path = write_example(tmp_path, "population_lsoa", frame=frame)
    error = error_of(path, RAW_SOURCES["population_lsoa"])
    assert_names(error, 2, "All Ages", "All Ages = sum of the single-year-of-age columns", file=path.name)


def test_message_is_capped_with_and_n_more(tmp_path):
    lines = [line.replace(",ZA1,", ",za1,") for line in ecds_lines(50)]
    error = error_of(write_ecds(tmp_path, lines))
    message = str(error)
    assert error.total == 50
    assert len([line for line in message.splitlines() if line.startswith("  ecds_")]) == 20
    assert "… and 30 more" in message
    assert message.splitlines()[0] == f"Raw file failed validation: {tmp_path / EXAMPLE_PATHS['ecds_attendances']}"
    header = message.splitlines()[2].split()
    assert header == ["file", "row", "column", "value", "rule"]


def test_problems_by_rule_summary(tmp_path):
    lines = ecds_lines(6)
    lines[0] = lines[0].replace(",ZA1,", ",za1,")
    lines[1] = "EC9,2019-04-01,E01900001,130,1,ZA1,01"
    error = error_of(write_ecds(tmp_path, lines))
    assert "problems by rule:" in str(error)
    (report,) = error.reports
    assert report.check_counts["AGE_AT_ARRIVAL: from 0 to 120"] == 1
    assert report.check_counts["PROVIDER_CODE: matches ^[A-Z0-9]{3,5}$"] == 1


def test_table_shows_every_kind_of_problem(tmp_path):
    lines = [line.replace(",ZA1,", ",za1,") for line in ecds_lines(1_200)]
    lines.append("EC9,2019-04-01,E01900001,130,1,ZA1,01")
    error = error_of(write_ecds(tmp_path, lines))
    assert error.total == 1_201
    assert_names(error, 1_202, "AGE_AT_ARRIVAL", "from 0 to 120")  # listed although 1,200 problems come first
    assert "… and 1,181 more" in str(error)


def test_example_csv_round_trip_matches_frame():
    text = example_csv("ecds_attendances").decode()
    assert text.splitlines()[0] == ECDS_HEADER


# --- the demo generator's files ----------------------------------------------------------------------------


def test_demo_files_validate(demo_raw_dir):
    """The demo generator (conftest's session world) writes files that pass: every single file, and the first,
    a middle and the last of each monthly series (all of them in `test_every_demo_file_validates`)."""
    for source in RAW_SOURCES.values():
        paths = source.files(demo_raw_dir)
        assert paths, source.name
        for path in paths if len(paths) <= 3 else [paths[0], paths[len(paths) // 2], paths[-1]]:
            validate_file(path, source)


@pytest.mark.slow
def test_every_demo_file_validates(demo_raw_dir):
    for source in RAW_SOURCES.values():
        validate_source(demo_raw_dir, source)


# --- completeness and plausibility (issue 12, item 1) ------------------------------------------------------


def test_a_quoted_line_break_is_refused_and_later_lines_stay_true(tmp_path):
    """pyarrow's reader takes a quoted value over two lines as one value (whatever `newlines_in_values`
    says): the validator refuses it at the line where its record starts, and counts the break, so a problem
    further down is named at the line an editor shows (before the fix, one line too early)."""
    lines = ecds_lines(2_500)
    lines[2] = lines[2].replace(",ZA1,", ',"Z\nA1",')  # record on lines 4-5 of the file
    lines[1_999] = lines[1_999].replace(",ZA1,", ",zz,")  # record 2,000: on line 2,002 (2,001 + the break)
    lines[2_200] = lines[5]  # a repeated key: first seen on line 8, repeated on line 2,203
    for batch_rows in (2_500, 700):
        error = error_of(write_ecds(tmp_path, lines), batch_rows=batch_rows)
        assert_names(error, 4, "PROVIDER_CODE", "a line break inside a quoted value")
        assert_names(error, 2_002, "PROVIDER_CODE", "matches ^[A-Z0-9]{3,5}$")
        assert_names(error, 2_203, "EC_IDENT", "unique: first seen on row 8")
        assert "'Z\\nA1'" in str(error) or "Z\\nA1" in str(error)


def test_a_nul_byte_in_a_value_is_refused(tmp_path):
    lines = ecds_lines(5)
    lines[3] = lines[3].replace("EC", "EC\x00", 1)
    assert_names(error_of(write_ecds(tmp_path, lines)), 5, "EC_IDENT", "a NUL byte")


def test_how_a_file_was_saved_is_named(tmp_path):
    path = write_ecds(tmp_path, ecds_lines(3))
    text = path.read_text()
    path.write_bytes(text.encode("utf-16-le"))
    assert_names(error_of(path), 1, "(all)", "looks like UTF-16 without a byte-order mark")
    path.write_text("\n".join(line.replace(",", ";") for line in text.splitlines()) + "\n")
    assert_names(error_of(path), 1, "(all)", "columns separated by semicolons")
    path.write_text("\n".join(line + "," for line in text.splitlines()) + "\n")
    assert_names(error_of(path), 1, "(after the last column)", "a trailing comma")
    import zipfile
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ecds.csv", text)
    assert_names(error_of(path), 1, "(file)", "a zip archive, not a CSV")


def test_event_dates_after_the_run_day_are_refused(tmp_path):
    import datetime as dt

    path = write_ecds(tmp_path, ecds_lines(5))
    assert validate_file(path, ECDS, today=dt.date(2019, 4, 30)).ok
    error = error_of(path, today=dt.date(2019, 4, 3))  # the attendances of 4 and 5 April have not happened
    assert_names(error, 5, "ARRIVAL_DATE", "not after the day of the run (2019-04-03)")
    assert_names(error, 6, "ARRIVAL_DATE", "not after the day of the run (2019-04-03)")
    assert error.total == 2


APC = RAW_SOURCES["apc_spells"]
APC_HEADER = ",".join(APC.columns)


def write_spells(tmp_path: Path, spells: list[tuple[str, str, int]]) -> Path:
    path = tmp_path / "uec/sus_apc/apc_spells_2019-04.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [f"S{i},{admitted},{discharged},21,E01900001,40,1,ZA1,{stay}"
            for i, (admitted, discharged, stay) in enumerate(spells)]
    path.write_text("\n".join([APC_HEADER, *rows]) + "\n")
    return path


def test_spells_must_be_plausible(tmp_path):
    good = ("2019-04-02", "2019-04-05", 3)
    path = write_spells(tmp_path, [good, ("2019-04-10", "2019-04-07", 0), good, ("2019-04-10", "2019-04-12", 5),
                                   ("2019-04-11", "2034-09-01", 5_622), ("2019-04-11", "2025-01-02", 2_093)])
    error = error_of(path, APC)
    file = path.name
    assert_names(error, 3, "ADMISSION_DATE, DISCHARGE_DATE", "DISCHARGE_DATE is on or after ADMISSION_DATE", file)
    assert_names(error, 5, "LENGTH_OF_STAY, ADMISSION_DATE, DISCHARGE_DATE", "LENGTH_OF_STAY = DISCHARGE_DATE", file)
    assert_names(error, 6, "DISCHARGE_DATE", "not after the day of the run", file)
    assert_names(error, 6, "LENGTH_OF_STAY", "from 0 to 1826", file)
    assert_names(error, 7, "LENGTH_OF_STAY", "from 0 to 1826", file)
    assert not any(f.row in (2, 4) for f in error.failures)


def test_registration_extract_date_must_be_the_files_month(tmp_path):
    source = RAW_SOURCES["gp_patients_lsoa"]
    path = tmp_path / "gp/gp-reg-pat-prac-lsoa-all_2019-05.csv"
    path.parent.mkdir(parents=True)
    header = ",".join(source.columns)
    row = "GP_PRAC_PAT_LIST,{},Z90001,WOODDALE,E01900001,ALL,7"
    path.write_text(f"{header}\n{row.format('01May2019')}\n")
    assert validate_file(path, source).ok
    path.write_text(f"{header}\n{row.format('01May2019')}\n{row.format('01Apr2019').replace('E019', 'E018')}\n")
    assert_names(error_of(path, source), 3, "EXTRACT_DATE", "an extract date in 2019-05", path.name)


def test_two_files_for_one_period_are_refused_naming_both(tmp_path):
    first = write_ecds(tmp_path, ecds_lines(3))
    second = first.with_name(first.name + ".gz")
    second.write_bytes(gzip.compress(first.read_bytes()))
    with pytest.raises(RawFileError) as caught:
        validate_source(tmp_path, ECDS)
    message = str(caught.value)
    assert str(first) in message and str(second) in message and "no file was read" in message
    assert not caught.value.reports
    population = RAW_SOURCES["population_lsoa"]  # two files a year by design (males, females): not duplicates
    assert population.duplicate_files([Path("sape_lsoa11_mid2019_males.csv"), Path("sape_lsoa11_mid2019_females.csv")]) == []


def write_months(tmp_path: Path, rows: dict[str, int]) -> dict[str, Path]:
    paths = {}
    for month, n in rows.items():
        path = tmp_path / f"uec/ecds/ecds_attendances_{month}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"EC{i:07d},{month}-{1 + i % 28:02d},E01900001,40,1,ZA1,01" for i in range(n)]
        path.write_text("\n".join([ECDS_HEADER, *lines]) + "\n")
        paths[month] = path
    return paths


def test_a_month_far_outside_the_sources_recent_range_is_refused_with_the_figures(tmp_path):
    paths = write_months(tmp_path, {"2019-01": 100, "2019-02": 90, "2019-03": 110, "2019-04": 50, "2019-05": 160})
    with pytest.raises(RawFileError) as caught:
        validate_source(tmp_path, ECDS)
    message = str(caught.value)
    assert "ecds_attendances_2019-04.csv" in message and "50 data rows, 0.50x the median 100" in message
    assert "2019-01 to 2019-03: 90 to 110 rows" in message and "60 to 150" in message
    # 2019-05 against 2019-01..2019-04: median 95, so 160 is above 1.5x too
    assert "ecds_attendances_2019-05.csv" in message and "160 data rows, 1.68x" in message
    assert str(tmp_path / "decisions.yaml") in message
    # a partial refresh of one month: the history comes from the other files in the folder
    with pytest.raises(RawFileError, match="50 data rows"):
        validate_source(tmp_path, ECDS, paths=[paths["2019-04"]])
    assert validate_source(tmp_path, ECDS, paths=[paths["2019-03"]])[0].rows == 110  # fewer than 3 months before


def test_a_recorded_decision_accepts_the_month_and_is_left_out_of_later_baselines(tmp_path):
    paths = write_months(tmp_path, {"2019-01": 100, "2019-02": 90, "2019-03": 110, "2019-04": 50, "2019-05": 55,
                                    "2019-06": 100})
    (tmp_path / "decisions.yaml").write_text(
        "decisions:\n"
        "  - source: ecds_attendances\n    periods: 2019-04..2019-05\n    rule: volume\n"
        "    reason: a provider's system migration; checked against its own counts\n"
        "    decided_by: A. Analyst, BI team\n    date: 2019-07-01\n")
    reports = validate_source(tmp_path, ECDS)
    decided = {report.path.name: report.decisions for report in reports if report.decisions}
    assert set(decided) == {paths["2019-04"].name, paths["2019-05"].name}
    assert "accepted by A. Analyst, BI team on 2019-07-01" in decided[paths["2019-04"].name][0]
    # 2019-06 is measured against 2019-01..2019-03 (the decided months are not a baseline): within range
    assert not next(r for r in reports if r.path == paths["2019-06"]).decisions


@pytest.mark.parametrize("text, problem", [
    ("decisions:\n  - source: ecds\n    periods: 2019-04\n    rule: volume\n    reason: xyz\n"
     "    decided_by: me me\n    date: 2019-07-01\n", "decisions[0].source: Value error, must be one of"),
    ("decisions:\n  - source: ecds_attendances\n    periods: 2019-4\n    rule: volume\n    reason: xyz\n"
     "    decided_by: me me\n    date: 2019-07-01\n", "decisions[0].periods"),
    ("decisions:\n  - source: ecds_attendances\n    periods: 2019-04\n    rule: volume\n"
     "    decided_by: me me\n    date: 2019-07-01\n", "decisions[0].reason: Field required"),
    ("decisions:\n  - source: ecds_attendances\n    periods: 2019-04\n    rule: volume\n    reason: xyz\n"
     "    decided_by: me me\n    date: 2019-07-01\n    whoever: x\n", "decisions[0].whoever: Extra inputs"),
    ("decisions: [\n", "not valid YAML"),
])
def test_a_broken_decisions_file_is_named(tmp_path, text, problem):
    from pipelines.sources.decisions import DecisionsError, load_decisions

    (tmp_path / "decisions.yaml").write_text(text)
    with pytest.raises(DecisionsError) as caught:
        load_decisions(tmp_path)
    assert str(caught.value).startswith(str(tmp_path / "decisions.yaml")) and problem in str(caught.value)
