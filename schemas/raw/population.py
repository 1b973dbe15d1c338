"""Population: ONS small-area and national mid-year estimates (docs/raw-formats.md §3)."""

from __future__ import annotations

from typing import Any

import pandera.polars as pa
import polars as pl

from schemas.raw._common import ENGLAND, LAD, LSOA, RawModel

SAPE_AGE_COLUMNS: tuple[str, ...] = tuple(str(age) for age in range(90)) + ("90+",)


def _sape_all_ages_is_sum(cls: type, data: pa.PolarsData) -> pl.LazyFrame:
    return data.lazyframe.select((pl.col("All Ages") == pl.sum_horizontal(SAPE_AGE_COLUMNS)).alias("all_ages_is_sum"))


def _sape_model() -> type[RawModel]:
    # 91 single-year-of-age columns: built in a loop rather than typed out.
    annotations: dict[str, Any] = {
        "lsoa_code": str,
        "lsoa_name": str,
        "la_code": str,
        "la_name": str,
        "all_ages": int,
    }
    namespace: dict[str, Any] = {
        "__doc__": (
            "One row per LSOA 2011 of the profile's ICB, for one mid-year and one sex (in the file name).\n\n"
            "    ONS small-area population estimates (SAPE) by single year of age; files are named\n"
            "    `sape_lsoa11_mid{YYYY}_{males|females}.csv`.\n"
            "    Publisher: Office for National Statistics (mid-year population estimates, LSOA 2011).\n"
        ),
        "__module__": __name__,
        "lsoa_code": pa.Field(
            alias="LSOA Code", str_matches=LSOA, unique=True, description="LSOA code, 2011 boundaries."
        ),
        "lsoa_name": pa.Field(alias="LSOA Name", description="LSOA name, 2011 boundaries."),
        "la_code": pa.Field(
            alias="LA Code (2021 boundaries)", str_matches=LAD, description="Local authority code, 2021 boundaries."
        ),
        "la_name": pa.Field(alias="LA name (2021 boundaries)", description="Local authority name, 2021 boundaries."),
        "all_ages": pa.Field(
            alias="All Ages", ge=0, description="Population of all ages: the sum of the 91 single-year columns."
        ),
    }
    for column in SAPE_AGE_COLUMNS:
        field = "age_90_plus" if column == "90+" else f"age_{column}"
        words = "aged 90 and over" if column == "90+" else f"aged {column}"
        annotations[field] = int
        namespace[field] = pa.Field(alias=column, ge=0, description=f"Population {words} at mid-year.")
    namespace["__annotations__"] = annotations
    namespace["Config"] = type(
        "Config",
        (),
        {
            "name": "population_lsoa",
            "metadata": {
                "grain": "one row per LSOA 2011 of the ICB, per file (one mid-year, one sex)",
                "publisher": "Office for National Statistics",
                "lsoa_vintage": 2011,
                "lsoa_columns": ("LSOA Code",),
            },
        },
    )
    namespace["all_ages_is_sum"] = pa.dataframe_check(
        name="all_ages_is_sum",
        description="All Ages = sum of the single-year-of-age columns 0 … 90+",
        statistics={"columns": ["All Ages"]},
    )(_sape_all_ages_is_sum)
    return type("SapeLsoaPopulation", (RawModel,), namespace)


SapeLsoaPopulation = _sape_model()


class MyeEnglandSyoa(RawModel):
    """One row per sex per single year of age (0 … 90+), for one mid-year (in the file name).

    ONS mid-year population estimates for England by sex and single year of age (MYE2 countries, long form).
    Publisher: Office for National Statistics.
    """

    sex: str = pa.Field(isin=["males", "females"], description="Sex: `males` or `females`.")
    Code: str = pa.Field(eq=ENGLAND, description="ONS code of the country: always England, E92000001.")
    Name: str = pa.Field(eq="ENGLAND", description="Name of the country: ENGLAND.")
    Geography: str = pa.Field(eq="Country", description="Geography type: Country.")
    age: int = pa.Field(
        in_range={"min_value": 0, "max_value": 90}, description="Single year of age; 90 means 90 and over."
    )
    count: int = pa.Field(ge=0, description="Estimated usual resident population at mid-year.")

    class Config:
        name = "population_england"
        unique = ["sex", "age"]
        metadata = {
            "grain": "one row per sex and single year of age, for one mid-year",
            "publisher": "Office for National Statistics",
        }
