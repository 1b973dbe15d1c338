"""Screenshots of a built report's pages in headless Chromium (what docs/img/report-lsc-*.png are made with).

    uv run python docs/screenshots.py data/marts/lsc/outputs/report docs/img/report-lsc

writes `<prefix>-system.png` (index.html) and `<prefix>-neighbourhoods.png` (neighbourhoods.html), each the
page's full height up to `--max-height` pixels. Needs Debian's chromium and chromium-driver (.ci/run installs
them); selenium drives them, as in tests/test_report.py.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

PAGES = {"system": "index.html", "neighbourhoods": "neighbourhoods.html"}


def screenshots(report: Path, prefix: Path, width: int = 1400, max_height: int = 4000) -> list[Path]:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", f"--window-size={width},1000",
                 f"--user-data-dir={tempfile.mkdtemp(prefix='ina-shots-')}"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    written = []
    try:
        for name, page in PAGES.items():
            browser.get((report / page).resolve().as_uri())
            height = browser.execute_script("return document.documentElement.scrollHeight")
            browser.set_window_size(width, min(int(height), max_height))
            path = prefix.with_name(f"{prefix.name}-{name}.png")
            path.parent.mkdir(parents=True, exist_ok=True)
            browser.save_screenshot(str(path))
            written.append(path)
    finally:
        browser.quit()
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="the report folder (…/outputs/report)")
    parser.add_argument("prefix", type=Path, help="file prefix of the PNGs, e.g. docs/img/report-lsc")
    parser.add_argument("--max-height", type=int, default=4000)
    args = parser.parse_args()
    for path in screenshots(args.report, args.prefix, max_height=args.max_height):
        print(path)
