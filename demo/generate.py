"""`generate_demo_data`: build the demo world and write every raw file of docs/raw-formats.md."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from pipelines.config import PROJECT_DIR, load_profile
from demo import contract, params
from demo.activity import ActivityGenerator
from demo.area import demo_area
from demo.boundaries import write_boundaries
from demo.deprivation import build_deprivation, write_file7
from demo.gp import write_gp_files
from demo.jsna import write_fingertips
from demo.national import AeSitrep, write_england_activity
from demo.periods import fy_slash, months, stream
from demo.population import build_population, write_population
from demo.practices import build_practices
from demo.rates import build_rates
from demo.world import build_world, write_geography
from demo.writers import Writer, write_pandemic_decisions


def _resolve(profile_path: Path) -> Path:
    path = Path(profile_path)
    if not path.is_absolute() and not path.exists() and (PROJECT_DIR / path).exists():
        return PROJECT_DIR / path
    return path


def generate_demo_data(
    out_dir: Path,
    *,
    seed: int = 20260401,
    scale: float = 0.1,
    profile_path: Path = Path("config/profiles/demo.yaml"),
) -> dict:
    """Write the synthetic raw files of the demo ICB under `out_dir`; return (and save) a summary.

    Same seed and scale give byte-identical files. `scale` multiplies per-capita event rates in the ICB and in
    England alike (1.0 = ~850,000 attendances a year for the ICB); populations, practices and workforce do not
    scale. The summary lists every file with its rows, the ICB's population and records by year, and the
    planted effects with the values the generator expects for them.
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    seed = int(seed)
    profile = load_profile(_resolve(profile_path))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    writer = Writer(out_dir)
    years = profile.financial_years
    all_months = months(years[0], years[-1])

    world = build_world(profile, stream(seed, "world"))
    dep = build_deprivation(world, stream(seed, "deprivation"))
    pop = build_population(world, dep, years, stream(seed, "population"))
    write_geography(world, writer)
    write_boundaries(world, out_dir)  # synthetic LSOA polygons for the report's maps (not a validated source)
    write_file7(world, dep, pop.mid2015, writer)
    write_population(world, pop, writer)

    practices = build_practices(world, dep, pop, stream(seed, "practices"))
    gp_summary = write_gp_files(world, pop, practices, all_months, seed, writer)

    area = demo_area(world, dep)
    rates = build_rates(area, pop, scale, stream(seed, "rates"))
    write_england_activity(rates, writer)
    activity = ActivityGenerator(area, pop, rates, seed)
    sitrep = AeSitrep(world, rates, activity.icb_providers, seed)
    sitrep_totals: dict[int, dict[str, int]] = {}
    for month in all_months:
        counts = activity.month(month, writer)
        totals = sitrep.write_month(month, counts, writer)
        fy = month.year if month.month >= 4 else month.year - 1
        acc = sitrep_totals.setdefault(fy, {})
        for k, v in totals.items():
            acc[k] = acc.get(k, 0) + v

    write_pandemic_decisions(out_dir, all_months)
    jsna_summary = write_fingertips(world, dep, pop, seed, writer)

    icb = world.icb_lsoas
    deciles = dep.deciles["imd"][icb]
    summary = {
        "seed": seed,
        "scale": scale,
        "profile": profile.profile,
        "icb": {
            "ons_code": profile.icb_code,
            "nhs_code": profile.icb_nhs_code,
            "lsoas": int(len(icb)),
            "local_authorities": len(world.icb_las),
            "sub_icb_locations": len(world.icb_sicbls),
            "pcns": len(practices.pcn_code),
            "practices": practices.n,
            "providers": activity.icb_providers,
            "core20_lsoa_share": round(float((deciles <= 2).mean()), 4),
            "lsoas_by_imd_decile": {str(d): int((deciles == d).sum()) for d in range(1, 11)},
        },
        "england": {"lsoas": world.n_lsoas, "icbs": len(world.icb_ons), "sub_icb_locations": len(world.sicbl_ons),
                    "local_authorities": len(world.la_code)},  # fmt: skip
        "icb_population_by_year": {str(y): pop.icb_total(y) for y in years},
        "england_population_by_year": {str(y): pop.england_total(y) for y in years},
        "records_by_financial_year": {
            fy_slash(y): {k: v.get(y, 0) for k, v in activity.records.items()} for y in years
        },
        "ae_monthly_by_financial_year": {fy_slash(y): v for y, v in sorted(sitrep_totals.items())},
        "gp": {
            "gp_fte_qualified_relative_to_england_fy2023": gp_summary["gp_fte_qualified_relative_fy2023_mean"],
            "gp_fte_qualified_per_100k": gp_summary["gp_fte_qualified_per_100k"],
            "icb_registered": gp_summary["icb_registered"],
        },
        "jsna": jsna_summary,
        "planted": params.planted(),
        "expected": rates.expected,
    }
    summary["files"] = writer.summary()
    (out_dir / contract.MANIFEST).write_text(json.dumps(_plain(summary), indent=2, sort_keys=False) + "\n")
    return summary


def _plain(x):
    """JSON-safe copy (numpy scalars -> Python)."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, np.generic):
        return x.item()
    return x
