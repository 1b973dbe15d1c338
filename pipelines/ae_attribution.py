"""The published A&E series attributed to an ICB: NHS England's provider and ICB series, ODS successions and
OHID catchments, in one long monthly table (`marts.fct_ae_published_monthly`).

Public data publish A&E activity by provider (trust) or ICB, never by LSOA of residence; this is how a system's
share of it is taken: the ICB-level series where it exists, the profile's own trusts, or every NHS trust weighted
by its catchment share from the ICB. `fct_ae_published_annual` and `fct_ae_published_growth` (SQL) sum it to
financial years and compare growth with England. With only a local provider file (the demo), the profile's
providers and all providers are the bases; the catchment basis needs the public catchment files.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from pipelines.config import Profile
from pipelines.sources.readers.nhs_ae import apply_successions, month_coverage, resolve_successors


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pl.DataFrame:
    return con.execute(sql, params).pl()


NHS_TRUST = r"^[RT][A-Z0-9]{2}$"
# The OHID catchment file names trusts by their April 2022 codes: older codes are followed to those, and
# trusts that merged later get the activity-weighted share of the merging trusts (see _catchment_shares).
CATCHMENT_CODES_AS_OF = date(2022, 4, 1)
AE_COUNTS = ["attendances_all", "attendances_type1", "attendances_type2", "attendances_other",
             "emergency_admissions", "emergency_admissions_via_ae"]


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pl.DataFrame:
    return con.execute(sql, params).pl()


def _catchment_shares(trust_rows: pl.DataFrame, successions: pl.DataFrame, catchments: pl.DataFrame,
                      attribution: pl.DataFrame) -> pl.DataFrame:
    """`org_code, month, catchment_share`: the share of a trust's A&E activity attributed to the ICB.

    A provider's attendances go to acute trusts by the attribution table (non-acute providers to the acute trust
    they feed; an acute trust to itself), and an acute trust's to the ICB by its OHID catchment share. Codes
    older than the catchment file are followed to their April 2022 successor. A merger after April 2022
    (RVY -> RBN July 2023, RA4 -> RH5 April 2023) gives the successor, from the merger month, the
    attendance-weighted share of the merging trusts over the twelve months before the merger. A trust split
    between successors (RW6 -> RM3 and R0A, October 2021), its successors and their predecessors have no share
    in any year. A trust the catchment file lists only for other ICBs has share 0; one it does not list at all
    (and that no attribution row covers) has no share: its activity is left out, and reported."""
    to_2022 = resolve_successors(successions, as_of=CATCHMENT_CODES_AS_OF)
    code_2022 = dict(zip(to_2022["old_code"], to_2022["successor_code"]))
    # A split trust's activity cannot be shared between its successors, and the successors' catchments include
    # it: the split trust, its successors and their predecessors are left out in every year (no false growth).
    published = set(trust_rows["org_code"])
    split_old = set(resolve_successors(successions).filter(pl.col("split"))["old_code"]) & published
    split_new = set(successions.filter(pl.col("old_code").is_in(list(split_old)))["new_code"])
    split = split_old | split_new | {old for old, new in code_2022.items() if new in split_new}
    known_acute = set(catchments["trust_code"])
    icb_share = dict(zip(catchments["trust_code"], catchments["share"]))
    attributed: dict[str, list[tuple[str, float]]] = {}
    for row in attribution.iter_rows(named=True):
        attributed.setdefault(row["provider_code"], []).append((row["acute_trust_code"], row["share"]))

    def share_of(code: str) -> float | None:
        if code in split:
            return None
        code = code_2022.get(code) or code
        if code in attributed:
            return float(sum(share * icb_share.get(acute, 0.0) for acute, share in attributed[code]))
        if code in known_acute or code in icb_share:
            return float(icb_share.get(code, 0.0))
        return None

    codes = trust_rows.select("org_code").unique()
    shares = codes.with_columns(
        pl.col("org_code").map_elements(share_of, return_dtype=pl.Float64).alias("catchment_share"))
    out = trust_rows.select("org_code", "month", "attendances_all").join(shares, on="org_code", how="left")
    later = successions.filter(pl.col("effective_date") > CATCHMENT_CODES_AS_OF,
                               pl.col("old_code") != pl.col("new_code"))
    for (new_code, effective), group in later.group_by("new_code", "effective_date"):
        merging = [*group["old_code"].to_list(), new_code]
        first = date(effective.year - 1, effective.month, 1)
        window = out.filter(pl.col("org_code").is_in(merging), pl.col("month") >= first,
                            pl.col("month") < effective, pl.col("catchment_share").is_not_null(),
                            pl.col("attendances_all").is_not_null())
        if window.is_empty() or window["attendances_all"].sum() == 0:
            continue
        blended = float((window["attendances_all"] * window["catchment_share"]).sum() / window["attendances_all"].sum())
        out = out.with_columns(
            pl.when((pl.col("org_code") == new_code) & (pl.col("month") >= effective))
            .then(pl.lit(blended)).otherwise(pl.col("catchment_share")).alias("catchment_share"))
    return out.select("org_code", "month", "catchment_share")


def _series_frames(con: duckdb.DuckDBPyConnection) -> list[pl.DataFrame]:
    """Each published series as the readers' long shape (org_code, org_level, month, counts, series)."""
    icbs = _frame(con, "SELECT 'icb_monthly' AS series, month, icb_code AS org_code, 'icb' AS org_level, "
                       "attendances_type1, attendances_all, emergency_admissions, emergency_admissions_via_ae "
                       "FROM staging.stg_uec__ae_monthly_icbs")
    providers = _frame(con, "SELECT series, month, provider_code AS org_code, 'trust' AS org_level, "
                            "attendances_type1, attendances_type2, attendances_other, attendances_all, "
                            "emergency_admissions, emergency_admissions_via_ae FROM staging.stg_uec__ae_monthly_providers")
    frames = [icbs] if icbs.height else []
    frames += [rows for _, rows in sorted(providers.group_by("series"), key=lambda item: item[0])]
    return frames


def build_ae_published_monthly(con: duckdb.DuckDBPyConnection, params: dict, profile: Profile) -> pl.DataFrame:
    """Every published A&E series in one long table, one row per series x organisation x month of its span,
    with the months an organisation did not report added (reported = false, counts empty), each trust's
    current code after ODS successions, and its catchment share of the ICB where OHID's catchments are held."""
    successions = _frame(con, "SELECT old_code, new_code, effective_date, note FROM staging.stg_uec__trust_successions")
    catchments = _frame(con, "SELECT trust_code, share FROM staging.stg_uec__trust_catchments WHERE icb_code = $icb",
                        {"icb": profile.icb_code})
    all_catchment_trusts = _frame(con, "SELECT DISTINCT trust_code FROM staging.stg_uec__trust_catchments")
    catchments = all_catchment_trusts.join(catchments, on="trust_code", how="left").with_columns(
        pl.col("share").fill_null(0.0))
    attribution = _frame(con, "SELECT provider_code, acute_trust_code, share FROM staging.stg_uec__trust_attribution")
    frames = []
    for rows in _series_frames(con):
        coverage = month_coverage(rows)
        missing = (coverage.select("org_code", pl.col("missing_months").alias("month")).explode("month")
                   .drop_nulls("month").with_columns(pl.lit(False).alias("reported")))
        series, org_level = rows["series"][0], rows["org_level"][0]
        rows = rows.with_columns(pl.lit(True).alias("reported"))
        rows = pl.concat([rows, missing.with_columns(pl.lit(org_level).alias("org_level"),
                                                     pl.lit(series).alias("series"))], how="diagonal_relaxed")
        if org_level == "trust" and successions.height:
            rows = apply_successions(rows, successions)
            split = set(resolve_successors(successions).filter(pl.col("split"))["old_code"])
            rows = rows.with_columns(
                pl.when(pl.col("org_code").is_in(list(split))).then(None).otherwise(pl.col("org_code_current"))
                .alias("org_code_current"))
        else:
            rows = rows.with_columns(pl.col("org_code").alias("org_code_current"))
        if org_level == "trust" and catchments.height:
            rows = rows.join(_catchment_shares(rows, successions, catchments, attribution),
                             on=["org_code", "month"], how="left")
            rows = rows.with_columns(
                pl.when(pl.col("org_code").str.contains(NHS_TRUST)).then(pl.col("catchment_share"))
                .alias("catchment_share"))
        else:
            rows = rows.with_columns(pl.lit(None, dtype=pl.Float64).alias("catchment_share"))
        frames.append(rows)
    if not frames:
        return pl.DataFrame()
    out = pl.concat(frames, how="diagonal_relaxed")
    for column in AE_COUNTS:
        if column not in out.columns:
            out = out.with_columns(pl.lit(None, dtype=pl.Int64).alias(column))
    providers = list(profile.providers)
    out = out.with_columns(
        pl.lit(None, dtype=pl.String).alias("source_id") if "source_id" not in out.columns else pl.col("source_id"),
        pl.col("month").dt.year().sub(pl.when(pl.col("month").dt.month() < 4).then(1).otherwise(0))
        .cast(pl.Int32).alias("financial_year"),
        ((pl.col("org_level") == "icb") & (pl.col("org_code") == profile.icb_code)).alias("is_system"),
        ((pl.col("org_level") == "trust")
         & (pl.col("org_code").is_in(providers) | pl.col("org_code_current").is_in(providers)).fill_null(False))
        .alias("is_profile_provider"),
        ((pl.col("org_level") == "trust") & pl.col("org_code").str.contains(NHS_TRUST)).alias("is_nhs_trust"),
    )
    return out.select("series", "month", "financial_year", "org_level", "org_code", "org_code_current",
                      "reported", "is_system", "is_profile_provider", "is_nhs_trust", "catchment_share",
                      *AE_COUNTS).sort("series", "org_code", "month")
