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

app = typer.Typer(help="Integrated Needs Assessment pipeline", no_args_is_help=True, add_completion=False)

RAW_DIR = PROJECT_DIR / "data" / "raw"
MARTS_DIR = PROJECT_DIR / "data" / "marts"


def _dagster_home() -> Path:
    """The project folder holds dagster.yaml; run history goes to .dagster_home/ inside it."""
    home = Path(os.environ.get("DAGSTER_HOME", PROJECT_DIR))
    (home / ".dagster_home").mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


@app.command("demo-data")
def demo_data(
    out: Path = typer.Option(RAW_DIR, help="Folder to write the raw files into"),
    seed: int = typer.Option(20260401, help="Random seed (same seed, same files)"),
    scale: float = typer.Option(0.1, help="Record volume: 1.0 = a real ICB's ~850,000 attendances a year"),
    profile: Path = typer.Option(DEFAULT_PROFILE, help="Profile of the demo ICB"),
) -> None:
    """Write synthetic raw files, in the publishers' formats, for a Lancashire-and-South-Cumbria-shaped ICB."""
    from pipelines.demo import generate_demo_data

    started = time.perf_counter()
    summary = generate_demo_data(out, seed=seed, scale=scale, profile_path=profile)
    files = summary.get("files", {})
    typer.echo(f"wrote {len(files)} files to {out} in {time.perf_counter() - started:.1f} s (seed {seed}, scale {scale})")


@app.command()
def materialize(
    raw_dir: Path = typer.Option(RAW_DIR, help="Folder of raw files"),
    marts_dir: Path = typer.Option(MARTS_DIR, help="Folder of the marts database"),
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
    A profile with `source: public` (e.g. config/profiles/lsc.yaml) runs the public-data graph; --raw-dir is then
    the folder `ina fetch` fills (data/raw) or the mirror itself (../shared/data/real).
    """
    from pipelines.partitions import parse_range
    from pipelines.run import materialize_all

    try:
        ranges = {kind: parse_range(kind, text)
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
    dest: Path = typer.Option(RAW_DIR, help="Folder to fetch into (the raw folder)"),
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
    from pipelines.fetch import FetchError, fetch_sources

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
    """Generate the demo data (if absent) and materialise every asset into data/marts/ina.duckdb."""
    if regenerate or not (RAW_DIR / "demo_manifest.json").exists():
        demo_data(out=RAW_DIR, seed=seed, scale=scale, profile=DEFAULT_PROFILE)
    materialize(raw_dir=RAW_DIR, marts_dir=MARTS_DIR, profile=DEFAULT_PROFILE, select=None, months=None,
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
def dev(port: int = typer.Option(3000, help="Port on 127.0.0.1")) -> None:
    """Start the Dagster UI (and daemon) on 127.0.0.1 for this project."""
    home = _dagster_home()
    command = [sys.executable, "-m", "dagster", "dev", "-m", "pipelines.definitions", "-h", "127.0.0.1", "-p", str(port)]
    raise typer.Exit(subprocess.call(command, cwd=home))


if __name__ == "__main__":
    app()
