"""Geography lookup (docs/raw-formats.md §1)."""

from __future__ import annotations

import pandera.polars as pa

from schemas.raw._common import ICB_ONS, LAD, LSOA, NHS_ORG_3, SICBL_ONS, RawModel


class GeographyLookup(RawModel):
    """One row per LSOA 2011 in England (all ICBs).

    LSOA (2011) to Sub-ICB Locations to ICB to LAD lookup.
    Publisher: Office for National Statistics (Open Geography Portal).
    """

    LSOA11CD: str = pa.Field(str_matches=LSOA, unique=True, description="LSOA code, 2011 boundaries.")
    LSOA11NM: str = pa.Field(description="LSOA name, 2011 boundaries.")
    SICBL22CD: str = pa.Field(str_matches=SICBL_ONS, description="Sub-ICB location ONS code (E38), 2022.")
    SICBL22CDH: str = pa.Field(str_matches=NHS_ORG_3, description="Sub-ICB location NHS (ODS) code, 3 characters.")
    SICBL22NM: str = pa.Field(description="Sub-ICB location name.")
    ICB22CD: str = pa.Field(str_matches=ICB_ONS, description="Integrated care board ONS code (E54), 2022.")
    ICB22CDH: str = pa.Field(str_matches=NHS_ORG_3, description="Integrated care board NHS (ODS) code, 3 characters.")
    ICB22NM: str = pa.Field(description="Integrated care board name.")
    LAD22CD: str = pa.Field(str_matches=LAD, description="Local authority district code (E06/E07/E08/E09), 2022.")
    LAD22NM: str = pa.Field(description="Local authority district name, 2022.")

    class Config:
        name = "geography_lookup"
        metadata = {
            "grain": "one row per LSOA 2011 in England",
            "publisher": "Office for National Statistics",
            "lsoa_vintage": 2011,
            "lsoa_columns": ("LSOA11CD",),
        }
