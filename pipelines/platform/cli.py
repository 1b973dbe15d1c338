"""`ina`: the command line for analysts (generate demo data, materialise, open the UI, fetch public data)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

import typer

from pipelines.config import DEFAULT_PROFILE, PROJECT_DIR
from pipelines.platform.instance import send_event_batches

app = typer.Typer(help="Integrated Needs Assessment pipeline", no_args_is_help=True, add_completion=False)


@app.callback()
def _check_environment() -> None:
    """A bad INA_DUCKDB_* value is the user's mistake: one line naming it, before any command starts."""
    from pipelines.duckdb_limits import duckdb_limits_from_env

    try:
        duckdb_limits_from_env()
    except ValueError as error:
        typer.echo(f"FAILED {error}", err=True)
        raise typer.Exit(2) from None


def _profile_dirs(profile: Path, raw_dir: Optional[Path], marts_dir: Optional[Path]) -> tuple[Path, Path]:
    """The raw and marts folders: as given, else the profile's own (`data/raw/<profile>`, `data/marts/<profile>`)."""
    from pipelines.config import ProfileError, load_profile

    try:
        loaded = load_profile(profile)
    except ProfileError as error:
        typer.echo(f"FAILED {error}", err=True)
        raise typer.Exit(2) from None
    return raw_dir or loaded.default_raw_dir, marts_dir or loaded.default_marts_dir


def _dagster_home() -> Path:
    """The project folder holds dagster.yaml; run history goes to .dagster_home/ inside it."""
    home = Path(os.environ.get("DAGSTER_HOME", PROJECT_DIR))
    (home / ".dagster_home").mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    send_event_batches()
    return home


def _fail_dead_runs() -> None:
    """Runs a killed process left "started" in .dagster_home are marked failed, so the daemon's run queue (one
    run at a time) is not blocked by them (pipelines/platform/automation.py)."""
    import dagster as dg

    from pipelines.platform.automation import fail_dead_runs

    with dg.DagsterInstance.get() as instance:
        for run_id in fail_dead_runs(instance):
            typer.echo(f"  marked run {run_id} failed: its process is gone (killed mid-run)")


@app.command("demo-data")
def demo_data(
    out: Optional[Path] = typer.Option(None, help="Folder to write the raw files into (default: the profile's "
                                       "data/raw/<profile>)"),
    seed: int = typer.Option(20260401, help="Random seed (same seed, same files)"),
    scale: float = typer.Option(0.1, help="Record volume: 1.0 = a real ICB's ~850,000 attendances a year"),
    profile: Path = typer.Option(DEFAULT_PROFILE, help="Profile: the demo ICB's (a whole synthetic world), or a "
                                 "real ICB's that holds local extracts (synthetic extracts on its real geography)"),
) -> None:
    """Write synthetic raw files in the contract layouts: a whole synthetic ICB for the demo profile; for a profile
    on real public data that declares local extracts (`sources:`), synthetic extracts on its real geography."""
    from pipelines.config import load_profile
    from demo import generate_demo_data

    out, _ = _profile_dirs(profile, out, None)
    loaded = load_profile(profile)
    started = time.perf_counter()
    if loaded.sources_default == "local":
        summary = generate_demo_data(out, seed=seed, scale=scale, profile_path=profile)
    else:
        summary = _local_extracts(loaded, out, seed, scale)
    files = summary.get("files", {})
    typer.echo(f"wrote {len(files)} synthetic files to {out} in {time.perf_counter() - started:.1f} s "
               f"(seed {seed}, scale {scale})")


def _local_extracts(profile, out: Path, seed: int, scale: float) -> dict:
    """Synthetic local extracts (the entities the profile takes from local files) on the profile's real geography,
    read from the public files in its raw folder."""
    local = [name for name, layout in profile.layouts.items() if layout == "local"]
    if not local:
        typer.echo(f"FAILED {profile.source_path}: the profile takes no entity from local files (sources:), "
                   "so there are no extracts to synthesise", err=True)
        raise typer.Exit(2)
    try:
        from demo.real_geography import generate_local_extracts
    except ImportError as error:
        typer.echo(f"FAILED synthetic extracts on a real geography are not available: {error}", err=True)
        raise typer.Exit(2) from None
    from schemas.entities import ENTITIES

    return generate_local_extracts(
        out, public_dir=out, icb_code=profile.icb_code, providers=list(profile.providers),
        first_financial_year=profile.first_financial_year, last_financial_year=profile.last_financial_year,
        seed=seed, scale=scale, sources=tuple(ENTITIES[name].local for name in local))


@app.command()
def materialize(
    raw_dir: Optional[Path] = typer.Option(None, help="Folder of raw files (default: data/raw/<profile>)"),
    marts_dir: Optional[Path] = typer.Option(None, help="Folder of the marts database (default: data/marts/<profile>)"),
    profile: Path = typer.Option(DEFAULT_PROFILE, help="ICB profile YAML"),
    select: Optional[str] = typer.Option(None, help="Dagster asset selection, e.g. 'key:marts/*' (default: all)"),
    months: Optional[str] = typer.Option(None, help="Only these months of activity (and all downstream): "
                                         "2024-06 or 2024-04..2024-06"),
    years: Optional[str] = typer.Option(None, help="Only these mid-years of population: 2023 or 2019..2024"),
    editions: Optional[str] = typer.Option(None, help="Only these IMD editions: 2019"),
) -> None:
    """Materialise the asset graph in this process and print what happened.

    Partitioned sources run every partition that has a file, unless --months, --years or --editions name some:
    then only those partitions are replaced, and everything downstream of them is rebuilt and published.
    Every profile runs the same graph; its `sources:` say which entities come from local files (the contract of
    docs/raw-formats.md) and which from public files (config/sources.yaml, which `ina fetch` puts in the raw
    folder; --raw-dir may also point at the mirror itself, ../shared/data/real).
    """
    from pipelines.config import load_profile
    from assets.partitions import parse_range, partitionings
    from pipelines.platform.run import materialize_all

    raw_dir, marts_dir = _profile_dirs(profile, raw_dir, marts_dir)
    parts = partitionings(load_profile(profile).first_month)
    try:
        ranges = {kind: parse_range(kind, text, parts)
                  for kind, text in (("month", months), ("year", years), ("edition", editions)) if text}
    except ValueError as error:
        typer.echo(f"FAILED {error}", err=True)
        raise typer.Exit(2) from None
    _dagster_home()
    ok = materialize_all(raw_dir=raw_dir, marts_dir=marts_dir, profile=profile, selection=select,
                         ranges=ranges or None, echo=typer.echo)
    raise typer.Exit(0 if ok else 1)


@app.command()
def fetch(
    dest: Optional[Path] = typer.Option(None, help="Folder to fetch into (default: the profile's raw folder)"),
    profile: Path = typer.Option(PROJECT_DIR / "config" / "profiles" / "lsc.yaml",
                                 help="Profile whose raw folder (data/raw/<profile>) is the default destination"),
    mirror: Optional[Path] = typer.Option(
        None, help="Copy from a local mirror laid out like ../shared/data/real instead of downloading"
    ),
    only: Optional[list[str]] = typer.Option(None, "--only", help="Manifest id to fetch (repeat for more; default all)"),
    manifest: Path = typer.Option(PROJECT_DIR / "config" / "sources.yaml", help="Source manifest"),
    retries: int = typer.Option(3, help="Further attempts after a failed download"),
    timeout: float = typer.Option(30, help="Seconds before a download attempt times out"),
    force: bool = typer.Option(False, help="Fetch again even when a verified copy is present"),
) -> None:
    """Fetch the public sources of config/sources.yaml: checksummed, cached, written atomically."""
    from pipelines.sources.fetch import FetchError, fetch_sources

    dest, _ = _profile_dirs(profile, dest, None)
    started = time.perf_counter()
    try:
        results = fetch_sources(manifest, dest, mirror_dir=mirror, only=only or None, retries=retries,
                                timeout=timeout, force=force)
    except FetchError as exc:
        typer.echo(f"FAILED {exc}", err=True)
        raise typer.Exit(1) from None
    for r in results:
        where = r.path if r.path is not None else f"({r.reason})"
        check = "" if r.status == "skipped" else ("  verified" if r.verified else f"  unverified sha256 {r.sha256}")
        typer.echo(f"  {r.status:<10} {r.id}  {where}{check}")
    counts = {status: sum(r.status == status for r in results) for status in ("downloaded", "copied", "cached", "skipped")}
    typer.echo(", ".join(f"{n} {status}" for status, n in counts.items() if n)
               + f" in {time.perf_counter() - started:.1f} s; into {dest}")


@app.command()
def demo(
    seed: int = typer.Option(20260401, help="Random seed"),
    scale: float = typer.Option(0.1, help="Record volume (see demo-data)"),
    regenerate: bool = typer.Option(False, help="Regenerate the demo files even if present"),
) -> None:
    """Generate the demo data (if absent) into data/raw/demo and materialise every asset into data/marts/demo."""
    raw_dir, marts_dir = _profile_dirs(DEFAULT_PROFILE, None, None)
    if regenerate or not (raw_dir / "demo_manifest.json").exists():
        demo_data(out=raw_dir, seed=seed, scale=scale, profile=DEFAULT_PROFILE)
    materialize(raw_dir=raw_dir, marts_dir=marts_dir, profile=DEFAULT_PROFILE, select=None, months=None,
                years=None, editions=None)


@app.command()
def dictionary(
    out: Path = typer.Option(PROJECT_DIR / "docs" / "data-dictionary.md", help="Markdown file to write"),
    check: bool = typer.Option(False, help="Only check that the file is up to date (exit 1 if not)"),
) -> None:
    """Write the data dictionary (every mart table and column, indicator and raw file) from the models."""
    from pipelines.dictionary import is_current, write_markdown

    if check:
        current = is_current(out)
        typer.echo(f"{out}: {'up to date' if current else 'OUT OF DATE: run `uv run ina dictionary`'}")
        raise typer.Exit(0 if current else 1)
    typer.echo(f"wrote {write_markdown(out)}")


@app.command()
def dev(
    port: int = typer.Option(3000, help="Port on 127.0.0.1"),
    profile: Path = typer.Option(DEFAULT_PROFILE, help="ICB profile YAML whose graph the UI shows"),
    raw_dir: Optional[Path] = typer.Option(None, help="Folder of raw files (default: data/raw/<profile>)"),
    marts_dir: Optional[Path] = typer.Option(None, help="Folder of the marts database (default: data/marts/<profile>)"),
) -> None:
    """Start the Dagster UI (and daemon) on 127.0.0.1 for this project, on the profile's graph and folders."""
    from pipelines.platform.definitions import MARTS_DIR_ENV, PROFILE_ENV, RAW_DIR_ENV

    raw_dir, marts_dir = _profile_dirs(profile, raw_dir, marts_dir)
    os.environ.update({PROFILE_ENV: str(Path(profile).resolve()), RAW_DIR_ENV: str(Path(raw_dir).resolve()),
                       MARTS_DIR_ENV: str(Path(marts_dir).resolve())})
    home = _dagster_home()
    _fail_dead_runs()
    command = [sys.executable, "-m", "dagster", "dev", "-m", "pipelines.platform.definitions", "-h", "127.0.0.1", "-p", str(port)]
    raise typer.Exit(subprocess.call(command, cwd=home))


if __name__ == "__main__":
    app()
