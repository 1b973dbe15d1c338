"""The entities a profile can hold, each with its staging table, its adapters and why it may be missing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Layout = Literal["local", "public"]
LAYOUTS: tuple[str, ...] = ("local", "public")
#: The profile's word for an entity it does not hold.
NOT_HELD = "none"


class EntityLayoutError(ValueError):
    """The profile names an unknown entity or layout, or a layout the entity has no adapter for."""


@dataclass(frozen=True)
class Entity:
    """One kind of input.

    name: the profile's and the catalogue's name for it (`inputs:` of config/indicators.yaml).
    table: its staging table (schemas/staging.py). group: the Dagster group of its assets.
    local: the raw source (schemas.registry.RAW_SOURCES) of its local layout, None if it has none.
    public: True if `pipelines/sources/public.py` reads it from published files.
    needs: what a profile must hold to have it, in words (shown where an indicator is unavailable).
    """

    name: str
    table: str
    group: str
    description: str
    local: str | None
    public: bool
    needs: str

    def layouts(self) -> tuple[str, ...]:
        return tuple(layout for layout, ok in (("local", self.local is not None), ("public", self.public)) if ok)


_EXTRACT = "the ICB's own {what} extract in the raw folder (docs/raw-formats.md): {why}"
_RECORD = "record-level activity by LSOA of residence is confidential and is not published"

ENTITIES: dict[str, Entity] = {e.name: e for e in (
    Entity("geography", "stg_geography__lsoas", "geography",
           "LSOA -> sub-ICB location -> ICB -> local authority lookup", "geography_lookup", True,
           "an LSOA -> sub-ICB -> ICB lookup (ONS)"),
    Entity("lsoa_vintages", "stg_geography__lsoa_vintages", "geography",
           "LSOA 2011 -> LSOA 2021 best-fit lookup", None, True,
           "the ONS LSOA 2011 -> LSOA 2021 lookup (public files)"),
    Entity("imd", "stg_imd__lsoa_deprivation", "deprivation",
           "English Indices of Deprivation by LSOA", "imd_file7", True,
           "the English Indices of Deprivation (MHCLG)"),
    Entity("practice_deprivation", "stg_imd__practice_scores", "deprivation",
           "IMD score of each GP practice's registered population (OHID Fingertips 93553)", None, True,
           "OHID Fingertips' practice deprivation scores (indicator 93553, public files)"),
    Entity("population_lsoa", "stg_population__lsoa_age_sex", "population",
           "ONS population estimates by LSOA and single year of age", "population_lsoa", True,
           "ONS small-area population estimates by LSOA"),
    Entity("population_england", "stg_population__england_age_sex", "population",
           "ONS population estimates for England by sex and single year of age", "population_england", True,
           "ONS mid-year estimates for England by sex and age"),
    Entity("practices", "stg_gp__practices", "gp",
           "GP practice -> PCN -> sub-ICB location -> ICB map", "gp_practice_map", True,
           "the NHS England practice -> PCN -> sub-ICB map"),
    Entity("registered_patients_lsoa", "stg_gp__registered_patients_lsoa", "gp",
           "Patients registered at each practice by LSOA of residence", "gp_patients_lsoa", True,
           "NHS England's patients registered at a GP practice by LSOA (gp-reg-pat-prac-lsoa)"),
    Entity("registered_patients_age_sex", "stg_gp__registered_patients_age_sex", "gp",
           "Patients registered at each practice by age band and sex", "gp_patients_age_sex", False,
           "NHS England's patients registered at a GP practice by quinary age and sex (gp-reg-pat-prac-quin-age); "
           "no public adapter reads it yet"),
    Entity("workforce_practice", "stg_gp__workforce_practice", "gp",
           "GP workforce FTE by staff group per practice", "gp_workforce_practice", True,
           "NHS England General Practice Workforce, practice level"),
    Entity("workforce_england", "stg_gp__workforce_england", "gp",
           "England's GP workforce FTE by staff group", "gp_workforce_national", True,
           "NHS England General Practice Workforce, national"),
    Entity("ed_attendances", "stg_uec__ed_attendances", "uec",
           "Emergency department attendances of residents (ECDS, record level, aggregated)", "ecds_attendances", False,
           _EXTRACT.format(what="ECDS", why=_RECORD)),
    Entity("admitted_spells", "stg_uec__admitted_spells", "uec",
           "Admitted patient care spells of residents (SUS, record level, aggregated)", "apc_spells", False,
           _EXTRACT.format(what="SUS admitted patient care", why=_RECORD)),
    Entity("england_activity", "stg_uec__england_activity_age_sex", "uec",
           "England's activity by financial year, measure, age band and sex", "england_activity", False,
           "England's activity by age and sex (HES / ECDS annual summaries) in the raw folder "
           "(uec/england_activity_by_age_sex.csv): not in the public files held"),
    Entity("ae_monthly_providers", "stg_uec__ae_monthly_providers", "uec",
           "NHS England's monthly A&E attendances and emergency admissions by provider", "ae_monthly", True,
           "NHS England's monthly A&E attendances and emergency admissions by provider"),
    Entity("jsna", "stg_jsna__indicator_values", "jsna",
           "OHID Fingertips indicators (local authorities and England)", "fingertips", True,
           "an OHID Fingertips export of the local authorities' indicators"),
    Entity("ae_monthly_icbs", "stg_uec__ae_monthly_icbs", "uec",
           "NHS England's monthly A&E attendances and emergency admissions by ICB", None, True,
           "NHS England's system-level (ICB) A&E series (public files)"),
    Entity("trust_successions", "stg_uec__trust_successions", "uec",
           "ODS successions of NHS trusts", None, True, "the ODS trust successions file (public files)"),
    Entity("trust_catchments", "stg_uec__trust_catchments", "uec",
           "OHID acute trust catchments by ICB", None, True, "OHID's acute trust catchment shares (public files)"),
    Entity("trust_attribution", "stg_uec__trust_attribution", "uec",
           "A&E provider -> acute trust attribution", None, True,
           "the A&E provider -> acute trust attribution (public files)"),
)}


def entity_layouts(default: str, overrides: Mapping[str, str], where: str = "profile") -> dict[str, str | None]:
    """Each entity's layout for a profile: `default` (local or public) where the entity has it, else not held
    (None); `overrides` (entity -> local | public | none) win. Raises `EntityLayoutError` naming the entity."""
    if default not in LAYOUTS:
        raise EntityLayoutError(f"{where}: sources.default must be one of {', '.join(LAYOUTS)} (got {default!r})")
    unknown = sorted(set(overrides) - set(ENTITIES))
    if unknown:
        raise EntityLayoutError(f"{where}: sources names unknown entities {unknown} "
                                f"(known: {', '.join(ENTITIES)})")
    layouts: dict[str, str | None] = {}
    for name, entity in ENTITIES.items():
        chosen = overrides.get(name, default)
        if chosen == NOT_HELD:
            layouts[name] = None
        elif chosen not in LAYOUTS:
            raise EntityLayoutError(f"{where}: sources.{name} must be local, public or none (got {chosen!r})")
        elif chosen in entity.layouts():
            layouts[name] = chosen
        elif name in overrides:
            raise EntityLayoutError(f"{where}: sources.{name} is {chosen}, but {name} has no {chosen} adapter "
                                    f"(it has: {', '.join(entity.layouts()) or 'none'})")
        else:
            layouts[name] = None
    return layouts
