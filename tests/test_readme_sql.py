"""The README's SQL examples run on the shared marts file a user opens (`data/marts/<profile>/ina.duckdb`) and
return rows on the demo world: an example that names a restricted table, a column that was renamed or a value
no row holds fails here, not in a reader's hands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```sql\n(.*?)```", README.read_text(), flags=re.S)


def test_the_readme_has_sql_examples():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("sql", BLOCKS, ids=[f"example{i + 1}" for i in range(len(BLOCKS))])
def test_each_readme_example_returns_rows_from_the_shared_file(sql, demo_world):
    with demo_world.connect_shared() as con:
        rows = con.execute(sql).fetchall()
    assert rows, sql
