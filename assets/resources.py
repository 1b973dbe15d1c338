"""Resources injected into every asset: where the files are, which profile, and the marts database."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipelines.config import PROJECT_DIR, Profile, load_profile
from pipelines.derived import install_macros
from pipelines.duckdb_limits import duckdb_limits_from_env
from pipelines.publish import writer_lock


_MEMORY_LIMIT, _THREADS = duckdb_limits_from_env()  # a bad value stops the definitions loading, by name


class InaSettings(dg.ConfigurableResource):
    """Paths, the ICB profile, and DuckDB's limits. Defaults point inside the project folder."""

    raw_dir: str = str(PROJECT_DIR / "data" / "raw" / "demo")
    marts_dir: str = str(PROJECT_DIR / "data" / "marts" / "demo")
    profile_path: str = str(PROJECT_DIR / "config" / "profiles" / "demo.yaml")
    duckdb_memory_limit: str = _MEMORY_LIMIT
    duckdb_threads: int = _THREADS

    @property
    def raw_path(self) -> Path:
        return Path(self.raw_dir)

    @property
    def marts_path(self) -> Path:
        return Path(self.marts_dir)

    @property
    def database_path(self) -> Path:
        """The published marts: what readers open (a link through `current` to the release's read-only file).
        Released only by the publish asset, with the outputs of the same run (pipelines/publish.py)."""
        return self.marts_path / "ina.duckdb"

    @property
    def outputs_path(self) -> Path:
        """The published commissioner outputs (a link through `current` to the release's folder)."""
        return self.marts_path / "outputs"

    @property
    def build_path(self) -> Path:
        """Where runs build: readers never see it, so a failed or killed run harms nothing published."""
        return self.marts_path / ".build"

    @property
    def working_database_path(self) -> Path:
        """The run's working database (every schema), released only after its checks have passed."""
        return self.build_path / "ina.duckdb"

    @property
    def build_outputs_path(self) -> Path:
        """The run's workbook, CSVs and report, released with the working database as one set."""
        return self.build_path / "outputs"

    def profile(self) -> Profile:
        return load_profile(self.profile_path)


#: The working database holds the restricted tier (schemas/tiers.py): readable by the account that runs the
#: pipeline only. Named analysts share that account or a group set up by the ICB (docs/data-quality.md, Tiers).
RESTRICTED_DIR_MODE = 0o700
RESTRICTED_FILE_MODE = 0o600


class MartsDatabase(DuckDBResource):
    """The DuckDB file of staging tables and marts, with the derived-field macros installed.

    A run that uses it holds the marts folder's writer lock from start to end (`pipelines.publish.writer_lock`,
    on the folder above `.build/`): a run launched by the daemon or the UI while another process writes the same
    folder fails at once, naming that process, instead of interleaving with it."""

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator["MartsDatabase"]:
        database = Path(self.database)
        marts_dir = database.parent.parent if database.parent.name == ".build" else database.parent
        with writer_lock(marts_dir), super().yield_for_execution(context) as value:
            yield value

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        database = Path(self.database)
        database.parent.mkdir(parents=True, exist_ok=True)
        database.parent.chmod(RESTRICTED_DIR_MODE)  # the restricted tier: the run's owner only
        with self.get_connection() as con:
            database.chmod(RESTRICTED_FILE_MODE)
            try:
                install_macros(con)
                yield con
            finally:
                # closed even when the caller raised (DuckDBResource only closes on success): an open
                # transaction is rolled back, and no half-used connection outlives the step
                con.close()


def build_resources(settings: InaSettings | None = None) -> dict[str, dg.ConfigurableResource]:
    settings = settings or InaSettings()
    return {
        "settings": settings,
        "marts_db": MartsDatabase(database=str(settings.working_database_path), connection_config={
            "memory_limit": settings.duckdb_memory_limit, "threads": settings.duckdb_threads,
            "temp_directory": str(settings.build_path / "duckdb_tmp")}),
    }
