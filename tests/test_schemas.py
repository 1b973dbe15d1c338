"""The raw-file models against the contract (docs/raw-formats.md), the registry, and what is derived from models."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import dagster as dg
import duckdb
import pandera.polars as pa
import polars as pl
import pytest
from pandera.errors import SchemaErrors

from schemas.ddl import (
    create_table_sql,
    dagster_table_schema,
    data_dictionary_rows,
    duckdb_types,
)
from schemas.examples import EXAMPLE_PATHS, example_frame, write_example
from schemas.introspect import describe_check, unique_keys
from schemas.raw import lsoa_columns, lsoa_vintage, model_metadata
from schemas.registry import RAW_SOURCES, file_month

CONTRACT = Path(__file__).resolve().parents[1] / "docs" / "raw-formats.md"
SOURCES = sorted(RAW_SOURCES)


def contract_headers() -> list[tuple[str, ...]]:
    """Every header the contract spells out: one-line `A,B,C` spans, and File 7's fenced column list."""
    text = CONTRACT.read_text(encoding="utf-8")
    headers = []
    for span in re.findall(r"`([^`\n]+)`", text):
        if span.count(",") >= 3 and ", " not in span:
            fields = span.split(",")
            if "…" in fields:  # SAPE: `All Ages,0,1,2,…,89,90+`
                at = fields.index("…")
                fields = (
                    fields[:at]
                    + [str(a) for a in range(int(fields[at - 1]) + 1, int(fields[at + 1]))]
                    + fields[at + 1 :]
                )
            headers.append(tuple(fields))
    for block in re.findall(r"```\n(.*?)```", text, flags=re.DOTALL):
        lines = [line for line in block.splitlines() if line.strip()]
        if len(lines) > 10:
            headers.append(tuple(lines))
    return headers


@pytest.mark.parametrize("name", SOURCES)
def test_model_columns_are_the_contract_header(name):
    assert RAW_SOURCES[name].columns in contract_headers()


def test_every_contract_header_has_a_model():
    modelled = {source.columns for source in RAW_SOURCES.values()}
    assert set(contract_headers()) <= modelled
    assert len(RAW_SOURCES) == 14


@pytest.mark.parametrize("name", SOURCES)
def test_every_column_is_described_and_the_docstring_gives_grain_and_publisher(name):
    model = RAW_SOURCES[name].model
    schema = model.to_schema()
    assert all(column.description for column in schema.columns.values()), name
    doc = model.__doc__ or ""
    assert doc.startswith("One row per") and "Publisher:" in doc  # the grain first, as every asset states it
    assert model_metadata(model)["grain"] and model_metadata(model)["publisher"]
    assert schema.strict is True and schema.ordered is True


@pytest.mark.parametrize("name", SOURCES)
def test_model_schema_name_is_the_source_name(name):
    assert RAW_SOURCES[name].model.to_schema().name == name


@pytest.mark.parametrize("name", SOURCES)
def test_every_model_has_a_natural_key(name):
    source = RAW_SOURCES[name]
    assert source.natural_key
    assert set(source.natural_key) <= set(source.columns)


def test_natural_keys():
    assert RAW_SOURCES["ecds_attendances"].natural_key == ("EC_IDENT",)
    assert RAW_SOURCES["apc_spells"].natural_key == ("SPELL_ID",)
    assert RAW_SOURCES["imd_file7"].natural_key == ("LSOA code (2011)",)
    assert RAW_SOURCES["gp_workforce_practice"].natural_key == ("PRAC_CODE",)
    assert RAW_SOURCES["gp_patients_age_sex"].natural_key == ("ORG_CODE", "SEX", "AGE_GROUP_5")


@pytest.mark.parametrize("name", ["imd_file7", "population_lsoa", "ecds_attendances", "apc_spells",
                                  "geography_lookup", "gp_patients_lsoa"])  # fmt: skip
def test_lsoa_keyed_models_declare_their_vintage(name):
    model = RAW_SOURCES[name].model
    assert lsoa_vintage(model) == 2011
    assert lsoa_columns(model) and set(lsoa_columns(model)) <= set(RAW_SOURCES[name].columns)


def test_models_without_lsoas_declare_no_vintage():
    assert lsoa_vintage(RAW_SOURCES["ae_monthly"].model) is None
    assert lsoa_columns(RAW_SOURCES["ae_monthly"].model) == ()


def test_registry_fields():
    groups = {"deprivation", "population", "gp", "uec", "jsna", "geography"}
    for name, source in RAW_SOURCES.items():
        assert name == source.name and re.fullmatch(r"[a-z][a-z0-9_]*", name)
        assert source.group in groups
        assert source.description
        assert source.encoding in {"utf-8", "utf-8-sig"}
    assert RAW_SOURCES["imd_file7"].encoding == "utf-8-sig"
    assert {n for n, s in RAW_SOURCES.items() if s.record_level} == {"ecds_attendances", "apc_spells"}
    assert RAW_SOURCES["ecds_attendances"].glob == "uec/ecds/ecds_attendances_*.csv"


def test_each_example_path_matches_its_glob_and_no_other(tmp_path):
    for name in SOURCES:
        write_example(tmp_path, name)
    for name, source in RAW_SOURCES.items():
        assert [p.relative_to(tmp_path).as_posix() for p in source.files(tmp_path)] == [EXAMPLE_PATHS[name]]


def test_files_include_gzipped_copies(tmp_path):
    write_example(tmp_path, "ecds_attendances", gz=True)
    assert [p.name for p in RAW_SOURCES["ecds_attendances"].files(tmp_path)] == ["ecds_attendances_2019-04.csv.gz"]


@pytest.mark.parametrize(
    ("name", "month"),
    [("ecds_attendances_2019-04.csv", dt.date(2019, 4, 1)), ("apc_spells_2025-03.csv.gz", dt.date(2025, 3, 1)),
     ("gpw_national_summary.csv", None), ("ecds_attendances_2019-13.csv", None)],
)  # fmt: skip
def test_file_month(name, month):
    assert file_month(Path(name)) == month


# --- data checks of the models themselves (pandera on a collected frame) ---------------------------------


def failed_checks(name: str, frame: pl.DataFrame) -> set[tuple[str, str]]:
    try:
        RAW_SOURCES[name].model.validate(frame, lazy=True)
    except SchemaErrors as errors:
        return {(row["column"], row["check"]) for row in errors.failure_cases.iter_rows(named=True)}
    return set()


@pytest.mark.parametrize("name", SOURCES)
def test_examples_satisfy_their_models(name):
    assert failed_checks(name, example_frame(name)) == set()


@pytest.mark.parametrize(
    ("name", "column", "value", "check"),
    [
        ("ecds_attendances", "LSOA_OF_RESIDENCE", "W01000001", r"str_matches('^E01\d{6}$')"),
        ("ecds_attendances", "AGE_AT_ARRIVAL", 121, "in_range(0, 120)"),
        ("ecds_attendances", "STATED_GENDER", "0", "isin(['1', '2', '9', 'X'])"),
        ("ecds_attendances", "EC_DEPARTMENT_TYPE", "1", "isin(['01', '02', '03', '04'])"),
        ("ecds_attendances", "ARRIVAL_DATE", dt.date(2009, 12, 31), "in_range(2010-04-01, 2035-03-31)"),
        ("apc_spells", "SEX", "X", "isin(['0', '1', '2', '9'])"),
        ("apc_spells", "AGE_ON_ADMISSION", -1, "in_range(0, 120)"),
        ("imd_file7", "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)", 11,
         "in_range(1, 10)"),
        ("imd_file7", "Income Score (rate)", 1.5, "in_range(0, 1)"),
        ("gp_workforce_practice", "TOTAL_NURSES_FTE", -0.5, "greater_than_or_equal_to(0)"),
        ("gp_patients_age_sex", "NUMBER_OF_PATIENTS", -3, "greater_than_or_equal_to(0)"),
        ("gp_patients_age_sex", "SEX", "ALL", "isin(['MALE', 'FEMALE'])"),
        ("gp_practice_map", "PRACTICE_CODE", "Z9001", r"str_matches('^[A-Z]\d{5}$')"),
        ("population_england", "age", 91, "in_range(0, 90)"),
        ("england_activity", "AGE_BAND", "85+", None),
    ],
)  # fmt: skip
def test_models_reject_out_of_contract_values(name, column, value, check):
    frame = example_frame(name)
    frame = frame.with_columns(pl.lit(value, dtype=frame.schema[column]).alias(column))
    failures = failed_checks(name, frame)
    assert any(c == column and (check is None or k == check) for c, k in failures), failures


def test_row_checks_apc_length_of_stay_and_discharge_order():
    frame = example_frame("apc_spells").with_columns(pl.lit(3, dtype=pl.Int64).alias("LENGTH_OF_STAY"))
    assert ("apc_spells", "length_of_stay_matches_dates") in failed_checks("apc_spells", frame)
    frame = example_frame("apc_spells").with_columns(pl.col("ADMISSION_DATE").alias("DISCHARGE_DATE"),
                                                     pl.col("DISCHARGE_DATE").alias("ADMISSION_DATE"))  # fmt: skip
    assert ("apc_spells", "discharge_not_before_admission") in failed_checks("apc_spells", frame)


def test_row_checks_sape_all_ages_gpw_month_end_and_financial_year():
    frame = example_frame("population_lsoa").with_columns(pl.col("All Ages") + 1)
    assert ("population_lsoa", "all_ages_is_sum") in failed_checks("population_lsoa", frame)
    frame = example_frame("gp_workforce_national").with_columns(pl.col("CENSUS_DATE") - dt.timedelta(days=1))
    assert ("gp_workforce_national", "census_date_is_month_end") in failed_checks("gp_workforce_national", frame)
    frame = example_frame("england_activity").with_columns(pl.lit("2018-20").alias("FINANCIAL_YEAR"))
    assert ("england_activity", "financial_year_consecutive") in failed_checks("england_activity", frame)


def test_unique_keys_are_checked_by_the_model():
    frame = example_frame("ecds_attendances")
    frame = pl.concat([frame, frame.head(1)])
    assert ("EC_IDENT", "field_uniqueness") in failed_checks("ecds_attendances", frame)
    frame = example_frame("gp_patients_age_sex")
    frame = pl.concat([frame, frame.head(1)])
    assert ("gp_patients_age_sex", "multiple_fields_uniqueness") in failed_checks("gp_patients_age_sex", frame)


def test_missing_or_extra_columns_fail_the_model():
    frame = example_frame("ecds_attendances")
    assert failed_checks("ecds_attendances", frame.drop("STATED_GENDER"))
    assert failed_checks("ecds_attendances", frame.with_columns(pl.lit(1).alias("EXTRA")))


# --- derived from models: DuckDB types and DDL, Dagster schema, data dictionary ---------------------------


class Tiny(pa.DataFrameModel):
    """One row per thing (a mart-like model, not a raw one)."""

    code: str = pa.Field(unique=True, str_matches=r"^T\d$", description="Thing code")
    n: pl.Int32 = pa.Field(ge=0, description="A count")
    share: float = pa.Field(nullable=True, in_range={"min_value": 0, "max_value": 1}, description="A share")
    day: dt.date = pa.Field(description="A day")

    class Config:
        unique = ["code", "day"]


def test_duckdb_types():
    assert duckdb_types(Tiny) == {"code": "VARCHAR", "n": "INTEGER", "share": "DOUBLE", "day": "DATE"}
    assert duckdb_types(RAW_SOURCES["ecds_attendances"].model) == {
        "EC_IDENT": "VARCHAR", "ARRIVAL_DATE": "DATE", "LSOA_OF_RESIDENCE": "VARCHAR", "AGE_AT_ARRIVAL": "BIGINT",
        "STATED_GENDER": "VARCHAR", "PROVIDER_CODE": "VARCHAR", "EC_DEPARTMENT_TYPE": "VARCHAR",
    }  # fmt: skip


def test_create_table_sql_runs_in_duckdb_with_comments():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute(create_table_sql(Tiny, "marts.tiny"))
    columns = con.execute(
        "SELECT column_name, data_type, is_nullable, comment FROM duckdb_columns() "
        "WHERE schema_name = 'marts' AND table_name = 'tiny' ORDER BY column_index"
    ).fetchall()
    assert columns == [
        ("code", "VARCHAR", False, "Thing code"),
        ("n", "INTEGER", False, "A count"),
        ("share", "DOUBLE", True, "A share"),
        ("day", "DATE", False, "A day"),
    ]
    comment = con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'tiny'").fetchone()[0]
    assert comment.startswith("One row per thing")
    # names with spaces, quotes in descriptions
    con.execute(create_table_sql(RAW_SOURCES["imd_file7"].model, "marts.file7"))
    assert con.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = 'file7'").fetchone()[0] == 39


def test_dagster_table_schema():
    schema = dagster_table_schema(Tiny)
    assert isinstance(schema, dg.TableSchema)
    code, n, share, _day = schema.columns
    assert (code.name, code.type, code.description) == ("code", "VARCHAR", "Thing code")
    assert code.constraints.unique and not code.constraints.nullable
    assert code.constraints.other == [r"matches ^T\d$"]
    assert share.constraints.nullable and share.constraints.other == ["from 0 to 1"]
    assert n.constraints.other == ["≥ 0"]
    assert schema.constraints.other == ["unique (code, day)"]
    ecds = dagster_table_schema(RAW_SOURCES["ecds_attendances"].model)
    assert all(column.description for column in ecds.columns)
    apc = dagster_table_schema(RAW_SOURCES["apc_spells"].model)
    assert "LENGTH_OF_STAY = DISCHARGE_DATE − ADMISSION_DATE in days" in apc.constraints.other


def test_data_dictionary_rows():
    rows = data_dictionary_rows(Tiny)
    assert [r["column"] for r in rows] == ["code", "n", "share", "day"]
    assert rows[0] == {
        "column": "code",
        "type": "VARCHAR",
        "nullable": False,
        "description": "Thing code",
        "checks": r"required (no empty cells); unique; matches ^T\d$; unique together with day",
    }
    assert rows[2]["checks"] == "from 0 to 1"
    ecds = {r["column"]: r for r in data_dictionary_rows(RAW_SOURCES["ecds_attendances"].model)}
    assert "one of 1, 2, 9, X" in ecds["STATED_GENDER"]["checks"]
    assert "from 0 to 120" in ecds["AGE_AT_ARRIVAL"]["checks"]


def test_describe_check_words():
    assert describe_check(pa.Check.isin(["a", "b"])) == "one of a, b"
    assert (
        describe_check(pa.Check.in_range(dt.date(2020, 1, 1), dt.date(2020, 12, 31))) == "from 2020-01-01 to 2020-12-31"
    )
    assert describe_check(pa.Check.eq("GP")) == "equals GP"
    assert describe_check(pa.Check.str_length(1)) == "1 characters long"
    assert unique_keys(Tiny) == [("code",), ("code", "day")]


@pytest.mark.parametrize("name", SOURCES)
def test_duckdb_reads_each_example_with_the_derived_types(tmp_path, name):
    """`read_csv(columns = duckdb_types(model))` — how staging reads raw files — loads every example intact."""
    path = write_example(tmp_path, name)
    con = duckdb.connect()
    frame = con.execute(
        "SELECT * FROM read_csv($file, columns = $columns, header = true, auto_detect = false)",
        {"file": str(path), "columns": duckdb_types(RAW_SOURCES[name].model)},
    ).pl()
    expected = example_frame(name)
    assert frame.columns == expected.columns
    assert frame.height == expected.height
