"""Source adapters: every entity's rows, from whichever layout a profile holds, into one staging contract.

An *entity* is one kind of input (the LSOA geography, the IMD, ONS population, the practice map, GP workforce,
ED attendances, ...). Each has one staging table (`schemas/staging.py`) and up to two adapters:

* **local**: the raw-file contract of `docs/raw-formats.md` in the profile's raw folder: the demo's files and an
  ICB's own extracts. Validated by the raw models (`schemas/raw/`), loaded by the SQL of `assets/sql/staging/`.
* **public**: the publishers' real layouts listed in `config/sources.yaml`, read by `pipelines/sources/readers/`
  (`pipelines/sources/public.py`).

The profile says which layout each entity comes from (`sources:` in the profile YAML, `entity_layouts`); an
entity it does not hold gets an empty staging table and the indicators that need it are listed as unavailable
with the entity's reason (`fct_indicator_availability`). The marts read only the staging tables, so every
profile runs through the same marts, indicators and outputs.
"""

from schemas.entities import ENTITIES, Entity, EntityLayoutError, entity_layouts  # the entities are declared with the contracts

__all__ = ["ENTITIES", "Entity", "EntityLayoutError", "entity_layouts"]
