"""Record-level activity of the ICB's residents, one month at a time: ECDS-like attendances and SUS-like spells.

For each month, every LSOA x sex x single-year-of-age cell draws a Poisson count from its expected events
(population x England's rate x deprivation multiplier x ICB factor x the month's share of the year), and
`np.repeat` turns counts into records, whose remaining fields (day, provider, department type, admission
method, length of stay, rare gender codes) are drawn vectorised. Only one month of records is ever in memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from demo import contract, params
from demo.area import IcbArea
from demo.periods import day_weights, days_in_month, epoch_day, fy_of, month_index_in_fy, stream
from demo.population import Population
from demo.rates import Rates

CELLS_PER_LSOA = 2 * 91
DEPT_TYPES = pl.Series(["01", "02", "03", "04"])
STATED_GENDER = pl.Series(["1", "2", "9", "X"])
APC_SEX = pl.Series(["1", "2", "9", "0"])
EMERGENCY_CODES = list(params.EMERGENCY_METHODS)
ADMISSION_METHODS = pl.Series(
    EMERGENCY_CODES + list(params.ELECTIVE_METHODS) + list(params.MATERNITY_METHODS) + ["81", "82", "83"]
)
M = {code: i for i, code in enumerate(ADMISSION_METHODS.to_list())}


@dataclass
class ProviderCounts:
    """What the ICB's residents did at each provider in one month (for the monthly A&E situation report)."""

    providers: list[str]
    attendances: np.ndarray  # (providers, 3): type 1, type 2, other (types 3-4)
    admissions_via_ae: np.ndarray  # (providers,): emergency spells admitted via A&E (method 21)
    admissions_other: np.ndarray  # (providers,): other emergency spells


def _choice(rng: np.random.Generator, probs: dict[str, float], n: int) -> np.ndarray:
    p = np.array(list(probs.values()), dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _stays(rng: np.random.Generator, mean: np.ndarray, zero: np.ndarray) -> np.ndarray:
    """Lengths of stay with the given means and zero-day shares: 0, or 1 + gamma-Poisson (skewed)."""
    zero = np.maximum(zero, 1 - mean)  # a stay of at least a day must remain possible at the mean
    positive_extra = np.maximum(mean / np.maximum(1 - zero, 1e-9) - 1, 0.0)
    k = params.LOS_DISPERSION
    lam = rng.gamma(k, 1.0, len(mean)) * positive_extra / k
    stay = 1 + rng.poisson(lam)
    stay[rng.random(len(mean)) < zero] = 0
    return np.minimum(stay, params.MAX_LOS)


class ActivityGenerator:
    """The ICB's records, month by month, for any `IcbArea` (the demo world's, or a real ICB's geography)."""

    def __init__(self, area: IcbArea, pop: Population, rates: Rates, seed: int):
        self.area, self.pop, self.rates, self.seed = area, pop, rates, seed
        self.lsoa_codes = pl.Series(list(area.lsoa_codes), dtype=pl.String)
        self.fp = area.footprint
        self.icb_providers = area.icb_providers
        self.providers = pl.Series(list(area.providers))
        probs = area.provider_probs
        self.provider_cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
        self.type2_ok = area.type2_ok
        self._year: int | None = None
        self.records: dict[str, dict[int, int]] = {k: {} for k in
                                                   ("ecds_attendances", "ecds_type1", "apc_spells",
                                                    "emergency_spells", "emergency_bed_days")}  # fmt: skip

    # --- yearly expectations ------------------------------------------------------------------------------------
    def _load_year(self, fy: int) -> None:
        if self._year == fy:
            return
        r, pop = self.rates, self.pop.icb[fy].astype(float)
        self.lam = {
            "ae": r.icb_lambda(pop, "ae", fy).reshape(-1),
            "adm": r.icb_lambda(pop, "adm", fy).reshape(-1),
        }
        for k, rate in r.non_emergency.items():
            self.lam[k] = (pop * rate[fy][None] * r.mult["nonem"][:, None, None]).reshape(-1)
        self.cdf = {k: np.cumsum(v) for k, v in self.lam.items()}
        self._year = fy

    def _cells(self, rng: np.random.Generator, kind: str, share: float):
        """Events of one month, as (LSOA, sex, age) indices.

        Independent Poisson counts per cell, drawn as a Poisson total split over the cells in proportion to
        their expectations (the same distribution, at a cost that grows with the events, not the cells)."""
        cdf = self.cdf[kind]
        n = rng.poisson(cdf[-1] * share)
        idx = np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")
        idx = np.minimum(np.sort(idx), len(cdf) - 1)
        return idx // CELLS_PER_LSOA, (idx // 91) % 2, idx % 91

    def _providers(self, rng: np.random.Generator, lsoa: np.ndarray) -> np.ndarray:
        u = rng.random(len(lsoa))
        return (u[:, None] > self.provider_cum[self.fp[lsoa]]).sum(axis=1)

    @staticmethod
    def _ages(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
        """Single years of age; the 90+ cell spreads over 90..110."""
        old = age == 90
        out = age.astype(np.int64)
        out[old] = 90 + np.minimum(rng.geometric(0.27, old.sum()) - 1, 20)
        return out

    @staticmethod
    def _rare(rng: np.random.Generator, sex: np.ndarray, rare: dict[str, float]) -> np.ndarray:
        """Sex index 0/1, with rare codes 2 and 3 (the third and fourth code of the series) mixed in."""
        u = rng.random(len(sex))
        p2, p3 = rare.values()
        out = sex.astype(np.int64)
        out[u < p2] = 2
        out[(u >= p2) & (u < p2 + p3)] = 3
        return out

    # --- one month ---------------------------------------------------------------------------------------------
    def month(self, month: dt.date, writer) -> ProviderCounts:
        fy = fy_of(month)
        self._load_year(fy)
        mi = month_index_in_fy(month)
        label = month.strftime("%Y-%m")
        first_day = epoch_day(month)
        id_base = (month.year * 100 + month.month) * 10_000_000
        n_days = days_in_month(month)
        r = self.rates
        n_prov = len(self.providers)
        providers = pl.Series(self.area.provider_codes(month)) if self.area.successions else self.providers

        # ECDS attendances
        rng = stream(self.seed, "ecds", label)
        lsoa, sex, age = self._cells(rng, "ae", r.month_share["ae"][fy][mi])
        n = len(lsoa)
        day = rng.choice(n_days, size=n, p=day_weights(month, params.WEEKDAY_WEIGHTS["ae"]))
        prov = self._providers(rng, lsoa)
        p1 = r.type1_share[fy][sex, age] * r.footprint_type1[self.fp[lsoa]]
        u = rng.random(n)
        p2 = params.TYPE2_SHARE
        type3 = p1 + p2 + (1 - p1 - p2) * params.TYPE3_OF_OTHER
        dept = np.where(u < p1, 0, np.where(u < p1 + p2, 1, np.where(u < type3, 2, 3)))
        dept = np.where((dept == 1) & ~self.type2_ok[prov], 2, dept)
        gender = self._rare(rng, sex, params.STATED_GENDER_RARE)
        years = self._ages(rng, age)
        order = np.lexsort((dept, gender, years, lsoa, prov, day))
        lsoa, prov, dept, gender, years, day = (x[order] for x in (lsoa, prov, dept, gender, years, day))
        frame = pl.DataFrame(
            {
                "EC_IDENT": pl.Series(id_base + np.arange(1, n + 1, dtype=np.int64)).cast(pl.String),
                "ARRIVAL_DATE": pl.Series((first_day + day).astype(np.int32)).cast(pl.Date),
                "LSOA_OF_RESIDENCE": self.lsoa_codes.gather(lsoa),
                "AGE_AT_ARRIVAL": years,
                "STATED_GENDER": STATED_GENDER.gather(gender),
                "PROVIDER_CODE": providers.gather(prov),
                "EC_DEPARTMENT_TYPE": DEPT_TYPES.gather(dept),
            }
        )
        writer.csv(contract.ecds(label), frame, contract.ECDS_COLUMNS)
        group = np.minimum(dept, 2)  # type 1, type 2, other
        attendances = np.bincount(prov * 3 + group, minlength=n_prov * 3).reshape(n_prov, 3)
        self._count("ecds_attendances", fy, n)
        self._count("ecds_type1", fy, int((dept == 0).sum()))
        del frame

        # SUS spells: emergency, then elective, maternity and other
        rng = stream(self.seed, "apc", label)
        share = r.month_share["adm"][fy][mi]
        parts = []
        lsoa, sex, age = self._cells(rng, "adm", share)
        mean = r.los_england[fy][sex, age] * r.los_relative[fy]
        stay = _stays(rng, mean, r.zero_day[age])
        method = _choice(rng, params.EMERGENCY_METHODS, len(lsoa))
        method = np.where((method == M["2C"]) & (age > 0), M["2D"], method)
        day = rng.choice(n_days, size=len(lsoa), p=day_weights(month, params.WEEKDAY_WEIGHTS["adm"]))
        parts.append((lsoa, sex, age, method, stay, day))
        n_emergency, bed_days = len(lsoa), int(stay.sum())

        lsoa, sex, age = self._cells(rng, "elective", share)
        method = M["11"] + _choice(rng, params.ELECTIVE_METHODS, len(lsoa))
        stay = _stays(rng, np.full(len(lsoa), 0.22 * 3.5), np.full(len(lsoa), 0.78))
        day = rng.choice(n_days, size=len(lsoa), p=day_weights(month, params.WEEKDAY_WEIGHTS["elective"]))
        parts.append((lsoa, sex, age, method, stay, day))

        lsoa, sex, age = self._cells(rng, "maternity", share)
        method = M["31"] + _choice(rng, params.MATERNITY_METHODS, len(lsoa))
        stay = _stays(rng, np.full(len(lsoa), 1.1), np.full(len(lsoa), 0.45))
        day = rng.choice(n_days, size=len(lsoa), p=day_weights(month, params.WEEKDAY_WEIGHTS["adm"]))
        parts.append((lsoa, sex, age, method, stay, day))

        lsoa, sex, age = self._cells(rng, "other", share)
        baby = age == 0
        u = rng.random(len(lsoa))
        method = np.where(baby & (u < 0.90), M["82"], np.where(baby & (u < 0.95), M["83"], M["81"]))
        stay = np.where(method == M["81"], _stays(rng, np.full(len(lsoa), 5.0), np.zeros(len(lsoa))),
                        _stays(rng, np.full(len(lsoa), 1.2), np.full(len(lsoa), 0.30)))  # fmt: skip
        day = rng.choice(n_days, size=len(lsoa), p=day_weights(month, params.WEEKDAY_WEIGHTS["adm"]))
        parts.append((lsoa, sex, age, method, stay, day))

        lsoa, sex, age, method, stay, day = (np.concatenate(x) for x in zip(*parts, strict=True))
        n = len(lsoa)
        prov = self._providers(rng, lsoa)
        code = self._rare(rng, sex, params.APC_SEX_RARE)
        years = self._ages(rng, age)
        order = np.lexsort((stay, method, code, years, lsoa, prov, day))
        lsoa, prov, code, years, day, method, stay = (x[order] for x in (lsoa, prov, code, years, day, method, stay))
        admitted = (first_day + day).astype(np.int32)
        frame = pl.DataFrame(
            {
                "SPELL_ID": pl.Series(id_base + np.arange(1, n + 1, dtype=np.int64)).cast(pl.String),
                "ADMISSION_DATE": pl.Series(admitted).cast(pl.Date),
                "DISCHARGE_DATE": pl.Series(admitted + stay.astype(np.int32)).cast(pl.Date),
                "ADMISSION_METHOD": ADMISSION_METHODS.gather(method),
                "LSOA_OF_RESIDENCE": self.lsoa_codes.gather(lsoa),
                "AGE_ON_ADMISSION": years,
                "SEX": APC_SEX.gather(code),
                "PROVIDER_CODE": providers.gather(prov),
                "LENGTH_OF_STAY": stay.astype(np.int64),
            }
        )
        writer.csv(contract.apc(label), frame, contract.APC_COLUMNS)
        emergency = method < len(EMERGENCY_CODES)
        via_ae = method == M["21"]
        self._count("apc_spells", fy, n)
        self._count("emergency_spells", fy, n_emergency)
        self._count("emergency_bed_days", fy, bed_days)
        return ProviderCounts(
            providers=providers.to_list(),
            attendances=attendances,
            admissions_via_ae=np.bincount(prov[via_ae], minlength=n_prov),
            admissions_other=np.bincount(prov[emergency & ~via_ae], minlength=n_prov),
        )

    def _count(self, key: str, fy: int, n: int) -> None:
        self.records[key][fy] = self.records[key].get(fy, 0) + int(n)
