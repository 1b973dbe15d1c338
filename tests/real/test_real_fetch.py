"""fetch_sources against a real HTTP server on 127.0.0.1 serving copies of real files, and the mirror mode."""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from real_helpers import MANIFEST, manifest_entries, real_path

from pipelines.sources.fetch import ChecksumMismatchError, DownloadError, FetchError, fetch_sources, load_manifest

FILES = {  # id in the real manifest -> mirror file served by the test server
    "gp_practice_map_2022_01": "gp_practice_org/gp-reg-pat-prac-map_2022-01.csv.gz",
    "esp2013": "population/esp2013_19_bands.csv",
}


class _Server:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.hits: dict[str, int] = {}
        self.sleep = 1.5
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):  # noqa: N802 - http.server API
                path = self.path.split("?")[0]
                server.hits[path] = server.hits.get(path, 0) + 1
                try:
                    if path.startswith("/slow/"):
                        time.sleep(server.sleep)
                        return self._send(200, (server.root / path.removeprefix("/slow/")).read_bytes())
                    if path.startswith("/flaky/"):  # 503 first, then the file
                        if server.hits[path] == 1:
                            return self._send(503, b"busy")
                        return self._send(200, (server.root / path.removeprefix("/flaky/")).read_bytes())
                    if path.startswith("/corrupt/"):
                        data = bytearray((server.root / path.removeprefix("/corrupt/")).read_bytes())
                        data[len(data) // 2] ^= 0xFF
                        return self._send(200, bytes(data))
                    target = server.root / path.lstrip("/")
                    if not target.is_file():
                        return self._send(404, b"not found")
                    return self._send(200, target.read_bytes())
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _send(self, code: int, body: bytes) -> None:
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "served"
    for rel in FILES.values():
        src = real_path(rel)
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, root / rel)
    srv = _Server(root)
    yield srv
    srv.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manifest(tmp_path: Path, entries: list[dict]) -> Path:
    path = tmp_path / "sources.yaml"
    full = []
    for e in entries:
        full.append({"url": None, "file": None, "sha256": None, "mirror_path": None, "mirror_sha256": None, **e})
    path.write_text(yaml.safe_dump({"version": 1, "sources": full}))
    return path


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_download_with_checksum_then_cached(server, tmp_path):
    rel = FILES["gp_practice_map_2022_01"]
    expected = _sha(server.root / rel)
    m = _manifest(tmp_path, [{"id": "map", "url": f"{server.base}/{rel}", "file": "gp/map.csv.gz", "sha256": expected}])
    dest = tmp_path / "raw"
    [r] = fetch_sources(m, dest, backoff=0)
    assert r.status == "downloaded" and r.verified and r.sha256 == expected and r.attempts == 1
    assert (dest / "gp/map.csv.gz").read_bytes() == (server.root / rel).read_bytes()
    assert _leftovers(dest) == [dest / "gp/map.csv.gz"]  # no temporary files
    [again] = fetch_sources(m, dest, backoff=0)
    assert again.status == "cached" and again.verified
    assert server.hits[f"/{rel}"] == 1  # the cached file was not downloaded again


def test_cached_file_with_wrong_checksum_is_fetched_again(server, tmp_path):
    rel = FILES["esp2013"]
    m = _manifest(tmp_path, [{"id": "esp", "url": f"{server.base}/{rel}", "file": "esp.csv",
                              "sha256": _sha(server.root / rel)}])
    dest = tmp_path / "raw"
    dest.mkdir()
    (dest / "esp.csv").write_text("stale\n")
    [r] = fetch_sources(m, dest, backoff=0)
    assert r.status == "downloaded" and (dest / "esp.csv").read_bytes() == (server.root / rel).read_bytes()


def test_corrupt_download_raises_and_leaves_nothing(server, tmp_path):
    rel = FILES["gp_practice_map_2022_01"]
    m = _manifest(tmp_path, [{"id": "map", "url": f"{server.base}/corrupt/{rel}", "file": "gp/map.csv.gz",
                              "sha256": _sha(server.root / rel)}])
    dest = tmp_path / "raw"
    with pytest.raises(ChecksumMismatchError) as err:
        fetch_sources(m, dest, backoff=0)
    assert err.value.source_id == "map" and err.value.expected == _sha(server.root / rel)
    assert "checksum mismatch" in str(err.value) and "discarded" in str(err.value)
    assert _leftovers(dest) == []


def test_corrupt_download_does_not_replace_a_good_cached_file(server, tmp_path):
    rel = FILES["esp2013"]
    good = (server.root / rel).read_bytes()
    dest = tmp_path / "raw"
    dest.mkdir()
    (dest / "esp.csv").write_bytes(good)
    m = _manifest(tmp_path, [{"id": "esp", "url": f"{server.base}/corrupt/{rel}", "file": "esp.csv",
                              "sha256": _sha(server.root / rel)}])
    with pytest.raises(ChecksumMismatchError):
        fetch_sources(m, dest, backoff=0, force=True)
    assert (dest / "esp.csv").read_bytes() == good and _leftovers(dest) == [dest / "esp.csv"]


def test_timeout_retries_then_clear_error(server, tmp_path):
    rel = FILES["esp2013"]
    server.sleep = 1.5
    m = _manifest(tmp_path, [{"id": "esp", "url": f"{server.base}/slow/{rel}", "file": "esp.csv"}])
    dest = tmp_path / "raw"
    t0 = time.monotonic()
    with pytest.raises(DownloadError) as err:
        fetch_sources(m, dest, retries=1, timeout=0.3, backoff=0.05)
    assert time.monotonic() - t0 < 5
    assert err.value.attempts == 2 and server.hits[f"/slow/{rel}"] == 2
    assert "timed out after 0.3 s" in str(err.value) and "2 attempts" in str(err.value)
    assert _leftovers(dest) == []


def test_404_fails_at_once(server, tmp_path):
    m = _manifest(tmp_path, [{"id": "gone", "url": f"{server.base}/no/such/file.csv", "file": "x.csv"}])
    with pytest.raises(DownloadError) as err:
        fetch_sources(m, tmp_path / "raw", retries=3, backoff=0)
    assert err.value.status_code == 404 and err.value.attempts == 1
    assert "HTTP 404" in str(err.value) and "gone" in str(err.value)
    assert server.hits["/no/such/file.csv"] == 1


def test_server_error_is_retried(server, tmp_path):
    rel = FILES["esp2013"]
    m = _manifest(tmp_path, [{"id": "esp", "url": f"{server.base}/flaky/{rel}", "file": "esp.csv",
                              "sha256": _sha(server.root / rel)}])
    [r] = fetch_sources(m, tmp_path / "raw", retries=2, backoff=0)
    assert r.status == "downloaded" and r.attempts == 2


def test_download_without_manifest_checksum_reports_it_unverified(server, tmp_path):
    rel = FILES["esp2013"]
    m = _manifest(tmp_path, [{"id": "esp", "url": f"{server.base}/{rel}", "file": "esp.csv"}])
    [r] = fetch_sources(m, tmp_path / "raw", backoff=0)
    assert r.status == "downloaded" and not r.verified and r.sha256 == _sha(server.root / rel)


def test_mirror_mode_with_the_real_manifest(real_dir, tmp_path):
    dest = tmp_path / "raw"
    ids = list(FILES)
    results = fetch_sources(MANIFEST, dest, mirror_dir=real_dir, only=ids)
    assert [r.status for r in results] == ["copied", "copied"] and all(r.verified for r in results)
    for r in results:
        entry = manifest_entries()[r.id]
        assert r.path == dest / entry["mirror_path"] and _sha(r.path) == entry["mirror_sha256"]
    again = fetch_sources(MANIFEST, dest, mirror_dir=real_dir, only=ids)
    assert [r.status for r in again] == ["cached", "cached"]


def test_mirror_mode_rejects_a_corrupt_mirror(real_dir, tmp_path):
    mirror = tmp_path / "mirror"
    rel = FILES["esp2013"]
    (mirror / rel).parent.mkdir(parents=True)
    (mirror / rel).write_bytes(real_path(rel).read_bytes().replace(b"5000", b"5001"))
    with pytest.raises(ChecksumMismatchError):
        fetch_sources(MANIFEST, tmp_path / "raw", mirror_dir=mirror, only=["esp2013"])
    assert _leftovers(tmp_path / "raw") == []
    with pytest.raises(FetchError, match="mirror file not found"):
        fetch_sources(MANIFEST, tmp_path / "raw", mirror_dir=mirror, only=["gp_practice_map_2022_01"])


def test_only_and_skips():
    entries = load_manifest(MANIFEST)
    with pytest.raises(FetchError, match="not in the manifest"):
        fetch_sources(MANIFEST, Path("/nonexistent"), only=["no_such_source"])
    no_url = next(e["id"] for e in entries if not e["url"])
    with pytest.raises(FetchError, match="no public download URL"):
        fetch_sources(MANIFEST, Path("/nonexistent"), only=[no_url])
    no_mirror = next(e["id"] for e in entries if not e["mirror_path"])
    with pytest.raises(FetchError, match="no mirror copy"):
        fetch_sources(MANIFEST, Path("/nonexistent"), mirror_dir=Path("/nonexistent"), only=[no_mirror])


def test_whole_manifest_from_the_mirror_skips_only_what_it_lacks(real_dir, tmp_path):
    results = fetch_sources(MANIFEST, tmp_path / "raw", mirror_dir=real_dir)
    skipped = [r.id for r in results if r.status == "skipped"]
    assert skipped == [e["id"] for e in load_manifest(MANIFEST) if not e["mirror_path"]]
    assert all(r.verified for r in results if r.status == "copied")
