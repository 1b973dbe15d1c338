"""The HTML report: built by the graph on the demo world, drawn in a real browser, disclosed like the workbook."""

from __future__ import annotations

import gzip
import shutil
from dataclasses import replace
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from pipelines.config import DEFAULT_PROFILE
from pipelines.disclosure import HIDDEN, SUPPRESSED_MARK
from pipelines.indicators.catalogue import load_catalogue
from pipelines.outputs.scan import Finding
from pipelines.report import build_report, read_report_inputs, scan_html
from pipelines.report.maps import area_polygons, boundary_path, read_boundaries
from pipelines.report.pages import fmt_value
from pipelines.report.site import _slug
from shared_paths import REAL_DIR

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PENNINE = REAL_DIR / "pennine_lancashire"
REPORT_KEY = dg.AssetKey(["outputs", "html_report"])


@pytest.fixture(scope="module")
def report_dir(demo_world) -> Path:
    return demo_world.marts_dir / "outputs" / "report"


@pytest.fixture(scope="module")
def inputs(demo_world):
    with demo_world.connect() as con:
        return read_report_inputs(con, demo_world.profile, load_catalogue(), demo_world.raw_dir)


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("chromium and chromedriver are not installed (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,1000"):
        options.add_argument(flag)
    profile_dir = Path(__import__("tempfile").mkdtemp(prefix="ina-chromium-"))
    options.add_argument(f"--user-data-dir={profile_dir}")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile_dir, ignore_errors=True)


def _images(driver) -> list[dict]:
    return driver.execute_script(
        "return Array.from(document.images).map(i => ({src: i.getAttribute('src'), complete: i.complete, "
        "width: i.naturalWidth, kind: i.closest('figure') ? i.closest('figure').className : ''}))")


# --- the asset ------------------------------------------------------------------------------------------------------


def test_the_graph_builds_the_report_and_its_check_passes(demo_world, report_dir):
    result = demo_world.result
    keys = {e.asset_key for e in result.get_asset_materialization_events()}
    assert REPORT_KEY in keys
    checks = {(c.asset_key, c.check_name): c.passed for c in result.get_asset_check_evaluations()}
    assert checks[(REPORT_KEY, "no_small_counts")] is True
    footprints = [f"footprint-{_slug(f.code)}.html" for f in demo_world.profile.footprints]
    for name in ("index.html", "neighbourhoods.html", "data-dictionary.html", "style.css", *footprints):
        assert (report_dir / name).is_file(), name
    assert not (demo_world.marts_dir / ".build" / "outputs" / ".report-building").exists()


def test_pages_are_self_contained(report_dir):
    """Offline: no page refers to anything outside the report folder or on the network."""
    for page in report_dir.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "http://" not in html and "https://" not in html, page.name
        for src in __import__("re").findall(r'(?:src|href)="([^"#]+)', html):
            assert (report_dir / src).exists(), (page.name, src)


# --- drawn in a browser ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page, kinds", [
    ("index.html", {"gradient", "drift", "map"}),
    ("footprint-fp1.html", {"gradient", "drift", "map"}),
    ("neighbourhoods.html", {"map", "compare"}),
])
def test_charts_and_maps_are_drawn_in_chromium(browser, report_dir, page, kinds):
    browser.get((report_dir / page).as_uri())
    images = _images(browser)
    assert images, page
    assert all(i["complete"] and i["width"] > 0 for i in images), [i for i in images if not i["width"]]
    drawn = {kind for i in images for kind in i["kind"].split() if kind != "chart"}
    assert kinds <= drawn, (page, drawn)
    assert browser.find_elements("css selector", "table tbody tr"), "no table rows"


def test_system_table_shows_the_disclosed_values(browser, report_dir, inputs, demo_world):
    browser.get((report_dir / "index.html").as_uri())
    latest = inputs.tables.latest().filter((pl.col("level") == "system")
                                           & (pl.col("area_code") == demo_world.profile.icb_code))
    rows = browser.execute_script(
        "return Array.from(document.querySelectorAll('#indicators tr[data-indicator]')).map(r => ({id: "
        "r.dataset.indicator, cells: Array.from(r.cells).map(c => [c.textContent.trim(), c.getAttribute('style')])}))")
    assert len(rows) == latest.height
    expected = {r["indicator_id"]: r for r in latest.iter_rows(named=True)}
    for row in rows:
        record, cells = expected[row["id"]], row["cells"]
        value = cells[3][0]
        if "value" in record[HIDDEN]:
            assert value == SUPPRESSED_MARK
        else:
            assert value == fmt_value(record["value"]), row["id"]
        if record["comparison_95"] == "worse":
            assert cells[7][0] == "Worse than England"
            assert "background" in (cells[7][1] or "")


@pytest.fixture(scope="module")
def strict_report(demo_world, tmp_path_factory):
    """The demo report built again under a stricter threshold (1 to 60), so that neighbourhood counts of people
    are hidden (at the demo's 1 to 7 none is that small); counts of LSOAs and staff stay shown."""
    profile = replace(demo_world.profile, max_suppressed=60)
    with demo_world.connect() as con:
        strict = read_report_inputs(con, profile, load_catalogue(), demo_world.raw_dir)
    directory = tmp_path_factory.mktemp("strict-report")
    build_report(strict, directory)
    return strict, directory


def test_a_cell_hidden_in_the_workbook_is_hidden_in_the_report(browser, strict_report):
    """The neighbourhood tables show '*' exactly where the commissioner tables hide a numerator."""
    inputs, report_dir = strict_report
    latest = inputs.tables.latest().filter(pl.col("level") == "neighbourhood").with_columns(
        pl.coalesce("area_name", "area_code").alias("shown"))
    hidden = latest.filter(pl.col(HIDDEN).list.contains("numerator"))
    assert hidden.height > 0, "a threshold of 60 should hide at least one neighbourhood count"
    assert latest.filter(pl.col("numerator_counts") != "people", pl.col("numerator").is_null()).height == 0
    browser.get((report_dir / "neighbourhoods.html").as_uri())
    for indicator_id in hidden["indicator_id"].unique().sort().to_list()[:6]:
        rows = browser.execute_script(
            "return Array.from(document.querySelectorAll(arguments[0] + ' tbody tr')).map("
            "r => Array.from(r.cells).map(c => c.textContent.trim()))", f"#n-{indicator_id}")
        shown = {cells[0]: cells[3] for cells in rows}  # Neighbourhood -> Count (numerator)
        expected = latest.filter(pl.col("indicator_id") == indicator_id)
        for name, hidden_columns in zip(expected["shown"], expected[HIDDEN]):
            assert (shown[name] == SUPPRESSED_MARK) == ("numerator" in hidden_columns), (indicator_id, name)
    assert scan_html(report_dir / "neighbourhoods.html", inputs.tables.rule) == []


# --- disclosure scanner ---------------------------------------------------------------------------------------------


def test_scanner_finds_a_small_count_and_respects_declared_values(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(
        "<table><thead><tr><th>Area</th><th>Count (numerator)</th><th data-kind='value'>Admissions ratio</th>"
        "<th data-kind='count'>N</th></tr></thead><tbody>"
        "<tr><td>A</td><td>3</td><td>4.2</td><td>12</td></tr>"
        "<tr><td>B</td><td>*</td><td>5</td><td>6.5</td></tr></tbody></table>", encoding="utf-8")
    findings = scan_html(page)
    assert [(f.cell, f.column, f.value) for f in findings] == [("row 1", "Count (numerator)", "3"),
                                                             ("row 2", "N", "6.5")]
    assert all(isinstance(f, Finding) for f in findings)


def test_a_small_count_stops_publication_and_keeps_the_old_report(demo_world, tmp_path, monkeypatch):
    from assets import report as report_asset
    from assets.resources import InaSettings, build_resources

    marts = tmp_path / "marts"
    (marts / ".build").mkdir(parents=True)
    shutil.copyfile(demo_world.database, marts / ".build" / "ina.duckdb")
    old = marts / ".build" / "outputs" / "report"  # the last report built (the released one is never touched)
    old.mkdir(parents=True)
    (old / "index.html").write_text("the report already published")
    monkeypatch.setattr(report_asset, "build_report", lambda inputs, directory: directory.mkdir(parents=True))
    monkeypatch.setattr(report_asset, "scan_report", lambda directory, rule: (
        [directory / "index.html"], [Finding("index.html", "table 1", "row 1", "Count (numerator)", "3")]))
    settings = InaSettings(raw_dir=str(demo_world.raw_dir), marts_dir=str(marts), profile_path=str(DEFAULT_PROFILE))
    result = dg.materialize([report_asset.html_report], resources=build_resources(settings),
                            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert not result.success
    assert (old / "index.html").read_text() == "the report already published"
    assert not (marts / ".build" / "outputs" / ".report-building").exists()
    assert not (marts / "outputs").exists()  # nothing released


# --- boundaries and maps --------------------------------------------------------------------------------------------


def test_demo_boundaries_cover_every_system_lsoa(demo_world, inputs):
    path = boundary_path(demo_world.raw_dir, demo_world.profile.lsoa_vintage)
    assert path is not None and path.name == "lsoa11_boundaries.geojson"
    boundaries = inputs.boundaries
    assert set(boundaries["lsoa_code"]) == set(inputs.geography["lsoa_code"].to_list())
    assert boundaries.geometry.is_valid.all() and boundaries.crs.to_epsg() == 27700
    # Voronoi cells tile the outline: no two LSOAs overlap
    assert boundaries.geometry.area.sum() == pytest.approx(boundaries.geometry.union_all().area, rel=1e-6)
    neighbourhoods = area_polygons(boundaries, inputs.geography, "neighbourhood_code", "neighbourhood_name")
    assert set(neighbourhoods["area_code"]) == set(inputs.geography["neighbourhood_code"].drop_nulls().to_list())


def test_report_without_boundaries_says_so(inputs, tmp_path):
    from dataclasses import replace

    result = build_report(replace(inputs, boundaries=None, boundary_note="No LSOA boundary file: maps are omitted."),
                          tmp_path / "report")
    assert result.maps == 0
    assert "maps are omitted" in (tmp_path / "report" / "index.html").read_text(encoding="utf-8")


@pytest.mark.needs_shared("data/real/pennine_lancashire")
def test_real_pennine_lancashire_boundaries_read_and_dissolve(tmp_path):
    """The bwd-ph extract (ONS LSOA 2011 boundaries, lower-case `lsoa11cd`) reads as a drop-in boundary file."""
    target = tmp_path / "geography" / "lsoa11_boundaries.geojson.gz"
    target.parent.mkdir()
    shutil.copyfile(PENNINE / "boundaries_lsoa.geojson.gz", target)
    path = boundary_path(tmp_path, 2011)
    assert path == target
    lsoas = read_boundaries(path, 2011)
    assert len(lsoas) == 343 and lsoas["lsoa_code"].str.match(r"^E01\d{6}$").all()
    assert lsoas.crs.to_epsg() == 27700
    halves = pl.DataFrame({"lsoa_code": sorted(lsoas["lsoa_code"])}).with_row_index().select(
        "lsoa_code", pl.when(pl.col("index") % 2 == 0).then(pl.lit("A")).otherwise(pl.lit("B")).alias("code"),
        pl.lit(None, pl.String).alias("name"))
    dissolved = area_polygons(lsoas, halves, "code", "name")
    assert sorted(dissolved["area_code"]) == ["A", "B"]
    with gzip.open(target) as f:
        assert b"lsoa11cd" in f.read(2000)


def test_scanner_reads_a_fraction_shown_as_seven_point_four_as_a_small_count(tmp_path):
    """The report shows fractional counts to one decimal; 7.4 reads as 7 and is a finding, 7.5 is not."""
    page = tmp_path / "f.html"
    page.write_text(
        "<table><thead><tr><th>Area</th><th>Numerator</th></tr></thead><tbody>"
        "<tr><td>A</td><td>7.4</td></tr><tr><td>B</td><td>7.5</td></tr><tr><td>C</td><td>7.1</td></tr>"
        "</tbody></table>", encoding="utf-8")
    assert [f.value for f in scan_html(page)] == ["7.4", "7.1"]
