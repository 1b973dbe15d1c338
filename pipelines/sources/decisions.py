"""Recorded decisions: a person accepting, for one source and period, what a plausibility rule refused.

The volume rule (schemas.registry.VolumeRule) stops a month whose rows are far outside the source's recent
range: an extract cut short or delivered twice; the reconciliation rule (schemas.registry.ReconciliationRule)
a month whose ED attendances at a provider do not agree with NHS England's published A&E attendances. Some such months are real (ED attendances halved in April
2020). Whoever has checked one records it in `decisions.yaml` at the top of the raw folder
(`data/raw/<profile>/decisions.yaml`), beside the files it speaks for, and the month then passes:

```yaml
decisions:
  - source: ecds_attendances          # a raw source (schemas.registry)
    periods: 2020-04..2021-03         # one month (2020-04) or a range FIRST..LAST
    rule: volume                      # the rule accepted: volume or reconciliation
    reason: COVID-19 lockdowns; NHS England's published A&E attendances fell by as much
    decided_by: A. Analyst, BI team
    date: 2021-05-12                  # when it was decided
```

The file is validated when it is read (pydantic, strict: unknown keys, an unknown source or rule, a bad month
or a missing reason are refused), each problem naming the file, the entry and the key; the raw asset records
which decisions it applied. A decided month is also left out of the history later months are measured against.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from schemas.registry import RAW_SOURCES

DECISIONS_FILE = "decisions.yaml"
OVERRIDABLE_RULES = ("volume", "reconciliation")
_MONTH = r"\d{4}-(0[1-9]|1[0-2])"


class DecisionsError(ValueError):
    """`decisions.yaml` is not a valid list of decisions; the message names the file, the entry and the key."""


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)]


class Decision(BaseModel):
    """One recorded decision (module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(description="a raw source name (schemas.registry.RAW_SOURCES)")
    periods: str = Field(description="a month YYYY-MM or a range FIRST..LAST", alias="periods")
    rule: Literal["volume", "reconciliation"] = Field(description="the rule accepted: volume or reconciliation")
    reason: Text = Field(description="why the month is right as it is (what was checked)")
    decided_by: Text = Field(description="who decided (name and role)")
    date: dt.date = Field(description="when it was decided (YYYY-MM-DD)")

    @field_validator("source")
    @classmethod
    def _known_source(cls, value: str) -> str:
        if value not in RAW_SOURCES:
            raise ValueError(f"must be one of {', '.join(sorted(RAW_SOURCES))}")
        return value

    @field_validator("periods", mode="before")
    @classmethod
    def _months(cls, value: object) -> str:
        text = str(value).strip()
        ends = [end.strip() for end in text.split("..")]
        if len(ends) not in (1, 2) or not all(re.fullmatch(_MONTH, end) for end in ends):
            raise ValueError("must be a month YYYY-MM or a range YYYY-MM..YYYY-MM")
        if ends[0] > ends[-1]:
            raise ValueError("the range's first month is after its last")
        return text

    @property
    def first(self) -> str:
        return self.periods.split("..")[0].strip()

    @property
    def last(self) -> str:
        return self.periods.split("..")[-1].strip()

    def covers(self, source: str, month: dt.date, rule: str) -> bool:
        return source == self.source and rule == self.rule and self.first <= f"{month:%Y-%m}" <= self.last

    def words(self) -> str:
        return f"{self.periods} accepted by {self.decided_by} on {self.date}: {self.reason}"


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decisions: list[Decision] = Field(default_factory=list)


@dataclass(frozen=True)
class Decisions:
    """The decisions of one raw folder (empty if it has no `decisions.yaml`)."""

    path: Path | None
    entries: tuple[Decision, ...] = ()

    def find(self, source: str, month: dt.date, rule: str = "volume") -> Decision | None:
        return next((entry for entry in self.entries if entry.covers(source, month, rule)), None)

    def months(self, source: str, rule: str) -> list[str]:
        """Every month (YYYY-MM-01) a decision accepts for `source` under `rule`, for SQL checks."""
        found: set[str] = set()
        for entry in self.entries:
            if entry.source != source or entry.rule != rule:
                continue
            year, month = map(int, entry.first.split("-"))
            while f"{year:04d}-{month:02d}" <= entry.last:
                found.add(f"{year:04d}-{month:02d}-01")
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return sorted(found)


def load_decisions(raw_dir: Path) -> Decisions:
    """The raw folder's `decisions.yaml`, validated; raises `DecisionsError` naming file, entry and key."""
    path = Path(raw_dir) / DECISIONS_FILE
    if not path.is_file():
        return Decisions(None)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise DecisionsError(f"{path}{where}: not valid YAML: {exc.problem}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DecisionsError(f"{path}: not readable YAML: {exc}") from None
    try:
        parsed = _File.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            location = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"])
            problems.append(f"{location.lstrip('.')}: {error['msg']} (got {error.get('input')!r})")
        raise DecisionsError(f"{path}: " + "; ".join(problems)) from None
    return Decisions(path, tuple(parsed.decisions))
