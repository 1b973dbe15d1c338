"""The source manifest: complete, checksummed, and every named reader loads its mirror file."""

from __future__ import annotations

import re

import polars as pl
import pytest
from real_helpers import MANIFEST, load, manifest_entries, real_path

from pipelines.sources.fetch import load_manifest, sha256_file
from pipelines.sources.readers import get_reader

ENTRIES = manifest_entries()
READABLE = [i for i, e in ENTRIES.items() if e["reader"] and e["mirror_path"]]


def test_manifest_loads_with_unique_ids_and_required_fields():
    sources = load_manifest(MANIFEST)
    assert len(sources) == len(ENTRIES) >= 60
    for e in sources:
        for key in ("publisher", "title", "landing_page", "licence", "release"):
            assert e.get(key), f"{e['id']}: {key} missing"
        assert e["landing_page"].startswith("https://")
        if e["url"]:
            assert e["url"].startswith("https://") and e["file"], e["id"]
        if e["mirror_path"]:
            assert re.fullmatch(r"[0-9a-f]{64}", e["mirror_sha256"]), e["id"]
            # our copies are derived or compressed: the publisher's checksum is not claimed for them
            assert e["mirror_identical_to_url"] is False and e["sha256"] is None, e["id"]
        assert e["lsoa_vintage"] in (None, 2011, 2021)


def test_every_mirror_file_is_listed_and_matches_its_checksum(real_dir):
    listed = {e["mirror_path"]: e for e in ENTRIES.values() if e["mirror_path"]}
    on_disk = {str(p.relative_to(real_dir)) for p in real_dir.rglob("*")
               if p.is_file() and p.suffix != ".md" and not p.relative_to(real_dir).parts[0] == "lsc_sample"}
    assert on_disk == set(listed), f"unlisted: {on_disk - set(listed)}; missing: {set(listed) - on_disk}"
    for rel, e in listed.items():
        assert sha256_file(real_dir / rel) == e["mirror_sha256"], rel
        assert (real_dir / rel).stat().st_size == e["mirror_bytes"], rel


def test_official_addresses_are_the_publishers():
    official = ("gov.uk", "ons.gov.uk", "statistics.gov.uk", "digital.nhs.uk", "england.nhs.uk",
                "fingertips.phe.org.uk", "europa.eu", "github.com")
    for e in ENTRIES.values():
        host = re.sub(r"^https://([^/]+)/.*$", r"\1", e["landing_page"])
        assert host.endswith(official), f"{e['id']}: {host}"


@pytest.mark.parametrize("source_id", READABLE)
def test_every_reader_loads_its_file(source_id):
    entry = ENTRIES[source_id]
    real_path(entry["mirror_path"])
    get_reader(entry["reader"])  # resolvable
    df = load(source_id)
    assert isinstance(df, pl.DataFrame) and df.height > 0
    assert all(c == c.lower() and " " not in c for c in df.columns), df.columns
    if "lsoa_vintage" in df.columns and entry["lsoa_vintage"]:
        assert df["lsoa_vintage"].drop_nulls().unique().to_list() == [entry["lsoa_vintage"]]
