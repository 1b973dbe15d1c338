"""Benchmark: the whole pipeline against a hand-written DuckDB aggregation of the same raw files.

    uv run python bench/bench_pipeline.py --scale 1.0          # a real ICB's volumes (~7.4 million records)
    uv run python bench/bench_pipeline.py --scale 0.1 --keep   # the default demo volume

Generates the demo world at `--scale`, then runs, each as its own process (as a user runs them: start-up and
code loading included), each timed and its peak resident memory read from the operating system:

- the anchor: `bench/anchor.py`, one DuckDB statement per record-level source (the yardstick);
- ingest to staging: `ina materialize --select` of the raw and staging layers, into an empty marts folder;
- the whole run: `ina materialize` into another empty marts folder, on its own Dagster instance, whose step
  durations `bench/steps.py` then prints per layer and per step (where the time goes);
- a one-month refresh of that folder: `ina materialize --months <the last month>`;
- the demo: `ina materialize` of the default demo world (scale 0.1), generated apart.

It prints each with wall time and peak memory, and the ratios of issue 13: whole run / anchor, staging / anchor,
one month / whole run. docs/benchmarks.md records the figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pipelines.platform.instance import write_instance

PROJECT_DIR = Path(__file__).resolve().parents[1]
# This process imports nothing of the pipeline but pipelines.platform.instance (pathlib and os): Linux keeps a
# process's peak memory across fork and exec, so a heavy parent would set a floor under every child's figure.
STAGING = "key:raw/* or key:staging/*"


@dataclass(frozen=True)
class Timing:
    what: str
    seconds: float
    peak_mb: float
    ok: bool


def timed(what: str, command: list[str], log: Path, home: Path | None = None) -> Timing:
    """Run `command` as a child process; its wall time and its own peak resident set (wait4's rusage). `home`: the
    Dagster instance the run is recorded on (bench/steps.py reads its step durations), else the project's."""
    env = None
    if home:
        write_instance(home)  # the project's instance settings, their folders under home
        env = {**os.environ, "DAGSTER_HOME": str(home)}
    with open(log, "a") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=PROJECT_DIR, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return Timing(what, seconds, usage.ru_maxrss / 1024, child.returncode == 0)


def ina(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipelines.platform.cli", *args]


def directory_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument("--no-demo", action="store_true", help="leave out the default demo's run")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ina-bench-"))
    raw, log = work / "raw", work / "bench.log"
    try:
        timings = [timed("generate the raw files", ina("demo-data", "--out", str(raw), "--scale", str(args.scale),
                                                           "--seed", str(args.seed)), log)]
        month = max(path.name[-11:-4] for path in (raw / "uec" / "ecds").glob("ecds_attendances_*.csv"))
        timings += [
            timed("anchor: hand-written DuckDB aggregation", [sys.executable, "bench/anchor.py", str(raw),
                                                              str(work / "anchor.duckdb")], log),
            timed("ingest to staging (raw + staging layers)", ina("materialize", "--raw-dir", str(raw), "--marts-dir",
                                                                  str(work / "staging"), "--select", STAGING), log,
                  home=work / "home_staging"),
            timed("whole run (every asset and check)", ina("materialize", "--raw-dir", str(raw), "--marts-dir",
                                                           str(work / "marts")), log, home=work / "home"),
            timed(f"one-month refresh ({month})", ina("materialize", "--raw-dir", str(raw), "--marts-dir",
                                                      str(work / "marts"), "--months", month), log,
                  home=work / "home_month"),
        ]
        if not args.no_demo:
            demo_raw = work / "demo_raw"
            timed("generate the demo (scale 0.1)", ina("demo-data", "--out", str(demo_raw), "--seed",
                                                       str(args.seed)), log)
            timings.append(timed("demo materialisation (scale 0.1)", ina(
                "materialize", "--raw-dir", str(demo_raw), "--marts-dir", str(work / "demo_marts")), log,
                home=work / "home_demo"))
        by = {t.what.split(" (")[0].split(":")[0]: t for t in timings}
        print(f"scale {args.scale}; raw files {directory_mb(raw):,.0f} MB; {os.cpu_count()} cores")
        for t in timings:
            print(f"{t.what:<48} {t.seconds:8.1f} s {t.peak_mb:8,.0f} MB peak  {'ok' if t.ok else 'FAILED'}")
        anchor, whole = by["anchor"].seconds, by["whole run"].seconds
        print(f"whole run / anchor          {whole / anchor:6.1f}x   (target <= 5x)")
        print(f"ingest to staging / anchor  {by['ingest to staging'].seconds / anchor:6.1f}x   (target <= 2x)")
        print(f"one month / whole run       {by['one-month refresh'].seconds / whole:6.0%}   (target <= 10%)")
        print(f"peak memory, whole run      {by['whole run'].peak_mb:6,.0f} MB (target <= 1,500 MB)")
        print(f"marts folder                {directory_mb(work / 'marts'):6,.0f} MB")
        print("\nwhere the whole run's time goes (Dagster's step durations):")
        sys.stdout.flush()
        subprocess.run([sys.executable, "bench/steps.py"], cwd=PROJECT_DIR, env={**os.environ, "DAGSTER_HOME":
                                                                                 str(work / "home")})
        if not all(t.ok for t in timings):
            print(f"a step failed: see {log}")
            raise SystemExit(1)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
