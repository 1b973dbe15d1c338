"""Event rates: England's age-sex-specific rates by year, and the ICB's LSOA rates calibrated to the planted effects.

England: rate(measure, sex, age, year) = scale x shape(sex, age) x trend(year) x pandemic(year); the trend is
solved so that England's counts grow by the planted amount from FY2018/19 to FY2023/24.

ICB: rate(LSOA, sex, age, year) = England's rate x deprivation multiplier(LSOA) x ICB factor(year). The
multiplier rises with national IMD rank (solved for the planted crude rate ratio between deciles 1 and 10);
the ICB factor is solved for the planted indirectly standardised ratio in FY2023/24 (expected counts computed
exactly as the pipeline does, from England's published age bands) and the planted growth since FY2018/19.
Everything is solved on expectations, so the raw files reproduce the effects up to Poisson noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from demo import params
from demo.area import IcbArea
from demo.periods import days_in_month, months
from demo.population import Population
from schemas.vocabulary import ESP2013_AGE_BANDS

MEASURES = ("ae_attendances_all", "ae_attendances_type1", "emergency_admissions", "emergency_bed_days")
BAND_LABELS = ESP2013_AGE_BANDS
BAND_OF_AGE = np.minimum(params.AGES // 5, 18)


def to_bands(x: np.ndarray) -> np.ndarray:
    """Sum the last axis (ages 0..90) into the 19 ESP2013 bands."""
    out = np.zeros(x.shape[:-1] + (19,))
    for b in range(19):
        out[..., b] = x[..., BAND_OF_AGE == b].sum(axis=-1)
    return out


@dataclass
class Rates:
    years: list[int]
    scale: float
    england: dict[str, dict[int, np.ndarray]]  # measure -> year -> (2, 91) events per person-year
    england_activity: dict[str, dict[int, np.ndarray]]  # measure -> year -> (2, 19) integer band counts
    type1_share: dict[int, np.ndarray]  # year -> (2, 91) P(type 1 | attendance), England
    los_england: dict[int, np.ndarray]  # year -> (2, 91) mean stay of an emergency spell, England
    zero_day: np.ndarray  # (91,) share of emergency spells with no overnight stay
    mult: dict[str, np.ndarray]  # "ae" / "adm" / "nonem" -> (ICB LSOAs,) deprivation x heterogeneity
    icb_factor: dict[str, dict[int, float]]  # "ae" / "adm" -> year -> factor
    los_relative: dict[int, float]  # year -> ICB stay / England stay, same age and sex
    footprint_type1: np.ndarray  # (footprints,) relative type 1 share
    non_emergency: dict[str, dict[int, np.ndarray]]  # component -> year -> (2, 91) rate
    month_share: dict[str, dict[int, np.ndarray]]  # "ae" / "adm" -> year -> (12,) share of the year's events
    betas: dict[str, float] = field(default_factory=dict)
    expected: dict = field(default_factory=dict)  # planted effects in expectation (manifest)

    def icb_lambda(self, pop_year: np.ndarray, measure_group: str, year: int) -> np.ndarray:
        """Expected events in the year, per ICB LSOA x sex x age (before the month share)."""
        measure = "ae_attendances_all" if measure_group == "ae" else "emergency_admissions"
        return (
            pop_year
            * self.england[measure][year][None, :, :]
            * self.mult[measure_group][:, None, None]
            * self.icb_factor[measure_group][year]
        )


def _month_shares(years: list[int]) -> dict[str, dict[int, np.ndarray]]:
    out: dict[str, dict[int, np.ndarray]] = {}
    for g in ("ae", "adm"):
        out[g] = {}
        for fy in years:
            days = np.array([days_in_month(m) for m in months(fy, fy)], dtype=float)
            w = days * np.array(params.SEASON_DAILY[g])
            if fy == 2020:
                shape = np.array(params.COVID_MONTHLY_2020[g])
                # keep the monthly shape, but make the year's total match the annual factor
                shape *= params.COVID_ANNUAL[g][2020] * w.sum() / (w * shape).sum()
                w = w * shape
            out[g][fy] = w / w.sum()
    return out


def _covid(group: str, year: int) -> float:
    return params.COVID_ANNUAL[group].get(year, 1.0)


def _solve_trend(counts_without: dict[int, float], target: float) -> float:
    """Annual log trend r such that counts grow by `target` from BASE_FY to COMPARE_FY."""
    b, c = params.BASE_FY, params.COMPARE_FY
    return float(np.log(target * counts_without[b] / counts_without[c]) / (c - b))


def _interp_factor(f_base: float, f_compare: float, year: int) -> float:
    b, c = params.BASE_FY, params.COMPARE_FY
    return float(f_base * (f_compare / f_base) ** ((year - b) / (c - b)))


def build_rates(area: IcbArea, pop: Population, scale: float, rng: np.random.Generator) -> Rates:
    """England's rates and the ICB's calibrated effects. `pop.years` must include BASE_FY and COMPARE_FY."""
    years = pop.years
    missing = [y for y in (params.BASE_FY, params.COMPARE_FY) if y not in years]
    if missing:
        raise ValueError(f"the rate model calibrates on FY{params.BASE_FY} and FY{params.COMPARE_FY}; "
                         f"the population lacks {missing}")
    b, c = params.BASE_FY, params.COMPARE_FY
    popE = {y: pop.england[y].astype(float) for y in years}
    popI = {y: pop.icb[y].astype(float) for y in years}

    # --- England shapes, normalised to the crude FY2018/19 targets ------------------------------------------------
    base = {
        "ae": np.vstack([params.interp_knots(params.AE_KNOTS[s]) for s in params.SEXES]),
        "adm": np.vstack([params.interp_knots(params.ADMISSION_KNOTS[s]) for s in params.SEXES]),
    }
    for g, measure in (("ae", "ae_attendances_all"), ("adm", "emergency_admissions")):
        base[g] *= params.ENGLAND_CRUDE_RATE_2018[measure] * popE[b].sum() / (popE[b] * base[g]).sum()
    share1 = np.tile(params.interp_knots(params.TYPE1_SHARE_KNOTS, log=False), (2, 1))
    type1_total = params.ENGLAND_CRUDE_RATE_2018["ae_attendances_type1"] * popE[b].sum()
    share1 *= type1_total / (popE[b] * base["ae"] * share1).sum()
    los = np.tile(params.interp_knots(params.LOS_KNOTS), (2, 1))
    los[1, 75:] *= params.LOS_FEMALE_OLD
    los *= params.ENGLAND_CRUDE_RATE_2018["emergency_bed_days"] * popE[b].sum() / (popE[b] * base["adm"] * los).sum()

    # --- England trends -------------------------------------------------------------------------------------------
    trend = {}
    for g, measure in (("ae", "ae_attendances_all"), ("adm", "emergency_admissions")):
        r = _solve_trend({y: (popE[y] * base[g]).sum() for y in (b, c)}, params.ENGLAND_GROWTH_TARGET[measure])
        trend[g] = {y: np.exp(r * (y - b)) for y in years}
    # type 1: the share of attendances drifts (UTCs grow); all attendances carry the overall trend
    r1 = float(np.log(params.ENGLAND_GROWTH_TARGET["ae_attendances_type1"]
                      * (popE[b] * base["ae"] * share1).sum() * trend["ae"][b]
                      / ((popE[c] * base["ae"] * share1).sum() * trend["ae"][c])) / (c - b))  # fmt: skip
    rb = float(np.log(params.ENGLAND_GROWTH_TARGET["emergency_bed_days"]
                      * (popE[b] * base["adm"] * los).sum() * trend["adm"][b]
                      / ((popE[c] * base["adm"] * los).sum() * trend["adm"][c])) / (c - b))  # fmt: skip

    england: dict[str, dict[int, np.ndarray]] = {m: {} for m in MEASURES}
    type1_share, los_england = {}, {}
    for y in years:
        england["ae_attendances_all"][y] = scale * base["ae"] * trend["ae"][y] * _covid("ae", y)
        type1_share[y] = np.minimum(share1 * np.exp(r1 * (y - b)), 0.95)
        england["ae_attendances_type1"][y] = england["ae_attendances_all"][y] * type1_share[y]
        england["emergency_admissions"][y] = scale * base["adm"] * trend["adm"][y] * _covid("adm", y)
        los_england[y] = los * np.exp(rb * (y - b))
        england["emergency_bed_days"][y] = england["emergency_admissions"][y] * los_england[y]
    england_activity = {m: {y: np.rint(to_bands(popE[y] * england[m][y])) for y in years} for m in MEASURES}

    # --- the ICB: deprivation multipliers (crude decile 1 / decile 10 ratio) ---------------------------------------
    n_lsoas = len(area)
    pct = area.imd_percentile
    decile = area.imd_decile
    hetero = {g: rng.lognormal(-0.5 * params.LSOA_HETEROGENEITY_SD**2, params.LSOA_HETEROGENEITY_SD, n_lsoas)
              for g in ("ae", "adm")}  # fmt: skip
    lo_dec, hi_dec = (1, 10) if (decile == 10).any() and (decile == 1).any() else (decile.min(), decile.max())
    mult, betas = {}, {}
    for g, measure in (("ae", "ae_attendances_all"), ("adm", "emergency_admissions")):
        base_l = (popI[c] * england[measure][c][None]).sum(axis=(1, 2)) * hetero[g]
        people = popI[c].sum(axis=(1, 2))

        def ratio(beta: float) -> float:
            e = base_l * np.exp(beta * (0.5 - pct))
            r_lo = e[decile == lo_dec].sum() / people[decile == lo_dec].sum()
            r_hi = e[decile == hi_dec].sum() / people[decile == hi_dec].sum()
            return r_lo / r_hi

        lo, hi = 0.0, 4.0
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if ratio(mid) < params.DEPRIVATION_RATE_RATIO_TARGET[measure] else (lo, mid)
        betas[g] = 0.5 * (lo + hi)
        mult[g] = np.exp(betas[g] * (0.5 - pct)) * hetero[g]
    mult["nonem"] = np.exp(0.2 * (0.5 - pct))

    # --- the ICB: yearly factors for the planted ISR and growth -------------------------------------------------------
    def expected_band(measure: str, y: int) -> float:
        """ICB expected count on England's band rates (what the pipeline computes)."""
        rate = england_activity[measure][y] / to_bands(popE[y])
        return float((to_bands(popI[y].sum(axis=0)) * rate).sum())

    icb_factor: dict[str, dict[int, float]] = {}
    for g, measure in (("ae", "ae_attendances_all"), ("adm", "emergency_admissions")):
        raw = {y: float((popI[y] * england[measure][y][None] * mult[g][:, None, None]).sum()) for y in years}
        f_c = params.ICB_ISR_TARGET[measure] / 100 * expected_band(measure, c) / raw[c]
        f_b = f_c * raw[c] / (raw[b] * params.ICB_GROWTH_TARGET[measure])
        icb_factor[g] = {y: _interp_factor(f_b, f_c, y) for y in years}

    # type 1 share by footprint, normalised so the ICB's type 1 share matches England's at its own age mix
    fp_raw = np.asarray(area.type1_factor, dtype=float)
    fp_of_lsoa = area.footprint
    lam_c = popI[c] * england["ae_attendances_all"][c][None] * mult["ae"][:, None, None]
    t1 = (lam_c * type1_share[c][None]).sum(axis=(1, 2))
    fp_t1 = fp_raw * t1.sum() / (t1 * fp_raw[fp_of_lsoa]).sum()

    # length of stay relative to England: planted bed-day growth, equal to England's stay in FY2023/24
    bdi = {y: float((popI[y] * england["emergency_admissions"][y][None] * los_england[y][None]
                     * mult["adm"][:, None, None]).sum() * icb_factor["adm"][y]) for y in years}  # fmt: skip
    rel_c = params.ICB_LOS_RELATIVE_2023
    rel_b = rel_c * bdi[c] / (params.ICB_GROWTH_TARGET["emergency_bed_days"] * bdi[b])
    los_relative = {y: _interp_factor(rel_b, rel_c, y) for y in years}

    # --- non-emergency spells: elective, maternity, other (transfers, babies born in hospital) -----------------------
    a = params.AGES.astype(float)
    elective = np.tile(params.interp_knots(params.ELECTIVE_KNOTS), (2, 1))
    elective[1] *= 1.05
    maternity = np.zeros((2, 91))
    maternity[1] = np.exp(-0.5 * ((a - 30) / 5.5) ** 2) * ((a >= 15) & (a <= 46))
    other = 0.25 * base["adm"] / base["adm"].mean()
    other[:, 0] += 40.0
    shapes = {"elective": elective, "maternity": maternity, "other": other}
    non_emergency: dict[str, dict[int, np.ndarray]] = {k: {} for k in shapes}
    for y in years:
        emergencies = float((popI[y] * england["emergency_admissions"][y][None] * mult["adm"][:, None, None]).sum()
                            * icb_factor["adm"][y])  # fmt: skip
        for k, shape in shapes.items():
            raw = float((popI[y] * shape[None] * mult["nonem"][:, None, None]).sum())
            target = emergencies * params.NON_EMERGENCY_SHARE * params.NON_EMERGENCY_COMPONENTS[k]
            non_emergency[k][y] = shape * target / raw

    zero_day = params.interp_knots(params.ZERO_DAY_KNOTS, log=False)

    rates = Rates(
        years=years,
        scale=scale,
        england=england,
        england_activity=england_activity,
        type1_share=type1_share,
        los_england=los_england,
        zero_day=zero_day,
        mult=mult,
        icb_factor=icb_factor,
        los_relative=los_relative,
        footprint_type1=fp_t1,
        non_emergency=non_emergency,
        month_share=_month_shares(years),
        betas=betas,
    )
    rates.expected = _expected(rates, popI, popE, england_activity, fp_of_lsoa, expected_band)
    return rates


def _expected(rates: Rates, popI, popE, england_activity, fp_of_lsoa, expected_band) -> dict:
    """The planted effects as the generator expects them (before Poisson noise)."""
    out: dict = {"icb_expected_counts": {}, "isr": {}, "england_counts": {}}
    for y in rates.years:
        lam_ae = rates.icb_lambda(popI[y], "ae", y)
        lam_adm = rates.icb_lambda(popI[y], "adm", y)
        p1 = rates.type1_share[y][None] * rates.footprint_type1[fp_of_lsoa][:, None, None]
        counts = {
            "ae_attendances_all": lam_ae.sum(),
            "ae_attendances_type1": (lam_ae * p1).sum(),
            "emergency_admissions": lam_adm.sum(),
            "emergency_bed_days": (lam_adm * rates.los_england[y][None]).sum() * rates.los_relative[y],
        }
        out["icb_expected_counts"][str(y)] = {m: round(float(v), 1) for m, v in counts.items()}
        out["isr"][str(y)] = {m: round(100 * float(counts[m]) / expected_band(m, y), 2) for m in MEASURES}
        out["england_counts"][str(y)] = {m: int(england_activity[m][y].sum()) for m in MEASURES}
    b, c = str(params.BASE_FY), str(params.COMPARE_FY)
    out["icb_growth"] = {m: round(out["icb_expected_counts"][c][m] / out["icb_expected_counts"][b][m] - 1, 4)
                         for m in MEASURES}  # fmt: skip
    out["england_growth"] = {m: round(out["england_counts"][c][m] / out["england_counts"][b][m] - 1, 4)
                             for m in MEASURES}  # fmt: skip
    out["deprivation_beta"] = {k: round(v, 4) for k, v in rates.betas.items()}
    out["icb_factor"] = {g: {str(y): round(v, 4) for y, v in d.items()} for g, d in rates.icb_factor.items()}
    out["los_relative"] = {str(y): round(v, 4) for y, v in rates.los_relative.items()}
    return out
