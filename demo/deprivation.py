"""English Indices of Deprivation 2019 for the demo world: scores, national ranks and deciles of every LSOA.

A latent deprivation (local authority level + town-centre effect + LSOA noise) orders England's LSOAs; the
profile's ICB is shifted until the planted share of its LSOAs falls in national deciles 1-2. Scores follow
IoD2019-like marginal distributions (the IMD score is right-skewed, median ~17, 90th centile ~43); domain
scores are correlated with the IMD as in the real index. Ranks (1 = most deprived) and deciles are computed
from the scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from demo import params
from demo.world import World

# domain -> (correlation with the IMD latent, marginal transform of a standard normal score)
DOMAINS: dict[str, tuple[float, object]] = {
    "income": (0.95, lambda z: np.clip(0.105 * np.exp(0.75 * z - 0.06 * z**2), 0.003, 0.72)),
    "employment": (0.95, lambda z: np.clip(0.085 * np.exp(0.62 * z - 0.05 * z**2), 0.004, 0.60)),
    "education": (0.87, lambda z: np.clip(16.0 * np.exp(0.85 * z - 0.10 * z**2), 0.02, 99.0)),
    "health": (0.85, lambda z: 0.85 * z),
    "crime": (0.78, lambda z: 0.75 * z),
    "barriers": (0.15, lambda z: np.clip(20.0 + 8.5 * z, 0.5, 70.0)),
    "living_environment": (0.30, lambda z: np.clip(18.0 * np.exp(0.65 * z - 0.04 * z**2), 0.05, 95.0)),
    "idaci": (0.92, lambda z: np.clip(0.13 * np.exp(0.75 * z - 0.07 * z**2), 0.002, 0.90)),
    "idaopi": (0.85, lambda z: np.clip(0.13 * np.exp(0.60 * z - 0.05 * z**2), 0.005, 0.95)),
}


@dataclass
class Deprivation:
    imd_score: np.ndarray  # England LSOAs, in world order
    scores: dict[str, np.ndarray]  # domain -> score
    ranks: dict[str, np.ndarray]  # "imd" and each domain -> national rank, 1 = most deprived
    deciles: dict[str, np.ndarray]
    percentile: np.ndarray  # (IMD rank - 0.5) / N: 0 = most deprived, 1 = least
    z: np.ndarray  # standard normal score of the IMD rank (+ = deprived)
    icb_shift: float


def ranks_of(score: np.ndarray) -> np.ndarray:
    """National ranks, 1 = highest score (most deprived); ties go to the earlier LSOA."""
    order = np.lexsort((np.arange(len(score)), -score))
    rank = np.empty(len(score), dtype=np.int64)
    rank[order] = np.arange(1, len(score) + 1)
    return rank


def deciles_of(rank: np.ndarray) -> np.ndarray:
    n = len(rank)
    return (rank - 1) * 10 // n + 1


def _imd_score(z: np.ndarray) -> np.ndarray:
    s = 17.5 * np.exp(0.82 * z - 0.085 * z**2)
    s = np.where(s > 70, 70 + 25 * (1 - np.exp(-(s - 70) / 25)), s)  # soft ceiling below 95
    return np.clip(s, 0.4, None)


def build_deprivation(world: World, rng: np.random.Generator) -> Deprivation:
    n = world.n_lsoas
    noise = rng.normal(0, 0.8, n)
    base = world.la_level[world.lsoa_la] + noise
    in_icb = world.lsoa_icb == 0
    core = np.zeros(n)
    core[world.icb_lsoas] = world.icb_core
    base = base + 0.6 * core * in_icb

    top = -(-2 * n // 10)  # ranks 1..top are deciles 1-2
    target = int(round(params.CORE20_LSOA_SHARE_TARGET * in_icb.sum()))

    def core20(shift: float) -> int:
        latent = base + shift * in_icb
        threshold = np.partition(latent, n - top)[n - top]
        return int((latent[in_icb] >= threshold).sum())

    lo, hi = -3.0, 3.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if core20(mid) >= target:
            hi = mid
        else:
            lo = mid
    shift = hi
    latent = base + shift * in_icb

    rank_latent = ranks_of(latent)
    percentile = (rank_latent - 0.5) / n
    z = ndtri(1.0 - percentile)
    imd_score = np.round(_imd_score(z), 3)
    ranks = {"imd": ranks_of(imd_score)}
    scores: dict[str, np.ndarray] = {}
    for name, (rho, transform) in DOMAINS.items():
        raw = rho * z + np.sqrt(1 - rho**2) * rng.normal(0, 1, n)
        zr = ndtri(1.0 - (ranks_of(raw) - 0.5) / n)
        decimals = 3
        scores[name] = np.round(transform(zr), decimals) + 0.0
        ranks[name] = ranks_of(scores[name])
    deciles = {k: deciles_of(r) for k, r in ranks.items()}
    percentile = (ranks["imd"] - 0.5) / n
    return Deprivation(
        imd_score=imd_score,
        scores=scores,
        ranks=ranks,
        deciles=deciles,
        percentile=percentile,
        z=ndtri(1.0 - percentile),
        icb_shift=float(shift),
    )


def write_file7(world: World, dep: Deprivation, mid2015: dict[str, np.ndarray], writer) -> None:
    """IoD2019 File 7 (UTF-8 with BOM), every LSOA in England."""
    import polars as pl

    from demo import contract
    from demo.writers import fixed

    la = world.lsoa_la
    cols: dict[str, object] = {
        "LSOA code (2011)": world.lsoa_code.tolist(),
        "LSOA name (2011)": world.lsoa_name.tolist(),
        "Local Authority District code (2019)": np.array(world.la_code, dtype=object)[la].tolist(),
        "Local Authority District name (2019)": np.array(world.la_name, dtype=object)[la].tolist(),
    }
    for key, score_col, prefix in contract.IMD_DOMAINS:
        score = dep.imd_score if key == "imd" else dep.scores[key]
        cols[score_col] = fixed(score, 3)
        cols[f"{prefix} Rank (where 1 is most deprived)"] = dep.ranks[key]
        cols[f"{prefix} Decile (where 1 is most deprived 10% of LSOAs)"] = dep.deciles[key]
    for key, column in contract.IMD_POPULATION_COLUMNS:
        cols[column] = mid2015[key]
    writer.csv(contract.IMD_FILE7, pl.DataFrame(cols), contract.IMD_COLUMNS, bom=True)
