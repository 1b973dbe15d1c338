"""The ICB profile: the control panel that says which ICB, which footprints and which years.

Nobody edits code to change a footprint, a period or the disclosure threshold: they edit
`config/profiles/<profile>.yaml`. This module reads and checks that file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEFAULT_PROFILE = PROJECT_DIR / "config" / "profiles" / "demo.yaml"
# Which graph a profile runs: "raw" reads the files of docs/raw-formats.md (the demo data, or the ICB's own
# extracts); "public" reads only the published public files of config/sources.yaml (assets/public.py).
SOURCES = ("raw", "public")


@dataclass(frozen=True)
class Footprint:
    code: str
    name: str
    sub_icb_locations: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    profile: str
    description: str
    icb_code: str
    icb_nhs_code: str
    icb_name: str
    england_code: str
    lsoa_vintage: int
    imd_edition: int
    first_financial_year: int
    last_financial_year: int
    base_financial_year: int
    footprints: tuple[Footprint, ...]
    providers: tuple[str, ...] = ()
    min_suppressed: int = 1
    max_suppressed: int = 7
    source: str = "raw"
    # The profile's `public:` block, read by assets/public.py (source overrides, the ICB's published figures).
    public: Mapping[str, Any] = field(default_factory=dict, compare=False)
    source_path: Path | None = field(default=None, compare=False)

    @property
    def uses_public_data(self) -> bool:
        return self.source == "public"

    @property
    def financial_years(self) -> list[int]:
        return list(range(self.first_financial_year, self.last_financial_year + 1))

    @property
    def first_month(self) -> str:
        return f"{self.first_financial_year}-04-01"

    @property
    def last_month(self) -> str:
        return f"{self.last_financial_year + 1}-03-01"

    @property
    def geography_version(self) -> str:
        return f"{self.profile}:lsoa{self.lsoa_vintage}:imd{self.imd_edition}"

    def footprint_rows(self) -> list[dict]:
        """One row per sub-ICB location: the footprint it belongs to."""
        return [
            {
                "sub_icb_nhs_code": sub_icb,
                "footprint_code": fp.code,
                "footprint_name": fp.name,
            }
            for fp in self.footprints
            for sub_icb in fp.sub_icb_locations
        ]


class ProfileError(ValueError):
    """The profile YAML is missing a field or contradicts itself."""


def load_profile(path: Path | str = DEFAULT_PROFILE) -> Profile:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ProfileError(f"profile file not found: {path}") from exc
    try:
        footprints = tuple(
            Footprint(str(fp["code"]), str(fp["name"]), tuple(str(s) for s in fp["sub_icb_locations"]))
            for fp in raw["footprints"]
        )
        years = raw["financial_years"]
        disclosure = raw.get("disclosure", {})
        profile = Profile(
            profile=str(raw["profile"]),
            description=str(raw.get("description", "")),
            icb_code=str(raw["icb"]["ons_code"]),
            icb_nhs_code=str(raw["icb"]["nhs_code"]),
            icb_name=str(raw["icb"]["name"]),
            england_code=str(raw.get("england", {}).get("ons_code", "E92000001")),
            lsoa_vintage=int(raw["lsoa_vintage"]),
            imd_edition=int(raw["imd_edition"]),
            first_financial_year=int(years["first"]),
            last_financial_year=int(years["last"]),
            base_financial_year=int(raw.get("base_financial_year", years["first"])),
            footprints=footprints,
            providers=tuple(str(p) for p in raw.get("providers", [])),
            min_suppressed=int(disclosure.get("min_suppressed", 1)),
            max_suppressed=int(disclosure.get("max_suppressed", 7)),
            source=str(raw.get("source", "raw")),
            public=dict(raw.get("public") or {}),
            source_path=path,
        )
    except (KeyError, TypeError) as exc:
        raise ProfileError(f"{path}: missing or malformed field {exc}") from exc
    _check(profile, path)
    return profile


def _check(profile: Profile, path: Path) -> None:
    seen: dict[str, str] = {}
    for fp in profile.footprints:
        for sub_icb in fp.sub_icb_locations:
            if sub_icb in seen:
                raise ProfileError(
                    f"{path}: sub-ICB location {sub_icb} is in two footprints ({seen[sub_icb]} and {fp.code})"
                )
            seen[sub_icb] = fp.code
    if not profile.first_financial_year <= profile.base_financial_year <= profile.last_financial_year:
        raise ProfileError(f"{path}: base_financial_year must lie within financial_years")
    if profile.source not in SOURCES:
        raise ProfileError(f"{path}: source must be one of {', '.join(SOURCES)} (got {profile.source!r})")
    if profile.lsoa_vintage not in (2011, 2021):
        raise ProfileError(f"{path}: lsoa_vintage must be 2011 or 2021")
