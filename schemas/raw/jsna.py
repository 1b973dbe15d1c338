"""JSNA indicators: OHID Fingertips "download data" export (docs/raw-formats.md §4)."""

from __future__ import annotations

import pandera.polars as pa

from schemas.raw._common import RawModel

# England, or a local authority (county/unitary, district, metropolitan district, London borough), or a region.
FINGERTIPS_AREA_CODE = r"^E(92|06|07|08|09|10|11|12|13)\d{6}$"
# The contract names three area types; earlier LA vintages ("from Apr 2021") occur in older exports.
FINGERTIPS_AREA_TYPE = r"^(England|Counties & UAs \(from Apr \d{4}\)|Districts & UAs \(from Apr \d{4}\))$"


class FingertipsExport(RawModel):
    """One row per indicator × area × sex × age × category × time period.

    OHID Fingertips indicator export.
    Publisher: Office for Health Improvement and Disparities (Fingertips public health profiles).
    Areas: England and each local authority of the profile's ICB. Empty cells are read as missing.
    """

    indicator_id: int = pa.Field(alias="Indicator ID", gt=0, description="Fingertips indicator identifier.")
    indicator_name: str = pa.Field(alias="Indicator Name", description="Indicator name as published.")
    parent_code: str = pa.Field(
        alias="Parent Code",
        nullable=True,
        str_matches=FINGERTIPS_AREA_CODE,
        description="Code of the parent area (e.g. England for a local authority); empty for England itself.",
    )
    parent_name: str = pa.Field(alias="Parent Name", nullable=True, description="Name of the parent area.")
    area_code: str = pa.Field(
        alias="Area Code",
        str_matches=FINGERTIPS_AREA_CODE,
        description="ONS code of the area: England (E92000001) or a local authority.",
    )
    area_name: str = pa.Field(alias="Area Name", description="Name of the area.")
    area_type: str = pa.Field(
        alias="Area Type",
        str_matches=FINGERTIPS_AREA_TYPE,
        description="Fingertips area type: England, Counties & UAs (from Apr YYYY) or Districts & UAs (from Apr YYYY).",
    )
    sex: str = pa.Field(alias="Sex", isin=["Persons", "Male", "Female"], description="Sex: Persons, Male or Female.")
    age: str = pa.Field(alias="Age", description="Age group of the indicator, as text (e.g. `All ages`, `<75 yrs`).")
    category_type: str = pa.Field(
        alias="Category Type",
        nullable=True,
        description="Kind of inequality breakdown (e.g. deprivation decile); empty for the whole area.",
    )
    category: str = pa.Field(
        alias="Category", nullable=True, description="Category within the category type; empty for the whole area."
    )
    time_period: str = pa.Field(
        alias="Time period", description="Period as published (e.g. `2018/19`, `2016 - 18`, `2019`)."
    )
    value: float = pa.Field(
        alias="Value", nullable=True, description="Indicator value (rate, proportion, ...); empty if suppressed."
    )
    lower_ci_95: float = pa.Field(
        alias="Lower CI 95.0 limit", nullable=True, description="Lower limit of the 95% confidence interval."
    )
    upper_ci_95: float = pa.Field(
        alias="Upper CI 95.0 limit", nullable=True, description="Upper limit of the 95% confidence interval."
    )
    lower_ci_998: float = pa.Field(
        alias="Lower CI 99.8 limit", nullable=True, description="Lower limit of the 99.8% confidence interval."
    )
    upper_ci_998: float = pa.Field(
        alias="Upper CI 99.8 limit", nullable=True, description="Upper limit of the 99.8% confidence interval."
    )
    count: float = pa.Field(
        alias="Count",
        nullable=True,
        ge=0,
        description="Numerator (events or people); may be non-integer for averaged periods; empty if not published.",
    )
    denominator: float = pa.Field(
        alias="Denominator",
        nullable=True,
        ge=0,
        description="Denominator (population at risk); empty if not published.",
    )
    value_note: str = pa.Field(
        alias="Value note", nullable=True, description="Note on the value (e.g. suppression, data quality)."
    )
    recent_trend: str = pa.Field(
        alias="Recent Trend", nullable=True, description="Fingertips recent-trend assessment, as text."
    )
    compared_to_england: str = pa.Field(
        alias="Compared to England value or percentiles",
        nullable=True,
        description="Fingertips significance comparison with England (e.g. `Better`, `Similar`, `Worse`).",
    )
    compared_to_percentiles: str = pa.Field(
        alias="Compared to percentiles", nullable=True, description="Comparison with the percentiles of areas."
    )
    time_period_sortable: int = pa.Field(
        alias="Time period Sortable",
        gt=0,
        description="Sortable integer form of the period (e.g. 20180000 for 2018/19).",
    )
    new_data: str = pa.Field(alias="New data", nullable=True, description="Flag for data new in the latest release.")
    compared_to_goal: str = pa.Field(
        alias="Compared to goal", nullable=True, description="Comparison with the indicator's goal, if any."
    )
    time_period_range: str = pa.Field(alias="Time period range", description="Length of the period (e.g. `1y`, `3y`).")

    class Config:
        name = "fingertips"
        unique = ["Indicator ID", "Area Code", "Sex", "Age", "Category Type", "Category", "Time period"]
        metadata = {
            "grain": "one row per indicator, area, sex, age, category and time period",
            "publisher": "Office for Health Improvement and Disparities (Fingertips)",
        }
