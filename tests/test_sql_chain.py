"""SQL chains: each chain file creates one temp relation named as the file, and a file's prerequisites are
found from the SQL itself and built first, each once, in dependency order."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import pipelines.sql as sql
from assets.tables import sql_params
from pipelines.config import DEFAULT_PROFILE, load_profile
from pipelines.derived import install_macros
from pipelines.indicators.catalogue import load_catalogue
from pipelines.sql import SqlChain, reads, temp_relations


def test_every_chain_file_creates_the_relation_it_is_named_for():
    relations = temp_relations("indicators")
    assert {"area_lsoa_weights", "area_names", "area_activity", "area_population", "england_reference",
            "jsna_membership", "lsoa_quantile_areas", "practice_weighted_patients"} <= set(relations)
    assert all(file == f"indicators/{name}" for name, file in relations.items())


def test_what_a_file_reads_comes_from_its_sql_not_its_comments():
    assert set(reads("indicators/right_drift")) == {"area_activity", "area_names", "area_population",
                                                     "england_reference"}
    assert reads("indicators/area_activity") == ("area_lsoa_weights",)
    # workforce_by_area's header names the temp table in a comment and reads it in the SQL: counted once
    assert reads("indicators/workforce_by_area") == ("practice_weighted_patients",)


def test_a_chain_builds_prerequisites_first_and_once(demo_world, tmp_path):
    con = install_macros(duckdb.connect(str(tmp_path / "copy.duckdb")))
    con.execute(f"ATTACH '{demo_world.working}' AS source (READ_ONLY)")
    con.execute("CREATE SCHEMA marts")
    for (table,) in con.execute("SELECT table_name FROM information_schema.tables WHERE table_catalog = 'source' "
                                "AND table_schema = 'marts'").fetchall():
        con.execute(f'CREATE TABLE marts."{table}" AS SELECT * FROM source.marts."{table}"')
    order: list[str] = []
    original = sql.run_sql

    def recording(c, name, params=None):
        order.append(name)
        original(c, name, params)

    chain = SqlChain(con, sql_params(load_profile(DEFAULT_PROFILE), load_catalogue()))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sql, "run_sql", recording)
        rows = chain.frame("indicators/activity_by_age_sex")
        chain.frame("indicators/deprivation_by_area")
    assert rows.height > 0
    assert order.index("indicators/area_lsoa_weights") < order.index("indicators/area_activity")
    assert order.count("indicators/area_lsoa_weights") == 1  # deprivation_by_area found it built
    assert order[-1] == "indicators/deprivation_by_area"
    con.close()


def test_a_misnamed_chain_file_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "chain"
    folder.mkdir()
    (folder / "good.sql").write_text("CREATE OR REPLACE TEMP TABLE good AS SELECT 1 AS x")
    (folder / "bad.sql").write_text("-- makes another name\nCREATE OR REPLACE TEMP TABLE other AS SELECT 1 AS x")
    monkeypatch.setattr(sql, "SQL_DIR", Path(tmp_path))
    temp_relations.cache_clear()
    try:
        with pytest.raises(ValueError, match="bad.sql: a chain file creates one temp table named as the file"):
            temp_relations("chain")
    finally:
        temp_relations.cache_clear()
