"""The disclosure scanner for the HTML report: read every page back from disk and report any small count.

The same rule as `pipelines.outputs.scan` (which reads the workbook and CSVs): a column is a count when its
header reads like one (`is_count_like`: numerator, activity, residents, events ...), or when the page marks it
`data-kind="count"`; a header the page marks `data-kind="value"` (a rate whose name mentions admissions, say)
is not. Every cell of such a column whose text, as the reader sees it, is a small count under the one rule
(`DisclosureRule.is_small`: 1 to 7, or a fraction read as one, "0.4" or "7.4") is a finding, unless the cell says it counts something other than people (`data-counts="LSOAs"`: see
`pipelines.outputs.scan`). Charts are images and are not read back: they are drawn only from the disclosed
tables.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from pipelines.disclosure import DEFAULT_RULE, DisclosureRule
from pipelines.outputs.scan import Finding, _number, counts_people, is_count_like


class _Tables(HTMLParser):
    """Collects, per <table>, the header cells (text, data-kind) and the body rows (cell texts)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._stack: list[dict] = []
        self._cell: list[str] | None = None
        self._cell_kind: str | None = None
        self._cell_counts: str | None = None
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._stack.append({"headers": [], "rows": []})
        elif not self._stack:
            return
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            if not self._in_head:
                self._stack[-1]["rows"].append([])
        elif tag in ("th", "td"):
            self._cell = []
            self._cell_kind = attrs.get("data-kind")
            self._cell_counts = attrs.get("data-counts")

    def handle_endtag(self, tag):
        if not self._stack:
            return
        if tag == "table":
            self.tables.append(self._stack.pop())
        elif tag == "thead":
            self._in_head = False
        elif tag in ("th", "td") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            table = self._stack[-1]
            if self._in_head:
                table["headers"].append((text, self._cell_kind))
            elif table["rows"]:
                table["rows"][-1].append((text, self._cell_counts))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _counts(header: str, kind: str | None) -> bool:
    if kind == "count":
        return True
    if kind == "value":
        return False
    return is_count_like(header)


def scan_html(path: Path, rule: DisclosureRule = DEFAULT_RULE) -> list[Finding]:
    """Every small number in a count column of every table of one HTML page."""
    parser = _Tables()
    parser.feed(Path(path).read_text(encoding="utf-8"))
    findings = []
    for t, table in enumerate(parser.tables, start=1):
        headers = table["headers"]
        for r, row in enumerate(table["rows"], start=1):
            if len(row) != len(headers):
                continue  # a group heading spanning the table
            for (header, kind), (text, counts) in zip(headers, row):
                if not _counts(header, kind) or not counts_people(counts):
                    continue
                number = _number(text)
                if number is not None and rule.is_small(number):
                    findings.append(Finding(Path(path).name, f"table {t}", f"row {r}", header, text))
    return findings


def scan_report(directory: Path, rule: DisclosureRule = DEFAULT_RULE) -> tuple[list[Path], list[Finding]]:
    """Scan every .html page under `directory`: the pages scanned and the findings."""
    pages = sorted(Path(directory).rglob("*.html"))
    findings: list[Finding] = []
    for page in pages:
        findings += scan_html(page, rule)
    return pages, findings
