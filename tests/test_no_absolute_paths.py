"""No machine-specific absolute path in the repo's tracked files (code, tests, docs, config, notebooks).

The test command must pass on any machine, so shared material is found relative to the checkout
(tests/shared_paths.py) and docs say ``../shared/...``. Every file ``git ls-files`` lists is read as it is in
the working tree, except uv.lock and binary files; a path under a home directory (Linux, macOS or Windows) or
under the development VM's workspace root fails the test, naming file:line (the pattern is ``ABSOLUTE``).
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from shared_paths import REPO_DIR

EXCLUDED = {"uv.lock"}
# A path that starts one of those roots: not preceded by a letter, digit, dot, colon, slash or tilde (so URLs
# such as https://example.org/home/... and relative paths such as docs/home/... are not matched).
ABSOLUTE = re.compile(r"(?<![\w.:/~-])/(?:work|home|Users)/|\b[A-Za-z]:[\\/]+Users[\\/]")


def _tracked_files() -> list[str]:
    if shutil.which("git") is None:
        pytest.skip("git not found: cannot list the tracked files")
    out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_DIR, capture_output=True)
    if out.returncode != 0:
        pytest.skip(f"not a git checkout ({out.stderr.decode(errors='replace').strip()})")
    return [p for p in out.stdout.decode().split("\0") if p]


def _text(rel: str) -> str | None:
    path = REPO_DIR / rel
    if not path.is_file():  # deleted in the working tree, not yet committed
        return None
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def test_pattern_matches_absolute_paths_only():
    hits = ["cd " + "/work" + "/main", 'Path("/' + 'home/ann/x")', "`/" + "Users/bo/shared`", "C:" + "\\Users\\bo"]
    misses = ["../shared/oracle", "https://example.org/home/page", "docs/home/x.md", "~/.config/x", "/usr/bin/chromium"]
    assert all(ABSOLUTE.search(s) for s in hits)
    assert not any(ABSOLUTE.search(s) for s in misses)


def test_no_absolute_paths_in_tracked_files():
    found = []
    for rel in _tracked_files():
        if rel in EXCLUDED or (text := _text(rel)) is None:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if ABSOLUTE.search(line):
                found.append(f"{rel}:{number}: {line.strip()[:160]}")
    assert not found, ("absolute paths in tracked files (use paths relative to the checkout, e.g. ../shared, "
                       "or tests/shared_paths.py):\n" + "\n".join(found))
