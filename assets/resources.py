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


class InaSettings(dg.ConfigurableResource):
    """Paths and the ICB profile. Defaults point inside the project folder."""

    raw_dir: str = str(PROJECT_DIR / "data" / "raw" / "demo")
    marts_dir: str = str(PROJECT_DIR / "data" / "marts" / "demo")
    profile_path: str = str(PROJECT_DIR / "config" / "profiles" / "demo.yaml")

    @property
    def raw_path(self) -> Path:
        return Path(self.raw_dir)

    @property
    def marts_path(self) -> Path:
        return Path(self.marts_dir)

    @property
    def database_path(self) -> Path:
        """The published marts: what readers open. Replaced whole, only by the publish asset."""
        return self.marts_path / "ina.duckdb"

    @property
    def working_database_path(self) -> Path:
        """Where runs build: readers never see this file, so a failed or killed run harms nothing published."""
        return self.marts_path / ".build" / "ina.duckdb"

    def profile(self) -> Profile:
        return load_profile(self.profile_path)


class MartsDatabase(DuckDBResource):
    """The DuckDB file of staging tables and marts, with the derived-field macros installed."""

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        with self.get_connection() as con:
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
        "marts_db": MartsDatabase(database=str(settings.working_database_path)),
    }
