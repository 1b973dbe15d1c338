"""OHID Fingertips indicator data: the "download data" export (full layout), the API's short layout, and
Trafford Data Lab's processed long extracts of Fingertips indicators for all districts and UAs.

Canonical shape (one row per indicator x area x sex x age x category x period):

``indicator_id, indicator_name, area_code, area_name, area_type, sex, age, period, value, lower_ci_95,
upper_ci_95, lower_ci_99_8, upper_ci_99_8, count, denominator, value_note``

then ``parent_code, parent_name, category_type, category, compared_to_england, compared_to_parent,
time_period_sortable, measure, unit, source``.

* ``period`` is the publisher's label ("2019", "2021/22", "2016-18"); ``time_period_sortable`` its sort key.
* ``count`` and ``denominator`` are floats: Fingertips publishes pooled and averaged counts.
* The Trafford extracts carry no indicator id, age, confidence limits, count or denominator (nulls);
  ``compared_to_england`` is their ``significance``; ``sex`` is their ``group`` (Male/Female) or 'Persons'
  where no group is given; ``area_type`` is derived from the GSS code prefix.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ._io import RawTable, load_table, norm_header, null_frame_cols

FT_SCHEMA: dict[str, pl.DataType] = {
    "indicator_id": pl.Int64,
    "indicator_name": pl.String,
    "area_code": pl.String,
    "area_name": pl.String,
    "area_type": pl.String,
    "sex": pl.String,
    "age": pl.String,
    "period": pl.String,
    "value": pl.Float64,
    "lower_ci_95": pl.Float64,
    "upper_ci_95": pl.Float64,
    "lower_ci_99_8": pl.Float64,
    "upper_ci_99_8": pl.Float64,
    "count": pl.Float64,
    "denominator": pl.Float64,
    "value_note": pl.String,
    "parent_code": pl.String,
    "parent_name": pl.String,
    "category_type": pl.String,
    "category": pl.String,
    "compared_to_england": pl.String,
    "compared_to_parent": pl.String,
    "time_period_sortable": pl.Int64,
    "measure": pl.String,
    "unit": pl.String,
    "source": pl.String,
}

EXPORT_ALIASES = {
    "indicator_id": ["Indicator ID"],
    "indicator_name": ["Indicator Name"],
    "parent_code": ["Parent Code"],
    "parent_name": ["Parent Name"],
    "area_code": ["Area Code"],
    "area_name": ["Area Name"],
    "area_type": ["Area Type"],
    "sex": ["Sex"],
    "age": ["Age"],
    "category_type": ["Category Type"],
    "category": ["Category"],
    "period": ["Time period"],
    "value": ["Value"],
    "lower_ci_95": ["Lower CI 95.0 limit"],
    "upper_ci_95": ["Upper CI 95.0 limit"],
    "lower_ci_99_8": ["Lower CI 99.8 limit"],
    "upper_ci_99_8": ["Upper CI 99.8 limit"],
    "count": ["Count"],
    "denominator": ["Denominator"],
    "value_note": ["Value note"],
    "compared_to_england": ["Compared to England value or percentiles"],
    "time_period_sortable": ["Time period Sortable"],
}
_FLOATS = ("value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8", "count", "denominator")

# GSS entity code -> the kind of area (for files that do not say).
AREA_TYPES = {
    "E92": "England", "E12": "Region", "E47": "Combined authority", "E10": "County",
    "E06": "Unitary authority", "E07": "Non-metropolitan district", "E08": "Metropolitan district",
    "E09": "London borough", "E38": "Sub-ICB location", "E54": "ICB", "E40": "NHS England region",
}


def _area_type_from_code(code: pl.Series) -> pl.Series:
    prefix = code.str.slice(0, 3)
    return prefix.replace_strict(AREA_TYPES, default=None, return_dtype=pl.String).alias("area_type")


def _checked_floats(raw: RawTable, cols: dict[str, str]) -> dict[str, pl.Series]:
    out = {c: raw.to_float(cols.get(c), canonical=c) for c in _FLOATS}
    for c in ("count", "denominator"):
        bad = raw.first_bad(out[c] < 0)
        if bad is not None:
            raise raw.error(f"negative {c}", record=bad, column=cols[c])
    lo, hi = out["lower_ci_95"], out["upper_ci_95"]
    bad = raw.first_bad((lo > hi) & lo.is_not_null() & hi.is_not_null())
    if bad is not None:
        raise raw.error("lower 95% limit above the upper", record=bad, column=cols.get("lower_ci_95"))
    return out


def read_fingertips(path: Path | str) -> pl.DataFrame:
    """A Fingertips export in the full "download data" layout, or the short API layout
    (``IndicatorID, Year, AreaCode, AreaName, IsAreaCurrent, Value``)."""
    raw = load_table(path, header_hint=["Indicator ID", "IndicatorID"])
    if raw.has("IndicatorID", "AreaCode", "Value"):
        return _read_api_layout(raw)
    cols = raw.resolve(EXPORT_ALIASES, required=["indicator_id", "area_code", "period", "value"])
    parent_cmp = [c for c in raw.columns
                  if norm_header(c).startswith("compared to ") and norm_header(c) not in
                  ("compared to england value or percentiles", "compared to goal")
                  and norm_header(c) != "compared to percentiles"]
    pct = [c for c in raw.columns if norm_header(c) == "compared to percentiles"]
    raw.require(cols["area_code"], canonical="area_code")
    data: dict[str, pl.Series] = {
        "indicator_id": raw.to_int(cols["indicator_id"], required=True, lo=1, canonical="indicator_id"),
        "time_period_sortable": raw.to_int(cols.get("time_period_sortable"), canonical="time_period_sortable"),
        **_checked_floats(raw, cols),
    }
    for c in ("indicator_name", "area_code", "area_name", "area_type", "sex", "age", "period", "value_note",
              "parent_code", "parent_name", "category_type", "category", "compared_to_england"):
        data[c] = raw.text_col(cols.get(c))
    data["compared_to_parent"] = raw.text_col((parent_cmp or pct or [None])[0])
    df = pl.DataFrame({k: v.alias(k) for k, v in data.items()}).with_columns(pl.lit("fingertips").alias("source"))
    return null_frame_cols(df, FT_SCHEMA)


def _read_api_layout(raw: RawTable) -> pl.DataFrame:
    cols = raw.resolve({"indicator_id": ["IndicatorID"], "period": ["Year", "TimePeriod"],
                        "area_code": ["AreaCode"], "area_name": ["AreaName"], "value": ["Value"],
                        "sex": ["Sex"], "age": ["Age"]},
                       required=["indicator_id", "period", "area_code", "value"])
    raw.require(cols["area_code"], canonical="area_code")
    df = pl.DataFrame({
        "indicator_id": raw.to_int(cols["indicator_id"], required=True, lo=1, canonical="indicator_id"),
        "area_code": raw.df[cols["area_code"]],
        "area_name": raw.text_col(cols.get("area_name")),
        "sex": raw.text_col(cols.get("sex")),
        "age": raw.text_col(cols.get("age")),
        "period": raw.require(cols["period"], canonical="period"),
        "value": raw.to_float(cols["value"], canonical="value"),
        "source": pl.Series(["fingertips-api"] * raw.df.height),
    })
    return null_frame_cols(df, FT_SCHEMA)


def read_trafford_long(path: Path | str) -> pl.DataFrame:
    """Trafford Data Lab's long extracts (``source_file, area_code, area_name, period, value, indicator,
    measure, unit, significance, group``) -> canonical Fingertips shape."""
    raw = load_table(path)
    cols = raw.resolve({"source_file": ["source_file"], "area_code": ["area_code"], "area_name": ["area_name"],
                        "period": ["period"], "value": ["value"], "indicator": ["indicator"],
                        "measure": ["measure"], "unit": ["unit"], "significance": ["significance"],
                        "group": ["group"]},
                       required=["area_code", "period", "value", "indicator"])
    codes = raw.check_pattern(cols["area_code"], r"^E\d{8}$", what="GSS area code")
    group = raw.text_col(cols.get("group"))
    sex = pl.select(pl.when(group.is_in(["Male", "Female", "Persons"])).then(group)
                    .otherwise(pl.lit("Persons"))).to_series()
    df = pl.DataFrame({
        "indicator_name": raw.require(cols["indicator"], canonical="indicator_name"),
        "area_code": codes,
        "area_name": raw.text_col(cols.get("area_name")),
        "area_type": _area_type_from_code(codes),
        "sex": sex,
        "period": raw.require(cols["period"], canonical="period"),
        "value": raw.to_float(cols["value"], canonical="value"),
        "compared_to_england": raw.text_col(cols.get("significance")),
        "measure": raw.text_col(cols.get("measure")),
        "unit": raw.text_col(cols.get("unit")),
        "source": pl.select(pl.concat_str([pl.lit("trafford-datalab:"),
                                           pl.lit(raw.text_col(cols.get("source_file")).fill_null(""))])).to_series(),
    })
    return null_frame_cols(df, FT_SCHEMA)
