"""Pandera polars models of every raw file kind in docs/raw-formats.md, one per layout.

Each model states its grain and publisher; column names are exactly the files' (aliases where they are not
Python identifiers); `Config.metadata` carries grain, publisher and, for LSOA-keyed files, the LSOA vintage.
"""

from schemas.raw._common import RawModel, lsoa_columns, lsoa_vintage, model_metadata
from schemas.raw.deprivation import Iod2019File7
from schemas.raw.geography import GeographyLookup
from schemas.raw.gp import (
    GpPracticeMap,
    GpRegisteredPatientsAgeSex,
    GpRegisteredPatientsLsoa,
    GpwNationalSummary,
    GpwPracticeLevel,
)
from schemas.raw.jsna import FingertipsExport
from schemas.raw.population import MyeEnglandSyoa, SapeLsoaPopulation
from schemas.raw.uec import ApcSpells, EcdsAttendances, EnglandActivityAgeSex, MonthlyAe

__all__ = [
    "ApcSpells",
    "EcdsAttendances",
    "EnglandActivityAgeSex",
    "FingertipsExport",
    "GeographyLookup",
    "GpPracticeMap",
    "GpRegisteredPatientsAgeSex",
    "GpRegisteredPatientsLsoa",
    "GpwNationalSummary",
    "GpwPracticeLevel",
    "Iod2019File7",
    "MonthlyAe",
    "MyeEnglandSyoa",
    "RawModel",
    "SapeLsoaPopulation",
    "lsoa_columns",
    "lsoa_vintage",
    "model_metadata",
]
