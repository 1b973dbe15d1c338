"""The whole Definitions object loads, and the graph's keys, groups and checks are as reviewed."""

import dagster as dg

from pipelines.platform import definitions

defs = definitions.build_definitions(definitions.settings_from_environment())


def test_definitions_load():
    dg.Definitions.validate_loadable(defs)


def test_the_code_location_is_loaded_lazily_for_the_profile_in_force(monkeypatch, tmp_path):
    """Importing the module reads no profile; Dagster loads `defs` for INA_PROFILE and its folders."""
    assert not isinstance(definitions.defs, dg.Definitions)
    monkeypatch.setenv("INA_PROFILE", "config/profiles/lsc.yaml")
    monkeypatch.setenv("INA_MARTS_DIR", str(tmp_path))
    loaded = definitions.defs()
    settings = loaded.resources["settings"]
    assert settings.profile_path.endswith("lsc.yaml") and settings.marts_dir == str(tmp_path)
    assert settings.raw_dir.endswith("data/raw/lsc")
    keys = {k.to_user_string() for k in loaded.resolve_asset_graph().get_all_asset_keys()}
    assert "raw/ecds" not in keys and "staging/stg_gp__workforce_practice" in keys  # public layouts


def test_asset_graph_snapshot():
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    layers = {key.split("/")[0] for key in keys}
    assert {"raw", "staging", "marts", "published"} <= layers
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert {"marts", "uec", "gp", "population", "deprivation", "jsna", "geography", "config", "publication"} <= groups
    assert "marts/fct_activity" in keys and "raw/ecds_attendances" in keys
    checks = {f"{k.asset_key.to_user_string()}:{k.name}" for k in graph.asset_check_keys}
    assert "marts/fct_activity:reconciles_with_extracts" in checks
    assert "marts/fct_activity:ed_reconciles_with_published_ae" in checks
    assert "marts/dim_geography:every_system_lsoa_in_one_footprint" in checks
    # every mart has a schema check
    marts = {k for k in keys if k.startswith("marts/")}
    assert {k for k in marts if any(c.startswith(f"{k}:conforms_to") for c in checks)} == marts


def test_publication_waits_for_every_mart():
    graph = defs.resolve_asset_graph()
    publish = graph.get(dg.AssetKey(["published", "ina_duckdb"]))
    marts = {k for k in graph.get_all_asset_keys() if k.path[0] == "marts"}
    assert marts <= set(publish.parent_keys)


def test_every_asset_has_a_description_that_states_its_grain():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        description = graph.get(key).description or ""
        assert description.startswith("One row per") or "One row per" in description.splitlines()[0] or \
            description.lower().startswith("one "), f"{key.to_user_string()}: {description[:80]!r}"


def test_policy_gives_every_asset_an_owner_and_sources_a_freshness_expectation():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.owners, key.to_user_string()
        if node.group_name in ("uec", "gp", "population", "jsna", "marts"):
            assert node.freshness_policy is not None, key.to_user_string()
