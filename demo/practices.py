"""GP practices and PCNs of the ICB, and where their patients live.

Each sub-ICB location gets practices in proportion to its population, sited in populous LSOAs; residents of
an LSOA register with nearby practices (an attractiveness x distance-decay kernel), almost always in their
own sub-ICB location. Practices are grouped into PCNs of neighbouring practices (angular sectors around the
sub-ICB centre, balanced on list size), so every PCN lies within one sub-ICB location.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo import params
from demo.deprivation import Deprivation
from demo.names import NameMaker
from demo.population import Population
from demo.world import World, _split

DISTANCE_SCALE_KM = 2.5
OTHER_SUB_ICB_WEIGHT = 0.03
MIN_SHARE = 0.003


@dataclass
class Practices:
    code: list[str]
    name: list[str]
    postcode: list[str]
    sicbl: np.ndarray  # index into world's sub-ICB locations
    pcn: np.ndarray  # index into pcn_code
    pcn_code: list[str]
    pcn_name: list[str]
    shares: np.ndarray  # (ICB LSOAs, practices): share of the LSOA's residents registered at each practice
    out_lsoas: np.ndarray  # (practices, 3): other-ICB LSOAs some of its patients live in
    out_frac: np.ndarray  # (practices,): patients living outside the ICB, per patient living inside
    dep_z: np.ndarray  # list-weighted deprivation of the practice population
    training: np.ndarray  # bool: a GP training practice

    @property
    def n(self) -> int:
        return len(self.code)


def build_practices(world: World, dep: Deprivation, pop: Population, rng: np.random.Generator) -> Practices:
    icb = world.icb_lsoas
    subs = world.icb_sicbls
    lsoa_sub = world.lsoa_sicbl[icb]
    people = pop.icb[pop.years[0]].sum(axis=(1, 2)).astype(float)
    sub_pop = np.array([people[lsoa_sub == k].sum() for k in subs])
    n_pcn = _split(params.PCNS, sub_pop, minimum=1)
    n_prac = _split(params.PRACTICES, sub_pop, minimum=0)
    n_prac = np.maximum(n_prac, 2 * n_pcn)

    names = NameMaker(rng)
    site_lsoa, prac_sub = [], []
    for k, sub in enumerate(subs):
        members = np.flatnonzero(lsoa_sub == sub)
        w = people[members] * (1 + 2 * world.icb_core[members])
        chosen = rng.choice(members, size=int(n_prac[k]), replace=False, p=w / w.sum())
        site_lsoa.extend(chosen.tolist())
        prac_sub.extend([sub] * len(chosen))
    site_lsoa = np.array(site_lsoa)
    prac_sub = np.array(prac_sub)
    n = len(site_lsoa)
    px = world.icb_x[site_lsoa] + rng.normal(0, 0.3, n)
    py = world.icb_y[site_lsoa] + rng.normal(0, 0.3, n)
    attract = rng.lognormal(0, 0.55, n)

    # registration shares: attractiveness x distance decay, nearly all within the sub-ICB location
    d = np.hypot(world.icb_x[:, None] - px[None, :], world.icb_y[:, None] - py[None, :])
    w = attract[None, :] * np.exp(-d / DISTANCE_SCALE_KM)
    w *= np.where(lsoa_sub[:, None] == prac_sub[None, :], 1.0, OTHER_SUB_ICB_WEIGHT)
    w /= w.sum(axis=1, keepdims=True)
    keep = (w >= MIN_SHARE) | (w == w.max(axis=1, keepdims=True))
    w = np.where(keep, w, 0.0)
    shares = w / w.sum(axis=1, keepdims=True) * (1 - params.REGISTERED_OUTSIDE_ICB)

    # PCNs: sectors around each sub-ICB centre, balanced on list size
    lists = shares.T @ people
    pcn = np.empty(n, dtype=np.int64)
    next_pcn = 0
    for k, sub in enumerate(subs):
        members = np.flatnonzero(prac_sub == sub)
        cx, cy = px[members].mean(), py[members].mean()
        angle = np.arctan2(py[members] - cy, px[members] - cx)
        order = members[np.argsort(angle, kind="stable")]
        cum = np.cumsum(lists[order]) / lists[order].sum()
        group = np.minimum((cum * n_pcn[k] - 1e-9).astype(int), n_pcn[k] - 1)
        # every PCN gets at least one practice
        for g in range(n_pcn[k]):
            if not (group == g).any():
                group[np.argmin(np.abs(cum - (g + 0.5) / n_pcn[k]))] = g
        pcn[order] = next_pcn + group
        next_pcn += int(n_pcn[k])

    # codes: practices in a shuffled order (ODS codes say nothing about place), PCNs in sub-ICB order
    perm = rng.permutation(n)
    code = [""] * n
    for rank, i in enumerate(perm):
        code[i] = f"Z9{rank + 1:04d}"
    pcn_code = [f"UZ{i + 1:04d}" for i in range(next_pcn)]
    pcn_name = [f"{names.place().upper()} PCN" for _ in range(next_pcn)]
    prac_name = [names.practice(names.place()).upper() for _ in range(n)]
    postcode = []
    seen: set[str] = set()
    for i in range(n):
        while True:
            letters = chr(65 + rng.integers(26)) + chr(65 + rng.integers(26))
            pc = f"ZZ{subs.index(prac_sub[i]) + 1} {rng.integers(10)}{letters}"
            if pc not in seen:
                seen.add(pc)
                postcode.append(pc)
                break

    neighbours = world.neighbour_lsoas
    out_lsoas = np.vstack([rng.choice(neighbours, 3, replace=False) for _ in range(n)])
    out_frac = rng.gamma(2.0, params.OUT_OF_AREA_REGISTRANTS / 2.0, n)
    z = dep.z[icb]
    dep_z = (shares * (people * z)[:, None]).sum(axis=0) / (shares * people[:, None]).sum(axis=0)
    return Practices(
        code=code,
        name=prac_name,
        postcode=postcode,
        sicbl=prac_sub,
        pcn=pcn,
        pcn_code=pcn_code,
        pcn_name=pcn_name,
        shares=shares,
        out_lsoas=out_lsoas,
        out_frac=out_frac,
        dep_z=dep_z,
        training=rng.random(n) < 0.45,
    )
