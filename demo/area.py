"""The ICB as the rate model and the record generator see it, whichever world it comes from.

`rates.build_rates` and `activity.ActivityGenerator` need only the ICB's LSOAs (codes, national IMD position,
footprint), its providers and where each footprint's residents are treated. Two worlds feed them: the
synthetic demo world (`demo_area`, from `world` and `deprivation`) and the real geography of an ICB read
from the public files (`real_geography`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from demo import params
from demo.deprivation import Deprivation
from demo.world import World


@dataclass
class IcbArea:
    lsoa_codes: list[str]  # the ICB's LSOAs, in the order of the population arrays
    footprint: np.ndarray  # (LSOAs,) footprint index of each LSOA
    n_footprints: int
    imd_percentile: np.ndarray  # (LSOAs,) (national IMD rank - 0.5) / LSOAs in England: 0 = most deprived
    imd_decile: np.ndarray  # (LSOAs,) national IMD decile, 1 = most deprived
    providers: list[str]  # the ICB's providers first, then those outside it
    n_icb_providers: int
    provider_probs: np.ndarray  # (footprints, providers): where each footprint's residents are treated
    type2_ok: np.ndarray  # (providers,) True where a single-specialty (type 2) department exists
    type1_factor: np.ndarray  # (footprints,) relative type 1 share, before build_rates normalises it
    # a provider code replaced by its successor from a date on: code -> (first day, successor code)
    successions: dict[str, tuple[dt.date, str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.lsoa_codes)

    @property
    def icb_providers(self) -> list[str]:
        return self.providers[: self.n_icb_providers]

    def provider_codes(self, month: dt.date) -> list[str]:
        """Provider codes in force in `month`: a merged trust's activity is recorded under its successor."""
        out = []
        for code in self.providers:
            for _ in range(10):  # follow A -> B -> C; a cycle stops here
                if code not in self.successions or month < self.successions[code][0]:
                    break
                code = self.successions[code][1]
            out.append(code)
        return out


def demo_area(world: World, dep: Deprivation) -> IcbArea:
    """The demo world's ICB (its profile's providers, or ZA1 ... ZA5, plus three neighbouring trusts)."""
    icb = world.icb_lsoas
    n_fp = len(world.profile.footprints)
    icb_providers = list(world.profile.providers) or [f"ZA{i + 1}" for i in range(5)]
    # provider choice by footprint: home trust, the ICB's other trusts, neighbouring trusts outside the ICB
    n_icb, n_out = len(icb_providers), len(params.OUT_OF_AREA_PROVIDERS)
    out_share = params.FOOTPRINT_OUT_OF_AREA if n_fp == len(params.FOOTPRINT_OUT_OF_AREA) else [0.03] * n_fp
    probs = np.zeros((n_fp, n_icb + n_out))
    for f in range(n_fp):
        home = f % n_icb
        others = [p for p in range(n_icb) if p != home]
        probs[f, home] = 1 - params.OTHER_ICB_PROVIDER_SHARE - out_share[f]
        probs[f, others] = params.OTHER_ICB_PROVIDER_SHARE / max(len(others), 1)
        probs[f, n_icb:] = out_share[f] / n_out
    type2_ok = np.zeros(n_icb + n_out, dtype=bool)
    type2_ok[[i for i in params.TYPE2_PROVIDER_INDICES if i < n_icb]] = True
    type1 = np.array([params.FOOTPRINT_TYPE1_FACTOR[i] if n_fp == len(params.FOOTPRINT_TYPE1_FACTOR) else 1.0
                      for i in range(n_fp)])  # fmt: skip
    return IcbArea(
        lsoa_codes=world.lsoa_code[icb].tolist(),
        footprint=world.sicbl_footprint[world.lsoa_sicbl[icb]],
        n_footprints=n_fp,
        imd_percentile=dep.percentile[icb],
        imd_decile=dep.deciles["imd"][icb],
        providers=icb_providers + list(params.OUT_OF_AREA_PROVIDERS),
        n_icb_providers=n_icb,
        provider_probs=probs,
        type2_ok=type2_ok,
        type1_factor=type1,
    )
