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
# The period a file's name carries, per kind of partition (assets/partitions.py reads them from here).
PERIOD_IN_NAME: dict[str, str] = {"month": FILE_MONTH.pattern, "year": r"mid(\d{4})", "edition": r"IoD(\d{4})"}
# `EXTRACT_DATE` of the GP registration files (`01Apr2019`): the publication's month.
EXTRACT_DATE_FORMAT = "%d%b%Y"


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
    `MSitAE-<MONTH>-<YYYY>` of that month. `kind="extract"`: the GP registration files' `EXTRACT_DATE`
    (`01Apr2019`, `EXTRACT_DATE_FORMAT`) in that month: April's extract saved under May's name is refused.
    """

    column: str
    kind: Literal["date", "msitae", "extract"] = "date"

    def rule(self, month: dt.date) -> tuple[pl.Expr, str]:
        """(boolean expression true where the row is in period, the rule in words)."""
        if self.kind == "msitae":
            label = f"MSitAE-{MONTH_NAMES[month.month - 1]}-{month.year}"
            return pl.col(self.column) == label, f"equals {label} (the month in the file name)"
        if self.kind == "extract":
            extracted = pl.col(self.column).str.to_date(EXTRACT_DATE_FORMAT, strict=False)
            words = f"an extract date in {month:%Y-%m} (the month in the file name)"
            return extracted.dt.month_start() == month, words
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


@dataclass(frozen=True)
class VolumeRule:
    """A month's rows against the source's own recent history (pipelines.sources.validation.check_volumes).

    A month is refused when its data rows fall outside [`low` x, `high` x] the median of the previous
    `months` months that have a file and no recorded decision for the month (pipelines.sources.decisions),
    once at least `min_history` such months exist. The defaults let seasonal swings (ED attendances vary by
    about 15% over a year) and growth through, and stop an extract cut in half or delivered twice.
    """

    low: float = 0.6
    high: float = 1.5
    months: int = 12
    min_history: int = 3

    @property
    def words(self) -> str:
        return (f"a month's rows within {self.low:g}x to {self.high:g}x the median of the previous "
                f"{self.months} months held (at least {self.min_history})")


#: The one volume rule of the monthly sources (thresholds in one place).
VOLUME = VolumeRule()


@dataclass(frozen=True)
class ReconciliationRule:
    """ED attendances of the extract against NHS England's published monthly A&E attendances (all types) of the
    same provider and month (the mart check `fct_activity.ed_reconciles_with_published_ae`).

    The extract holds the ICB's residents only, so a provider's extract count is a share of its published count
    (about 0.95 at the ICB's own trusts, a few per cent elsewhere). A provider-month is refused when its
    extract count exceeds `ceiling` x the published count (ECDS and the A&E situation report count slightly
    differently, hence the margin), or, once `min_history` earlier months of the provider are held, when its
    share falls outside [`low` x, `high` x] the median share of the months held among its previous `months`
    calendar months: an extract delivered twice, cut short, or missing one provider's records (which the whole
    month's volume may hide). Calendar months, not the last `months` months held: where the published series
    has a gap (the public mirror's by-type file ends in March 2019, its monthly file starts in April 2021), the
    shares from before it are not the provider's usual share now, and a month after the gap waits for
    `min_history` months of its own.
    Provider-months expected to hold fewer than `min_expected` attendances are not judged (noise). A month
    accepted in `decisions.yaml` (rule `reconciliation`) passes and is no baseline for later months.
    """

    low: float = 0.6
    high: float = 1.5
    months: int = 12
    min_history: int = 3
    ceiling: float = 1.1
    min_expected: int = 100

    @property
    def words(self) -> str:
        return (f"a provider's extract attendances at most {self.ceiling:g}x its published attendances, and its "
                f"share of them within {self.low:g}x to {self.high:g}x the median share of the months held in its "
                f"previous {self.months} calendar months (at least {self.min_history}; provider-months expected "
                f"to hold {self.min_expected}+ attendances)")

    def params(self) -> dict[str, float | int]:
        """The rule's thresholds as SQL parameters (`reconcile_<name>`)."""
        return {f"reconcile_{name}": getattr(self, name)
                for name in ("low", "high", "months", "min_history", "ceiling", "min_expected")}


#: The reconciliation of ED attendances with NHS England's published A&E (thresholds in one place).
ED_RECONCILIATION = ReconciliationRule()


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
    not_future: date columns that may not be after the day of the run (an event that has not happened yet).
    volume: the rule comparing a month's rows with the source's previous months (None: not checked).
    parts: for a source delivered as several files a period (population by sex), a regular expression whose
    match in a file's name tells the parts apart. Otherwise a source has one file per period: a second one
    (a `.csv` and its `.csv.gz`, or two names carrying one month) is refused (`duplicate_files`).
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
    not_future: tuple[str, ...] = ()
    volume: VolumeRule | None = None
    parts: str | None = None

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

    def delivery(self, path: Path) -> str:
        """What a file delivers: the period its name carries (the partition's, or a month) and, for a source
        of several files a period, its part; a name without a period stands for itself. A gzipped copy
        delivers what the plain file does."""
        name = path.name.removesuffix(".gz")
        pattern = PERIOD_IN_NAME[self.partitioned_by] if self.partitioned_by else FILE_MONTH.pattern
        period = re.search(pattern, path.name)
        if period is None:
            return name
        part = re.search(self.parts, name) if self.parts else None
        label = period.group(0).removesuffix(".gz").removesuffix(".csv").strip("_")
        return f"{label} {part.group(1) if part.groups() else part.group(0)}" if part else label

    def duplicate_files(self, paths: list[Path]) -> list[tuple[str, list[Path]]]:
        """Deliveries held by more than one file (`delivery`), each with its files: a source has one file
        per period (and part), so a month delivered twice cannot double that month's counts."""
        by_delivery: dict[str, list[Path]] = {}
        for path in paths:
            by_delivery.setdefault(self.delivery(path), []).append(path)
        return [(delivery, sorted(files)) for delivery, files in sorted(by_delivery.items()) if len(files) > 1]

    def duplicates_message(self, paths: list[Path]) -> str | None:
        """The duplicate deliveries among `paths` in words, naming every file (None if there are none)."""
        duplicates = self.duplicate_files(paths)
        if not duplicates:
            return None
        lines = [f"  {delivery}: {' and '.join(str(path) for path in files)}" for delivery, files in duplicates]
        return (f"Source {self.name} has more than one file for {len(duplicates)} period(s): one file per source "
                f"and period (a .csv and its .csv.gz are the same extract twice); remove all but one:\n"
                + "\n".join(lines))


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
        parts=r"_(males|females)\.csv$",
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
        file_period=FilePeriod("EXTRACT_DATE", kind="extract"),
        volume=VOLUME,
    ),
    RawSource(
        name="gp_patients_lsoa",
        model=GpRegisteredPatientsLsoa,
        glob="gp/gp-reg-pat-prac-lsoa-all_*.csv",
        encoding="utf-8",
        group="gp",
        record_level=False,
        description="Patients registered at each GP practice by LSOA 2011 of residence, quarterly.",
        file_period=FilePeriod("EXTRACT_DATE", kind="extract"),
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
        volume=VOLUME,
    ),
    RawSource(
        name="gp_workforce_national",
        model=GpwNationalSummary,
        glob="gp/gpw_national_summary.csv",
        encoding="utf-8",
        group="gp",
        record_level=False,
        description="General Practice Workforce England totals by month and staff group, with registered patients.",
        not_future=("CENSUS_DATE",),
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
        not_future=("ARRIVAL_DATE",),
        volume=VOLUME,
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
        not_future=("ADMISSION_DATE", "DISCHARGE_DATE"),
        volume=VOLUME,
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
        volume=VOLUME,
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
