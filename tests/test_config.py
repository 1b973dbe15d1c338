"""The profile YAML is the control panel: it loads, and a bad one is refused at load, naming file, key and allowed
values (the schema of `pipelines.config.ProfileSchema`), before anything runs and without a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.config import DEFAULT_PROFILE, PROJECT_DIR, ProfileError, load_profile

PROFILES = sorted((PROJECT_DIR / "config" / "profiles").glob("*.yaml"))
DEMO = DEFAULT_PROFILE.read_text()


def _edit(old: str, new: str) -> str:
    assert DEMO.count(old) == 1, old  # the edit applies to exactly one place of demo.yaml
    return DEMO.replace(old, new)


def _refused(tmp_path: Path, text: str, name: str = "bad.yaml") -> tuple[Path, str]:
    bad = tmp_path / name
    bad.write_text(text)
    with pytest.raises(ProfileError) as caught:
        load_profile(bad)
    return bad, str(caught.value)


def test_demo_profile_has_eight_sub_icbs_in_five_footprints():
    profile = load_profile(DEFAULT_PROFILE)
    assert len(profile.footprints) == 5
    assert len(profile.footprint_rows()) == 8
    assert profile.financial_years == list(range(2018, 2025))
    assert profile.first_month == "2018-04-01" and profile.last_month == "2025-03-01"


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.name)
def test_every_profile_in_config_loads(path: Path):
    profile = load_profile(path)
    assert profile.source_path == path and profile.footprints and profile.layouts


def test_the_profiles_checked_are_the_three_known_and_any_others():
    assert {"demo.yaml", "lsc.yaml", "lsc-with-extracts.yaml"} <= {p.name for p in PROFILES}


def test_extends_merges_the_base_profile():
    mixed = load_profile(PROJECT_DIR / "config" / "profiles" / "lsc-with-extracts.yaml")
    lsc = load_profile(PROJECT_DIR / "config" / "profiles" / "lsc.yaml")
    assert mixed.footprints == lsc.footprints and mixed.public == lsc.public
    assert mixed.source_overrides == {"ed_attendances": "local", "admitted_spells": "local",
                                      "england_activity": "local"}


# (id, profile text, key named, what the message says is allowed)
BAD = [
    ("max_suppressed_zero", _edit("max_suppressed: 7", "max_suppressed: 0"),
     "disclosure.max_suppressed", "must be an integer >= 1 (got 0)"),
    ("max_suppressed_word", _edit("max_suppressed: 7", "max_suppressed: seven"),
     "disclosure.max_suppressed", "must be an integer >= 1 (got 'seven')"),
    ("max_suppressed_bool", _edit("max_suppressed: 7", "max_suppressed: true"),
     "disclosure.max_suppressed", "must be an integer >= 1 (got True)"),
    ("sub_icb_four_characters", _edit("[Z2G]", "[Z2GX]"),
     "footprints[3].sub_icb_locations[0]", "3 upper-case letters or digits"),
    ("sub_icb_lower_case", _edit("[Z2G]", "[z2g]"),
     "footprints[3].sub_icb_locations[0]", "3 upper-case letters or digits"),
    ("sub_icb_unquoted_digits", _edit("[Z2G]", "[001]"),  # YAML reads 001 as the integer 1
     "footprints[3].sub_icb_locations[0]", "quote a code that starts with a digit) (got 1)"),
    ("sub_icb_string_not_list", _edit("sub_icb_locations: [Z0X, Z1E]", "sub_icb_locations: 'Z0Q'"),
     "footprints[2].sub_icb_locations", "must be a non-empty list of sub-ICB location codes"),
    ("sub_icb_empty_list", _edit("[Z2G]", "[]"),
     "footprints[3].sub_icb_locations", "must be a non-empty list of sub-ICB location codes"),
    ("footprint_code_twice", _edit("code: FP4", "code: FP1"),
     "footprints[3].code", "must be unique (got 'FP1', also footprints[0].code)"),
    ("sub_icb_in_two_footprints", _edit("[Z2G]", "[Z2G, Z0Q]"),
     "footprints[3].sub_icb_locations[1]", "Z0Q is in two footprints (FP1 and FP4)"),
    ("sub_icb_twice_in_one_footprint", _edit("[Z2G]", "[Z2G, Z2G]"),
     "footprints[3].sub_icb_locations[1]", "Z2G is listed twice in footprint FP4"),
    ("provider_twice", _edit("[ZA1, ZA2, ZA3, ZA4, ZA5]", "[ZA1, ZA2, ZA1]"),
     "providers[2]", "must be unique (got 'ZA1' twice)"),
    ("misspelt_top_level_key", _edit("providers:", "provider:"),
     "provider", "unknown key (allowed keys: profile, description, icb, "),
    ("misspelt_nested_key", _edit("max_suppressed: 7", "max_supressed: 7"),
     "disclosure.max_supressed", "allowed keys: min_suppressed, max_suppressed); did you mean max_suppressed?"),
    ("negative_first_year", _edit("first: 2018", "first: -2018"),
     "financial_years.first", "must be an integer from 2000 to 2099"),
    ("last_year_before_first", _edit("last: 2024", "last: 2017"),
     "financial_years.last", "must be >= financial_years.first (2018) (got 2017)"),
    ("base_year_outside", _edit("base_financial_year: 2018", "base_financial_year: 2030"),
     "base_financial_year", "must lie within financial_years, 2018 to 2024 (got 2030)"),
    ("min_above_max", _edit("min_suppressed: 1", "min_suppressed: 8"),
     "disclosure.min_suppressed", "must be <= disclosure.max_suppressed (7) (got 8)"),
    ("missing_key", _edit("lsoa_vintage: 2011\n", ""), "lsoa_vintage", "missing: must be 2011 or 2021"),
    ("lsoa_vintage_unknown", _edit("lsoa_vintage: 2011", "lsoa_vintage: 2001"),
     "lsoa_vintage", "must be 2011 or 2021 (got 2001)"),
    ("unknown_entity_in_synthetic", _edit("synthetic: true", "synthetic: [geography, geografy]"),
     "synthetic[1]", "must be an entity name: one of geography, lsoa_vintages, "),
    ("layout_without_adapter", _edit("default: local", "default: local\n  registered_patients_age_sex: public"),
     "sources.registered_patients_age_sex", "must be one of local, none"),
    ("unknown_entity_in_sources", _edit("default: local", "default: local\n  geografy: public"),
     "sources.geografy", "unknown key (allowed keys: default, geography, "),
    ("profile_name_not_folder_safe", _edit("profile: demo", "profile: My Demo"),
     "profile", "lower case letters, digits, - and _"),
]


@pytest.mark.parametrize("text, key, allowed", [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_profile_is_refused_naming_file_key_and_allowed_values(tmp_path: Path, text, key, allowed):
    bad, message = _refused(tmp_path, text)
    assert message.startswith(f"{bad}: {key}: "), message
    assert allowed in message, message
    assert "\n" not in message and "pydantic" not in message, message


def test_broken_yaml_names_the_file_line_and_column(tmp_path: Path):
    bad, message = _refused(tmp_path, _edit("  max_suppressed: 7", "  max_suppressed: 7: 8"))
    line = DEMO.splitlines().index("  max_suppressed: 7") + 1
    assert message == f"{bad}: line {line}, column 20: not valid YAML: mapping values are not allowed here"
    assert "<unicode string>" not in message


def test_a_key_given_twice_is_refused_with_its_line(tmp_path: Path):
    bad, message = _refused(tmp_path, DEMO + "lsoa_vintage: 2021\n")
    assert message.startswith(f"{bad}: line {len(DEMO.splitlines()) + 1}, column 1: not valid YAML: "
                              "found the key 'lsoa_vintage' twice"), message


def test_an_error_inherited_through_extends_names_the_file_that_gave_the_key(tmp_path: Path):
    base, _ = _refused(tmp_path, _edit("max_suppressed: 7", "max_suppressed: seven"), "base.yaml")
    child = tmp_path / "child.yaml"
    child.write_text("extends: base.yaml\nprofile: child\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(child)
    assert str(caught.value) == (f"{base} (extended by {child}): disclosure.max_suppressed: "
                                 "must be an integer >= 1 (got 'seven')")
    child.write_text("extends: base.yaml\nprofile: child\ndisclosure: {max_suppressed: 6}\n")
    assert load_profile(child).max_suppressed == 6  # the child's key replaces the base's


def test_every_error_is_reported_on_one_line(tmp_path: Path):
    text = _edit("max_suppressed: 7", "max_suppressed: seven").replace("first: 2018", "first: -1")
    bad, message = _refused(tmp_path, text)
    assert message.split("; ") == [
        f"{bad}: financial_years.first: must be an integer from 2000 to 2099, the calendar year the financial "
        "year starts in (2018 = FY2018/19) (got -1)",
        f"{bad}: disclosure.max_suppressed: must be an integer >= 1 (got 'seven')",
    ]


def test_missing_file_and_extends_loop_are_refused(tmp_path: Path):
    with pytest.raises(ProfileError, match="profile file not found: .*nope.yaml"):
        load_profile(tmp_path / "nope.yaml")
    loop = tmp_path / "loop.yaml"
    loop.write_text("extends: loop.yaml\n")
    with pytest.raises(ProfileError, match=r"loop.yaml: extends: loop.yaml .*\(a loop\)"):
        load_profile(loop)


# -- the CLI: one line, exit code 2, no traceback ---------------------------------------------------------------

def _never(*args, **kwargs):
    raise AssertionError("the command went past a bad profile")


@pytest.mark.parametrize("command", ["materialize", "demo-data", "fetch", "dev"])
def test_cli_refuses_a_bad_profile_with_one_failed_line(tmp_path: Path, monkeypatch, command):
    import demo
    import pipelines.platform.run as run
    import pipelines.sources.fetch as fetch
    from pipelines.platform import cli

    # Were the profile let through, the command would fail here at once rather than run, fetch or serve.
    monkeypatch.setattr(run, "materialize_all", _never)
    monkeypatch.setattr(demo, "generate_demo_data", _never)
    monkeypatch.setattr(fetch, "fetch_sources", _never)
    monkeypatch.setattr(cli.subprocess, "call", _never)
    bad = tmp_path / "bad.yaml"
    bad.write_text(_edit("max_suppressed: 7", "max_suppressed: seven"))
    result = CliRunner().invoke(cli.app, [command, "--profile", str(bad)])
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"FAILED {bad}: disclosure.max_suppressed: must be an integer >= 1 (got 'seven')"]


def test_ina_prints_no_traceback_for_a_bad_profile(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(_edit("sub_icb_locations: [Z0X, Z1E]", "sub_icb_locations: 'Z0Q'"))
    empty = tmp_path / "mirror"
    empty.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.platform.cli", "fetch", "--profile", str(bad), "--mirror", str(empty),
         "--dest", str(tmp_path / "dest")],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout and done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"FAILED {bad}: footprints[2].sub_icb_locations: must be "
                                                   "a non-empty list of sub-ICB location codes"), lines


@pytest.mark.parametrize("name, value, says", [
    ("INA_DUCKDB_THREADS", "two", "INA_DUCKDB_THREADS='two' is not a number of threads"),
    ("INA_DUCKDB_THREADS", "0", "INA_DUCKDB_THREADS='0' is not a number of threads"),
    ("INA_DUCKDB_MEMORY_LIMIT", "lots", "INA_DUCKDB_MEMORY_LIMIT='lots' is not a memory size DuckDB understands"),
])
def test_a_bad_duckdb_limit_is_one_line_before_any_command(name: str, value: str, says: str):
    done = subprocess.run([sys.executable, "-m", "pipelines.platform.cli", "dictionary"], cwd=PROJECT_DIR,
                          capture_output=True, text=True, timeout=120, env={**os.environ, name: value})
    assert done.returncode == 2 and done.stdout == "", done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"FAILED {says}"), lines


def test_duckdb_limits_reach_every_connection(tmp_path: Path):
    from assets.resources import InaSettings, build_resources

    settings = InaSettings(marts_dir=str(tmp_path / "marts"), duckdb_memory_limit="700MB", duckdb_threads=1)
    with build_resources(settings)["marts_db"].connect() as con:
        limit, threads = con.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchone()
    assert (limit, threads) == ("667.5 MiB", 1)
