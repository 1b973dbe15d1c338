"""Populations: England by sex and single year of age, and the ICB's LSOAs by sex and single year of age.

England is projected from mid-2018 by cohort component (ageing, Gompertz mortality, births, net migration),
so it ages and grows slowly. Each LSOA takes England's age structure tilted by its deprivation (deprived
LSOAs are younger), rurality (older) and a few student areas, with cohort-level noise that follows a birth
cohort as it ages, and a slowly growing total.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo import params
from demo.deprivation import Deprivation
from demo.world import World

AGES = params.AGES


@dataclass
class Population:
    years: list[int]
    england: dict[int, np.ndarray]  # year -> int64 (2 sexes, 91 ages); sex 0 male, 1 female
    icb: dict[int, np.ndarray]  # year -> int64 (LSOAs of the ICB, 2, 91), LSOAs in world.icb_lsoas order
    mid2015: dict[str, np.ndarray]  # File 7 denominators for every England LSOA (world order)

    def icb_total(self, year: int) -> int:
        return int(self.icb[year].sum())

    def england_total(self, year: int) -> int:
        return int(self.england[year].sum())


def _england_2018(rng: np.random.Generator) -> np.ndarray:
    out = np.zeros((2, 91))
    mids = np.arange(2, 90, 5, dtype=float)
    for s, sex in enumerate(params.SEXES):
        means = np.array(params.ENGLAND_2018_BAND_MEANS[sex], dtype=float) * 1000
        syoa = np.interp(np.arange(90), mids, means)
        for b in range(18):
            band = slice(5 * b, 5 * b + 5)
            syoa[band] *= 5 * means[b] / syoa[band].sum()
        out[s, :90] = syoa * rng.lognormal(0, 0.02, 90)  # cohort sizes are never perfectly smooth
        out[s, 90] = params.ENGLAND_2018_90PLUS[sex]
    return out


def death_rates() -> np.ndarray:
    """Annual probability of death by sex (0 male, 1 female) and age 0..90+ (Gompertz above 30)."""
    a = AGES.astype(float)
    male = np.exp(-10.1 + 0.0915 * a)
    floor = np.where(a == 0, 0.0042, np.where(a < 15, 0.00012, 0.0005))
    male = np.maximum(male, floor)
    female = male * np.interp(a, [0, 60, 85, 95], [0.70, 0.64, 0.75, 0.85])
    male[90], female[90] = 0.27, 0.225
    return np.vstack([np.minimum(male, 0.6), np.minimum(female, 0.6)])


def _migration_profile() -> np.ndarray:
    a = AGES.astype(float)
    prof = np.exp(-0.5 * ((a - 26) / 7.5) ** 2) + 0.25 * np.exp(-0.5 * ((a - 5) / 5) ** 2)
    prof[90] = 0
    return prof / prof.sum()


def project_england(years: list[int], rng: np.random.Generator) -> dict[int, np.ndarray]:
    q = death_rates()
    mig = _migration_profile()
    pop = _england_2018(rng)
    out = {years[0]: pop.copy()}
    for year in years[1:]:
        new = np.zeros_like(pop)
        survivors = pop * (1 - q)
        new[:, 1:90] = survivors[:, 0:89]
        new[:, 90] = survivors[:, 89] + survivors[:, 90]
        births = params.ENGLAND_BIRTHS.get(year, 580_000)
        new[0, 0] = births * params.MALE_BIRTH_SHARE * (1 - q[0, 0] / 2)
        new[1, 0] = births * (1 - params.MALE_BIRTH_SHARE) * (1 - q[1, 0] / 2)
        m = params.ENGLAND_NET_MIGRATION.get(year, 250_000)
        new += 0.5 * m * mig[None, :]
        pop = new
        out[year] = pop.copy()
    return {y: np.rint(p).astype(np.int64) for y, p in out.items()}


def _bump(a: np.ndarray, centre: float, width: float) -> np.ndarray:
    return np.exp(-0.5 * ((a - centre) / width) ** 2)


def build_population(world: World, dep: Deprivation, years: list[int], rng: np.random.Generator) -> Population:
    england = project_england(years, rng)
    a = AGES.astype(float)
    kids = np.clip((17 - a) / 6, 0, 1)
    young = _bump(a, 27, 6)
    parents = _bump(a, 35, 7)
    old = np.clip((a - 55) / 20, 0, 1)
    student = _bump(a, 20, 1.8)

    icb = world.icb_lsoas
    n = len(icb)
    z = np.clip(dep.z[icb], -2.5, 2.5)
    rural = 1 - world.icb_core
    u_old, u_kids, u_young = rng.normal(0, 1, (3, n))
    is_student = (rng.random(n) < 0.02) & (world.icb_core > 0.5)
    log_tilt = (
        z[:, None] * (0.10 * kids + 0.12 * young + 0.05 * parents - 0.16 * old)[None, :]
        + rural[:, None] * (0.12 * old - 0.20 * young)[None, :]
        + 0.12 * u_old[:, None] * old[None, :]
        + 0.08 * u_kids[:, None] * (kids + 0.5 * parents)[None, :]
        + 0.10 * u_young[:, None] * young[None, :]
        + 1.6 * is_student[:, None] * student[None, :]
    )
    sex_tilt = rng.normal(0, 0.03, n)  # more men or women in some LSOAs
    # Cohort noise: one factor per LSOA, sex and year of birth, so a large cohort stays large as it ages.
    first_birth = years[0] - 95
    cohort_noise = rng.lognormal(0, 0.13, (n, 2, years[-1] - first_birth + 1))
    cohort_noise /= cohort_noise.mean()

    totals = rng.lognormal(np.log(1600), 0.17, n) * np.where(rng.random(n) < 0.05, 1.6, 1.0)
    totals = np.clip(totals, 1000, 4500)
    totals *= params.ICB_POPULATION_MID2018 / totals.sum()
    growth = params.ICB_POPULATION_GROWTH + rng.normal(0, 0.005, n) + 0.03 * (rng.random(n) < 0.03)

    icb_pop: dict[int, np.ndarray] = {}
    for year in years:
        shape_e = england[year] / england[year].sum()
        births = year - AGES  # year of birth of each age
        noise = cohort_noise[:, :, births - first_birth]
        noise[:, :, 90] = 1.0
        shape = shape_e[None, :, :] * np.exp(log_tilt)[:, None, :] * noise
        shape[:, 0, :] *= np.exp(sex_tilt)[:, None]
        shape[:, 1, :] *= np.exp(-sex_tilt)[:, None]
        shape /= shape.sum(axis=(1, 2), keepdims=True)
        total = totals * (1 + growth) ** (year - years[0])
        icb_pop[year] = np.rint(shape * total[:, None, None]).astype(np.int64)

    return Population(
        years=years, england=england, icb=icb_pop, mid2015=_mid2015(world, dep, icb_pop[years[0]], rng)
    )


def _mid2015(world: World, dep: Deprivation, icb2018: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """IoD2019 population denominators (mid-2015, excluding prisoners) for every LSOA in England."""
    n = world.n_lsoas
    z = np.clip(dep.z, -2.5, 2.5)
    total = np.clip(rng.lognormal(np.log(1600), 0.18, n), 1000, 4500)
    kids = np.clip(0.19 + 0.025 * z + rng.normal(0, 0.02, n), 0.08, 0.35)
    old = np.clip(0.235 - 0.045 * z + rng.normal(0, 0.035, n), 0.04, 0.50)
    out = {
        "total": np.rint(total),
        "children": np.rint(total * kids),
        "old": np.rint(total * old),
    }
    out["middle"] = out["total"] - out["children"] - out["old"]
    out["working"] = np.rint(out["middle"] * 0.955 + out["old"] * 0.12)
    # The ICB's LSOAs: back-projected from their own mid-2018 estimates.
    f = params.MID2015_FROM_MID2018
    p = icb2018.astype(float) * f
    i = world.icb_lsoas
    out["total"][i] = np.rint(p.sum(axis=(1, 2)))
    out["children"][i] = np.rint(p[:, :, :16].sum(axis=(1, 2)))
    out["old"][i] = np.rint(p[:, :, 60:].sum(axis=(1, 2)))
    out["middle"][i] = out["total"][i] - out["children"][i] - out["old"][i]
    out["working"][i] = np.rint(p[:, 0, 18:65].sum(axis=1) + p[:, 1, 18:60].sum(axis=1))
    return {k: v.astype(np.int64) for k, v in out.items()}


def write_population(world: World, pop: Population, writer) -> None:
    """ONS SAPE by LSOA x single year of age (one file per year and sex), and England's MYE by sex and age."""
    import polars as pl

    from demo import contract

    icb = world.icb_lsoas
    la = world.lsoa_la[icb]
    ident = {
        "LSOA Code": world.lsoa_code[icb].tolist(),
        "LSOA Name": world.lsoa_name[icb].tolist(),
        "LA Code (2021 boundaries)": np.array(world.la_code, dtype=object)[la].tolist(),
        "LA name (2021 boundaries)": np.array(world.la_name, dtype=object)[la].tolist(),
    }
    ages = contract.SAPE_COLUMNS[5:]
    for year in pop.years:
        for s, sex in enumerate(("males", "females")):
            counts = pop.icb[year][:, s, :]
            cols: dict[str, object] = dict(ident)
            cols["All Ages"] = counts.sum(axis=1)
            for a, column in enumerate(ages):
                cols[column] = counts[:, a]
            writer.csv(contract.sape(year, sex), pl.DataFrame(cols), contract.SAPE_COLUMNS)
        rows = [("females", 1), ("males", 0)]
        frame = pl.DataFrame(
            {
                "sex": [name for name, _ in rows for _ in range(91)],
                "Code": ["E92000001"] * 182,
                "Name": ["ENGLAND"] * 182,
                "Geography": ["Country"] * 182,
                "age": [a for _ in rows for a in range(91)],
                "count": np.concatenate([pop.england[year][s] for _, s in rows]),
            }
        )
        writer.csv(contract.mye(year), frame, contract.MYE_COLUMNS)


def mid_year_weights(years: list[int], month) -> tuple[int, int, float]:
    """Mid-years either side of the first day of `month` (July 1 = mid-year) and the weight of the later one."""
    y0 = month.year if month.month >= 7 else month.year - 1
    frac = ((month.year - y0) * 12 + month.month - 7) / 12
    y0 = min(max(y0, years[0]), years[-2])
    frac += (month.year if month.month >= 7 else month.year - 1) - y0
    return y0, y0 + 1, frac


def icb_at(pop: Population, month) -> np.ndarray:
    """ICB residents (LSOA, sex, age) on the first day of `month`, interpolated between mid-years."""
    y0, y1, f = mid_year_weights(pop.years, month)
    return np.clip((1 - f) * pop.icb[y0] + f * pop.icb[y1], 0, None)


def england_at(pop: Population, month) -> float:
    y0, y1, f = mid_year_weights(pop.years, month)
    return float((1 - f) * pop.england[y0].sum() + f * pop.england[y1].sum())
