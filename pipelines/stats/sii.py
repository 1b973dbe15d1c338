"""Slope index of inequality (SII) and relative index of inequality (RII) with simulated CIs.

Low & Low (2004) / PHEindicatormethods ``phe_sii`` (2.1.0) / Fingertips "Slope index of inequality".
Point estimates are closed-form weighted least squares, batched over groups; Monte Carlo limits are
vectorised over repetitions with batched (einsum) products, in chunks of groups to bound memory.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import polars as pl
from scipy.special import expit, ndtri

from ._common import ci_suffix, normalise_confidences, require_columns
from ._frames import drop_dummy, group_columns, with_dummy_group

__all__ = ["sii", "order_statistic_positions"]

_Z975 = float(ndtri(0.975))  # upstream hard-codes 95 % input CLs


def order_statistic_positions(repetitions: int, confidence: float) -> tuple[int, int]:
    """1-based positions of the lower/upper order statistics, as upstream R computes them.

    ``c' = c + (1 − c)/2``; lower = ``round(R·(1 − c'))``, upper = ``round(R·c')`` with R's
    round-half-even (Python's :func:`round` is also half-even on the exact binary value).
    """
    cu = confidence + (1.0 - confidence) / 2.0
    lo = int(round(repetitions * (1.0 - cu)))
    hi = int(round(repetitions * cu))
    if lo < 1 or hi > repetitions:
        raise ValueError(
            f"{repetitions} repetitions are too few for a {confidence:.4g} confidence interval "
            "(the lower order statistic would be position 0)"
        )
    return lo, hi


def _group_seed_key(row: tuple) -> int:
    h = hashlib.blake2b(repr(row).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(h, "little")


def _signif(x: np.ndarray, digits: int = 4) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where(x == 0, 0, np.floor(np.log10(np.abs(x))))
    factor = 10.0 ** (digits - 1 - mag)
    return np.where(np.isfinite(x) & (x != 0), np.round(x * factor) / factor, x)


def sii(
    df: pl.DataFrame,
    *,
    group_by: str | Sequence[str] | None,
    quantile: str,
    population: str,
    value: str | None = None,
    x: str | None = None,
    lower_ci: str | None = None,
    upper_ci: str | None = None,
    se: str | None = None,
    value_type: int = 0,
    transform: bool = False,
    multiplier: float = 1,
    repetitions: int = 100_000,
    confidence: float | Iterable[float] = (0.95, 0.998),
    seed: int | None = None,
    rii: bool = True,
    reliability_stat: bool = False,
    replicate_upstream_quirks: bool = True,
    intercept_ci: bool = True,
    max_chunk_elements: int = 1 << 18,
    n_threads: int | None = None,
) -> pl.DataFrame:
    """Slope and relative index of inequality (SII, RII) with Monte Carlo confidence limits.

    Method (Low & Low 2004, J Public Health 26:388–395; PHEindicatormethods ``phe_sii``; Fingertips
    Public Health Technical Guidance *Inequality/SII*; PHE *Technical Guide: Confidence Intervals*
    Appendix 8 for simulated CIs):

    1. Per group, quantiles are ordered 1 = most deprived … k = least deprived (sort order of
       ``quantile``).  ``a_j = pop_j/Σpop``; rank ``b_j = Σ_{m<j} a_m + a_j/2``.
    2. ``value_type`` 0 = other (identity), 1 = rate (log), 2 = proportion in (0, 1) (logit) — applied to
       the value and CLs.  SE on that scale = ``se`` as given (so it must already be on the log/logit
       scale for types 1/2) or ``(U_t − L_t)/(2·1.959964)`` (input CLs must be 95 %).
    3. WLS without intercept of ``√a·y`` on ``[√a, b√a]`` → intercept c0 and slope c1.
       ``transform=False``: y = value; ``SII = c1·mult``, ``RII = (c0+c1)/c0`` (inverted if mult < 0),
       ``intercept = c0``.  ``transform=True`` (types 1/2 with CLs only): y = log/logit value;
       ``SII = (g(c0+c1) − g(c0))·mult``, ``RII = g(c0+c1)/g(c0)`` (inverted if mult < 0),
       ``intercept = g(c0)·|mult|`` with g = exp/expit.
    4. CIs: ``repetitions`` draws ``Y ~ N(v_t, se)`` per quantile (back-transformed before the regression
       when ``transform=False``), the same WLS per draw, then the order statistics at 1-based positions
       ``round(R·α/2)`` and ``round(R·(1−α/2))`` (half-even).  With ``transform=False`` limits come from
       the sorted slopes and sorted RIIs ``(slope+int)/int``; negative multipliers swap ends (and invert
       the RII).  With ``transform=True`` the transformed-scale slope limits s are back-transformed around
       the fitted midpoint ``x½ = c0 + c1/2``: ``SII_s = (g(x½+s/2) − g(x½−s/2))·mult`` and
       ``RII_s = g(x½+s/2)/g(x½−s/2)``.  Upstream quirk (kept when ``replicate_upstream_quirks``): for
       rates the negative-multiplier branch (ends swapped, RII limits inverted) is taken when
       ``multiplier < 1``, for proportions when ``multiplier < 0``; a warning is issued when the quirk
       changes the result (rates with 0 ≤ multiplier < 1).

    Input rules (``ValueError`` where upstream errors): populations > 0 and present; SEs ≥ 0 and
    present; CLs present; proportions (value, CLs) within [0, 1]; counts ``x`` > 0 when used; rates > 0;
    5 ≤ k ≤ 100 quantiles over the whole table (warning if k > 10); ``repetitions`` ≥ 1000.  Rows with a
    missing value are removed and groups lacking any of the k quantiles are dropped with a warning.
    ``x`` (with ``value_type=2`` and no ``value``) gives value = x/population.

    Reproducibility: each group draws from its own generator (numpy ``SFC64``) seeded by
    ``(seed, hash of the group key)``, so a group's limits do not depend on the other groups in the call,
    on chunking or on threading.  ``seed=None``
    draws fresh entropy.  ``reliability_stat`` runs 10·R draws in 10 samples, reports limits from the
    first, and the mean absolute difference of the other 9 samples' limits from the first
    (``sii_mad_<c>``, ``rii_mad_<c>``, 4 significant figures; SII MAD on the reported scale, RII MAD
    before any inversion).

    Performance: groups are simulated in chunks of at most ``max_chunk_elements`` draws (8 bytes each;
    default 2¹⁸, a 2 MiB cache-friendly buffer), chunks run on ``n_threads`` threads (default: CPU count, at
    most 8; numpy releases the GIL in generation, ufuncs, matmul and partition).

    Returns one row per group (sorted by the group keys): group columns, ``sii``,
    ``sii_lower_ci_<c>``, ``sii_upper_ci_<c>``, [``rii`` and its limits], ``intercept`` [and, with
    ``intercept_ci`` (default), ``intercept_lower_ci_<c>``/``intercept_upper_ci_<c>`` — an extension:
    order statistics of the simulated intercepts, which upstream does not report], ``n_quantiles``,
    ``repetitions``.  Confidence suffixes as elsewhere (``95``, ``99_8``).
    """
    # ------------------------------------------------------------------ argument checks
    if value_type not in (0, 1, 2) or isinstance(value_type, bool):
        raise ValueError("value_type should be 0, 1 or 2")
    if value is None and x is None:
        raise ValueError("sii requires a value column, or x (a count) if the indicator is a proportion")
    if value is None and value_type != 2:
        raise ValueError("x (count) can only replace value for proportions (value_type = 2)")
    if se is None and (lower_ci is None or upper_ci is None):
        raise ValueError("sii requires either lower_ci and upper_ci columns, or an se column")
    if transform and value_type == 0:
        raise ValueError("value_type should be 1 or 2 when transform is true")
    if transform and se is not None:
        raise ValueError("se must be missing when transform is true (give 95% lower_ci/upper_ci instead)")
    if not isinstance(repetitions, (int, np.integer)) or isinstance(repetitions, bool):
        raise ValueError("repetitions must be an integer")
    if repetitions < 1000:
        raise ValueError("number of repetitions must be 1000 or greater")
    try:
        multiplier = float(multiplier)
    except (TypeError, ValueError):
        raise ValueError("multiplier should be numeric") from None
    confs = normalise_confidences(confidence)
    positions = [order_statistic_positions(int(repetitions), c) for c in confs]

    groups = group_columns(group_by)
    use_ci = se is None
    cols_needed = groups + [quantile, population]
    cols_needed += [value] if value is not None else [x]
    cols_needed += [lower_ci, upper_ci] if use_ci else [se]
    require_columns(df, cols_needed)
    for c in cols_needed[len(groups) + 1 :]:
        if not df.schema[c].is_numeric():
            raise ValueError(f"some input fields are non-numeric ({c!r} is {df.schema[c]})")

    # ------------------------------------------------------------------ data checks (whole table, as upstream)
    chk: dict[str, Any] = df.select(
        (pl.col(population).is_null() | (pl.col(population) <= 0)).any().alias("pop"),
        *(
            [(pl.col(se).is_null() | (pl.col(se) < 0)).any().alias("se")]
            if not use_ci
            else [(pl.col(lower_ci).is_null() | pl.col(upper_ci).is_null()).any().alias("cl")]
        ),
    ).row(0, named=True)
    if chk["pop"]:
        raise ValueError("some groups have a zero, negative or missing population")
    if chk.get("se"):
        raise ValueError("negative or missing standard errors in input dataset")
    if chk.get("cl"):
        raise ValueError("missing lower or upper confidence limits in input dataset")
    if value_type == 2:
        if value is not None and df.select(((pl.col(value) < 0) | (pl.col(value) > 1)).any()).item():
            raise ValueError("value proportions are not all between 0 and 1 (convert percentages first)")
        if use_ci and df.select(
            ((pl.col(lower_ci) < 0) | (pl.col(lower_ci) > 1) | (pl.col(upper_ci) < 0) | (pl.col(upper_ci) > 1)).any()
        ).item():
            raise ValueError("confidence limit proportions are not all between 0 and 1")
        if value is None and df.select((pl.col(x) <= 0).any()).item():
            raise ValueError("some groups have a zero or negative count x")
    if value_type == 1:
        bad = (pl.col(value) <= 0).any() if value is not None else pl.lit(False)
        if use_ci:
            bad = bad | (pl.col(lower_ci) <= 0).any() | (pl.col(upper_ci) <= 0).any()
        if df.select(bad).item():
            raise ValueError("rates (value_type = 1) and their CLs must be > 0 for the log transform")

    # ------------------------------------------------------------------ shape into (G, k) arrays
    df, groups, dummy = with_dummy_group(df, groups)
    val_expr = (
        pl.col(value).cast(pl.Float64)
        if value is not None
        else (pl.col(x).cast(pl.Float64) / pl.col(population).cast(pl.Float64))
    )
    unc = [pl.col(lower_ci).cast(pl.Float64).alias("__l__"), pl.col(upper_ci).cast(pl.Float64).alias("__u__")] if use_ci else [pl.col(se).cast(pl.Float64).alias("__se__")]
    work = df.select(
        *[pl.col(g) for g in groups],
        pl.col(quantile).alias("__q__"),
        pl.col(population).cast(pl.Float64).alias("__pop__"),
        val_expr.alias("__v__"),
        *unc,
    )
    quantiles = work.get_column("__q__").drop_nulls().unique()
    k = quantiles.len()
    if k < 5 or k > 100:
        raise ValueError(f"Number of quantiles must be between 5 and 100 (found {k})")
    if k > 10:
        warnings.warn(
            "Small values can make SII unstable when using a large number of quantiles", stacklevel=2
        )
    n_in = work.height
    work = work.filter(pl.col("__q__").is_not_null() & pl.col("__v__").is_not_null() & ~pl.col("__v__").is_nan())
    if work.select(pl.struct([*groups, "__q__"]).is_duplicated().any()).item():
        raise ValueError("duplicate quantiles within a group")
    counts = work.group_by(groups).agg(pl.len().alias("__k__"))
    complete = counts.filter(pl.col("__k__") == k).drop("__k__")
    work = work.join(complete, on=groups, how="semi")
    if work.height != n_in:
        warnings.warn("some records have been removed due to incomplete or invalid data", stacklevel=2)
    work = work.sort([*groups, "__q__"])
    G = work.height // k
    keys = work.select(groups).gather_every(k)
    if G == 0:
        return drop_dummy(keys, dummy)

    pop = work.get_column("__pop__").to_numpy().reshape(G, k)
    v = work.get_column("__v__").to_numpy().reshape(G, k)
    if value_type == 1:
        tf = np.log
    elif value_type == 2:
        tf = lambda p: np.log(p / (1.0 - p))  # noqa: E731
    else:
        tf = lambda p: p  # noqa: E731
    with np.errstate(divide="ignore", invalid="ignore"):
        vt = tf(v)
        if use_ci:
            lt = tf(work.get_column("__l__").to_numpy().reshape(G, k))
            ut = tf(work.get_column("__u__").to_numpy().reshape(G, k))
            se_t = (ut - lt) / _Z975 / 2.0
        else:
            se_t = work.get_column("__se__").to_numpy().reshape(G, k)
    if not np.all(np.isfinite(se_t)) or np.any(np.isnan(vt)) or (transform and not np.all(np.isfinite(vt))):
        raise ValueError("standard errors / transformed values are not finite (check values and CLs at 0 or 1)")

    # ------------------------------------------------------------------ point estimates (closed-form batched WLS)
    a = pop / pop.sum(axis=1, keepdims=True)
    b = np.cumsum(a, axis=1) - a / 2.0
    s0 = a.sum(axis=1)
    s1 = (a * b).sum(axis=1)
    s2 = (a * b * b).sum(axis=1)
    det = s0 * s2 - s1 * s1
    # (XᵀX)⁻¹Xᵀ·diag(√a) applied to y: coefficient weights per quantile, shape (G, k, 2)
    h0 = (s2[:, None] * a - s1[:, None] * a * b) / det[:, None]
    h1 = (s0[:, None] * a * b - s1[:, None] * a) / det[:, None]
    y = vt if transform else v
    c0 = (h0 * y).sum(axis=1)
    c1 = (h1 * y).sum(axis=1)

    g = np.exp if value_type == 1 else expit
    neg = multiplier < 0
    if transform:
        swap = (multiplier < 1) if (value_type == 1 and replicate_upstream_quirks) else neg
        if swap and not neg:
            warnings.warn(
                "phe_sii quirk replicated: rate SII with transform=True and 0 <= multiplier < 1 takes the "
                "negative-multiplier branch (CI ends swapped, RII CI inverted); pass "
                "replicate_upstream_quirks=False to avoid it",
                stacklevel=2,
            )
        x1 = c0 + c1
        sii_pt = (g(x1) - g(c0)) * multiplier
        rii_pt = g(x1) / g(c0)
        intercept = g(c0) * abs(multiplier)
    else:
        swap = neg
        sii_pt = c1 * multiplier
        rii_pt = (c0 + c1) / c0
        intercept = c0
    if neg:
        rii_pt = 1.0 / rii_pt

    # ------------------------------------------------------------------ simulation
    n_samples = 10 if reliability_stat else 1
    R = int(repetitions)
    r_total = R * n_samples
    need_rii_draws = rii and not transform
    need_int_draws = intercept_ci or need_rii_draws
    kth = sorted({p - 1 for pos in positions for p in pos})
    n_conf = len(confs)
    # order statistics: [G, sample, conf, (lo, hi)]
    s_os = np.empty((G, n_samples, n_conf, 2))
    r_os = np.empty((G, n_samples, n_conf, 2)) if need_rii_draws else None
    i_os = np.empty((G, n_samples, n_conf, 2)) if intercept_ci else None

    base = np.random.SeedSequence(seed)
    key_rows = keys.rows()
    back = None
    if not transform and value_type == 1:
        back = np.exp
    elif not transform and value_type == 2:
        back = expit
    workers = max(1, int(n_threads if n_threads is not None else min(os.cpu_count() or 1, 8)))
    chunk = max(1, int(max_chunk_elements // (r_total * k)))
    chunk = min(chunk, max(1, -(-G // workers)))  # give every worker something to do

    def simulate(start: int, stop: int) -> None:
        m = stop - start
        draws = np.empty((m, r_total, k))
        for i in range(m):
            ss = np.random.SeedSequence(base.entropy, spawn_key=(_group_seed_key(key_rows[start + i]),))
            np.random.Generator(np.random.SFC64(ss)).standard_normal(out=draws[i])
        draws *= se_t[start:stop, None, :]
        draws += vt[start:stop, None, :]
        if back is not None:
            back(draws, out=draws)
        # Batched WLS for every draw: c = (XᵀX)⁻¹Xᵀ·(√a ∘ Y) = Y·h per group.  einsum runs numpy's own
        # loop (no BLAS threads competing with ours; bit-reproducible whatever the BLAS build).
        slopes = np.einsum("mrk,mk->mr", draws, h1[start:stop]).reshape(m, n_samples, R)
        ints = np.einsum("mrk,mk->mr", draws, h0[start:stop]).reshape(m, n_samples, R) if need_int_draws else None
        del draws
        part = np.partition(slopes, kth, axis=-1)
        for ci, (pl_, pu) in enumerate(positions):
            s_os[start:stop, :, ci, 0] = part[:, :, pl_ - 1]
            s_os[start:stop, :, ci, 1] = part[:, :, pu - 1]
        if need_rii_draws:
            with np.errstate(divide="ignore", invalid="ignore"):
                riis = (slopes + ints) / ints
            part = np.partition(riis, kth, axis=-1)
            for ci, (pl_, pu) in enumerate(positions):
                r_os[start:stop, :, ci, 0] = part[:, :, pl_ - 1]
                r_os[start:stop, :, ci, 1] = part[:, :, pu - 1]
        if intercept_ci:
            part = np.partition(ints, kth, axis=-1)
            for ci, (pl_, pu) in enumerate(positions):
                i_os[start:stop, :, ci, 0] = part[:, :, pl_ - 1]
                i_os[start:stop, :, ci, 1] = part[:, :, pu - 1]

    bounds = [(a, min(G, a + chunk)) for a in range(0, G, chunk)]
    if workers == 1 or len(bounds) == 1:
        for a, b_ in bounds:
            simulate(a, b_)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for f in [pool.submit(simulate, a, b_) for a, b_ in bounds]:
                f.result()

    # ------------------------------------------------------------------ limits on the reporting scale
    if transform:
        xh = (c0 + (c0 + c1)) / 2.0
        xh = xh[:, None, None, None]
        hi_end = g(xh + s_os / 2.0)
        lo_end = g(xh - s_os / 2.0)
        sii_lim = (hi_end - lo_end) * multiplier  # [G, s, c, (from s_L, from s_U)]
        rii_lim = hi_end / lo_end
    else:
        sii_lim = s_os * multiplier
        rii_lim = r_os
    # reported (lower, upper)
    if swap:
        sii_rep = sii_lim[..., ::-1]
        rii_rep = None if rii_lim is None else 1.0 / rii_lim[..., ::-1]
    else:
        sii_rep = sii_lim
        rii_rep = rii_lim

    out_cols: dict[str, np.ndarray] = {"sii": sii_pt}
    for ci, c in enumerate(confs):
        sfx = ci_suffix(c)
        out_cols[f"sii_lower_ci_{sfx}"] = sii_rep[:, 0, ci, 0]
        out_cols[f"sii_upper_ci_{sfx}"] = sii_rep[:, 0, ci, 1]
    if rii:
        out_cols["rii"] = rii_pt
        for ci, c in enumerate(confs):
            sfx = ci_suffix(c)
            out_cols[f"rii_lower_ci_{sfx}"] = rii_rep[:, 0, ci, 0]
            out_cols[f"rii_upper_ci_{sfx}"] = rii_rep[:, 0, ci, 1]
    out_cols["intercept"] = intercept
    if intercept_ci:
        # Extension (no upstream equivalent): order statistics of the simulated intercepts c0, on the
        # reported scale (c0 itself, or g(c0)·|mult| with transform=True; both monotone in c0).
        i_rep = g(i_os) * abs(multiplier) if transform else i_os
        for ci, c in enumerate(confs):
            sfx = ci_suffix(c)
            out_cols[f"intercept_lower_ci_{sfx}"] = i_rep[:, 0, ci, 0]
            out_cols[f"intercept_upper_ci_{sfx}"] = i_rep[:, 0, ci, 1]
    if reliability_stat:
        for ci, c in enumerate(confs):
            sfx = ci_suffix(c)
            d = np.abs(sii_lim[:, 1:, ci, :] - sii_lim[:, :1, ci, :])
            out_cols[f"sii_mad_{sfx}"] = _signif(d.reshape(G, -1).mean(axis=1))
            if rii:
                d = np.abs(rii_lim[:, 1:, ci, :] - rii_lim[:, :1, ci, :])
                out_cols[f"rii_mad_{sfx}"] = _signif(d.reshape(G, -1).mean(axis=1))

    out = keys.with_columns(
        *[pl.Series(name, np.asarray(arr, dtype=np.float64), nan_to_null=True) for name, arr in out_cols.items()],
        pl.lit(k, dtype=pl.Int32).alias("n_quantiles"),
        pl.lit(R, dtype=pl.Int64).alias("repetitions"),
    )
    return drop_dummy(out, dummy)
