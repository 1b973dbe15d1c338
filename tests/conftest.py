"""Shared fixtures: one small demo world, materialised once per test session through the real asset graph."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.config import DEFAULT_PROFILE, Profile, load_profile
from pipelines.run import GraphRun

TEST_SCALE = 0.02
TEST_SEED = 7
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"


@dataclass
class DemoWorld:
    raw_dir: Path
    marts_dir: Path
    profile: Profile
    manifest: dict
    result: GraphRun

    @property
    def database(self) -> Path:
        return self.marts_dir / "ina.duckdb"

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.database), read_only=True)


@pytest.fixture(scope="session")
def demo_raw_dir(tmp_path_factory) -> Path:
    from pipelines.demo import generate_demo_data

    raw_dir = tmp_path_factory.mktemp("raw")
    generate_demo_data(raw_dir, seed=TEST_SEED, scale=TEST_SCALE, profile_path=DEFAULT_PROFILE)
    return raw_dir


@pytest.fixture(scope="session")
def demo_world(demo_raw_dir, tmp_path_factory) -> DemoWorld:
    from pipelines.definitions import ALL_ASSETS, ALL_CHECKS
    from pipelines.resources import InaSettings, build_resources
    from pipelines.run import run_graph

    marts_dir = tmp_path_factory.mktemp("marts")
    settings = InaSettings(raw_dir=str(demo_raw_dir), marts_dir=str(marts_dir), profile_path=str(DEFAULT_PROFILE))
    result = run_graph([*ALL_ASSETS, *ALL_CHECKS], build_resources(settings), dg.DagsterInstance.ephemeral(),
                       demo_raw_dir)
    manifest = json.loads((demo_raw_dir / "demo_manifest.json").read_text())
    return DemoWorld(demo_raw_dir, marts_dir, load_profile(DEFAULT_PROFILE), manifest, result)
