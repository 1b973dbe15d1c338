"""The project's Dagster instance settings (dagster.yaml), for a Dagster home elsewhere (tests, benchmarks).

Imports nothing heavy: the benchmark's parent process uses it (a parent's memory would count in its children's peak).
"""

from __future__ import annotations

import os
from pathlib import Path

#: Events Dagster may hold back and send as one batch (its planned and per-partition materialisation events).
EVENT_BATCH_SIZE = 1000
INSTANCE_SETTINGS = Path(__file__).resolve().parents[2] / "dagster.yaml"


def instance_yaml(home: Path) -> str:
    """dagster.yaml with every folder it names (under .dagster_home/) moved under `home`."""
    return INSTANCE_SETTINGS.read_text(encoding="utf-8").replace(".dagster_home/", f"{Path(home)}/")


def write_instance(home: Path) -> Path:
    """A Dagster home with the project's instance settings, its storage inside it."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(instance_yaml(home), encoding="utf-8")
    return home


def send_event_batches() -> None:
    """Dagster holds back the events it can batch (planned and per-partition materialisations) only when
    DAGSTER_EVENT_BATCH_SIZE is set; the instance's event log then writes each batch at once (event_log.py)."""
    os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", str(EVENT_BATCH_SIZE))
