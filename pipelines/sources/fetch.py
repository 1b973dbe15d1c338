"""Fetch the public sources named in ``config/sources.yaml`` into ``data/raw/``: checksummed, cached, atomic.

Two ways to get a file:

* **download** (default): from the entry's ``url`` to ``dest_dir/<file>``, with retries and a timeout; verified
  against ``sha256`` when the manifest holds the publisher's checksum (otherwise the computed checksum is
  reported, ``verified=False``).
* **mirror** (``mirror_dir``, for offline use): copied from ``mirror_dir/<mirror_path>`` (a folder laid out like
  ``../shared/data/real``) to ``dest_dir/<mirror_path>``, always verified against ``mirror_sha256``.

A file already present with the expected checksum is not fetched again (``status="cached"``). Every write goes
to a temporary file in the destination folder and is renamed into place only once complete and verified, so
an interrupted or corrupt fetch never leaves a partial file behind, and a good cached file is never replaced
by a bad one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml

log = logging.getLogger(__name__)

USER_AGENT = "ina-fetch/0.1 (NHS integrated needs assessment pipeline; python-requests)"
CHUNK = 1 << 16
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


class FetchError(RuntimeError):
    """A source could not be fetched. ``source_id`` names the manifest entry."""

    def __init__(self, source_id: str, message: str) -> None:
        self.source_id = source_id
        super().__init__(f"{source_id}: {message}")


class ChecksumMismatchError(FetchError):
    def __init__(self, source_id: str, origin: str, expected: str, actual: str) -> None:
        self.origin, self.expected, self.actual = origin, expected, actual
        super().__init__(source_id, f"checksum mismatch for {origin}: expected sha256 {expected}, got {actual}; "
                                    "the file was discarded")


class DownloadError(FetchError):
    def __init__(self, source_id: str, url: str, message: str, *, status_code: int | None = None,
                 attempts: int = 1) -> None:
        self.url, self.status_code, self.attempts = url, status_code, attempts
        super().__init__(source_id, f"{message} ({url}; {attempts} attempt{'s' if attempts != 1 else ''})")


@dataclass(frozen=True)
class FetchResult:
    id: str
    path: Path | None
    status: str  # "downloaded" | "copied" | "cached" | "skipped"
    sha256: str | None
    verified: bool
    origin: str | None  # URL or mirror file
    bytes: int | None = None
    attempts: int = 0
    reason: str | None = None


REQUIRED_KEYS = ("id", "url", "file", "sha256", "mirror_path", "mirror_sha256")


def load_manifest(manifest_path: Path | str) -> list[dict]:
    """The ``sources`` list of the manifest, checked for the keys fetch needs and for unique ids."""
    path = Path(manifest_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        raise ValueError(f"{path}: expected a mapping with a 'sources' list")
    seen: set[str] = set()
    for i, entry in enumerate(data["sources"], start=1):
        missing = [k for k in REQUIRED_KEYS if k not in entry]
        if missing:
            raise ValueError(f"{path}: source #{i} ({entry.get('id', '?')}) lacks {missing}")
        if entry["id"] in seen:
            raise ValueError(f"{path}: duplicate source id {entry['id']!r}")
        seen.add(entry["id"])
        for key in ("file", "mirror_path"):
            rel = entry.get(key)
            if rel and (Path(rel).is_absolute() or ".." in Path(rel).parts):
                raise ValueError(f"{path}: source {entry['id']}: {key} must be a relative path inside the folder")
    return data["sources"]


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_sources(
    manifest_path: Path | str,
    dest_dir: Path | str,
    *,
    mirror_dir: Path | None = None,
    only: list[str] | None = None,
    retries: int = 3,
    timeout: float = 30,
    backoff: float = 1.0,
    force: bool = False,
    session: requests.Session | None = None,
) -> list[FetchResult]:
    """Fetch every source of the manifest (or those in ``only``) into ``dest_dir``; see the module docstring.

    ``retries`` is the number of further attempts after a failed download (timeouts, connection errors,
    HTTP 408/425/429/5xx); other HTTP errors (404) fail at once. Attempt *n* waits ``backoff * 2**(n-2)`` s
    first. ``force`` fetches again even when a verified copy is present.

    Sources without a download URL (or, with ``mirror_dir``, without a mirror copy) are skipped
    (``status="skipped"``) unless named in ``only``, which makes them an error. The first failure raises
    (:class:`ChecksumMismatchError`, :class:`DownloadError` or :class:`FetchError`); files already fetched stay.
    """
    sources = load_manifest(manifest_path)
    dest_root = Path(dest_dir)
    wanted = _select(sources, only)
    own_session = session is None
    sess = session or requests.Session()
    sess.headers.setdefault("User-Agent", USER_AGENT)
    results: list[FetchResult] = []
    try:
        for entry in wanted:
            explicit = only is not None
            if mirror_dir is not None:
                results.append(_from_mirror(entry, Path(mirror_dir), dest_root, force=force, explicit=explicit))
            else:
                results.append(_download(entry, dest_root, sess, retries=retries, timeout=timeout,
                                         backoff=backoff, force=force, explicit=explicit))
    finally:
        if own_session:
            sess.close()
    return results


def _select(sources: list[dict], only: Iterable[str] | None) -> list[dict]:
    if only is None:
        return list(sources)
    by_id = {s["id"]: s for s in sources}
    unknown = [i for i in only if i not in by_id]
    if unknown:
        raise FetchError(",".join(unknown), f"not in the manifest; known ids: {sorted(by_id)}")
    return [by_id[i] for i in only]


def _cached(dest: Path, expected: str | None, force: bool) -> str | None:
    """The checksum of ``dest`` when it can be reused, else None."""
    if force or not dest.is_file():
        return None
    actual = sha256_file(dest)
    if expected is None or actual == expected:
        return actual
    log.warning("%s: present but its checksum %s is not the expected %s; fetching again", dest, actual, expected)
    return None


def _from_mirror(entry: dict, mirror_dir: Path, dest_root: Path, *, force: bool, explicit: bool) -> FetchResult:
    sid, rel, expected = entry["id"], entry.get("mirror_path"), entry.get("mirror_sha256")
    if not rel:
        if explicit:
            raise FetchError(sid, "has no mirror copy (mirror_path is null)")
        return FetchResult(sid, None, "skipped", None, False, None, reason="no mirror copy")
    src, dest = mirror_dir / rel, dest_root / rel
    if (have := _cached(dest, expected, force)) is not None:
        return FetchResult(sid, dest, "cached", have, expected is not None, str(src), dest.stat().st_size)
    if not src.is_file():
        raise FetchError(sid, f"mirror file not found: {src}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_for(dest)
    try:
        h = hashlib.sha256()
        size = 0
        with open(src, "rb") as fin, open(tmp, "wb") as fout:
            for chunk in iter(lambda: fin.read(CHUNK), b""):
                h.update(chunk)
                fout.write(chunk)
                size += len(chunk)
        actual = h.hexdigest()
        if expected is not None and actual != expected:
            raise ChecksumMismatchError(sid, str(src), expected, actual)
        shutil.copystat(src, tmp, follow_symlinks=True)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("%s: copied %s -> %s", sid, src, dest)
    return FetchResult(sid, dest, "copied", actual, expected is not None, str(src), size, attempts=1)


def _download(entry: dict, dest_root: Path, sess: requests.Session, *, retries: int, timeout: float,
              backoff: float, force: bool, explicit: bool) -> FetchResult:
    sid, url, rel, expected = entry["id"], entry.get("url"), entry.get("file"), entry.get("sha256")
    if not url:
        if explicit:
            raise FetchError(sid, "has no public download URL; fetch it from a mirror (mirror_dir / --mirror)")
        return FetchResult(sid, None, "skipped", None, False, None, reason="no download URL")
    if not rel:
        raise FetchError(sid, "has a url but no file (destination under data/raw/)")
    dest = dest_root / rel
    if (have := _cached(dest, expected, force)) is not None:
        return FetchResult(sid, dest, "cached", have, expected is not None, url, dest.stat().st_size)
    dest.parent.mkdir(parents=True, exist_ok=True)
    attempts_allowed = max(1, 1 + int(retries))
    last: Exception | None = None
    for attempt in range(1, attempts_allowed + 1):
        if attempt > 1 and backoff > 0:
            time.sleep(backoff * 2 ** (attempt - 2))
        tmp = _temp_for(dest)
        try:
            actual, size = _stream(sess, url, tmp, timeout=timeout, sid=sid, attempt=attempt)
            if expected is not None and actual != expected:
                raise ChecksumMismatchError(sid, url, expected, actual)
            os.chmod(tmp, 0o644)
            os.replace(tmp, dest)
            if expected is None:
                log.warning("%s: downloaded %s without a manifest checksum; sha256 %s", sid, url, actual)
            return FetchResult(sid, dest, "downloaded", actual, expected is not None, url, size, attempt)
        except ChecksumMismatchError:
            raise
        except _Permanent as exc:
            raise DownloadError(sid, url, str(exc), status_code=exc.status_code, attempts=attempt) from None
        except (requests.RequestException, _Transient) as exc:
            last = exc
            log.warning("%s: attempt %d of %d failed: %s", sid, attempt, attempts_allowed, _describe(exc, timeout))
        finally:
            tmp.unlink(missing_ok=True)
    status = last.status_code if isinstance(last, _Transient) else None
    raise DownloadError(sid, url, f"gave up: {_describe(last, timeout)}", status_code=status, attempts=attempts_allowed)


class _Transient(Exception):
    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class _Permanent(Exception):
    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


def _describe(exc: Exception | None, timeout: float) -> str:
    if isinstance(exc, requests.Timeout):
        return f"timed out after {timeout} s"
    if isinstance(exc, requests.ConnectionError):
        return f"connection failed: {exc}"
    return str(exc)


def _stream(sess: requests.Session, url: str, tmp: Path, *, timeout: float, sid: str, attempt: int) -> tuple[str, int]:
    with sess.get(url, stream=True, timeout=timeout, allow_redirects=True) as resp:
        if resp.status_code in RETRY_STATUS:
            raise _Transient(f"HTTP {resp.status_code} {resp.reason}", resp.status_code)
        if resp.status_code >= 400:
            raise _Permanent(f"HTTP {resp.status_code} {resp.reason}", resp.status_code)
        expected_len = resp.headers.get("Content-Length")
        h = hashlib.sha256()
        size = 0
        with open(tmp, "wb") as fh:
            for chunk in resp.iter_content(chunk_size=CHUNK):
                if chunk:
                    h.update(chunk)
                    fh.write(chunk)
                    size += len(chunk)
        # Content-Encoding (gzip transfer) makes the header count compressed bytes; compare only without it.
        if expected_len is not None and not resp.headers.get("Content-Encoding") and int(expected_len) != size:
            raise _Transient(f"truncated body: {size} of {expected_len} bytes")
    return h.hexdigest(), size


def _temp_for(dest: Path) -> Path:
    fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    os.close(fd)
    return Path(name)


def resolve_path(entry: dict, raw_dir: Path | str) -> Path | None:
    """Where a fetched copy of ``entry`` lives under ``raw_dir``: the download, else the mirror copy."""
    raw = Path(raw_dir)
    for rel in (entry.get("file"), entry.get("mirror_path")):
        if rel and (raw / rel).is_file():
            return raw / rel
    return None


__all__ = ["fetch_sources", "load_manifest", "resolve_path", "sha256_file", "FetchResult", "FetchError",
           "ChecksumMismatchError", "DownloadError"]
