"""Benchmark: generate the demo world at a given scale and materialise every asset, then re-run one month of
activity (its partitions replaced, everything downstream rebuilt and published); print wall times and peak memory.

    uv run python bench/bench_pipeline.py --scale 1.0          # a real ICB's volumes (~7.4 million records)
    uv run python bench/bench_pipeline.py --scale 0.1 --keep   # the default demo volume

Peak memory is this process's maximum resident set size (the whole pipeline runs in-process).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.config import DEFAULT_PROFILE  # noqa: E402
from demo import generate_demo_data  # noqa: E402
from pipelines.platform.definitions import demo_graph  # noqa: E402

ALL_ASSETS, _ = demo_graph()
from pipelines.config import DEFAULT_PROFILE, load_profile  # noqa: E402
from assets.partitions import partitionings  # noqa: E402

MONTHLY = partitionings(load_profile(DEFAULT_PROFILE).first_month)["month"]
ACTIVITY_MONTHS = MONTHLY.definition
from pipelines.platform.run import materialize_all, partitioned_keys, partitions_with_files  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def directory_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def summary_last_month(raw_dir: Path) -> str:
    """The last month with activity files (the month a monthly refresh would run)."""
    return partitions_with_files(MONTHLY, raw_dir)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ina-bench-"))
    raw_dir, marts_dir = work / "raw", work / "marts"
    try:
        started = time.perf_counter()
        summary = generate_demo_data(raw_dir, seed=args.seed, scale=args.scale, profile_path=DEFAULT_PROFILE)
        generated = time.perf_counter()
        generate_rss = peak_rss_mb()
        ok = materialize_all(raw_dir=raw_dir, marts_dir=marts_dir, profile=DEFAULT_PROFILE,
                             instance=dg.DagsterInstance.ephemeral(), echo=lambda _: None)
        finished = time.perf_counter()
        month = summary_last_month(raw_dir)
        one_month_ok = materialize_all(raw_dir=raw_dir, marts_dir=marts_dir, profile=DEFAULT_PROFILE,
                                       ranges={"month": (month, month)}, instance=dg.DagsterInstance.ephemeral(),
                                       echo=lambda _: None)
        month_done = time.perf_counter()
        monthly_assets = dg.AssetSelection.assets(*partitioned_keys(ALL_ASSETS, ACTIVITY_MONTHS))
        materialize_all(raw_dir=raw_dir, marts_dir=marts_dir, profile=DEFAULT_PROFILE, selection=monthly_assets,
                        ranges={"month": (month, month)}, instance=dg.DagsterInstance.ephemeral(),
                        echo=lambda _: None)
        month_staged = time.perf_counter()
        materialize_all(raw_dir=raw_dir, marts_dir=marts_dir, profile=DEFAULT_PROFILE, selection=monthly_assets,
                        instance=dg.DagsterInstance.ephemeral(), echo=lambda _: None)
        all_months_staged = time.perf_counter()
        records = {year: counts.get("ecds_attendances", 0) + counts.get("apc_spells", 0)
                   for year, counts in summary.get("records_by_financial_year", {}).items()}
        print(f"scale                 {args.scale}")
        print(f"records generated     {sum(records.values()):,} (ECDS attendances + SUS spells, {len(records)} years)")
        print(f"raw files             {directory_mb(raw_dir):,.0f} MB")
        print(f"generate              {generated - started:,.1f} s   (peak RSS so far {generate_rss:,.0f} MB)")
        print(f"materialise all       {finished - generated:,.1f} s   ({'ok' if ok else 'FAILED'})")
        print(f"re-run one month      {month_done - finished:,.1f} s   ({month[:7]}: its partitions, then "
              f"everything downstream; {'ok' if one_month_ok else 'FAILED'})")
        print(f"  the month alone     {month_staged - month_done:,.1f} s   (validate and replace its monthly partitions "
              f"only: ECDS, SUS, A&E, GP)")
        print(f"  against all months  {all_months_staged - month_staged:,.1f} s   (the same assets, every month)")
        print(f"marts database        {directory_mb(marts_dir):,.0f} MB")
        print(f"peak RSS (whole run)  {peak_rss_mb():,.0f} MB")
        if not (ok and one_month_ok):
            raise SystemExit(1)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
