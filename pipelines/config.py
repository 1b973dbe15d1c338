"""The ICB profile: the control panel that says which ICB, which footprints and which years.

Nobody edits code to change a footprint, a period or the disclosure threshold: they edit
`config/profiles/<profile>.yaml`. This module reads that file and validates it against the declared schema
(`ProfileSchema`, pydantic) before building the `Profile` the rest of the code uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Annotated, Any, Literal, Mapping, Optional, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, create_model
from pydantic.fields import FieldInfo

from schemas.entities import ENTITIES, NOT_HELD, EntityLayoutError, entity_layouts

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
    """The profile YAML is not valid YAML, breaks the schema (`ProfileSchema`) or contradicts itself: the message
    names the file, the key (dotted, e.g. `footprints[2].sub_icb_locations`) and what the key allows."""


# The schema of a profile file (after `extends:`), declared once: one pydantic model per block. Every model is
# strict (an integer is not a string, `seven` is not an integer, a string is not a list) and forbids keys it does
# not declare, so a misspelt key is an error naming it and the allowed keys. Each field's `description` says what
# the key allows, in words that follow "must be" in the error message.
_STRICT = ConfigDict(extra="forbid", strict=True)
_SUB_ICB = r"^[A-Z0-9]{3}$"
_NAME = "text (not empty)"


class _Block(BaseModel):
    model_config = _STRICT


SubIcbCode = Annotated[str, StringConstraints(pattern=_SUB_ICB), Field(
    description='a sub-ICB location code: 3 upper-case letters or digits (e.g. Z0Q, "00Q": quote a code that '
                "starts with a digit)")]
ProviderCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{3,5}$"), Field(
    description="an NHS provider (trust) code: 3 to 5 upper-case letters or digits (e.g. RXR)")]
EntityName = Annotated[Literal[tuple(ENTITIES)], Field(
    description=f"an entity name: one of {', '.join(ENTITIES)}")]
ManifestId = Annotated[str, StringConstraints(min_length=1), Field(
    description="a manifest id of config/sources.yaml (text)")]
FinancialYear = Annotated[int, Field(
    ge=2000, le=2099, description="an integer from 2000 to 2099, the calendar year the financial year starts in "
                                  "(2018 = FY2018/19)")]
_Text = Annotated[str, StringConstraints(min_length=1)]


class IcbBlock(_Block):
    ons_code: Annotated[str, StringConstraints(pattern=r"^E54\d{6}$")] = Field(
        description="an ICB's ONS code: E54 and 6 digits (e.g. E54000048)")
    nhs_code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{3}$")] = Field(
        description="an ICB's NHS (ODS) code: 3 upper-case letters or digits (e.g. QE1)")
    name: _Text = Field(description=_NAME)


class EnglandBlock(_Block):
    ons_code: Annotated[str, StringConstraints(pattern=r"^E92\d{6}$")] = Field(
        "E92000001", description="England's ONS code: E92 and 6 digits (E92000001)")
    name: _Text = Field("England", description=_NAME)


class FinancialYearsBlock(_Block):
    first: FinancialYear
    last: FinancialYear


class FootprintBlock(_Block):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")] = Field(
        description="a footprint code: letters, digits, - and _ (e.g. FP1), unique in the profile")
    name: _Text = Field(description=_NAME)
    sub_icb_locations: list[SubIcbCode] = Field(
        min_length=1, description="a non-empty list of sub-ICB location codes, each 3 upper-case letters or digits "
                                  '(e.g. ["00Q", "01A"]), each in one footprint only')


class DisclosureBlock(_Block):
    min_suppressed: int = Field(1, ge=1, description="an integer >= 1")
    max_suppressed: int = Field(7, ge=1, description="an integer >= 1")


class PublishedFigure(_Block):
    id: _Text = Field(description="text (the figure's id)")
    value: float = Field(description="a number")
    unit: str = Field("", description="text")
    text: str = Field("", description="text")


class PublicBlock(_Block):
    sources: Optional[dict[str, list[ManifestId]]] = Field(
        None, description="a mapping of public role -> list of manifest ids of config/sources.yaml")
    published: list[PublishedFigure] = Field(
        [], description="a list of the ICB's published figures, each {id, value, unit, text}")


_LAYOUT_WORDS = ("local", "public", "raw")  # raw: the old word for local
SourcesBlock = create_model(
    "SourcesBlock", __base__=_Block,
    default=(Literal[_LAYOUT_WORDS], Field(None, description="one of local, public (raw = local)")),
    **{name: (Literal[(*entity.layouts(), NOT_HELD)],
              Field(None, description=f"one of {', '.join((*entity.layouts(), NOT_HELD))} "
                                      f"(the layouts {name} has an adapter for, or not held)"))
       for name, entity in ENTITIES.items()},
)


class ProfileSchema(_Block):
    """A profile file: the keys of config/profiles/*.yaml after `extends:` is merged."""

    profile: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")] = Field(
        description="a folder-safe name: lower case letters, digits, - and _ (e.g. lsc)")
    description: str = Field("", description="text")
    icb: IcbBlock = Field(description="a mapping of ons_code, nhs_code, name")
    england: EnglandBlock = Field(EnglandBlock(), description="a mapping of ons_code, name")
    source: Literal[_LAYOUT_WORDS] = Field(None, description="one of local, public, raw (the old one-word sources)")
    sources: Optional[SourcesBlock] = Field(  # type: ignore[valid-type]
        None, description=f"a mapping of default and entity names ({', '.join(ENTITIES)}) to layouts")
    synthetic: Union[bool, list[EntityName], None] = Field(
        None, description=f"true (every entity of the local layout) or a list of entity names "
                          f"({', '.join(ENTITIES)})")
    lsoa_vintage: Literal[2011, 2021] = Field(description="2011 or 2021")
    imd_edition: Literal[2015, 2019, 2025] = Field(description="2015, 2019 or 2025")
    financial_years: FinancialYearsBlock = Field(description="a mapping of first and last (financial years)")
    base_financial_year: Optional[FinancialYear] = Field(
        None, description="a financial year from financial_years.first to financial_years.last (an integer)")
    footprints: list[FootprintBlock] = Field(
        min_length=1, description="a non-empty list of footprints, each {code, name, sub_icb_locations}")
    providers: list[ProviderCode] = Field(
        [], description="a list of NHS provider (trust) codes, each 3 to 5 upper-case letters or digits")
    disclosure: DisclosureBlock = Field(DisclosureBlock(), description="a mapping of min_suppressed, max_suppressed")
    public: Optional[PublicBlock] = Field(None, description="a mapping of sources, published")


def load_profile(path: Path | str = DEFAULT_PROFILE) -> Profile:
    """Read, merge (`extends:`) and validate a profile; raise `ProfileError` naming the file, key and allowed values.

    Checked here, before anything runs: YAML syntax (file, line and column) and duplicate keys; every key against
    `ProfileSchema` (types, allowed values, no unknown keys); the format of codes (sub-ICB locations are 3 upper-case
    letters or digits); that no footprint code repeats and no sub-ICB location is in two footprints; that the
    years, base year and disclosure bounds are in order; that each entity's layout has an adapter.
    Not checked here, because it needs the data: whether a well-formed sub-ICB code (or provider code) exists in
    the real lookup. That is left to the run: the blocking check `every_system_lsoa_in_one_footprint` of
    `marts/dim_geography` fails when an LSOA the lookup puts in the ICB lands in no footprint (a sub-ICB location
    left out or mistyped); a code that matches nothing adds no LSOAs and is not flagged by it. Nor are the public
    roles and manifest ids of `public.sources` checked here: the staging asset reading a role names an unknown id.
    """
    path = Path(path)
    raw, origins = _read_yaml(path)
    try:
        schema = ProfileSchema.model_validate(raw)
    except ValidationError as exc:
        raise ProfileError(_schema_errors(exc, path, origins)) from None
    problems = _cross_checks(schema)
    if problems:
        raise ProfileError("; ".join(f"{_where(loc, path, origins)}{_key(loc)}: {text}" for loc, text in problems))
    sources = dict(raw.get("sources") or {})
    default = str(sources.get("default", raw.get("source", "local")))
    years = schema.financial_years
    profile = Profile(
        profile=schema.profile,
        description=schema.description,
        icb_code=schema.icb.ons_code,
        icb_nhs_code=schema.icb.nhs_code,
        icb_name=schema.icb.name,
        england_code=schema.england.ons_code,
        lsoa_vintage=schema.lsoa_vintage,
        imd_edition=schema.imd_edition,
        first_financial_year=years.first,
        last_financial_year=years.last,
        base_financial_year=years.first if schema.base_financial_year is None else schema.base_financial_year,
        footprints=tuple(Footprint(fp.code, fp.name, tuple(fp.sub_icb_locations)) for fp in schema.footprints),
        providers=tuple(schema.providers),
        min_suppressed=schema.disclosure.min_suppressed,
        max_suppressed=schema.disclosure.max_suppressed,
        sources_default=_SOURCE_WORDS.get(default, default),
        source_overrides={str(k): str(v) for k, v in sources.items() if k != "default"},
        synthetic=_synthetic(raw.get("synthetic"), sources),
        public=dict(raw.get("public") or {}),
        source_path=path,
    )
    try:
        profile.layouts
    except EntityLayoutError as exc:  # the schema allows only each entity's own layouts: a backstop
        raise ProfileError(str(exc)) from None
    return profile


Loc = tuple[Union[str, int], ...]


def _cross_checks(schema: ProfileSchema) -> list[tuple[Loc, str]]:
    """What one key cannot say alone: unique footprint codes and sub-ICB locations, years and bounds in order."""
    problems: list[tuple[Loc, str]] = []
    codes: dict[str, int] = {}
    seen: dict[str, str] = {}
    for i, fp in enumerate(schema.footprints):
        if fp.code in codes:
            problems.append((("footprints", i, "code"), f"must be unique (got {fp.code!r}, also footprints"
                                                         f"[{codes[fp.code]}].code)"))
        codes.setdefault(fp.code, i)
        for j, sub_icb in enumerate(fp.sub_icb_locations):
            if sub_icb in seen:
                twice = (f"is listed twice in footprint {fp.code}" if seen[sub_icb] == fp.code
                         else f"is in two footprints ({seen[sub_icb]} and {fp.code})")
                problems.append((("footprints", i, "sub_icb_locations", j),
                                 f"sub-ICB location {sub_icb} {twice}; each must be in one footprint only"))
            seen.setdefault(sub_icb, fp.code)
    years = schema.financial_years
    if years.last < years.first:
        problems.append((("financial_years", "last"), f"must be >= financial_years.first ({years.first}) "
                                                      f"(got {years.last})"))
    elif schema.base_financial_year is not None and not years.first <= schema.base_financial_year <= years.last:
        problems.append((("base_financial_year",), f"must lie within financial_years, {years.first} to "
                                                   f"{years.last} (got {schema.base_financial_year})"))
    rule = schema.disclosure
    if rule.min_suppressed > rule.max_suppressed:
        problems.append((("disclosure", "min_suppressed"), f"must be <= disclosure.max_suppressed "
                                                           f"({rule.max_suppressed}) (got {rule.min_suppressed})"))
    for i, provider in enumerate(schema.providers):
        if provider in schema.providers[:i]:
            problems.append((("providers", i), f"must be unique (got {provider!r} twice)"))
    return problems


def _schema_errors(exc: ValidationError, path: Path, origins: Mapping[tuple[str, ...], Path]) -> str:
    """One line for all of pydantic's errors, each `file: key: must be <allowed> (got <value>)`."""
    errors = [(*_data_loc(error["loc"]), error) for error in exc.errors(include_url=False)]
    lines: list[str] = []
    for loc, tagged, error in errors:
        if tagged and any(other[:len(loc)] == loc and len(other) > len(loc) for other, *_ in errors):
            continue  # one member of a union failed deeper down (`synthetic[1]`): say only that
        if error["type"] == "extra_forbidden":
            allowed = list(_model_at(loc[:-1]).model_fields)
            close = get_close_matches(str(loc[-1]), allowed, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            text = f"unknown key (allowed keys: {', '.join(allowed)}){hint}"
        elif error["type"] == "missing":
            text = f"missing: must be {_allowed(loc) or 'given'}"
        else:
            text = f"must be {_allowed(loc) or error['msg']} (got {_shown_value(error.get('input'))})"
        line = f"{_where(loc, path, origins)}{_key(loc)}: {text}"
        if line not in lines:
            lines.append(line)
    return "; ".join(lines)


def _data_loc(loc: tuple) -> tuple[Loc, bool]:
    """pydantic's error location without the tags it adds for a union's members (`bool`, `list[...]`), and
    whether it had one (an error of one member of a union, such as `synthetic`'s true-or-a-list)."""
    out: list[Union[str, int]] = []
    tp: Any = ProfileSchema
    tagged = False
    for part in loc:
        tp, _ = _bare(tp)
        members = _members(tp)
        if len(members) > 1 and isinstance(part, str):  # a member's tag: descend into that member
            kind = {"list": list, "dict": dict}.get(part.split("[")[0])
            tp = next((m for m in members if (kind is not None and get_origin(_bare(m)[0]) is kind)
                       or getattr(m, "__name__", "") == part), members[0])
            tagged = True
            continue
        if part == "[key]":
            continue
        out.append(part)
        tp = _child(tp, part)
    return tuple(out), tagged


def _members(tp: Any) -> list[Any]:
    """A union's members other than None; [] for a type that is not a union."""
    return [a for a in get_args(tp) if a is not type(None)] if get_origin(tp) is Union else []


def _bare(tp: Any) -> tuple[Any, str | None]:
    """The type inside `Annotated[...]` and the description of its `Field`, if any."""
    description = None
    while get_origin(tp) is Annotated:
        tp, *metadata = get_args(tp)
        description = next((m.description for m in metadata if isinstance(m, FieldInfo) and m.description),
                           description)
    return tp, description


def _child(tp: Any, part: Union[str, int]) -> Any:
    tp, _ = _bare(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(str(part))
        return None if field is None else Annotated[field.annotation, field]
    members = _members(tp)
    if members:
        fits = [m for m in members if (get_origin(_bare(m)[0]) is list) == isinstance(part, int)]
        return _child((fits or members)[0], part)
    if get_origin(tp) is list and isinstance(part, int):
        return get_args(tp)[0]
    if get_origin(tp) is dict:
        return get_args(tp)[1]
    return None


def _allowed(loc: Loc) -> str | None:
    """What the key at `loc` allows, from the schema's descriptions (the nearest one on the path)."""
    tp: Any = ProfileSchema
    description = None
    for part in loc:
        tp = _child(tp, part)
        if tp is None:
            return description
        tp, own = _bare(tp)
        description = own or description
    return description


def _model_at(loc: Loc) -> type[BaseModel]:
    tp: Any = ProfileSchema
    for part in loc:
        tp = _child(tp, part)
    tp, _ = _bare(tp)
    return next((m for m in _members(tp) if isinstance(m, type) and issubclass(m, BaseModel)), tp)


def _key(loc: Loc) -> str:
    """`footprints[2].sub_icb_locations` for ('footprints', 2, 'sub_icb_locations'); `(the profile)` for ()."""
    text = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
    return text or "(the profile)"


def _shown_value(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _shown(path: Path) -> str:
    """A path as the user typed it, or relative to the current folder when it lies inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _where(loc: Loc, path: Path, origins: Mapping[tuple[str, ...], Path]) -> str:
    """The file to fix for the key at `loc`: the profile loaded, or the profile it extends that gave the key."""
    keys = tuple(part for part in loc if isinstance(part, str))
    origin = next((origins[keys[:n]] for n in range(len(keys), 0, -1) if keys[:n] in origins), None)
    if origin is None or origin.resolve() == path.resolve():
        return f"{_shown(path)}: "
    return f"{_shown(origin)} (extended by {_shown(path)}): "


class _Loader(yaml.SafeLoader):
    """YAML's safe loader that refuses a key given twice in one mapping (YAML would keep the last silently)."""


def _no_duplicate_keys(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, f"found the key {key!r} twice", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicate_keys)


def _read_yaml(path: Path, seen: tuple[Path, ...] = ()) -> tuple[dict, dict[tuple[str, ...], Path]]:
    """The profile's mapping and, per key path, the file that gave it; `extends: other.yaml` (relative to the file)
    starts from that profile's mapping, the keys given here replacing its keys (nested mappings merged key by key)."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except FileNotFoundError as exc:
        raise ProfileError(f"profile file not found: {_shown(path)}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{_shown(path)}: cannot be read ({exc})") from None
    except yaml.MarkedYAMLError as exc:
        raise ProfileError(f"{_shown(path)}: {_yaml_problem(exc)}") from None
    except yaml.YAMLError as exc:
        raise ProfileError(f"{_shown(path)}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise ProfileError(f"{_shown(path)}: (the profile): must be a mapping of profile keys "
                           f"(got {_shown_value(raw)})")
    origins = {keys: path for keys in _key_paths(raw)}
    parent = raw.pop("extends", None)
    if parent is None:
        return raw, origins
    if not isinstance(parent, str):
        raise ProfileError(f"{_shown(path)}: extends: must be a profile file name relative to this one "
                           f"(got {_shown_value(parent)})")
    base_path = (path.parent / parent).resolve()
    if base_path in seen or base_path == path.resolve():
        raise ProfileError(f"{_shown(path)}: extends: {parent} extends this profile again (a loop)")
    base, base_origins = _read_yaml(base_path, (*seen, path.resolve()))
    for keys in origins:  # a key given here replaces what the base gave beneath it, unless both are mappings
        if not isinstance(_at(raw, keys), dict):
            base_origins = {k: v for k, v in base_origins.items() if k[:len(keys)] != keys}
    return _merge(base, raw), {**base_origins, **origins}


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    """`line 5, column 3: not valid YAML: <problem> (<context> at line 4, column 1)`: YAML's own marks, 1-based."""
    def at(mark: Any) -> str:
        return f"line {mark.line + 1}, column {mark.column + 1}"

    mark = exc.problem_mark or exc.context_mark
    text = f"{at(mark)}: not valid YAML: " if mark is not None else "not valid YAML: "
    text += exc.problem or exc.context or "unreadable"
    if exc.problem and exc.context:
        text += f" ({exc.context}" + (f" at {at(exc.context_mark)}" if exc.context_mark is not None else "") + ")"
    return text


def _key_paths(mapping: dict, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for key, value in mapping.items():
        paths.append((*prefix, str(key)))
        if isinstance(value, dict):
            paths.extend(_key_paths(value, (*prefix, str(key))))
    return paths


def _at(mapping: dict, keys: tuple[str, ...]) -> Any:
    for key in keys:
        mapping = mapping.get(key) if isinstance(mapping, dict) else None
    return mapping


def _merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out
