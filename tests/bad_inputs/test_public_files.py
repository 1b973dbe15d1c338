"""Bad public files (issue 12, row 15) and a downstream model failure (row 6): one error each, naming the file,
sheet, row and column (or the table, column, rule, key values and source lines), never a library exception.

The workbooks are made here from a real file of the shared mirror (the first lines of the IoD2019 File 1 CSV
written as the publisher's xlsx, then broken: tests/bad_inputs/corpus_public.py), in tmp_path.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import dagster as dg
import pytest
from bad_inputs.corpus_public import PUBLIC_CASES, make_xlsx, matches
from bad_inputs.harness import copy_marts, materialize, overlay_raw
from shared_paths import REAL_DIR, require

from assets.raw import raw_asset_key
from pipelines.platform.run import report_run
from pipelines.sources.readers import ReaderError
from pipelines.sources.readers.iod import read_iod

IOD_FILE1 = REAL_DIR / "imd2019" / "iod2019_file1_imd_lsoa11.csv.gz"
FILE_CASES = [case for case in PUBLIC_CASES if case.mutate is not None]


@pytest.fixture
def good_xlsx(tmp_path) -> Path:
    require("data/real/imd2019")
    return make_xlsx(IOD_FILE1, tmp_path / "iod2019_file1_imd_lsoa11.xlsx")


def test_the_good_workbook_reads_every_column(good_xlsx):
    frame = read_iod(good_xlsx)
    assert frame.height == 25
    assert frame["imd_rank"].null_count() == 0 and frame["lad_name"].null_count() == 0


@pytest.mark.parametrize("case", FILE_CASES, ids=lambda c: c.name.replace(" ", "_"))
def test_a_broken_public_workbook_gives_one_error_naming_file_sheet_row_and_column(case, good_xlsx, tmp_path):
    bad = tmp_path / f"bad_{good_xlsx.name}"
    shutil.copyfile(good_xlsx, bad)
    case.mutate(bad)
    with pytest.raises(ReaderError) as caught:  # no polars, calamine or zip exception escapes
        read_iod(bad)
    message = str(caught.value)
    assert message.startswith(str(bad)), message
    assert "\n" not in message, message
    assert matches(case, message) == [], message


def test_a_merged_header_never_drops_a_column_silently(good_xlsx, tmp_path):
    """Merged D3:E3 took the IMD rank's header away; before, the rank came back all null without a word."""
    merged = next(c for c in PUBLIC_CASES if c.name == "merged header cell")
    bad = tmp_path / "merged.xlsx"
    shutil.copyfile(good_xlsx, bad)
    merged.mutate(bad)
    with pytest.raises(ReaderError, match="no header of its own"):
        read_iod(bad)


# --- row 6: a model failure downstream names the table, column, rule, key values, file and line ------------------


def test_a_pcn_spelt_two_ways_names_the_mart_rule_key_and_the_practice_map_lines(demo_world, tmp_path):
    case = next(c for c in PUBLIC_CASES if c.name == "pcn spelt two ways")
    raw = overlay_raw(demo_world.raw_dir, tmp_path / "raw")
    path = raw / "gp" / "gp-reg-pat-prac-map.csv"
    rows = list(csv.reader(path.read_text().splitlines()))
    code, name = rows[0].index("PCN_CODE"), rows[0].index("PCN_NAME")
    pcn = rows[1][code]
    lines = [n + 1 for n, row in enumerate(rows) if n and row[code] == pcn]  # file lines (header = line 1)
    assert len(lines) >= 2, "the demo PCN needs two practices"
    rows[lines[-1] - 1][name] += " (RENAMED)"
    path.unlink()
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    marts = copy_marts(demo_world.marts_dir, tmp_path / "marts")
    selection = dg.AssetSelection.assets(raw_asset_key("gp_practice_map"), dg.AssetKey(["staging", "stg_gp__practices"]),
                                         dg.AssetKey(["marts", "dim_practices"]), dg.AssetKey(["marts", "dim_areas"]))
    result = materialize(raw, marts, demo_world.profile.source_path, selection)
    assert not result.success
    printed: list[str] = []
    report_run(result, printed.append)
    failed = [line for line in printed if "CHECK FAILED marts/dim_areas:conforms_to_model" in line]
    assert len(failed) == 1, printed
    line = failed[0]
    assert "shape:" not in line and "┌" not in line and "Traceback" not in "\n".join(printed), printed
    assert matches(case, line) == [], line
    assert f"area_code='{pcn}'" in line
    # the renamed practice's line is named first, with the spelling to fix; the others after it
    assert f"line {lines[-1]} (PCN_NAME '{rows[lines[-1] - 1][name]}')" in line, line
    assert all(str(n) in line for n in lines), line


def test_a_staging_contract_failure_names_table_column_rule_key_and_raw_lines(tmp_path):
    """General, not a PCN one-off: any model rule of a staging contract, traced to the raw local file's lines."""
    import pandera.errors as pa_errors
    import polars as pl

    from assets.staging import RawTrace, explain_schema_errors
    from schemas.registry import RAW_SOURCES
    from schemas.staging import STAGING_MODELS

    source = RAW_SOURCES["gp_practice_map"]
    (tmp_path / "gp").mkdir()
    raw = tmp_path / "gp" / "gp-reg-pat-prac-map.csv"
    raw.write_text("PRACTICE_CODE,PCN_CODE,PCN_NAME\nP1,U1,ONE PCN\nP2,U1,ONE PCN\nP1,U2,TWO PCN\n")
    model = STAGING_MODELS["stg_gp__practices"]
    frame = pl.DataFrame({c: [None] * 3 for c in model.to_schema().columns}, schema={
        c: pl.String for c in model.to_schema().columns}).with_columns(
        practice_code=pl.Series(["P1", "P2", "P1"]), pcn_code=pl.Series(["U1", "U1", "U2"]),
        extract_date=pl.Series([None] * 3, dtype=pl.Date))
    with pytest.raises(pa_errors.SchemaErrors) as caught:
        model.validate(frame, lazy=True)
    lines = explain_schema_errors(caught.value, frame, "staging.stg_gp__practices", model,
                                  [RawTrace(source, (raw,), tmp_path)])
    unique = next(line for line in lines if "practice_code must be unique" in line)
    assert "practice_code='P1'" in unique and "(pcn_code 'U1' vs 'U2')" in unique, unique
    assert "from gp/gp-reg-pat-prac-map.csv line 2 (PCN_CODE 'U1'), line 4 (PCN_CODE 'U2')" in unique, unique
    assert any("extract_date may not be null" in line for line in lines), lines
