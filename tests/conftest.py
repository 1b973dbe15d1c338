"""Shared fixtures: one small demo world, materialised once per test session through the real asset graph.

Also the rule for tests that need the shared folder (``../shared`` beside the checkout, or ``$INA_SHARED_DIR``:
tests/shared_paths.py): ``@pytest.mark.needs_shared("oracle")`` skips a test, with the reason, when
``<shared>/oracle`` is absent; and when ``CI`` is set, the session fails if any test that needs the shared
folder was skipped (marked, or skipped by ``shared_paths.require``), naming the reasons and files.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.config import DEFAULT_PROFILE, Profile, load_profile
from pipelines.platform.run import GraphRun
from shared_paths import ENV_VAR, SHARED_DIR, SKIP_PREFIX, require

TEST_SCALE = 0.02
TEST_SEED = 7


# -- tests that need ../shared --------------------------------------------------------------------------------

_SHARED_SKIPS: dict[str, str] = {}


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", f"needs_shared(sub): reads <shared>/<sub> (../shared, or ${ENV_VAR}); skipped when absent, "
                   "a session failure under CI")


def pytest_runtest_setup(item):
    for mark in item.iter_markers("needs_shared"):
        require(mark.args[0] if mark.args else "")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # A skip from shared_paths.require is reported at the test, not at require's line.
    if report.skipped and isinstance(report.longrepr, tuple) and SKIP_PREFIX in report.longrepr[2]:
        filename, line = item.reportinfo()[:2]
        report.longrepr = (str(filename), (line or 0) + 1, report.longrepr[2])
    return report


def pytest_runtest_logreport(report):
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if "needs_shared" in report.keywords or SKIP_PREFIX in reason:
        _SHARED_SKIPS.setdefault(report.nodeid, reason.removeprefix("Skipped: "))


def pytest_sessionfinish(session, exitstatus):
    if _under_ci() and _SHARED_SKIPS and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not (_under_ci() and _SHARED_SKIPS):
        return
    tr = terminalreporter
    tr.section("tests needing ../shared were skipped under CI", sep="=", red=True, bold=True)
    tr.line(f"FAILED: CI is set and {len(_SHARED_SKIPS)} test(s) that need the shared folder were skipped; "
            f"looked for it at {SHARED_DIR} (../shared beside the checkout, or ${ENV_VAR}).", red=True, bold=True)
    by_reason: dict[str, Counter] = {}
    for nodeid, reason in _SHARED_SKIPS.items():
        by_reason.setdefault(reason, Counter())[nodeid.split("::")[0]] += 1
    for reason, files in by_reason.items():
        tr.line(f"  {reason}", red=True)
        for file, n in files.items():
            tr.line(f"    {file}: {n} skipped", red=True)


def pytest_unconfigure(config):
    # After pytest's own "N passed, M skipped" line, so the last line says why the exit status is a failure.
    tr = config.pluginmanager.get_plugin("terminalreporter")
    if tr is not None and _under_ci() and _SHARED_SKIPS:
        tr.write_line(f"FAILED (CI is set): {len(_SHARED_SKIPS)} test(s) needing ../shared were skipped "
                      f"(looked at {SHARED_DIR})", red=True, bold=True)


@dataclass
class DemoWorld:
    raw_dir: Path
    marts_dir: Path
    profile: Profile
    manifest: dict
    result: GraphRun

    @property
    def database(self) -> Path:
        """The released shared marts file (schemas/tiers.py: shared and disclosed tables only)."""
        return self.marts_dir / "ina.duckdb"

    @property
    def working(self) -> Path:
        """The restricted working database of the run: every table as built, staging and fine facts included."""
        return self.marts_dir / ".build" / "ina.duckdb"

    def connect(self) -> duckdb.DuckDBPyConnection:
        """The working database, read-only: what the pipeline computed, before disclosure control."""
        return duckdb.connect(str(self.working), read_only=True)

    def connect_shared(self) -> duckdb.DuckDBPyConnection:
        """The released shared marts file, read-only: what the intelligence team receives."""
        return duckdb.connect(str(self.database), read_only=True)


@pytest.fixture(scope="session")
def demo_raw_dir(tmp_path_factory) -> Path:
    from demo import generate_demo_data

    raw_dir = tmp_path_factory.mktemp("raw")
    generate_demo_data(raw_dir, seed=TEST_SEED, scale=TEST_SCALE, profile_path=DEFAULT_PROFILE)
    return raw_dir


@pytest.fixture(scope="session")
def demo_world(demo_raw_dir, tmp_path_factory) -> DemoWorld:
    from pipelines.platform.definitions import demo_graph
    ALL_ASSETS, ALL_CHECKS = demo_graph()
    from assets.resources import InaSettings, build_resources
    from pipelines.platform.run import run_graph

    marts_dir = tmp_path_factory.mktemp("marts")
    settings = InaSettings(raw_dir=str(demo_raw_dir), marts_dir=str(marts_dir), profile_path=str(DEFAULT_PROFILE))
    result = run_graph([*ALL_ASSETS, *ALL_CHECKS], build_resources(settings), dg.DagsterInstance.ephemeral(),
                       demo_raw_dir)
    manifest = json.loads((demo_raw_dir / "demo_manifest.json").read_text())
    return DemoWorld(demo_raw_dir, marts_dir, load_profile(DEFAULT_PROFILE), manifest, result)
