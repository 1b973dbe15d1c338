"""Geography of the demo world: England's ICBs, sub-ICB locations, local authorities and LSOAs (2011).

The profile's ICB is laid out like Lancashire and South Cumbria (sub-ICB sizes, a deprived coast and
east, an affluent valley and lakes) under fictional names; the other 41 ICBs only need to exist, with codes,
so that the national lookup and IoD file cover all 32,844 LSOAs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pipelines.config import Profile
from demo import params
from demo.names import NameMaker

# Sub-ICB NHS code -> (centre x, y in km; local authorities: name, kind, LSOAs, deprivation level).
# Kind: UA unitary authority (E06), D district (E07). Deprivation level is a latent shift (+ = more deprived).
# "Prestbury" straddles Z1E and Z2M (as a real district can straddle two sub-ICB locations).
ICB_TEMPLATE: dict[str, tuple[tuple[float, float], list[tuple[str, str, int, float]]]] = {
    "Z0Q": ((24, 4), [("Blackbridge with Darwick", "UA", 92, 1.00)]),
    "Z1A": ((38, 12), [("Burnmoor", "D", 64, 1.05), ("Hyndfield", "D", 56, 0.85), ("Pendleford", "D", 64, 0.70),
                       ("Rossdale", "D", 52, 0.35)]),
    "Z0R": ((-22, 18), [("Blackmere", "UA", 95, 1.45)]),
    "Z2M": ((-12, 28), [("Fyldeham", "D", 50, -0.45), ("Wyreside", "D", 62, 0.05), ("Prestbury", "D", 8, 0.30)]),
    "Z0X": ((4, -4), [("Chorton", "D", 56, -0.30), ("South Ribbleton", "D", 49, -0.40)]),
    "Z1E": ((6, 14), [("Prestbury", "D", 82, 0.55), ("Ribble Vale", "D", 40, -1.10)]),
    "Z2G": ((-12, -12), [("Westholme", "D", 73, -0.05)]),
    "Z1K": ((2, 58), [("Lunesdale", "D", 92, 0.15), ("Kentmere Lakes", "D", 68, -0.95),
                      ("Barrowfield", "D", 55, 0.85)]),
}  # fmt: skip
ICB_TEMPLATE_LSOAS = 1058
REGION = {"ons": "E40990001", "nhs": "ZY1", "name": "North West"}
LA_PREFIX = {"UA": "E06", "D": "E07", "MD": "E08", "LB": "E09"}


@dataclass
class World:
    profile: Profile
    # ICBs (index 0 = the profile's ICB)
    icb_ons: list[str]
    icb_nhs: list[str]
    icb_name: list[str]
    # sub-ICB locations (indices 0..k-1 = the profile's, in footprint order)
    sicbl_ons: list[str]
    sicbl_nhs: list[str]
    sicbl_name: list[str]
    sicbl_icb: np.ndarray
    sicbl_footprint: np.ndarray  # footprint index for the profile's, -1 elsewhere
    # local authorities (the profile ICB's first)
    la_code: list[str]
    la_name: list[str]
    la_kind: list[str]
    la_level: np.ndarray  # latent deprivation level
    # LSOAs of England, sorted by code
    lsoa_code: np.ndarray
    lsoa_name: np.ndarray
    lsoa_la: np.ndarray
    lsoa_sicbl: np.ndarray
    lsoa_icb: np.ndarray
    # the profile ICB's LSOAs (indices into the England arrays, ascending = sorted by code) and their layout
    icb_lsoas: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    icb_x: np.ndarray = field(default_factory=lambda: np.zeros(0))
    icb_y: np.ndarray = field(default_factory=lambda: np.zeros(0))
    icb_core: np.ndarray = field(default_factory=lambda: np.zeros(0))  # 1 at a town centre, 0 far out
    neighbour_lsoas: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # other ICBs, nearby

    @property
    def n_lsoas(self) -> int:
        return len(self.lsoa_code)

    @property
    def icb_sicbls(self) -> list[int]:
        return [i for i, icb in enumerate(self.sicbl_icb) if icb == 0]

    @property
    def icb_las(self) -> list[int]:
        return sorted(set(self.lsoa_la[self.icb_lsoas].tolist()))


def _icb_short(name: str) -> str:
    return name.replace("Integrated Care Board", "ICB").strip()


def _nhs_icb_codes(n: int, taken: str) -> list[str]:
    """ZQ2 ... ZQ9, ZQA ... ZQZ, ZR1 ...: the demo range for ICBs other than the profile's."""
    codes = [f"ZQ{c}" for c in "23456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    codes += [f"ZR{c}" for c in "123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    return [c for c in codes if c != taken][:n]


def _nhs_sicbl_codes(n: int, taken: set[str]) -> list[str]:
    """Z3A ... Z9Z: a letter after a digit 3-9, so they never meet the profile's (Z0Q, Z1A, Z2M ...)."""
    codes = [f"Z{d}{c}" for d in "3456789" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    return [c for c in codes if c not in taken][:n]


def _split(total: int, weights: np.ndarray, minimum: int = 1) -> np.ndarray:
    """Integers summing to `total`, proportional to `weights`, each at least `minimum` (largest remainder)."""
    weights = np.asarray(weights, dtype=float)
    base = np.full(len(weights), minimum)
    rest = total - base.sum()
    raw = weights / weights.sum() * rest
    out = np.floor(raw).astype(int)
    order = np.argsort(-(raw - out), kind="stable")
    out[order[: rest - out.sum()]] += 1
    return base + out


def _profile_layout(profile: Profile, rng: np.random.Generator):
    """[(sub-ICB NHS code, footprint index, (cx, cy), [(LA name, kind, n LSOAs, level)])] for the profile's ICB."""
    subs = [(s, f) for f, fp in enumerate(profile.footprints) for s in fp.sub_icb_locations]
    if {s for s, _ in subs} == set(ICB_TEMPLATE):
        return [(s, f, ICB_TEMPLATE[s][0], ICB_TEMPLATE[s][1]) for s, f in subs]
    # Another profile: share the ICB's ~1,058 LSOAs out among its sub-ICB locations, 1-3 districts each.
    names = NameMaker(rng)
    sizes = _split(ICB_TEMPLATE_LSOAS, rng.uniform(0.6, 1.6, len(subs)), minimum=40)
    out = []
    for k, ((sub, f), n) in enumerate(zip(subs, sizes, strict=True)):
        angle = 2 * np.pi * k / len(subs)
        centre = (30 * np.cos(angle), 30 * np.sin(angle))
        n_la = int(min(3, max(1, n // 60)))
        la_sizes = _split(int(n), rng.uniform(0.7, 1.3, n_la), minimum=10)
        las = [(names.place(), "D", int(m), float(rng.normal(0.3, 0.7))) for m in la_sizes]
        out.append((sub, f, centre, las))
    return out


def build_world(profile: Profile, rng: np.random.Generator) -> World:
    layout = _profile_layout(profile, rng)
    names = NameMaker(rng, taken={la for _, _, _, las in layout for la, *_ in las})

    # --- ICBs --------------------------------------------------------------------------------------------------
    n_other_icbs = params.ENGLAND_ICBS - 1
    icb_ons = [profile.icb_code] + [c for c in (f"E5499{i:04d}" for i in range(2, n_other_icbs + 3))
                                    if c != profile.icb_code][:n_other_icbs]  # fmt: skip
    icb_nhs = [profile.icb_nhs_code] + _nhs_icb_codes(n_other_icbs, profile.icb_nhs_code)
    icb_name = [profile.icb_name]
    for _ in range(n_other_icbs):
        icb_name.append(f"NHS Demo {names.place()} and {names.place()} Integrated Care Board")

    # --- the profile ICB: sub-ICB locations, LAs, LSOAs ----------------------------------------------------------
    sicbl_ons, sicbl_nhs, sicbl_name, sicbl_icb, sicbl_fp = [], [], [], [], []
    la_index: dict[str, int] = {}
    la_code, la_name, la_kind, la_level = [], [], [], []
    kind_counter = {k: 0 for k in LA_PREFIX}
    # LSOA blocks: (la index, sub-ICB index, icb index, n, centre x, y, spread) in the order they are made
    blocks: list[tuple[int, int, int, int, float, float, float]] = []

    def add_la(name: str, kind: str, level: float) -> int:
        if name in la_index:
            return la_index[name]
        kind_counter[kind] += 1
        la_index[name] = len(la_code)
        la_code.append(f"{LA_PREFIX[kind]}99{kind_counter[kind]:04d}")
        la_name.append(name)
        la_kind.append(kind)
        la_level.append(level)
        return la_index[name]

    short = _icb_short(profile.icb_name)
    for k, (sub, f, (cx, cy), las) in enumerate(layout):
        sicbl_ons.append(f"E3899{k + 1:04d}")
        sicbl_nhs.append(sub)
        sicbl_name.append(f"{short} - {sub}")
        sicbl_icb.append(0)
        sicbl_fp.append(f)
        offsets = [(0.0, 0.0)] if len(las) == 1 else [
            (7 * np.cos(2 * np.pi * j / len(las)), 7 * np.sin(2 * np.pi * j / len(las))) for j in range(len(las))
        ]
        for (name, kind, n, level), (dx, dy) in zip(las, offsets, strict=True):
            la = add_la(name, kind, level)
            blocks.append((la, k, 0, n, cx + dx, cy + dy, 0.45 * np.sqrt(n)))
    n_icb_lsoas = sum(b[3] for b in blocks)

    # --- the rest of England ----------------------------------------------------------------------------------
    n_rest = params.ENGLAND_LSOAS - n_icb_lsoas
    icb_sizes = _split(n_rest, rng.lognormal(0, 0.45, n_other_icbs), minimum=300)
    n_other_subs = params.ENGLAND_SUB_ICBS - len(layout)
    subs_per_icb = _split(n_other_subs, icb_sizes.astype(float), minimum=1)
    kinds_by_icb = ["LB"] * 5 + ["MD"] * 8 + ["SHIRE"] * (n_other_icbs - 13)
    kinds_by_icb = [kinds_by_icb[i] for i in rng.permutation(n_other_icbs)]
    other_nhs = _nhs_sicbl_codes(n_other_subs, set(sicbl_nhs))
    sub_counter = 0
    for j in range(n_other_icbs):
        icb = j + 1
        icb_effect = rng.normal(0, 0.35)
        sub_sizes = _split(int(icb_sizes[j]), rng.uniform(0.6, 1.4, subs_per_icb[j]), minimum=60)
        for n_sub in sub_sizes:
            k = len(sicbl_ons)
            code = other_nhs[sub_counter]
            sub_counter += 1
            sicbl_ons.append(f"E3899{k + 1:04d}")
            sicbl_nhs.append(code)
            sicbl_name.append(f"{_icb_short(icb_name[icb])} - {code}")
            sicbl_icb.append(icb)
            sicbl_fp.append(-1)
            n_la = int(np.clip(round(n_sub / 110 + rng.uniform(-0.5, 0.5)), 1, 6))
            la_sizes = _split(int(n_sub), rng.uniform(0.6, 1.4, n_la), minimum=min(20, int(n_sub) // n_la))
            for m in la_sizes:
                kind = kinds_by_icb[j]
                if kind == "SHIRE":
                    kind = "UA" if rng.random() < 0.28 else "D"
                la = add_la(names.place(), kind, icb_effect + rng.normal(0, 0.55))
                blocks.append((la, k, icb, int(m), 0.0, 0.0, 0.0))

    # --- LSOA codes: local authorities in a shuffled order, LSOAs numbered within each (as ONS codes run) -------
    order = rng.permutation(len(blocks))
    n = params.ENGLAND_LSOAS
    lsoa_la = np.empty(n, dtype=np.int64)
    lsoa_sicbl = np.empty(n, dtype=np.int64)
    lsoa_icb = np.empty(n, dtype=np.int64)
    lsoa_name = np.empty(n, dtype=object)
    xs, ys = np.zeros(n), np.zeros(n)
    core = np.zeros(n)
    msoa_counter: dict[int, int] = {}
    pos = 0
    for b in order:
        la, sub, icb, m, cx, cy, spread = blocks[b]
        lsoa_la[pos : pos + m] = la
        lsoa_sicbl[pos : pos + m] = sub
        lsoa_icb[pos : pos + m] = icb
        start = msoa_counter.get(la, 0)
        for i in range(m):
            msoa = start + i // 5 + 1
            lsoa_name[pos + i] = f"{la_name[la]} {msoa:03d}{'ABCDE'[i % 5]}"
        msoa_counter[la] = start + (m + 4) // 5
        if icb == 0:
            # town centre at the LA centre; LSOAs denser near it
            r = spread * np.sqrt(rng.uniform(0, 1, m)) * rng.uniform(0.3, 1.0, m)
            theta = rng.uniform(0, 2 * np.pi, m)
            xs[pos : pos + m] = cx + r * np.cos(theta)
            ys[pos : pos + m] = cy + r * np.sin(theta)
            core[pos : pos + m] = np.exp(-((r / (0.5 * spread)) ** 2))
        pos += m
    lsoa_code = np.array([f"E01{900_000 + i + 1}" for i in range(n)], dtype=object)

    icb_lsoas = np.flatnonzero(lsoa_icb == 0)
    # A handful of LSOAs of two other ICBs "next door", for out-of-area registrations.
    neighbours = np.flatnonzero(np.isin(lsoa_icb, [1, 2]))
    neighbour_lsoas = np.sort(rng.choice(neighbours, size=min(120, len(neighbours)), replace=False))

    return World(
        profile=profile,
        icb_ons=icb_ons,
        icb_nhs=icb_nhs,
        icb_name=icb_name,
        sicbl_ons=sicbl_ons,
        sicbl_nhs=sicbl_nhs,
        sicbl_name=sicbl_name,
        sicbl_icb=np.array(sicbl_icb),
        sicbl_footprint=np.array(sicbl_fp),
        la_code=la_code,
        la_name=la_name,
        la_kind=la_kind,
        la_level=np.array(la_level),
        lsoa_code=lsoa_code,
        lsoa_name=lsoa_name,
        lsoa_la=lsoa_la,
        lsoa_sicbl=lsoa_sicbl,
        lsoa_icb=lsoa_icb,
        icb_lsoas=icb_lsoas,
        icb_x=xs[icb_lsoas],
        icb_y=ys[icb_lsoas],
        icb_core=core[icb_lsoas],
        neighbour_lsoas=neighbour_lsoas,
    )


def write_geography(world: World, writer) -> None:
    """ONS LSOA (2011) -> sub-ICB location -> ICB -> LAD lookup, every LSOA in England."""
    import polars as pl

    from demo import contract

    sub = world.lsoa_sicbl
    icb = world.lsoa_icb
    la = world.lsoa_la
    frame = pl.DataFrame(
        {
            "LSOA11CD": world.lsoa_code.tolist(),
            "LSOA11NM": world.lsoa_name.tolist(),
            "SICBL22CD": np.array(world.sicbl_ons, dtype=object)[sub].tolist(),
            "SICBL22CDH": np.array(world.sicbl_nhs, dtype=object)[sub].tolist(),
            "SICBL22NM": np.array(world.sicbl_name, dtype=object)[sub].tolist(),
            "ICB22CD": np.array(world.icb_ons, dtype=object)[icb].tolist(),
            "ICB22CDH": np.array(world.icb_nhs, dtype=object)[icb].tolist(),
            "ICB22NM": np.array(world.icb_name, dtype=object)[icb].tolist(),
            "LAD22CD": np.array(world.la_code, dtype=object)[la].tolist(),
            "LAD22NM": np.array(world.la_name, dtype=object)[la].tolist(),
        }
    )
    writer.csv(contract.GEOGRAPHY, frame, contract.GEOGRAPHY_COLUMNS)
