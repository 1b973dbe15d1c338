"""Benchmark for pipelines.stats: DSR over 50,000 groups x 19 bands, and 5,000 SII fits.

Run from the checkout:  uv run python bench/bench_stats.py [--reps 10000] [--groups 5000]

Wall time depends on what else the machine is doing; CPU time (all threads of the process) is printed
too.  Each phase runs in a fresh Python subprocess so its peak resident memory (ru_maxrss) is its own; the
numpy-allocation peak seen by tracemalloc is reported too.  Input generation is excluded from the timings.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _dsr_input(n_groups: int):
    import numpy as np
    import polars as pl

    from pipelines.stats import ESP2013

    rng = np.random.default_rng(42)
    bands = np.array(list(ESP2013))
    pops = rng.integers(20, 5_000, size=(n_groups, 19))
    base = np.linspace(0.0005, 0.15, 19)
    counts = rng.poisson(pops * base * rng.uniform(0.2, 2.0, size=(n_groups, 1)))
    return pl.DataFrame(
        {
            "area": np.repeat(np.arange(n_groups), 19),
            "age_band": np.tile(bands, n_groups),
            "count": counts.ravel(),
            "pop": pops.ravel(),
        }
    )


def _sii_input(n_groups: int, value_type: int):
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(7)
    k = 10
    pop = rng.integers(5_000, 40_000, size=(n_groups, k)).astype(float)
    grad = np.linspace(1.4, 0.7, k) * rng.uniform(0.8, 1.2, size=(n_groups, 1))
    if value_type == 0:  # life expectancy-like
        value = 78 + 6 * (1 - grad) + rng.normal(0, 0.5, size=(n_groups, k))
        se = rng.uniform(0.2, 1.5, size=(n_groups, k))
        extra = {"se": se.ravel()}
    else:  # rate per 100,000 with Byar's-like CLs
        value = 500 * grad
        half = 1.96 * np.sqrt(value * pop / 1e5) / pop * 1e5  # Poisson SE of the count, on the rate scale
        extra = {"lower": (value - half).ravel(), "upper": (value + half).ravel()}
    return pl.DataFrame(
        {
            "area": np.repeat(np.arange(n_groups), k),
            "decile": np.tile(np.arange(1, k + 1), n_groups),
            "pop": pop.ravel(),
            "value": value.ravel(),
            **extra,
        }
    )


def run_phase(phase: str, args) -> dict:
    from pipelines.stats import dsr, sii

    if phase == "dsr":
        df = _dsr_input(args.dsr_groups)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        cpu = time.process_time()
        t = time.perf_counter()
        out = dsr(df, group_by="area", age_band="age_band", count="count", population="pop")
        elapsed = time.perf_counter() - t
        cpu = time.process_time() - cpu
        info = {"groups": out.height, "rows_in": df.height, "suppressed": int(out["suppressed"].sum())}
    else:
        vt = 0 if phase == "sii_type0_se" else 1
        df = _sii_input(args.groups, vt)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        kw = dict(value="value", se="se") if vt == 0 else dict(value="value", lower_ci="lower", upper_ci="upper", value_type=1)
        tracemalloc.start()
        cpu = time.process_time()
        t = time.perf_counter()
        out = sii(df, group_by="area", quantile="decile", population="pop", repetitions=args.reps,
                  confidence=(0.95, 0.998), seed=1, **kw)
        elapsed = time.perf_counter() - t
        cpu = time.process_time() - cpu
        info = {"groups": out.height, "repetitions": args.reps, "quantiles": 10}
    _, peak_np = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"phase": phase, "seconds": elapsed, "cpu_seconds": cpu, "peak_rss_mib": rss_kib / 1024,
            "rss_before_mib": rss_before / 1024, "peak_traced_mib": peak_np / 2**20, **info}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dsr-groups", type=int, default=50_000)
    ap.add_argument("--groups", type=int, default=5_000, help="SII groups (fits)")
    ap.add_argument("--reps", type=int, default=10_000, help="SII Monte Carlo repetitions per fit")
    ap.add_argument("--repeat", type=int, default=3, help="runs per phase; the fastest is reported")
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(run_phase(args.phase, args)))
        return
    print(f"python {sys.version.split()[0]}, cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}; "
          f"fastest of {args.repeat} runs per phase, each in a fresh process")
    for phase in ("dsr", "sii_type0_se", "sii_type1_cl"):
        cmd = [sys.executable, __file__, "--phase", phase, "--dsr-groups", str(args.dsr_groups),
               "--groups", str(args.groups), "--reps", str(args.reps)]
        runs = [
            json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout.strip().splitlines()[-1])
            for _ in range(max(1, args.repeat))
        ]
        res = min(runs, key=lambda r: r["seconds"])
        res["peak_rss_mib"] = max(r["peak_rss_mib"] for r in runs)
        if phase == "dsr":
            what = f"DSR {res['groups']:,} groups x 19 bands ({res['rows_in']:,} rows), 95% + 99.8% limits"
        else:
            kind = "value_type=0, se given" if phase == "sii_type0_se" else "value_type=1 (log-normal draws), CLs"
            what = f"SII {res['groups']:,} fits x {res['repetitions']:,} reps, {kind}, 95% + 99.8%"
        print(f"{what}: {res['seconds']:.2f} s wall ({res['cpu_seconds']:.2f} s CPU, all threads); peak RSS {res['peak_rss_mib']:.0f} MiB "
              f"(process incl. imports and input; {res['rss_before_mib']:.0f} MiB before the call), "
              f"numpy/Python traced peak during the call {res['peak_traced_mib']:.0f} MiB")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
