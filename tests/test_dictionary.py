"""The data dictionary: generated from the models and the catalogue, complete, and committed up to date."""

from __future__ import annotations

from typer.testing import CliRunner

from pipelines.platform.cli import app
from pipelines.dictionary import DICTIONARY_PATH, dictionary_sections, github_anchor, render_markdown
from pipelines.indicators.catalogue import load_catalogue
from schemas.indicators import INDICATOR_MODELS
from schemas.marts import MART_MODELS
from schemas.registry import RAW_SOURCES


def test_committed_dictionary_is_up_to_date():
    committed = DICTIONARY_PATH.read_text(encoding="utf-8")
    assert committed == render_markdown(), "docs/data-dictionary.md is stale: run `uv run ina dictionary`"


def test_every_mart_table_column_and_indicator_is_documented():
    text = render_markdown()
    for name, model in {**MART_MODELS, **INDICATOR_MODELS}.items():
        assert f"### `marts.{name}`" in text
        for column in model.to_schema().columns:
            assert f"| {column} |" in text, (name, column)
    for indicator in load_catalogue().indicators:
        assert f"| {indicator.id} | {indicator.name} |" in text
    for source in RAW_SOURCES.values():
        assert f"`data/raw/{source.glob}`" in text


def test_sections_describe_every_column_with_its_type_and_rules():
    sections = {s.title: s for s in dictionary_sections()}
    marts = sections["Marts"].tables
    assert [t.location for t in marts] == [f"marts.{n}" for n in {**MART_MODELS, **INDICATOR_MODELS}]
    values = next(t for t in marts if t.location == "marts.fct_indicator_values")
    assert values.grain.startswith("One row per indicator")
    by_column = {row["column"]: row for row in values.columns}
    assert by_column["value"]["type"] == "DOUBLE" and by_column["value"]["nullable"] is True
    assert "lower_ci_95 <= value <= upper_ci_95" in by_column["value"]["checks"]
    assert all(row["description"] for t in marts for row in t.columns), "a mart column has no description"


def test_contents_links_match_the_headings():
    text = render_markdown()
    headings = [line.lstrip("#").strip() for line in text.splitlines() if line.startswith("## ")
                or line.startswith("### `")]
    anchors = {github_anchor(h) for h in headings}
    links = [line.split("](#")[1].rstrip(")") for line in text.splitlines() if line.lstrip().startswith("- [")]
    assert links and set(links) <= anchors
    assert github_anchor("`marts.fct_activity`") == "martsfct_activity"


def test_cli_check_reports_a_stale_file(tmp_path):
    runner = CliRunner()
    stale = tmp_path / "dd.md"
    stale.write_text("# old\n")
    assert runner.invoke(app, ["dictionary", "--check", "--out", str(stale)]).exit_code == 1
    assert runner.invoke(app, ["dictionary", "--out", str(stale)]).exit_code == 0
    assert runner.invoke(app, ["dictionary", "--check", "--out", str(stale)]).exit_code == 0
