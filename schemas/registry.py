"""The raw sources: which files under `data/raw/` each pandera model governs, and how to read them.

One `RawSource` per raw file kind of docs/raw-formats.md. Assets, sensors and the validator look sources up
here by name; nothing else hard-codes a raw path or glob.

Each source also carries its **data-quality policy** (docs/data-quality.md): a file that breaks its model is
rejected whole (the raw asset fails, nothing downstream runs); rows that break one of the source's
`quarantine` rules (rules across sources, which the file alone cannot show) are set aside in
`staging.quarantine_rows` with the reason, and the rest of the file goes on.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandera.polars as pa
import polars as pl

from schemas.raw import (
    ApcSpells,
    EcdsAttendances,
    EnglandActivityAgeSex,
    FingertipsExport,
    GeographyLookup,
    GpPracticeMap,
    GpRegisteredPatientsAgeSex,
    GpRegisteredPatientsLsoa,
    GpwNationalSummary,
    GpwPracticeLevel,
    Iod2019File7,
    MonthlyAe,
    MyeEnglandSyoa,
    SapeLsoaPopulation,
)
from schemas.raw.uec import MONTH_NAMES

Group = Literal["deprivation", "population", "gp", "uec", "jsna", "geography"]

# `..._2019-04.csv` (or `.csv.gz`): the month a monthly file covers.
FILE_MONTH = re.compile(r"_(\d{4})-(\d{2})\.csv(\.gz)?$")


def file_month(path: Path) -> dt.date | None:
    """First day of the month named in a monthly file's name (`..._YYYY-MM.csv`), None if it names none."""
    match = FILE_MONTH.search(path.name)
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None
    return dt.date(year, month, 1)


@dataclass(frozen=True)
class FilePeriod:
    """A column whose values must lie in the month named in the file name.

    `kind="date"`: a date column within that month. `kind="msitae"`: the A&E `Period` label
    `MSitAE-<MONTH>-<YYYY>` of that month.
    """

    column: str
    kind: Literal["date", "msitae"] = "date"

    def rule(self, month: dt.date) -> tuple[pl.Expr, str]:
        """(boolean expression true where the row is in period, the rule in words)."""
        if self.kind == "msitae":
            label = f"MSitAE-{MONTH_NAMES[month.month - 1]}-{month.year}"
            return pl.col(self.column) == label, f"equals {label} (the month in the file name)"
        last = dt.date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
        words = f"within {month:%Y-%m} (the month in the file name)"
        return pl.col(self.column).is_between(month, last), words


@dataclass(frozen=True)
class Quarantine:
    """A rule whose failing rows are set aside (quarantined) instead of failing the file.

    The rule is the SQL file `assets/sql/staging/quarantine/<rule>.sql`, run by the source's staging asset: it
    writes one row per failing line to `staging.quarantine_rows` (source, file, line, column_name, value,
    reason), and the staging SQL leaves out the rows holding a quarantined value of `column`.

    rule: the SQL file's name. column: the column whose value breaks the rule.
    needs: staging tables the rule reads (the staging asset waits for them).
    defers: keys of the source's model the rule takes over from the validator: a repeated key is not a reason
    to reject the file, the rule quarantines its rows instead.
    max_share, min_lines: quarantine is for a few bad lines; if more than this share of the source's lines
    (and more than `min_lines`) fail the rule, the staging asset fails instead (a file of another vintage or
    area would otherwise empty the marts).
    """

    rule: str
    column: str
    needs: tuple[str, ...] = ()
    defers: tuple[tuple[str, ...], ...] = ()
    max_share: float = 0.05
    min_lines: int = 10

    @property
    def words(self) -> str:
        return f"{self.rule}({self.column})"


def lsoa_in_lookup(column: str) -> Quarantine:
    """Rows whose LSOA code is not in the LSOA 2011 lookup: unknown codes, and LSOA 2021 codes."""
    return Quarantine("lsoa_in_lookup", column, needs=("stg_geography__lsoas",))


#: A practice listed more than once in the practice map (in two PCNs, or twice in one): all its rows.
PRACTICE_IN_ONE_PCN = Quarantine("practice_in_one_pcn", "PRACTICE_CODE", defers=(("PRACTICE_CODE",),))


@dataclass(frozen=True)
class RawSource:
    """One kind of raw file.

    name: snake_case identifier (asset and Dagster source name).
    model: the pandera polars model every file of this kind must satisfy.
    glob: pattern relative to `data/raw/`; a gzipped copy (`<match>.gz`) is accepted too.
    encoding: text encoding (`utf-8`, or `utf-8-sig` for files published with a byte-order mark).
    group: Dagster group / source family.
    record_level: True for confidential patient-level extracts (they never leave the raw layer).
    description: one line for people (Dagster UI, data dictionary).
    file_period: the column that must fall in the month named in the file name, if the file is monthly.
    partitioned_by: the period each file covers (its name says which): `month`, `year` or `edition`; the
    source's raw and staging assets are then partitioned by it (assets/partitions.py). None: one asset run
    reads every file.
    quarantine: rules whose failing rows are quarantined rather than rejected (empty: reject only).
    """

    name: str
    model: type[pa.DataFrameModel]
    glob: str
    encoding: str
    group: Group
    record_level: bool
    description: str
    file_period: FilePeriod | None = None
    partitioned_by: Literal["month", "year", "edition"] | None = None
    quarantine: tuple[Quarantine, ...] = ()

    @property
    def policy(self) -> str:
        """The source's policy in words (asset metadata, docs)."""
        if not self.quarantine:
            return "reject: a file breaking the model fails, nothing downstream runs"
        rules = ", ".join(rule.words for rule in self.quarantine)
        return f"reject on the model's rules; quarantine rows failing {rules}"

    @property
    def deferred_keys(self) -> tuple[tuple[str, ...], ...]:
        """Keys of the model whose repeats a quarantine rule handles (the validator leaves them alone)."""
        return tuple(key for rule in self.quarantine for key in rule.defers)

    @property
    def columns(self) -> tuple[str, ...]:
        """Column names in file order."""
        return tuple(self.model.to_schema().columns)

    @property
    def natural_key(self) -> tuple[str, ...]:
        """Columns that identify a row within one file (a unique column, or the model's `Config.unique`)."""
        schema = self.model.to_schema()
        unique_columns = tuple(name for name, column in schema.columns.items() if column.unique)
        if unique_columns:
            return unique_columns[:1]
        return tuple(schema.unique or ())

    def files(self, raw_dir: Path) -> list[Path]:
        """Files of this source under `raw_dir`, sorted by name (plain and gzipped)."""
        raw_dir = Path(raw_dir)
        found = set(raw_dir.glob(self.glob)) | set(raw_dir.glob(self.glob + ".gz"))
        return sorted((path for path in found if path.is_file()), key=lambda path: path.as_posix())


_SOURCES = (
    RawSource(
        name="geography_lookup",
        model=GeographyLookup,
        glob="geography/lsoa11_sicbl_icb_lad.csv",
        encoding="utf-8",
        group="geography",
        record_level=False,
        description="ONS LSOA (2011) → sub-ICB location → ICB → local authority lookup, all England.",
    ),
    RawSource(
        name="imd_file7",
        model=Iod2019File7,
        glob="imd/File_7_-_All_IoD*_Scores__Ranks__Deciles_and_Population_Denominators*.csv",
        encoding="utf-8-sig",
        group="deprivation",
        record_level=False,
        description="English Indices of Deprivation 2019, File 7: scores, ranks, deciles and denominators by LSOA.",
        partitioned_by="edition",
        quarantine=(lsoa_in_lookup("LSOA code (2011)"),),
    ),
    RawSource(
        name="population_lsoa",
        model=SapeLsoaPopulation,
        glob="population/sape_lsoa11_mid*_*.csv",
        encoding="utf-8",
        group="population",
        record_level=False,
        description="ONS small-area population estimates by LSOA 2011 and single year of age, per year and sex.",
        partitioned_by="year",
        quarantine=(lsoa_in_lookup("LSOA Code"),),
    ),
    RawSource(
        name="population_england",
        model=MyeEnglandSyoa,
        glob="population/mye_england_sex_syoa_mid*.csv",
        encoding="utf-8",
        group="population",
        record_level=False,
        description="ONS mid-year population estimates for England by sex and single year of age.",
        partitioned_by="year",
    ),
    RawSource(
        name="fingertips",
        model=FingertipsExport,
        glob="jsna/fingertips_indicators.csv",
        encoding="utf-8",
        group="jsna",
        record_level=False,
        description="OHID Fingertips export of JSNA indicators for England and the ICB's local authorities.",
    ),
    RawSource(
        name="gp_practice_map",
        model=GpPracticeMap,
        glob="gp/gp-reg-pat-prac-map.csv",
        encoding="utf-8",
        group="gp",
        record_level=False,
        description="NHS England practice → PCN → sub-ICB location → ICB → region mapping.",
        quarantine=(PRACTICE_IN_ONE_PCN,),
    ),
    RawSource(
        name="gp_patients_age_sex",
        model=GpRegisteredPatientsAgeSex,
        glob="gp/gp-reg-pat-prac-quin-age_*.csv",
        encoding="utf-8",
        group="gp",
        record_level=False,
        description="Patients registered at each GP practice by sex and five-year age group, monthly.",
        partitioned_by="month",
    ),
    RawSource(
        name="gp_patients_lsoa",
        model=GpRegisteredPatientsLsoa,
        glob="gp/gp-reg-pat-prac-lsoa-all_*.csv",
        encoding="utf-8",
        group="gp",
        record_level=False,
        description="Patients registered at each GP practice by LSOA 2011 of residence, quarterly.",
        quarantine=(lsoa_in_lookup("LSOA_CODE"),),
    ),
    RawSource(
        name="gp_workforce_practice",
        model=GpwPracticeLevel,
        glob="gp/gpw_practice_level_*.csv",
        encoding="utf-8",
        group="gp",
        record_level=False,
        description="General Practice Workforce by practice: headcount and FTE by staff group, monthly.",
        partitioned_by="month",
    ),
    RawSource(
        name="gp_workforce_national",
        model=GpwNationalSummary,
        glob="gp/gpw_national_summary.csv",
        encoding="utf-8",
        group="gp",
        record_level=False,
        description="General Practice Workforce England totals by month and staff group, with registered patients.",
    ),
    RawSource(
        name="ecds_attendances",
        model=EcdsAttendances,
        glob="uec/ecds/ecds_attendances_*.csv",
        encoding="utf-8",
        group="uec",
        record_level=True,
        description="ECDS-like emergency care attendances of the ICB's residents, one file per arrival month.",
        partitioned_by="month",
        file_period=FilePeriod("ARRIVAL_DATE"),
        quarantine=(lsoa_in_lookup("LSOA_OF_RESIDENCE"),),
    ),
    RawSource(
        name="apc_spells",
        model=ApcSpells,
        glob="uec/sus_apc/apc_spells_*.csv",
        encoding="utf-8",
        group="uec",
        record_level=True,
        description="SUS-like admitted patient care spells of the ICB's residents, one file per admission month.",
        partitioned_by="month",
        file_period=FilePeriod("ADMISSION_DATE"),
        quarantine=(lsoa_in_lookup("LSOA_OF_RESIDENCE"),),
    ),
    RawSource(
        name="ae_monthly",
        model=MonthlyAe,
        glob="uec/ae_monthly/monthly_ae_*.csv",
        encoding="utf-8",
        group="uec",
        record_level=False,
        description="NHS England monthly A&E attendances and emergency admissions by provider, all England.",
        partitioned_by="month",
        file_period=FilePeriod("Period", kind="msitae"),
    ),
    RawSource(
        name="england_activity",
        model=EnglandActivityAgeSex,
        glob="uec/england_activity_by_age_sex.csv",
        encoding="utf-8",
        group="uec",
        record_level=False,
        description="England's annual A&E and emergency admission activity by age band and sex.",
    ),
)

RAW_SOURCES: dict[str, RawSource] = {source.name: source for source in _SOURCES}
