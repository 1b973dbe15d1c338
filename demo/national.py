"""England comparators: annual activity by age band and sex (HES-like), and the monthly A&E situation report.

Monthly England totals are the annual England activity spread by the same month shares as the ICB's records.
The ICB's trusts report their residents' activity (counted from the records) plus ~5% non-residents; the rest
of England's total is shared among the other providers (type 1 trusts, single-specialty hospitals, and
UTC/walk-in providers), so England = the sum of all providers, matching the annual file within rounding.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from demo import contract, params
from demo.activity import ProviderCounts
from demo.names import NameMaker
from demo.periods import fy_dash, fy_of, month_index_in_fy, stream
from demo.rates import BAND_LABELS, MEASURES, Rates
from demo.world import World

REGIONS = ("NHS ENGLAND LONDON", "NHS ENGLAND SOUTH EAST", "NHS ENGLAND SOUTH WEST", "NHS ENGLAND MIDLANDS",
           "NHS ENGLAND EAST OF ENGLAND", "NHS ENGLAND NORTH WEST", "NHS ENGLAND NORTH EAST AND YORKSHIRE")  # fmt: skip
NORTH_WEST = "NHS ENGLAND NORTH WEST"
MONTH_NAMES = ("JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER",
               "NOVEMBER", "DECEMBER")  # fmt: skip


def write_england_activity(rates: Rates, writer, years: list[int] | None = None) -> None:
    """England's activity by financial year, measure, ESP2013 band and sex, for `years` (default: all)."""
    rows = []
    for fy in rates.years if years is None else years:
        for measure in MEASURES:
            bands = rates.england_activity[measure][fy]  # (2, 19)
            for b, band in enumerate(BAND_LABELS):
                for s, sex in enumerate(("Male", "Female")):
                    rows.append((fy_dash(fy), measure, band, sex, int(bands[s, b])))
    frame = pl.DataFrame(rows, schema=list(contract.ENGLAND_ACTIVITY_COLUMNS), orient="row")
    writer.csv(contract.ENGLAND_ACTIVITY, frame, contract.ENGLAND_ACTIVITY_COLUMNS)


class AeSitrep:
    """The monthly provider-level A&E file for all of England."""

    def __init__(self, world: World, rates: Rates, icb_providers: list[str], seed: int):
        self.rates, self.seed = rates, seed
        rng = stream(seed, "ae-providers")
        names = NameMaker(rng)
        n = params.ENGLAND_PROVIDERS
        self.codes = [f"Z{i + 1:02d}" for i in range(n)]
        kind = np.array(["type1"] * params.TYPE1_PROVIDERS + ["type2"] * params.TYPE2_PROVIDERS
                        + ["other"] * (n - params.TYPE1_PROVIDERS - params.TYPE2_PROVIDERS))  # fmt: skip
        size = rng.lognormal(0, 0.45, n)
        self.w_t1 = np.where(kind == "type1", size, 0.0)
        self.w_t2 = np.where(kind == "type2", size, 0.0)
        self.w_other = np.where(kind == "type1", 0.45 * size, np.where(kind == "other", size, 0.0))
        self.w_adm_other = np.where(kind == "type1", size, 0.0)
        self.parent = [REGIONS[i] for i in rng.integers(len(REGIONS), size=n)]
        for code in params.OUT_OF_AREA_PROVIDERS:
            self.parent[self.codes.index(code)] = NORTH_WEST
        forms = {"type1": "DEMO {} HOSPITALS NHS TRUST", "type2": "DEMO {} EYE HOSPITAL NHS FOUNDATION TRUST",
                 "other": "DEMO {} COMMUNITY HEALTH SERVICES"}  # fmt: skip
        self.names = [forms[k].format(names.place().upper()) for k in kind]
        self.perf = rng.lognormal(0, 0.3, n)  # 4-hour performance: some trusts struggle more
        self.icb_providers = icb_providers
        fps = world.profile.footprints
        self.icb_names = [
            f"DEMO {(fps[i].name if i < len(fps) else code).upper()} HOSPITALS NHS FOUNDATION TRUST"
            for i, code in enumerate(icb_providers)
        ]
        self.icb_perf = rng.lognormal(0.1, 0.2, len(icb_providers))

    def england_month(self, month: dt.date) -> dict[str, int]:
        fy, mi = fy_of(month), month_index_in_fy(month)
        r = self.rates
        ae = r.month_share["ae"][fy][mi]
        adm = r.month_share["adm"][fy][mi]
        return {
            "all": int(round(r.england_activity["ae_attendances_all"][fy].sum() * ae)),
            "type1": int(round(r.england_activity["ae_attendances_type1"][fy].sum() * ae)),
            "admissions": int(round(r.england_activity["emergency_admissions"][fy].sum() * adm)),
        }

    def write_month(self, month: dt.date, icb: ProviderCounts, writer) -> dict[str, int]:
        label = month.strftime("%Y-%m")
        rng = stream(self.seed, "ae-month", label)
        fy, mi = fy_of(month), month_index_in_fy(month)
        winter = 1.25 if mi in (8, 9, 10, 11) else 1.0
        england = self.england_month(month)
        e_t1 = england["type1"]
        e_t2 = int(round(params.TYPE2_SHARE * england["all"]))
        e_other = england["all"] - e_t1 - e_t2
        e_via = params.VIA_AE_SHARE * england["admissions"]
        e_via_t1 = int(round(e_via * params.VIA_AE_TYPE1))
        e_via_other = int(round(e_via)) - e_via_t1
        e_adm_other = england["admissions"] - e_via_t1 - e_via_other

        # the ICB's trusts: residents (counted from the records) plus non-residents
        k = len(self.icb_providers)
        att = icb.attendances[:k].astype(np.int64)
        att = att + rng.poisson(params.NON_RESIDENT_SHARE * att)
        via = icb.admissions_via_ae[:k] + rng.poisson(params.NON_RESIDENT_SHARE * icb.admissions_via_ae[:k])
        via_t1 = rng.binomial(via, params.VIA_AE_TYPE1)
        via_oth = via - via_t1
        adm_other = icb.admissions_other[:k] + rng.poisson(params.NON_RESIDENT_SHARE * icb.admissions_other[:k])

        # everyone else shares what is left of England's totals
        def rest(total: int, used: int, weights: np.ndarray) -> np.ndarray:
            return rng.multinomial(max(total - int(used), 0), weights / weights.sum())

        t1 = np.concatenate([rest(e_t1, att[:, 0].sum(), self.w_t1), att[:, 0]])
        t2 = np.concatenate([rest(e_t2, att[:, 1].sum(), self.w_t2), att[:, 1]])
        oth = np.concatenate([rest(e_other, att[:, 2].sum(), self.w_other), att[:, 2]])
        a_t1 = np.concatenate([rest(e_via_t1, via_t1.sum(), self.w_t1 * (t1[: len(self.codes)] + 1)), via_t1])
        a_oth = np.concatenate([rest(e_via_other, via_oth.sum(), self.w_other + 1e-9), via_oth])
        a_not = np.concatenate([rest(e_adm_other, adm_other.sum(), self.w_adm_other), adm_other])
        perf = np.concatenate([self.perf, self.icb_perf])
        p4 = np.clip(params.TYPE1_OVER_4H[fy] * winter * perf, 0, 0.9)
        over_t1 = rng.binomial(t1, p4)
        over_t2 = rng.binomial(t2, np.clip(params.TYPE2_OVER_4H * perf, 0, 0.5))
        over_oth = rng.binomial(oth, np.clip(params.OTHER_OVER_4H * winter * perf, 0, 0.5))
        dta_4_12 = rng.binomial(a_t1, np.clip(params.DTA_4_12H[fy] * winter * perf, 0, 0.8))
        dta_12 = rng.binomial(a_t1 - dta_4_12, np.clip(params.DTA_12H_PLUS[fy] * winter * perf, 0, 0.5))

        codes = self.codes + self.icb_providers
        n = len(codes)
        frame = pl.DataFrame(
            {
                "Period": [f"MSitAE-{MONTH_NAMES[month.month - 1]}-{month.year}"] * n,
                "Org Code": codes,
                "Parent Org": self.parent + [NORTH_WEST] * k,
                "Org name": self.names + self.icb_names,
                "A&E attendances Type 1": t1,
                "A&E attendances Type 2": t2,
                "A&E attendances Other A&E Department": oth,
                "Attendances over 4hrs Type 1": over_t1,
                "Attendances over 4hrs Type 2": over_t2,
                "Attendances over 4hrs Other Department": over_oth,
                "Patients who have waited 4-12 hs from DTA to admission": dta_4_12,
                "Patients who have waited 12+ hrs from DTA to admission": dta_12,
                "Emergency admissions via A&E - Type 1": a_t1,
                "Emergency admissions via A&E - Type 2": np.zeros(n, dtype=np.int64),
                "Emergency admissions via A&E - Other A&E department": a_oth,
                "Other emergency admissions": a_not,
            }
        ).sort("Org Code")
        writer.csv(contract.ae_monthly(label), frame, contract.AE_MONTHLY_COLUMNS)
        return {
            "england_attendances": int(t1.sum() + t2.sum() + oth.sum()),
            "england_admissions": int(a_t1.sum() + a_oth.sum() + a_not.sum()),
            "icb_provider_attendances": int(att.sum()),
        }
