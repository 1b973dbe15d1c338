"""Directly standardised rates (DSR) with Dobson confidence limits, vectorised over many groups."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import polars as pl

from ._common import ci_column_names, normalise_confidences, require_columns
from ._frames import drop_dummy, float_col, group_columns, to_series, with_dummy_group
from .esp2013 import ESP2013, normalise_age_band
from .limits import byars_limits

__all__ = ["dsr", "METHOD_DOBSON", "METHOD_DOBSON_NONINDEPENDENT"]

METHOD_DOBSON = "Dobson"
METHOD_DOBSON_NONINDEPENDENT = "Dobson, with confidence adjusted for non-independent events"

_BAND = "__band__"
_W = "__w__"
_X = "__x__"
_N = "__n__"
_F = "__f__"


def _standard_mapping(standard: Mapping[str, float] | pl.DataFrame, age_band: str) -> dict[str, float]:
    if isinstance(standard, pl.DataFrame):
        if standard.width < 2:
            raise ValueError("standard DataFrame needs an age-band column and a weight column")
        band_col = next((c for c in ("age_band", age_band) if c in standard.columns), standard.columns[0])
        weight_col = "weight" if "weight" in standard.columns else next(c for c in standard.columns if c != band_col)
        keys = standard.get_column(band_col).cast(pl.String).to_list()
        vals = standard.get_column(weight_col).cast(pl.Float64).to_list()
    else:
        keys, vals = [str(k) for k in standard], [None if v is None else float(v) for v in standard.values()]
    out: dict[str, float] = {}
    for k, v in zip(keys, vals):
        nk = normalise_age_band(k)
        if nk in out:
            raise ValueError(f"standard population has duplicate age band {k!r}")
        if v is None or not np.isfinite(v) or v < 0:
            raise ValueError(f"standard population weights must all be >= 0 (age band {k!r} has {v!r})")
        out[nk] = v
    if not out or sum(out.values()) <= 0:
        raise ValueError("standard population weights must sum to more than zero")
    return out


def dsr(
    df: pl.DataFrame,
    *,
    group_by: str | Sequence[str] | None,
    age_band: str,
    count: str,
    population: str,
    standard: Mapping[str, float] | pl.DataFrame | str = ESP2013,
    multiplier: float = 100_000,
    confidences: float | Iterable[float] = (0.95, 0.998),
    min_count: float = 10,
    event_frequency: str | None = None,
) -> pl.DataFrame:
    """Directly standardised rate with Dobson confidence limits (Byar's limits for the total count).

    ``DSR = Σ wᵢxᵢ/nᵢ / Σwᵢ · mult``; ``var = Σ wᵢ²xᵢ/nᵢ² / (Σwᵢ)²``;
    ``DSR_{L,U} = DSR + √(var/O)·(O_{L,U} − O)·mult`` with O = Σxᵢ and O_{L,U} from Byar's.

    References: Dobson, Kuulasmaa, Eberle & Scherer (1991) Stat Med 10:457–462; PHE *Technical Guide:
    Confidence Intervals* (2018) Appendices 1 and 4; Morris, Tan, Fryers & Bestwick (2018) (suppression
    below 10 events); Eurostat (2013) for the default ESP2013 weights; PHEindicatormethods
    ``calculate_dsr`` (2.1.0).

    Parameters
    ----------
    df : one row per group × age band (× event frequency for the non-independent variant).
    group_by : grouping column(s); ``None`` or ``[]`` for a single group.
    standard : ESP2013 19 bands by default.  Either a mapping band → weight, a DataFrame of
        (``age_band``, ``weight``), or the *name of a column* of ``df`` holding each row's weight.
        Band labels are matched after stripping whitespace and leading zeros (``"00-04"`` ≡ ``"0-4"``).
    min_count : groups with total count O < ``min_count`` (default 10) get null value and limits,
        ``suppressed = True`` and ``suppression_reason = "total count < 10"``.
    event_frequency : non-independent events (PHEindicatormethods ≥ 2.1.0 ``independent_events = FALSE``):
        name of a column f giving the number of events per person; ``count`` then holds the number of
        *persons* with f events.  Events are Σ f·x; ``var = Σ_f f² Σᵢ wᵢ²x_{i,f}/nᵢ² / (Σw)²``.

    Behaviour
    ---------
    * Null counts are 0.  Negative counts, negative populations and negative weights raise ``ValueError``.
    * Missing bands: a band of the standard absent from a group contributes zero events (its weight stays
      in Σw).  So does a band row whose population is 0 or null **and** whose count is 0; a population of
      0 or null with a positive count raises ``ValueError`` (upstream R raises on any zero population).
    * Labels not in the standard raise ``ValueError``; so do duplicate (group, band) rows (independent
      events) or differing populations within a (group, band) (non-independent events).
    * With ``standard`` given as a column, Σw is taken over the bands each group has.
    * If ``min_count`` < 1 is used and O = 0, the value is 0 and the limits are null (Dobson is undefined).

    Returns one row per group: group columns, ``total_count``, ``total_pop``, ``value``,
    ``lower_ci_<c>``/``upper_ci_<c>``, ``method``, ``suppressed``, ``suppression_reason``.
    """
    confs = normalise_confidences(confidences)
    groups = group_columns(group_by)
    need = groups + [age_band, count, population]
    if event_frequency is not None:
        need.append(event_frequency)
    column_standard = isinstance(standard, str)
    if column_standard:
        need.append(standard)  # type: ignore[arg-type]
    require_columns(df, need)
    df, groups, dummy = with_dummy_group(df, groups)

    labels = df.get_column(age_band).cast(pl.String)
    uniq = labels.unique().to_list()
    if any(u is None for u in uniq):
        raise ValueError(f"age band column {age_band!r} has missing labels")
    norm = {u: normalise_age_band(u) for u in uniq}
    codes = {nb: i for i, nb in enumerate(sorted(set(norm.values())))}
    # Integer band codes keep the group-bys cheap on large tables.
    band_expr = pl.col(age_band).cast(pl.String).replace_strict(
        {u: codes[nb] for u, nb in norm.items()}, return_dtype=pl.UInt16
    )

    if column_standard:
        w_expr = pl.col(standard).cast(pl.Float64)  # type: ignore[arg-type]
        total_w = None
    else:
        std = _standard_mapping(standard, age_band)  # type: ignore[arg-type]
        unknown = sorted({u for u, nu in norm.items() if nu not in std})
        if unknown:
            raise ValueError(
                f"age bands {unknown} are not in the standard population (bands: {list(std)}); "
                "relabel them or pass a matching `standard`"
            )
        w_expr = pl.col(age_band).cast(pl.String).replace_strict(
            {u: std[nb] for u, nb in norm.items()}, return_dtype=pl.Float64
        )
        total_w = float(sum(std.values()))

    f_expr = pl.lit(1.0) if event_frequency is None else pl.col(event_frequency).cast(pl.Float64)
    work = df.select(
        *[pl.col(g) for g in groups],
        band_expr.alias(_BAND),
        pl.col(count).cast(pl.Float64).fill_null(0.0).alias(_X),
        pl.col(population).cast(pl.Float64).alias(_N),
        f_expr.alias(_F),
        w_expr.alias(_W),
    )

    # ---- validation (vectorised) ----
    chk = work.select(
        (pl.col(_X) < 0).any().alias("neg_x"),
        (pl.col(_N) < 0).any().alias("neg_n"),
        ((pl.col(_N).is_null() | (pl.col(_N) == 0)) & (pl.col(_X) > 0)).any().alias("zero_n"),
        (pl.col(_W).is_null() | (pl.col(_W) < 0)).any().alias("bad_w"),
        ((pl.col(_X) > 0) & (pl.col(_F).is_null() | (pl.col(_F) < 0))).any().alias("bad_f"),
    ).row(0, named=True)
    if chk["neg_x"]:
        raise ValueError(f"numerators ({count}) must all be greater than or equal to zero")
    if chk["neg_n"]:
        raise ValueError(f"denominators ({population}) must all be greater than zero")
    if chk["zero_n"]:
        raise ValueError(
            f"denominators ({population}) must all be greater than zero where there are events "
            "(found a zero or missing population with a positive count)"
        )
    if chk["bad_w"]:
        raise ValueError("standard population weights must all be non-missing and >= 0")
    if chk["bad_f"]:
        raise ValueError(f"event frequencies ({event_frequency}) must be non-missing and >= 0")

    if event_frequency is None:
        # Independent events: one row per (group, band); a single pass over the table.
        band_level = work.rename({_X: "events"}).with_columns(pl.col("events").alias("f2x"))
    else:
        # Non-independent events: collapse the event-frequency rows of each (group, band) first.
        band_level = work.group_by([*groups, _BAND], maintain_order=True).agg(
            (pl.col(_F) * pl.col(_X)).sum().alias("events"),
            (pl.col(_F) * pl.col(_F) * pl.col(_X)).sum().alias("f2x"),
            pl.col(_N).first().alias(_N),
            pl.col(_N).n_unique().alias("n_pop"),
            pl.col(_W).first().alias(_W),
        )
        if band_level.select((pl.col("n_pop") > 1).any()).item():
            raise ValueError("population must be identical across event-frequency rows of a (group, age band)")

    pos = pl.col(_N) > 0
    agg = band_level.group_by(groups, maintain_order=True).agg(
        pl.col("events").sum().alias("total_count"),
        pl.col(_N).sum().alias("total_pop"),
        pl.when(pos).then(pl.col(_W) * pl.col("events") / pl.col(_N)).otherwise(0.0).sum().alias("swr"),
        pl.when(pos)
        .then(pl.col(_W) * pl.col(_W) * pl.col("f2x") / (pl.col(_N) * pl.col(_N)))
        .otherwise(0.0)
        .sum()
        .alias("sw2"),
        pl.col(_W).sum().alias("sw"),
        pl.len().alias("n_rows"),
        pl.col(_BAND).n_unique().alias("n_bands"),
    )
    dup = agg.filter(pl.col("n_rows") != pl.col("n_bands"))
    if dup.height:
        raise ValueError(
            f"duplicate age bands within a group (e.g. groups {dup.select(groups).head(3).rows()}); "
            "aggregate first, or pass `event_frequency` for the non-independent-events variant"
        )

    o = float_col(agg, "total_count")
    W = float_col(agg, "sw") if total_w is None else np.full(agg.height, total_w)
    value = agg.get_column("swr").to_numpy() / W * multiplier
    var = agg.get_column("sw2").to_numpy() / (W * W)
    suppressed = o < min_count
    with np.errstate(invalid="ignore", divide="ignore"):
        sd_per_event = np.sqrt(var / o)
    value = np.where(suppressed, np.nan, value)
    cols = [to_series("value", value)]
    for c in confs:
        ol, ou = byars_limits(o, c)
        lo = value + sd_per_event * (ol - o) * multiplier
        hi = value + sd_per_event * (ou - o) * multiplier
        ln, un = ci_column_names(c)
        cols += [to_series(ln, lo), to_series(un, hi)]
    method = METHOD_DOBSON if event_frequency is None else METHOD_DOBSON_NONINDEPENDENT
    reason = f"total count < {min_count:g}"
    cols += [
        pl.Series("method", [method] * agg.height, dtype=pl.String),
        pl.Series("suppressed", suppressed, dtype=pl.Boolean),
    ]
    out = agg.select([*groups, "total_count", "total_pop"]).with_columns(cols)
    out = out.with_columns(
        pl.when(pl.col("suppressed")).then(pl.lit(reason)).otherwise(None).alias("suppression_reason")
    )
    return drop_dummy(out, dummy)
