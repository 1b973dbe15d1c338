"""Property: the real-format readers (pipelines/sources/readers/) return a frame or raise their own `ReaderError` on any
malformed variant of a file in their layout, never another exception. The seeds are the layouts' valid
examples (schemas/examples.py: the demo writes the publishers' layouts); tests/bad_inputs/mutations.py breaks
them."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
from bad_inputs.mutations import mutate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.sources.readers import ReaderError
from pipelines.sources.readers.fingertips import read_fingertips
from pipelines.sources.readers.iod import read_iod
from pipelines.sources.readers.nhs_gp_org import read_gp_practice_map
from pipelines.sources.readers.nhs_gp_patients import read_gp_registered_patients
from pipelines.sources.readers.nhs_gp_workforce import read_practice_workforce
from pipelines.sources.readers.ons_geography import read_lsoa_icb_lookup
from pipelines.sources.readers.ons_population import read_lsoa_population_syoa, read_mye_country_sex_syoa
from schemas.examples import EXAMPLE_PATHS, example_csv

READERS = {
    "geography_lookup": read_lsoa_icb_lookup,
    "imd_file7": read_iod,
    "population_lsoa": read_lsoa_population_syoa,
    "population_england": read_mye_country_sex_syoa,
    "fingertips": read_fingertips,
    "gp_practice_map": read_gp_practice_map,
    "gp_patients_age_sex": read_gp_registered_patients,
    "gp_patients_lsoa": read_gp_registered_patients,
    "gp_workforce_practice": read_practice_workforce,
}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(READERS)), data=st.data())
def test_readers_raise_only_their_own_error_on_malformed_files(name, data):
    content = mutate(data, example_csv(name))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(EXAMPLE_PATHS[name]).name
        path.write_bytes(content)
        try:
            frame = READERS[name](path)
        except ReaderError as error:
            assert str(path) in str(error) or path.name in str(error)
        else:
            assert isinstance(frame, pl.DataFrame)
