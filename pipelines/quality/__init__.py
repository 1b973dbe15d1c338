"""Data quality of the marts: Great Expectations suites declared as data (`suites`), run by `runner`, and the
record-level field guard (`record_level`). Docs: docs/data-quality.md."""
