"""The benchmark's yardstick: one hand-written DuckDB statement per record-level source over the same raw files,
aggregating to LSOA x month x age band x sex (ED attendances, all types and type 1; emergency spells and their
bed days), into a DuckDB file. No validation, no quarantine, no checks: what the pipeline's speed is measured
against (bench/bench_pipeline.py), not a second way to build the marts.

    uv run python bench/anchor.py RAW_DIR OUT.duckdb
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schemas.vocabulary import EMERGENCY_ADMISSION_METHODS  # noqa: E402

AGE_BAND = """CASE WHEN {age} >= 90 THEN '90+'
    ELSE printf('%d-%d', ({age} // 5) * 5, ({age} // 5) * 5 + 4) END"""
SEX = "CASE {sex} WHEN '1' THEN 'M' WHEN '2' THEN 'F' ELSE 'U' END"
EMERGENCY = "(" + ", ".join(f"'{code}'" for code in EMERGENCY_ADMISSION_METHODS) + ")"


def statements(raw_dir: Path) -> list[str]:
    ed = raw_dir / "uec" / "ecds" / "ecds_attendances_*.csv*"
    spells = raw_dir / "uec" / "sus_apc" / "apc_spells_*.csv*"
    return [
        f"""CREATE OR REPLACE TABLE ed AS
        SELECT LSOA_OF_RESIDENCE AS lsoa_code, date_trunc('month', ARRIVAL_DATE) AS month,
            {AGE_BAND.format(age='AGE_AT_ARRIVAL')} AS age_band, {SEX.format(sex='STATED_GENDER')} AS sex,
            count(*) AS attendances_all, count(*) FILTER (WHERE EC_DEPARTMENT_TYPE = '01') AS attendances_type1
        FROM read_csv('{ed}', header = true, types = {{'STATED_GENDER': 'VARCHAR', 'EC_DEPARTMENT_TYPE': 'VARCHAR'}})
        GROUP BY ALL""",
        f"""CREATE OR REPLACE TABLE spells AS
        SELECT LSOA_OF_RESIDENCE AS lsoa_code, date_trunc('month', ADMISSION_DATE) AS month,
            {AGE_BAND.format(age='AGE_ON_ADMISSION')} AS age_band, {SEX.format(sex='SEX')} AS sex,
            count(*) AS emergency_spells, sum(LENGTH_OF_STAY) AS bed_days
        FROM read_csv('{spells}', header = true, types = {{'SEX': 'VARCHAR', 'ADMISSION_METHOD': 'VARCHAR'}})
        WHERE ADMISSION_METHOD IN {EMERGENCY}
        GROUP BY ALL""",
    ]


def main() -> None:
    raw_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
    started = time.perf_counter()
    with duckdb.connect(str(out)) as con:
        for statement in statements(raw_dir):
            con.execute(statement)
        rows = sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("ed", "spells"))
    print(f"anchor: {rows:,} rows in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
