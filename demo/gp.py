"""GP files: practice mapping, registered patients (by age and sex monthly, by LSOA quarterly), practice workforce
monthly and England's workforce time series.

Registered lists follow the residents (interpolated between mid-years) times list inflation (patients who have
moved away are still on lists: more at ages 20-39). Qualified GP FTE per registered patient is England's times
a relative factor that falls from GP_RELATIVE_FIRST to GP_RELATIVE_TARGET_FY2023 (the FY2023/24 mean), so the
ICB has ~12.5% fewer GPs per patient and has lost them faster since 2018.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from demo import contract, params
from demo.periods import month_end, stream
from demo.population import Population, england_at, mid_year_weights
from demo.practices import Practices
from demo.world import REGION, World
from demo.writers import fixed

PUBLICATION = "GP_PRAC_PAT_LIST"
# relative list inflation by age (0..90): students and young adults move most without re-registering
_A = params.AGES.astype(float)
INFLATION_WEIGHT = np.interp(_A, [0, 15, 20, 27, 35, 50, 80, 90], [0.6, 0.8, 2.0, 2.4, 1.2, 0.6, 0.6, 1.2])


def extract_date(month: dt.date) -> str:
    return month.strftime("01%b%Y")


def _lerp(pair: tuple[float, float], t: float) -> float:
    return pair[0] + (pair[1] - pair[0]) * t


class Registrations:
    """Registered patients by practice, sex and age, and inflated residents by LSOA, on the first of any month.

    Practice x age matrices are computed once per mid-year and interpolated between them, as the residents are.
    """

    def __init__(self, pop: Population, pr: Practices):
        self.pop, self.pr = pop, pr
        self.in_icb = {}  # mid-year -> (practices, 2, 91) residents registered in the ICB
        self.lsoa_total, self.lsoa_weighted = {}, {}  # mid-year -> (LSOAs,)
        for year, residents in pop.icb.items():
            flat = residents.reshape(len(residents), -1).astype(float)
            self.in_icb[year] = (pr.shares.T @ flat).reshape(pr.n, 2, 91)
            self.lsoa_total[year] = residents.sum(axis=(1, 2)).astype(float)
            self.lsoa_weighted[year] = (residents.sum(axis=1) * INFLATION_WEIGHT[None, :]).sum(axis=1)

    def at(self, month: dt.date, t: float):
        """(practice x sex x age counts as floats, LSOA inflated residents); `t` runs 0 (first month) .. 1 (last)."""
        y0, y1, f = mid_year_weights(self.pop.years, month)
        lerp = lambda d: np.clip((1 - f) * d[y0] + f * d[y1], 0, None)  # noqa: E731
        in_icb, total, weighted = lerp(self.in_icb), lerp(self.lsoa_total), lerp(self.lsoa_weighted)
        out = 1 + self.pr.out_frac
        x0 = in_icb.sum(axis=(1, 2)) @ out
        x1 = (in_icb.sum(axis=1) * INFLATION_WEIGHT[None, :]).sum(axis=1) @ out
        target = _lerp(params.REGISTERED_TO_RESIDENT, t) * total.sum()
        b = (target - x0) / x1
        factor = 1 + b * INFLATION_WEIGHT
        by_age = in_icb * factor[None, None, :] * out[:, None, None]
        return by_age, total + b * weighted


def _quinary(by_age: np.ndarray) -> np.ndarray:
    """(practices, 2, 91) -> (practices, 2, 20): 0_4 ... 85_89, 90_94, 95+ (90+ split 80:20)."""
    out = np.zeros(by_age.shape[:2] + (20,))
    for b in range(18):
        out[:, :, b] = by_age[:, :, 5 * b : 5 * b + 5].sum(axis=2)
    out[:, :, 18] = by_age[:, :, 90] * 0.8
    out[:, :, 19] = by_age[:, :, 90] * 0.2
    return out


def write_gp_files(world: World, pop: Population, pr: Practices, months: list[dt.date], seed: int, writer) -> dict:
    """Every GP file; returns a summary (list sizes, GP FTE ratio) for the manifest."""
    subs_ons = np.array(world.sicbl_ons, dtype=object)
    subs_nhs = np.array(world.sicbl_nhs, dtype=object)
    subs_name = np.array(world.sicbl_name, dtype=object)
    order = np.argsort(np.array(pr.code))  # rows sorted by practice code
    code = np.array(pr.code, dtype=object)[order]
    name = np.array(pr.name, dtype=object)[order]
    postcode = np.array(pr.postcode, dtype=object)[order]
    sub = pr.sicbl[order]
    pcn = pr.pcn[order]
    pcn_code = np.array(pr.pcn_code, dtype=object)[pcn]
    pcn_name = np.array(pr.pcn_name, dtype=object)[pcn]
    prof = world.profile

    last = months[-1]
    writer.csv(
        contract.GP_MAP,
        pl.DataFrame(
            {
                "PUBLICATION": [PUBLICATION] * pr.n,
                "EXTRACT_DATE": [extract_date(last)] * pr.n,
                "PRACTICE_CODE": code.tolist(),
                "PRACTICE_NAME": name.tolist(),
                "PRACTICE_POSTCODE": postcode.tolist(),
                "PCN_CODE": pcn_code.tolist(),
                "PCN_NAME": pcn_name.tolist(),
                "ONS_CCG_CODE": subs_ons[sub].tolist(),
                "CCG_CODE": subs_nhs[sub].tolist(),
                "CCG_NAME": subs_name[sub].tolist(),
                "ONS_STP_CODE": [prof.icb_code] * pr.n,
                "STP_CODE": [prof.icb_nhs_code] * pr.n,
                "STP_NAME": [prof.icb_name] * pr.n,
                "ONS_COMM_REGION_CODE": [REGION["ons"]] * pr.n,
                "COMM_REGION_CODE": [REGION["nhs"]] * pr.n,
                "COMM_REGION_NAME": [REGION["name"]] * pr.n,
            }
        ),
        contract.GP_MAP_COLUMNS,
    )

    rng = stream(seed, "gp-workforce")
    n = pr.n
    # persistent practice staffing levels (inverse care law: fewer GPs per patient in deprived practices)
    eff = {
        "GPs excl. trainees and locums": rng.lognormal(0, 0.25, n) * np.exp(-0.10 * pr.dep_z),
        "GP trainees": rng.lognormal(0, 0.35, n) * pr.training,
        "Locums": rng.lognormal(0, 0.8, n),
        "Nurses": rng.lognormal(0, 0.25, n),
        "Direct patient care": rng.lognormal(0, 0.35, n),
        "Admin/non-clinical": rng.lognormal(0, 0.15, n),
    }
    walk = {g: np.zeros(n) for g in eff}
    icb_lsoa_codes = world.lsoa_code[world.icb_lsoas]
    n_months = len(months)
    fy2023 = [i for i, m in enumerate(months) if (m.year, m.month) >= (params.COMPARE_FY, 4)
              and (m.year, m.month) <= (params.COMPARE_FY + 1, 3)]  # fmt: skip
    centre = float(np.mean(fy2023)) if fy2023 else n_months - 1
    slope = (params.GP_RELATIVE_TARGET_FY2023 - params.GP_RELATIVE_FIRST) / centre
    gpw_static = pl.DataFrame(
        {
            "PRAC_CODE": code.tolist(),
            "PRAC_NAME": name.tolist(),
            "SUB_ICB_CODE": subs_nhs[sub].tolist(),
            "SUB_ICB_NAME": subs_name[sub].tolist(),
            "ICB_CODE": [prof.icb_nhs_code] * n,
            "ICB_NAME": [prof.icb_name] * n,
            "PCN_CODE": pcn_code.tolist(),
            "PCN_NAME": pcn_name.tolist(),
        }
    )
    national_rows = []
    rows = n * 2 * 20
    per_practice = np.repeat(np.arange(n), 40)
    quin_template = pl.DataFrame(
        {
            "PUBLICATION": pl.repeat(PUBLICATION, rows, eager=True),
            "EXTRACT_DATE": pl.repeat("", rows, eager=True),
            "TYPE": pl.repeat("GP", rows, eager=True),
            "CCG_CODE": pl.Series(subs_nhs[sub].tolist()).gather(per_practice),
            "ONS_CCG_CODE": pl.Series(subs_ons[sub].tolist()).gather(per_practice),
            "ORG_CODE": pl.Series(code.tolist()).gather(per_practice),
            "POSTCODE": pl.Series(postcode.tolist()).gather(per_practice),
            "SEX": pl.Series(["MALE", "FEMALE"]).gather(np.tile(np.repeat([0, 1], 20), n)),
            "AGE_GROUP_5": pl.Series(list(contract.AGE_GROUPS_5)).gather(np.tile(np.arange(20), 2 * n)),
            "NUMBER_OF_PATIENTS": pl.repeat(0, rows, eager=True, dtype=pl.Int64),
        }
    )
    registrations = Registrations(pop, pr)
    summary = {"icb_registered": {}, "england_registered": {}, "gp_fte_qualified_per_100k": {}}
    for i, month in enumerate(months):
        t = i / max(n_months - 1, 1)
        label = month.strftime("%Y-%m")
        by_age, lsoa_inflated = registrations.at(month, t)
        quin = np.rint(_quinary(by_age)).astype(np.int64)[order]  # (P, 2, 20)
        total_patients = quin.sum(axis=(1, 2))
        writer.csv(
            contract.gp_quin_age(label),
            quin_template.with_columns(
                pl.lit(extract_date(month)).alias("EXTRACT_DATE"),
                pl.Series("NUMBER_OF_PATIENTS", quin.reshape(-1)),
            ),
            contract.GP_QUIN_AGE_COLUMNS,
        )

        if month.month in contract.GP_LSOA_MONTHS:
            _write_lsoa_file(world, pr, month, label, lsoa_inflated, icb_lsoa_codes, writer)

        # --- workforce ------------------------------------------------------------------------------------------
        registered_e = england_at(pop, month) * _lerp(params.ENGLAND_REGISTERED_TO_RESIDENT, t)
        registered_e = int(round(registered_e))
        rel_gp = params.GP_RELATIVE_FIRST + slope * i
        fte = {}
        for g, level in eff.items():
            walk[g] = 0.9 * walk[g] + rng.normal(0, 0.03 if g != "Locums" else 0.25, n)
            rel = rel_gp if g == "GPs excl. trainees and locums" else params.ICB_OTHER_STAFF_RELATIVE[g]
            target = rel * _lerp(params.ENGLAND_PER_100K[g], t) / 1e5 * total_patients.sum()
            weight = total_patients * level[order] * np.exp(walk[g][order])
            fte[g] = np.round(weight / weight.sum() * target, 2) + 0.0
        all_gps = np.round(fte["GPs excl. trainees and locums"] + fte["GP trainees"] + fte["Locums"], 2)
        headcount = np.ceil(sum(fte[g] * params.HEADCOUNT_PER_FTE[g]
                                for g in ("GPs excl. trainees and locums", "GP trainees", "Locums")) - 0.3)  # fmt: skip
        headcount = np.where(all_gps > 0, np.maximum(headcount, 1), 0).astype(np.int64)
        writer.csv(
            contract.gpw_practice(label),
            pl.concat(
                [gpw_static, pl.DataFrame(
                {
                    "TOTAL_PATIENTS": total_patients,
                    "TOTAL_GP_HC": headcount,
                    "TOTAL_GP_FTE": fixed(all_gps, 2),
                    "TOTAL_GP_EXTGL_FTE": fixed(fte["GPs excl. trainees and locums"], 2),
                    "TOTAL_GP_TRN_GR_FTE": fixed(fte["GP trainees"], 2),
                    "TOTAL_LOCUUM_TRN_FTE": fixed(fte["Locums"], 2),
                    "TOTAL_NURSES_FTE": fixed(fte["Nurses"], 2),
                    "TOTAL_DPC_FTE": fixed(fte["Direct patient care"], 2),
                    "TOTAL_ADMIN_FTE": fixed(fte["Admin/non-clinical"], 2),
                }
                )],
                how="horizontal",
            ),
            contract.GPW_PRACTICE_COLUMNS,
        )

        # England time series
        eng = {g: _lerp(params.ENGLAND_PER_100K[g], t) / 1e5 * registered_e for g in params.ENGLAND_PER_100K}
        eng_hc = {g: eng[g] * params.HEADCOUNT_PER_FTE[g] for g in eng}
        parts = ("GPs excl. trainees and locums", "GP trainees", "Locums")
        eng["All GPs"] = sum(eng[g] for g in parts)
        eng_hc["All GPs"] = 0.97 * sum(eng_hc[g] for g in parts)
        census = month_end(month).isoformat()
        for g in contract.GPW_STAFF_GROUPS:
            national_rows.append((census, g, round(eng[g], 2), int(round(eng_hc[g]))))
        national_rows.append((census, "Registered patients", None, registered_e))

        summary["icb_registered"][label] = int(total_patients.sum())
        summary["england_registered"][label] = registered_e
        summary["gp_fte_qualified_per_100k"][label] = {
            "icb": round(float(fte["GPs excl. trainees and locums"].sum() / total_patients.sum() * 1e5), 3),
            "england": round(eng["GPs excl. trainees and locums"] / registered_e * 1e5, 3),
        }

    national = pl.DataFrame(
        {
            "CENSUS_DATE": [r[0] for r in national_rows],
            "STAFF_GROUP": [r[1] for r in national_rows],
            "FTE": fixed([np.nan if r[2] is None else r[2] for r in national_rows], 2),
            "HEADCOUNT": [r[3] for r in national_rows],
        }
    )
    writer.csv(contract.GPW_NATIONAL, national, contract.GPW_NATIONAL_COLUMNS)
    ratios = [v["icb"] / v["england"] for k, v in summary["gp_fte_qualified_per_100k"].items()
              if k.startswith(f"{params.COMPARE_FY}-") and int(k[5:]) >= 4
              or k.startswith(f"{params.COMPARE_FY + 1}-") and int(k[5:]) <= 3]  # fmt: skip
    summary["gp_fte_qualified_relative_fy2023_mean"] = round(float(np.mean(ratios)), 4) if ratios else None
    return summary


def _write_lsoa_file(world, pr, month, label, lsoa_inflated, icb_lsoa_codes, writer) -> None:
    counts = np.rint(pr.shares * lsoa_inflated[:, None])  # (L, P)
    l_idx, p_idx = np.nonzero(counts > 0)
    values = counts[l_idx, p_idx].astype(np.int64)
    lsoa_codes = icb_lsoa_codes[l_idx]
    practices = p_idx
    # patients living just outside the ICB
    inside = np.bincount(p_idx, weights=values, minlength=pr.n)
    out = np.rint(inside[:, None] * pr.out_frac[:, None] * np.array([0.5, 0.3, 0.2])[None, :]).astype(np.int64)
    op, oj = np.nonzero(out > 0)
    lsoa_codes = np.concatenate([lsoa_codes, world.lsoa_code[pr.out_lsoas[op, oj]]])
    practices = np.concatenate([practices, op])
    values = np.concatenate([values, out[op, oj]])
    rows = len(values)
    frame = pl.DataFrame(
        {
            "PUBLICATION": pl.repeat(PUBLICATION, rows, eager=True),
            "EXTRACT_DATE": pl.repeat(extract_date(month), rows, eager=True),
            "PRACTICE_CODE": pl.Series(pr.code).gather(practices),
            "PRACTICE_NAME": pl.Series(pr.name).gather(practices),
            "LSOA_CODE": pl.Series(lsoa_codes.tolist()),
            "SEX": pl.repeat("ALL", rows, eager=True),
            "NUMBER_OF_PATIENTS": values,
        }
    ).sort(["PRACTICE_CODE", "LSOA_CODE"])
    writer.csv(contract.gp_lsoa(label), frame, contract.GP_LSOA_COLUMNS)
