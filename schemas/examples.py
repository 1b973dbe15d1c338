"""One small valid file per raw layout, built from docs/raw-formats.md: for tests and for documentation.

`example_frame(name)` is a polars frame in the file's layout (synthetic demo-range codes); `write_example`
writes it where the source's glob expects it, in the source's encoding. Tests break one thing in these files
and check that validation names it.
"""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import polars as pl

from schemas.raw._common import AGE_GROUPS_5, ESP2013_AGE_BANDS
from schemas.raw.gp import GPW_STAFF_GROUPS, REGISTERED_PATIENTS
from schemas.raw.population import SAPE_AGE_COLUMNS
from schemas.raw.uec import ACTIVITY_MEASURES
from schemas.registry import RAW_SOURCES, RawSource

LSOAS = ("E01900001", "E01900002", "E01900003")
PRACTICES = ("Z90001", "Z90002")

# File name (relative to data/raw/) of each example: a concrete match of the source's glob.
EXAMPLE_PATHS: dict[str, str] = {
    "geography_lookup": "geography/lsoa11_sicbl_icb_lad.csv",
    "imd_file7": "imd/File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv",
    "population_lsoa": "population/sape_lsoa11_mid2019_females.csv",
    "population_england": "population/mye_england_sex_syoa_mid2019.csv",
    "fingertips": "jsna/fingertips_indicators.csv",
    "gp_practice_map": "gp/gp-reg-pat-prac-map.csv",
    "gp_patients_age_sex": "gp/gp-reg-pat-prac-quin-age_2019-04.csv",
    "gp_patients_lsoa": "gp/gp-reg-pat-prac-lsoa-all_2019-04.csv",
    "gp_workforce_practice": "gp/gpw_practice_level_2019-04.csv",
    "gp_workforce_national": "gp/gpw_national_summary.csv",
    "ecds_attendances": "uec/ecds/ecds_attendances_2019-04.csv",
    "apc_spells": "uec/sus_apc/apc_spells_2019-04.csv",
    "ae_monthly": "uec/ae_monthly/monthly_ae_2019-04.csv",
    "england_activity": "uec/england_activity_by_age_sex.csv",
}


def _geography_lookup() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "LSOA11CD": list(LSOAS),
            "LSOA11NM": ["Demo 001A", "Demo 001B", "Demo 002A"],
            "SICBL22CD": ["E38990001", "E38990001", "E38990002"],
            "SICBL22CDH": ["Z0Q", "Z0Q", "Z1A"],
            "SICBL22NM": ["NHS Demo Sub-ICB A", "NHS Demo Sub-ICB A", "NHS Demo Sub-ICB B"],
            "ICB22CD": ["E54990001"] * 3,
            "ICB22CDH": ["ZQ1"] * 3,
            "ICB22NM": ["NHS Demo ICB"] * 3,
            "LAD22CD": ["E06990001", "E06990001", "E07990001"],
            "LAD22NM": ["Demo Borough", "Demo Borough", "Demo District"],
        }
    )


def _imd_file7() -> pl.DataFrame:
    from schemas.raw.deprivation import Iod2019File7

    columns = list(Iod2019File7.to_schema().columns)
    data: dict[str, list[object]] = {
        columns[0]: list(LSOAS),
        columns[1]: ["Demo 001A", "Demo 001B", "Demo 002A"],
        columns[2]: ["E06990001", "E06990001", "E07990001"],
        columns[3]: ["Demo Borough", "Demo Borough", "Demo District"],
    }
    for column in columns[4:34]:
        if column.endswith(("Score", "Score (rate)")):
            data[column] = [0.412, 0.105, 0.033] if "(rate)" in column else [45.2, 12.8, 3.1]
        elif "Rank" in column:
            data[column] = [120, 15_002, 32_001]
        else:
            data[column] = [1, 5, 10]
    for column, values in zip(columns[34:], ([1500, 1600, 1400], [300, 350, 250], [900, 950, 850],
                                              [300, 300, 300], [950, 1000, 900]), strict=True):  # fmt: skip
        data[column] = values
    return pl.DataFrame(data)


def _population_lsoa() -> pl.DataFrame:
    data: dict[str, list[object]] = {
        "LSOA Code": list(LSOAS),
        "LSOA Name": ["Demo 001A", "Demo 001B", "Demo 002A"],
        "LA Code (2021 boundaries)": ["E06990001", "E06990001", "E07990001"],
        "LA name (2021 boundaries)": ["Demo Borough", "Demo Borough", "Demo District"],
    }
    ages = {column: [10 + i % 7, 9 + i % 5, 8 + i % 3] for i, column in enumerate(SAPE_AGE_COLUMNS)}
    data["All Ages"] = [sum(values[row] for values in ages.values()) for row in range(3)]
    data.update(ages)
    return pl.DataFrame(data)


def _population_england() -> pl.DataFrame:
    rows = [
        {"sex": sex, "Code": "E92000001", "Name": "ENGLAND", "Geography": "Country", "age": age,
         "count": 300_000 - 1_000 * age}
        for sex in ("males", "females") for age in range(91)
    ]  # fmt: skip
    return pl.DataFrame(rows)


def _fingertips() -> pl.DataFrame:
    areas = [  # code, name, type, parent code, parent name, value, compared with England
        ("E92000001", "England", "England", None, None, 79.4, None),
        ("E06990001", "Demo Borough", "Counties & UAs (from Apr 2023)", "E92000001", "England", 76.0, "Worse"),
        ("E07990001", "Demo District", "Districts & UAs (from Apr 2023)", "E92000001", "England", 79.9, "Similar"),
    ]
    rows = [
        {
            "Indicator ID": 90_366,
            "Indicator Name": "Life expectancy at birth",
            "Parent Code": parent_code,
            "Parent Name": parent_name,
            "Area Code": code,
            "Area Name": name,
            "Area Type": area_type,
            "Sex": "Male",
            "Age": "All ages",
            "Category Type": None,
            "Category": None,
            "Time period": "2019 - 21",
            "Value": value,
            "Lower CI 95.0 limit": value - 0.3,
            "Upper CI 95.0 limit": value + 0.3,
            "Lower CI 99.8 limit": value - 0.5,
            "Upper CI 99.8 limit": value + 0.5,
            "Count": None,
            "Denominator": None,
            "Value note": None,
            "Recent Trend": None,
            "Compared to England value or percentiles": compared,
            "Compared to percentiles": None,
            "Time period Sortable": 20_190_000,
            "New data": None,
            "Compared to goal": None,
            "Time period range": "3y",
        }
        for code, name, area_type, parent_code, parent_name, value, compared in areas
    ]
    return pl.DataFrame(rows)


def _gp_practice_map() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "PUBLICATION": ["Patients Registered at a GP Practice March 2025"] * 2,
            "EXTRACT_DATE": ["01Mar2025"] * 2,
            "PRACTICE_CODE": list(PRACTICES),
            "PRACTICE_NAME": ["Demo Surgery", "Demo Medical Centre"],
            "PRACTICE_POSTCODE": ["ZZ1 1AA", "ZZ2 2BB"],
            "PCN_CODE": ["UZ0001", "UZ0002"],
            "PCN_NAME": ["Demo PCN 1", "Demo PCN 2"],
            "ONS_CCG_CODE": ["E38990001", "E38990002"],
            "CCG_CODE": ["Z0Q", "Z1A"],
            "CCG_NAME": ["NHS Demo Sub-ICB A", "NHS Demo Sub-ICB B"],
            "ONS_STP_CODE": ["E54990001"] * 2,
            "STP_CODE": ["ZQ1"] * 2,
            "STP_NAME": ["NHS Demo ICB"] * 2,
            "ONS_COMM_REGION_CODE": ["E40990001"] * 2,
            "COMM_REGION_CODE": ["Z62"] * 2,
            "COMM_REGION_NAME": ["Demo Region"] * 2,
        }
    )


def _gp_patients_age_sex() -> pl.DataFrame:
    rows = [
        {
            "PUBLICATION": "Patients Registered at a GP Practice April 2019",
            "EXTRACT_DATE": "01Apr2019",
            "TYPE": "GP",
            "CCG_CODE": "Z0Q",
            "ONS_CCG_CODE": "E38990001",
            "ORG_CODE": practice,
            "POSTCODE": "ZZ1 1AA",
            "SEX": sex,
            "AGE_GROUP_5": group,
            "NUMBER_OF_PATIENTS": 100 + index,
        }
        for practice in PRACTICES
        for sex in ("MALE", "FEMALE")
        for index, group in enumerate(AGE_GROUPS_5)
    ]
    return pl.DataFrame(rows)


def _gp_patients_lsoa() -> pl.DataFrame:
    rows = [
        {
            "PUBLICATION": "Patients Registered at a GP Practice April 2019",
            "EXTRACT_DATE": "01Apr2019",
            "PRACTICE_CODE": practice,
            "PRACTICE_NAME": "Demo Surgery",
            "LSOA_CODE": lsoa,
            "SEX": "ALL",
            "NUMBER_OF_PATIENTS": 250,
        }
        for practice in PRACTICES
        for lsoa in LSOAS
    ]
    return pl.DataFrame(rows)


def _gp_workforce_practice() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "PRAC_CODE": list(PRACTICES),
            "PRAC_NAME": ["Demo Surgery", "Demo Medical Centre"],
            "SUB_ICB_CODE": ["Z0Q", "Z1A"],
            "SUB_ICB_NAME": ["NHS Demo Sub-ICB A", "NHS Demo Sub-ICB B"],
            "ICB_CODE": ["ZQ1"] * 2,
            "ICB_NAME": ["NHS Demo ICB"] * 2,
            "PCN_CODE": ["UZ0001", "UZ0002"],
            "PCN_NAME": ["Demo PCN 1", "Demo PCN 2"],
            "TOTAL_PATIENTS": [8_500, 12_100],
            "TOTAL_GP_HC": [6, 9],
            "TOTAL_GP_FTE": [4.6, 7.25],
            "TOTAL_GP_EXTGL_FTE": [3.6, 5.0],
            "TOTAL_GP_TRN_GR_FTE": [1.0, 1.25],
            "TOTAL_LOCUUM_TRN_FTE": [0.0, 1.0],
            "TOTAL_NURSES_FTE": [2.4, 3.1],
            "TOTAL_DPC_FTE": [1.8, 2.6],
            "TOTAL_ADMIN_FTE": [7.9, 10.4],
        }
    )


def _gp_workforce_national() -> pl.DataFrame:
    rows = []
    for census in (dt.date(2019, 4, 30), dt.date(2019, 5, 31)):
        for index, group in enumerate(GPW_STAFF_GROUPS):
            rows.append(
                {
                    "CENSUS_DATE": census,
                    "STAFF_GROUP": group,
                    "FTE": 1000.0 * (index + 1),
                    "HEADCOUNT": 1200 * (index + 1),
                }
            )
        rows.append({"CENSUS_DATE": census, "STAFF_GROUP": REGISTERED_PATIENTS, "FTE": None, "HEADCOUNT": 60_000_000})
    return pl.DataFrame(rows)


def _ecds_attendances() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "EC_IDENT": ["EC000001", "EC000002", "EC000003", "EC000004"],
            "ARRIVAL_DATE": [dt.date(2019, 4, 1), dt.date(2019, 4, 15), dt.date(2019, 4, 30), dt.date(2019, 4, 7)],
            "LSOA_OF_RESIDENCE": [LSOAS[0], LSOAS[1], LSOAS[2], LSOAS[0]],
            "AGE_AT_ARRIVAL": [0, 34, 120, 87],
            "STATED_GENDER": ["1", "2", "9", "X"],
            "PROVIDER_CODE": ["ZA1", "ZA2", "ZA1", "ZA3"],
            "EC_DEPARTMENT_TYPE": ["01", "02", "03", "04"],
        }
    )


def _apc_spells() -> pl.DataFrame:
    admitted = [dt.date(2019, 4, 1), dt.date(2019, 4, 20), dt.date(2019, 4, 30)]
    discharged = [dt.date(2019, 4, 1), dt.date(2019, 4, 25), dt.date(2019, 5, 12)]
    return pl.DataFrame(
        {
            "SPELL_ID": ["SP000001", "SP000002", "SP000003"],
            "ADMISSION_DATE": admitted,
            "DISCHARGE_DATE": discharged,
            "ADMISSION_METHOD": ["21", "2A", "11"],
            "LSOA_OF_RESIDENCE": list(LSOAS),
            "AGE_ON_ADMISSION": [72, 5, 45],
            "SEX": ["1", "2", "0"],
            "PROVIDER_CODE": ["ZA1", "ZA1", "ZA2"],
            "LENGTH_OF_STAY": [(d - a).days for a, d in zip(admitted, discharged, strict=True)],
        }
    )


def _ae_monthly() -> pl.DataFrame:
    from schemas.raw.uec import MonthlyAe

    columns = list(MonthlyAe.to_schema().columns)
    data: dict[str, list[object]] = {
        "Period": ["MSitAE-APRIL-2019"] * 3,
        "Org Code": ["ZA1", "ZA2", "Z01"],
        "Parent Org": ["NHS ENGLAND DEMO REGION"] * 3,
        "Org name": ["Demo Hospitals NHS Trust", "Demo Community Trust", "Elsewhere NHS Trust"],
    }
    for index, column in enumerate(columns[4:]):
        data[column] = [5_000 - 300 * index, 800 - 40 * index, 3_000 - 100 * index]
    return pl.DataFrame(data)


def _england_activity() -> pl.DataFrame:
    rows = [
        {"FINANCIAL_YEAR": year, "MEASURE": measure, "AGE_BAND": band, "SEX": sex, "ACTIVITY": 10_000 + 17 * index}
        for year in ("2018-19", "2019-20")
        for measure in ACTIVITY_MEASURES
        for index, band in enumerate(ESP2013_AGE_BANDS)
        for sex in ("Male", "Female")
    ]
    return pl.DataFrame(rows)


_BUILDERS = {
    "geography_lookup": _geography_lookup,
    "imd_file7": _imd_file7,
    "population_lsoa": _population_lsoa,
    "population_england": _population_england,
    "fingertips": _fingertips,
    "gp_practice_map": _gp_practice_map,
    "gp_patients_age_sex": _gp_patients_age_sex,
    "gp_patients_lsoa": _gp_patients_lsoa,
    "gp_workforce_practice": _gp_workforce_practice,
    "gp_workforce_national": _gp_workforce_national,
    "ecds_attendances": _ecds_attendances,
    "apc_spells": _apc_spells,
    "ae_monthly": _ae_monthly,
    "england_activity": _england_activity,
}


def example_frame(name: str) -> pl.DataFrame:
    """A small valid frame in the layout of raw source `name`, columns in file order."""
    frame = _BUILDERS[name]()
    schema = RAW_SOURCES[name].model.to_schema()
    return frame.select(pl.col(column).cast(spec.dtype.type) for column, spec in schema.columns.items())


def example_csv(name: str, frame: pl.DataFrame | None = None) -> bytes:
    """The bytes of a file of source `name` (its example frame unless `frame` is given), in its encoding."""
    source: RawSource = RAW_SOURCES[name]
    text = (example_frame(name) if frame is None else frame).write_csv(line_terminator="\n")
    return text.encode(source.encoding)  # utf-8-sig writes the byte-order mark


def write_example(raw_dir: Path, name: str, *, frame: pl.DataFrame | None = None, gz: bool = False) -> Path:
    """Write an example file of source `name` under `raw_dir` (as its glob expects); return its path."""
    path = Path(raw_dir) / EXAMPLE_PATHS[name]
    path.parent.mkdir(parents=True, exist_ok=True)
    data = example_csv(name, frame)
    if gz:
        path = path.with_name(path.name + ".gz")
        data = gzip.compress(data)
    path.write_bytes(data)
    return path
