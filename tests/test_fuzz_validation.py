"""Property: whatever malformed variant of a valid raw file it is given, the validator either accepts it or
raises its own `RawFileError` naming the file, never any other exception (hypothesis; tests/bad_inputs/
mutations.py draws the malformed files from each layout's valid example)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bad_inputs.mutations import mutate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.sources.validation import FileReport, RawFileError, validate_file
from schemas.examples import EXAMPLE_PATHS, example_csv
from schemas.registry import RAW_SOURCES

SOURCES = sorted(RAW_SOURCES)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(SOURCES), data=st.data())
def test_the_validator_rejects_malformed_files_with_its_own_error(name, data):
    content = mutate(data, example_csv(name))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(EXAMPLE_PATHS[name]).name
        path.write_bytes(content)
        try:
            report = validate_file(path, RAW_SOURCES[name], batch_rows=data.draw(st.sampled_from([2, 1_000])))
        except RawFileError as error:
            assert path.name in str(error) and error.total >= 1
            assert all(f.file == path.name and f.rule for f in error.failures)
        else:
            assert isinstance(report, FileReport) and report.ok and report.rows >= 1
