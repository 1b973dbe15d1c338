"""Deprivation: English Indices of Deprivation 2019, File 7 (docs/raw-formats.md §2)."""

from __future__ import annotations

import pandera.polars as pa

from schemas.raw._common import IMD2019_LSOAS, LAD, LSOA, RawModel

RANK_RANGE = {"min_value": 1, "max_value": IMD2019_LSOAS}
DECILE_RANGE = {"min_value": 1, "max_value": 10}


class Iod2019File7(RawModel):
    """One row per LSOA 2011 in England (32,844 rows).

    IoD2019 File 7: all scores, ranks, deciles and population denominators.
    Publisher: Ministry of Housing, Communities and Local Government (English Indices of Deprivation 2019).
    Encoding: UTF-8 with a byte-order mark. Ranks: 1 = most deprived; deciles are national.
    """

    lsoa_code: str = pa.Field(
        alias="LSOA code (2011)", str_matches=LSOA, unique=True, description="LSOA code, 2011 boundaries."
    )
    lsoa_name: str = pa.Field(alias="LSOA name (2011)", description="LSOA name, 2011 boundaries.")
    lad_code: str = pa.Field(
        alias="Local Authority District code (2019)",
        str_matches=LAD,
        description="Local authority district code, 2019 boundaries.",
    )
    lad_name: str = pa.Field(
        alias="Local Authority District name (2019)", description="Local authority district name, 2019 boundaries."
    )
    imd_score: float = pa.Field(
        alias="Index of Multiple Deprivation (IMD) Score",
        ge=0,
        description="Score of the overall Index of Multiple Deprivation, combining the seven domains with weights. Higher = more deprived.",
    )
    imd_rank: int = pa.Field(
        alias="Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
        in_range=RANK_RANGE,
        description="Rank of Index of Multiple Deprivation (IMD) score among the 32,844 LSOAs in England; 1 = most deprived.",
    )
    imd_decile: int = pa.Field(
        alias="Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
        in_range=DECILE_RANGE,
        description="National decile of Index of Multiple Deprivation (IMD) rank; 1 = most deprived 10% of LSOAs in England.",
    )
    income_score: float = pa.Field(
        alias="Income Score (rate)",
        in_range={"min_value": 0, "max_value": 1},
        description="Score of the Income Deprivation domain: proportion of the population experiencing deprivation relating to low income. Higher = more deprived.",
    )
    income_rank: int = pa.Field(
        alias="Income Rank (where 1 is most deprived)",
        in_range=RANK_RANGE,
        description="Rank of Income score among the 32,844 LSOAs in England; 1 = most deprived.",
    )
    income_decile: int = pa.Field(
        alias="Income Decile (where 1 is most deprived 10% of LSOAs)",
        in_range=DECILE_RANGE,
        description="National decile of Income rank; 1 = most deprived 10% of LSOAs in England.",
    )
    employment_score: float = pa.Field(
        alias="Employment Score (rate)",
        in_range={"min_value": 0, "max_value": 1},
        description="Score of the Employment Deprivation domain: proportion of the working-age population involuntarily excluded from the labour market. Higher = more deprived.",
    )
    employment_rank: int = pa.Field(
        alias="Employment Rank (where 1 is most deprived)",
        in_range=RANK_RANGE,
        description="Rank of Employment score among the 32,844 LSOAs in England; 1 = most deprived.",
    )
    employment_decile: int = pa.Field(
        alias="Employment Decile (where 1 is most deprived 10% of LSOAs)",
        in_range=DECILE_RANGE,
        description="National decile of Employment rank; 1 = most deprived 10% of LSOAs in England.",
    )
    education_score: float = pa.Field(
        alias="Education, Skills and Training Score",
        ge=0,
        description="Score of the Education, Skills and Training Deprivation domain. Higher = more deprived.",
    )
    education_rank: int = pa.Field(
        alias="Education, Skills and Training Rank (where 1 is most deprived)",
        in_range=RANK_RANGE,
        description="Rank of Education, Skills and Training score among the 32,844 LSOAs in England; 1 = most deprived.",
    )
    education_decile: int = pa.Field(
        alias="Education, Skills and Training Decile (where 1 is most deprived 10% of LSOAs)",
        in_range=DECILE_RANGE,
        description="National decile of Education, Skills and Training rank; 1 = most deprived 10% of LSOAs in England.",
    )
    health_score: float = pa.Field(
        alias="Health Deprivation and Disability Score",
        description="Score of the Health Deprivation and Disability domain (a standardised score: can be negative). Higher = more deprived.",
    )
    health_rank: int = pa.Field(
        alias="Health Deprivation and Disability Rank (where 1 is most deprived)",
        in_range=RANK_RANGE,
        description="Rank of Health Deprivation and Disability score among the 32,844 LSOAs in England; 1 = most deprived.",
    )
    health_decile: int = pa.Field(
        alias="Health Deprivation and Disability Decile (where 1 is most deprived 10% of LSOAs)",
        in_range=DECILE_RANGE,
        description="National decile of Health Deprivation and Disability rank; 1 = most deprived 10% of LSOAs in England.",
    )
    crime_score: float = pa.Field(
        alias="Crime Score",
        description="Score of the Crime domain (a standardised score: can be negative). Higher = more deprived.",
    )
    crime_rank: int = pa.Field(
        alias="Crime Rank (where 1 is most deprived)",
        in_range=RANK_RANGE,
        description="Rank of Crime score among the 32,844 LSOAs in England; 1 = most deprived.",
    )
    crime_decile: int = pa.Field(
        alias="Crime Decile (where 1 is most deprived 10% of LSOAs)",
        in_range=DECILE_RANGE,
        description="National decile of Crime rank; 1 = most deprived 10% of LSOAs in England.",
    )
    barriers_score: float = pa.Field(
        alias="Barriers to Housing and Services Score",
        ge=0,
        description="Score of the Barriers to Housing and Services domain. Higher = more deprived.",
    )
    barriers_rank: int = pa.Field(
        alias="Barriers to Housing and Services Rank (where 1 is most deprived)",
        in_range=RANK_RANGE,
        description="Rank of Barriers to Housing and Services score among the 32,844 LSOAs in England; 1 = most deprived.",
    )
    barriers_decile: int = pa.Field(
        alias="Barriers to Housing and Services Decile (where 1 is most deprived 10% of LSOAs)",
        in_range=DECILE_RANGE,
        description="National decile of Barriers to Housing and Services rank; 1 = most deprived 10% of LSOAs in England.",
    )
    living_environment_score: float = pa.Field(
        alias="Living Environment Score",
        ge=0,
        description="Score of the Living Environment Deprivation domain. Higher = more deprived.",
    )
    living_environment_rank: int = pa.Field(
        alias="Living Environment Rank (where 1 is most deprived)",
        in_range=RANK_RANGE,
        description="Rank of Living Environment score among the 32,844 LSOAs in England; 1 = most deprived.",
    )
    living_environment_decile: int = pa.Field(
        alias="Living Environment Decile (where 1 is most deprived 10% of LSOAs)",
        in_range=DECILE_RANGE,
        description="National decile of Living Environment rank; 1 = most deprived 10% of LSOAs in England.",
    )
    idaci_score: float = pa.Field(
        alias="Income Deprivation Affecting Children Index (IDACI) Score (rate)",
        in_range={"min_value": 0, "max_value": 1},
        description="Score of the Income Deprivation Affecting Children Index: proportion of children aged 0-15 living in income-deprived families. Higher = more deprived.",
    )
    idaci_rank: int = pa.Field(
        alias="Income Deprivation Affecting Children Index (IDACI) Rank (where 1 is most deprived)",
        in_range=RANK_RANGE,
        description="Rank of Income Deprivation Affecting Children Index (IDACI) score among the 32,844 LSOAs in England; 1 = most deprived.",
    )
    idaci_decile: int = pa.Field(
        alias="Income Deprivation Affecting Children Index (IDACI) Decile (where 1 is most deprived 10% of LSOAs)",
        in_range=DECILE_RANGE,
        description="National decile of Income Deprivation Affecting Children Index (IDACI) rank; 1 = most deprived 10% of LSOAs in England.",
    )
    idaopi_score: float = pa.Field(
        alias="Income Deprivation Affecting Older People (IDAOPI) Score (rate)",
        in_range={"min_value": 0, "max_value": 1},
        description="Score of the Income Deprivation Affecting Older People Index: proportion of people aged 60+ experiencing income deprivation. Higher = more deprived.",
    )
    idaopi_rank: int = pa.Field(
        alias="Income Deprivation Affecting Older People (IDAOPI) Rank (where 1 is most deprived)",
        in_range=RANK_RANGE,
        description="Rank of Income Deprivation Affecting Older People (IDAOPI) score among the 32,844 LSOAs in England; 1 = most deprived.",
    )
    idaopi_decile: int = pa.Field(
        alias="Income Deprivation Affecting Older People (IDAOPI) Decile (where 1 is most deprived 10% of LSOAs)",
        in_range=DECILE_RANGE,
        description="National decile of Income Deprivation Affecting Older People (IDAOPI) rank; 1 = most deprived 10% of LSOAs in England.",
    )
    population_total: int = pa.Field(
        alias="Total population: mid 2015 (excluding prisoners)",
        ge=0,
        description="Total population, mid-2015, excluding prisoners (denominator of the IMD domains).",
    )
    population_children_0_15: int = pa.Field(
        alias="Dependent Children aged 0-15: mid 2015 (excluding prisoners)",
        ge=0,
        description="Dependent children aged 0-15, mid-2015, excluding prisoners (denominator of IDACI).",
    )
    population_16_59: int = pa.Field(
        alias="Population aged 16-59: mid 2015 (excluding prisoners)",
        ge=0,
        description="Population aged 16-59, mid-2015, excluding prisoners.",
    )
    population_60_plus: int = pa.Field(
        alias="Older population aged 60 and over: mid 2015 (excluding prisoners)",
        ge=0,
        description="Population aged 60 and over, mid-2015, excluding prisoners (denominator of IDAOPI).",
    )
    population_working_age: int = pa.Field(
        alias="Working age population 18-59/64: for use with Employment Deprivation Domain (excluding prisoners)",
        ge=0,
        description="Working-age population (women 18-59, men 18-64), excluding prisoners: "
        "denominator of the Employment domain.",
    )

    class Config:
        name = "imd_file7"
        metadata = {
            "grain": "one row per LSOA 2011 in England (32,844)",
            "publisher": "Ministry of Housing, Communities and Local Government",
            "lsoa_vintage": 2011,
            "lsoa_columns": ("LSOA code (2011)",),
        }
