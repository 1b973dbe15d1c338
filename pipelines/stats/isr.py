"""Indirect standardisation: ISRatio (SMR/SAR) and ISRate, vectorised over many groups."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import polars as pl

from ._common import ci_column_names, normalise_confidences, require_columns
from ._frames import drop_dummy, float_col, group_columns, to_series, with_dummy_group
from .esp2013 import normalise_age_band
from .limits import EXACT_THRESHOLD, poisson_limits

__all__ = ["isr", "israte"]

_O = "__o__"
_N = "__n__"
_RX = "__rx__"
_RN = "__rn__"


def _norm_band(s: pl.Series) -> pl.Series:
    s = s.cast(pl.String)
    uniq = s.unique().to_list()
    if any(u is None for u in uniq):
        raise ValueError("age band column has missing labels")
    return s.replace_strict({u: normalise_age_band(u) for u in uniq}, return_dtype=pl.String)


def _expected(
    df: pl.DataFrame,
    *,
    group_by,
    age_band: str,
    count: str | None,
    population: str,
    reference: pl.DataFrame | None,
    strata: Sequence[str] | None,
    ref_count: str,
    ref_population: str,
    observed_totals: pl.DataFrame | None,
    observed: str,
) -> tuple[pl.DataFrame, list[str], bool]:
    groups = group_columns(group_by)
    strata_cols = [age_band if s == "age_band" else s for s in (strata or (age_band,))]
    if age_band not in strata_cols:
        raise ValueError(f"strata {strata_cols} must include the age band column {age_band!r}")
    if count is None and observed_totals is None:
        raise ValueError("give `count` (banded observed counts) or `observed_totals`")
    need = groups + strata_cols + [population] + ([count] if count is not None else [])
    if reference is None:
        need += [ref_count, ref_population]
    require_columns(df, list(dict.fromkeys(need)))
    df, groups, dummy = with_dummy_group(df, groups)

    cols = [pl.col(g) for g in groups]
    cols += [pl.col(s) for s in strata_cols if s not in groups]
    cols.append(pl.col(population).cast(pl.Float64).alias(_N))
    cols.append((pl.col(count).cast(pl.Float64) if count is not None else pl.lit(0.0)).alias(_O))
    if reference is None:
        cols += [
            pl.col(ref_count).cast(pl.Float64).alias(_RX),
            pl.col(ref_population).cast(pl.Float64).alias(_RN),
        ]
    work = df.select(cols).with_columns(_norm_band(df.get_column(age_band)).alias(age_band))

    if reference is not None:
        ref = reference
        if age_band not in ref.columns and "age_band" in ref.columns:
            ref = ref.rename({"age_band": age_band})
        require_columns(ref, strata_cols + [ref_count, ref_population], "reference")
        ref = ref.select(
            *[pl.col(s) for s in strata_cols],
            pl.col(ref_count).cast(pl.Float64).alias(_RX),
            pl.col(ref_population).cast(pl.Float64).alias(_RN),
        ).with_columns(_norm_band(ref.get_column(age_band)).alias(age_band))
        for s in strata_cols:
            if s != age_band and ref.schema[s] != work.schema[s]:
                ref = ref.with_columns(pl.col(s).cast(work.schema[s]))
        if ref.select(pl.struct(strata_cols).is_duplicated().any()).item():
            raise ValueError(f"reference has duplicate rows for strata {strata_cols}")
        n_before = work.height
        work = work.join(ref, on=strata_cols, how="left", validate="m:1")
        assert work.height == n_before
        missing = work.filter(pl.col(_RN).is_null() & pl.col(_RX).is_null())
        if missing.height:
            ex = missing.select(strata_cols).unique().head(5).rows()
            raise ValueError(f"no reference rate for strata {strata_cols} = {ex}")

    chk = work.select(
        (pl.col(_O) < 0).any().alias("neg_o"),
        (pl.col(_N) < 0).any().alias("neg_n"),
        (pl.col(_RX) < 0).any().alias("neg_rx"),
        ((pl.col(_N) > 0) & (pl.col(_RX).fill_null(0) > 0) & ~(pl.col(_RN) > 0)).any().alias("bad_rn"),
        (pl.col(_RN) < 0).any().alias("neg_rn"),
        pl.struct([*groups, *[s for s in strata_cols if s not in groups]]).is_duplicated().any().alias("dup"),
    ).row(0, named=True)
    if chk["neg_o"]:
        raise ValueError(f"numerators ({count}) must all be greater than or equal to zero")
    if chk["neg_n"]:
        raise ValueError(f"denominators ({population}) must all be greater than or equal to zero")
    if chk["neg_rx"]:
        raise ValueError(f"reference counts ({ref_count}) must all be greater than or equal to zero")
    if chk["neg_rn"] or chk["bad_rn"]:
        raise ValueError(
            f"reference populations ({ref_population}) must be greater than zero wherever the reference "
            "count and the local population are positive"
        )
    if chk["dup"]:
        raise ValueError(f"duplicate rows for a group and strata {strata_cols}; aggregate first")

    rate = pl.when(pl.col(_RN) > 0).then(pl.col(_RX).fill_null(0.0) / pl.col(_RN)).otherwise(0.0)
    agg = work.group_by(groups, maintain_order=True).agg(
        pl.col(_O).fill_null(0.0).sum().alias("observed"),
        (rate * pl.col(_N).fill_null(0.0)).sum().alias("expected"),
        pl.col(_RX).fill_null(0.0).sum().alias("__ref_x__"),
        pl.col(_RN).fill_null(0.0).sum().alias("__ref_n__"),
    )
    if observed_totals is not None:
        real_groups = [g for g in groups if not dummy]
        require_columns(observed_totals, real_groups + [observed], "observed_totals")
        obs = observed_totals.select(*real_groups, pl.col(observed).cast(pl.Float64).alias("__obs__"))
        if real_groups:
            if obs.select(pl.struct(real_groups).is_duplicated().any()).item():
                raise ValueError("observed_totals has duplicate groups")
            obs = obs.with_columns([pl.col(g).cast(agg.schema[g]) for g in real_groups])
            agg = agg.join(obs, on=real_groups, how="left", maintain_order="left")
        else:
            if obs.height != 1:
                raise ValueError("ungrouped call: observed_totals must have exactly one row")
            agg = agg.with_columns(pl.lit(obs.item(0, "__obs__")).alias("__obs__"))
        agg = agg.drop("observed").rename({"__obs__": "observed"})
        if agg.select((pl.col("observed") < 0).any()).item():
            raise ValueError("observed totals must all be greater than or equal to zero")
    return agg, groups, dummy


def _finish(
    agg: pl.DataFrame,
    groups: list[str],
    dummy: bool,
    scale: np.ndarray,
    confs: tuple[float, ...],
    extra: list[pl.Series],
) -> pl.DataFrame:
    o = float_col(agg, "observed")
    e = float_col(agg, "expected")
    ok = (e > 0) & ~np.isnan(o)
    f = np.where(ok, scale / np.where(ok, e, 1.0), np.nan)
    cols = list(extra) + [to_series("value", o * f)]
    for c in confs:
        lo, hi = poisson_limits(o, c)
        ln, un = ci_column_names(c)
        cols += [to_series(ln, lo * f), to_series(un, hi * f)]
    cols.append(to_series("excess", o - e))
    out = agg.select([*groups, "observed", "expected"]).with_columns(cols)
    out = out.with_columns(
        pl.when(pl.col("observed").is_null())
        .then(None)
        .when(pl.col("observed") < EXACT_THRESHOLD)
        .then(pl.lit("Exact"))
        .otherwise(pl.lit("Byars"))
        .alias("method")
    )
    return drop_dummy(out, dummy)


def isr(
    df: pl.DataFrame,
    *,
    group_by: str | Sequence[str] | None,
    age_band: str,
    count: str | None,
    population: str,
    reference: pl.DataFrame | None = None,
    strata: Sequence[str] | None = ("age_band",),
    ref_count: str = "ref_count",
    ref_population: str = "ref_population",
    refvalue: float = 100,
    observed_totals: pl.DataFrame | None = None,
    observed: str = "observed",
    confidences: float | Iterable[float] = (0.95, 0.998),
) -> pl.DataFrame:
    """Indirectly standardised ratio (SMR/SAR; ISRatio) with exact (O < 10) or Byar's (O ≥ 10) limits.

    ``E = Σᵢ (Xᵢ/Nᵢ)·nᵢ`` from the reference stratum rates; ``ISRatio = O/E · refvalue``;
    ``CI = O_{L,U}/E · refvalue``.  ``excess = O − E``.

    References: Breslow & Day (1987) (Byar's); Armitage & Berry (2002) (exact); PHE *Technical Guide:
    Confidence Intervals* (2018) Appendices 1–2; APHO *Technical Briefing 3* (Eayres 2008); Fingertips
    Public Health Technical Guidance; PHEindicatormethods ``calculate_ISRatio`` (2.1.0).

    Parameters
    ----------
    df : one row per group × stratum with local ``count`` (may be ``None`` when ``observed_totals`` is
        given) and ``population``.
    reference : frame with the stratum columns (the age band may be named ``age_band`` or as in ``df``;
        plus any extra stratifier such as ``sex``) and ``ref_count``/``ref_population`` columns.  If
        ``None`` these two columns must be in ``df`` (PHEindicatormethods ``refpoptype = "field"``).
    strata : join keys between ``df`` and ``reference``; ``"age_band"`` stands for the ``age_band``
        column.  E.g. ``("sex", "age_band")`` for age-sex standardisation.  Band labels are matched after
        stripping whitespace and leading zeros.
    refvalue : 100 (Fingertips SMR/SAR convention, the default here) or 1 (R's default).
    observed_totals : optional frame of group columns + ``observed`` (R ``observed_totals``), used
        instead of summing ``count``.  Groups absent from it get null observed and outputs.

    Behaviour: null local counts, local populations and reference counts count as 0; negative counts or
    populations raise ``ValueError``; a local population of 0 is allowed (contributes nothing to E); a
    stratum of ``df`` with no reference row raises ``ValueError``; duplicate (group, stratum) rows raise.
    If E = 0 the value and limits are null.

    Returns one row per group: group columns, ``observed``, ``expected``, ``value``, limits per
    confidence level, ``excess``, ``method`` ("Exact"/"Byars").
    """
    confs = normalise_confidences(confidences)
    agg, groups, dummy = _expected(
        df,
        group_by=group_by,
        age_band=age_band,
        count=count,
        population=population,
        reference=reference,
        strata=strata,
        ref_count=ref_count,
        ref_population=ref_population,
        observed_totals=observed_totals,
        observed=observed,
    )
    scale = np.full(agg.height, float(refvalue))
    return _finish(agg, groups, dummy, scale, confs, [])


def israte(
    df: pl.DataFrame,
    *,
    group_by: str | Sequence[str] | None,
    age_band: str,
    count: str | None,
    population: str,
    reference: pl.DataFrame | None = None,
    strata: Sequence[str] | None = ("age_band",),
    ref_count: str = "ref_count",
    ref_population: str = "ref_population",
    multiplier: float = 100_000,
    observed_totals: pl.DataFrame | None = None,
    observed: str = "observed",
    confidences: float | Iterable[float] = (0.95, 0.998),
) -> pl.DataFrame:
    """Indirectly standardised rate (ISRate) with exact (O < 10) or Byar's (O ≥ 10) limits.

    ``ISRate = O/E · R_ref · mult`` with ``R_ref = ΣXᵢ/ΣNᵢ``; ``CI = O_{L,U}/E · R_ref · mult``.

    ``R_ref`` is computed per group over the reference strata rows that the group's rows match (this is
    PHEindicatormethods' ``refpoptype = "field"`` behaviour; for a group with every age band it is the
    crude rate of the whole reference population, or of the matching sex when stratified by sex).
    Reported as ``ref_rate = R_ref · mult``.  Other arguments and behaviour as :func:`isr`.

    References: as :func:`isr`; PHEindicatormethods ``calculate_ISRate`` (2.1.0).
    """
    confs = normalise_confidences(confidences)
    agg, groups, dummy = _expected(
        df,
        group_by=group_by,
        age_band=age_band,
        count=count,
        population=population,
        reference=reference,
        strata=strata,
        ref_count=ref_count,
        ref_population=ref_population,
        observed_totals=observed_totals,
        observed=observed,
    )
    rx = float_col(agg, "__ref_x__")
    rn = float_col(agg, "__ref_n__")
    with np.errstate(invalid="ignore", divide="ignore"):
        r_ref = np.where(rn > 0, rx / rn, np.nan)
    scale = r_ref * multiplier
    return _finish(agg, groups, dummy, scale, confs, [to_series("ref_rate", scale)])
