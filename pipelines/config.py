"""The ICB profile: the control panel that says which ICB, which footprints and which years.

Nobody edits code to change a footprint, a period or the disclosure threshold: they edit
`config/profiles/<profile>.yaml`. This module reads and checks that file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import re as _re

import yaml

from schemas.entities import ENTITIES, EntityLayoutError, entity_layouts

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEFAULT_PROFILE = PROJECT_DIR / "config" / "profiles" / "demo.yaml"
# Where a profile's raw files and marts live by default: one folder each per profile, so profiles never read
# each other's files (`data/raw/<profile>/`, `data/marts/<profile>/`).
RAW_ROOT = PROJECT_DIR / "data" / "raw"
MARTS_ROOT = PROJECT_DIR / "data" / "marts"
# The old one-word `source:` of a profile, as the default layout of `sources:` (pipelines/sources).
_SOURCE_WORDS = {"raw": "local", "local": "local", "public": "public"}


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
    # Which layout each entity comes from (pipelines/sources): the default (local or public) and per-entity
    # overrides (local, public or none).
    sources_default: str = "local"
    source_overrides: Mapping[str, str] = field(default_factory=dict, compare=False)
    # Entities whose local files are synthetic (the demo generator's): every output built on them says so.
    synthetic: tuple[str, ...] = ()
    # The profile's `public:` block (manifest ids per public role, the ICB's published figures).
    public: Mapping[str, Any] = field(default_factory=dict, compare=False)
    source_path: Path | None = field(default=None, compare=False)

    @property
    def layouts(self) -> dict[str, str | None]:
        """Each entity's layout (local, public) or None where the profile does not hold it."""
        return entity_layouts(self.sources_default, self.source_overrides, str(self.source_path or self.profile))

    def holds(self, entity: str) -> bool:
        return self.layouts.get(entity) is not None

    @property
    def synthetic_entities(self) -> tuple[str, ...]:
        """The entities held whose rows are synthetic (empty for real data)."""
        return tuple(name for name in self.synthetic if self.holds(name))

    @property
    def default_raw_dir(self) -> Path:
        return RAW_ROOT / self.profile

    @property
    def default_marts_dir(self) -> Path:
        return MARTS_ROOT / self.profile

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


def _synthetic(value: Any, sources: Mapping[str, Any]) -> tuple[str, ...]:
    """`synthetic: true` = every entity of the local layout; a list names them."""
    if value is True:
        default = _SOURCE_WORDS.get(str(sources.get("default", "local")), "local")
        return tuple(name for name, e in ENTITIES.items()
                     if e.local and str(sources.get(name, default)) == "local")
    return tuple(str(v) for v in (value or []))


class ProfileError(ValueError):
    """The profile YAML is missing a field or contradicts itself."""


def load_profile(path: Path | str = DEFAULT_PROFILE) -> Profile:
    path = Path(path)
    raw = _read_yaml(path)
    try:
        footprints = tuple(
            Footprint(str(fp["code"]), str(fp["name"]), tuple(str(s) for s in fp["sub_icb_locations"]))
            for fp in raw["footprints"]
        )
        years = raw["financial_years"]
        disclosure = raw.get("disclosure", {})
        sources = dict(raw.get("sources") or {})
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
            sources_default=_SOURCE_WORDS.get(str(sources.get("default", raw.get("source", "local"))),
                                              str(sources.get("default", raw.get("source", "local")))),
            source_overrides={str(k): str(v) for k, v in sources.items() if k != "default"},
            synthetic=_synthetic(raw.get("synthetic"), sources),
            public=dict(raw.get("public") or {}),
            source_path=path,
        )
    except (KeyError, TypeError) as exc:
        raise ProfileError(f"{path}: missing or malformed field {exc}") from exc
    _check(profile, path)
    return profile


def _read_yaml(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    """The profile's mapping; `extends: other.yaml` (relative to the file) starts from that profile's mapping,
    the keys given here replacing its keys (nested mappings merged key by key)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ProfileError(f"profile file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(raw, dict):
        raise ProfileError(f"{path}: expected a mapping of profile fields")
    parent = raw.pop("extends", None)
    if parent is None:
        return raw
    base_path = (path.parent / str(parent)).resolve()
    if base_path in seen:
        raise ProfileError(f"{path}: extends {parent} in a loop")
    return _merge(_read_yaml(base_path, (*seen, path.resolve())), raw)


def _merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


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
    try:
        profile.layouts
    except EntityLayoutError as exc:
        raise ProfileError(str(exc)) from None
    unknown = sorted(set(profile.synthetic) - set(ENTITIES))
    if unknown:
        raise ProfileError(f"{path}: synthetic names unknown entities {unknown}")
    if not _re.fullmatch(r"[a-z0-9][a-z0-9_-]*", profile.profile):
        raise ProfileError(f"{path}: profile must be a folder-safe name (lower case, digits, - and _)")
    if profile.lsoa_vintage not in (2011, 2021):
        raise ProfileError(f"{path}: lsoa_vintage must be 2011 or 2021")
