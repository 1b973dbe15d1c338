"""Hypothesis mutations of a good CSV file into malformed ones, for the fuzz tests (tests/test_fuzz_*.py).

`mutate(data, good)` applies one to four drawn edits: a cell replaced by noise, bytes inserted or deleted, the
file truncated, lines dropped, duplicated, swapped or blanked, a field dropped, the file re-encoded (UTF-16,
Windows-1252, a BOM) or gzipped (whole or truncated). Every edit keeps the result small.
"""

from __future__ import annotations

import gzip

from hypothesis import strategies as st

NOISE = st.text(alphabet=list(',"\n\r;\t -.0123456789eEx+NaInf\x00éß€'), max_size=12)


def _lines(content: bytes) -> list[bytes]:
    return content.split(b"\n")


def _cell(data, content: bytes) -> bytes:
    lines = _lines(content)
    i = data.draw(st.integers(0, len(lines) - 1), label="line")
    fields = lines[i].split(b",")
    j = data.draw(st.integers(0, len(fields) - 1), label="field")
    fields[j] = data.draw(NOISE, label="cell").encode("utf-8")
    lines[i] = b",".join(fields)
    return b"\n".join(lines)


def _insert(data, content: bytes) -> bytes:
    at = data.draw(st.integers(0, len(content)), label="at")
    new = data.draw(st.one_of(st.binary(max_size=16), NOISE.map(lambda text: text.encode("utf-8"))), label="bytes")
    return content[:at] + new + content[at:]


def _delete(data, content: bytes) -> bytes:
    at = data.draw(st.integers(0, len(content)), label="at")
    return content[:at] + content[at + data.draw(st.integers(1, 40), label="length"):]


def _truncate(data, content: bytes) -> bytes:
    return content[: data.draw(st.integers(0, len(content)), label="length")]


def _line_edit(data, content: bytes) -> bytes:
    lines = _lines(content)
    i = data.draw(st.integers(0, len(lines) - 1), label="line")
    edit = data.draw(st.sampled_from(["drop", "duplicate", "swap", "blank", "drop_field"]), label="edit")
    if edit == "drop":
        del lines[i]
    elif edit == "duplicate":
        lines.insert(data.draw(st.integers(0, len(lines)), label="to"), lines[i])
    elif edit == "swap":
        j = data.draw(st.integers(0, len(lines) - 1), label="with")
        lines[i], lines[j] = lines[j], lines[i]
    elif edit == "blank":
        lines[i] = b""
    else:
        fields = lines[i].split(b",")
        del fields[data.draw(st.integers(0, len(fields) - 1), label="field")]
        lines[i] = b",".join(fields)
    return b"\n".join(lines)


def _encoding(data, content: bytes) -> bytes:
    text = content.decode("utf-8", errors="replace")
    codec = data.draw(st.sampled_from(["utf-16", "cp1252", "utf-8-sig"]), label="codec")
    return text.encode(codec, errors="replace")


EDITS = {"cell": _cell, "insert": _insert, "delete": _delete, "truncate": _truncate, "line": _line_edit,
         "encoding": _encoding}


def mutate(data, good: bytes) -> bytes:
    """A malformed variant of `good` (drawn through hypothesis' `data`)."""
    content = good
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        content = EDITS[data.draw(st.sampled_from(sorted(EDITS)), label="edit")](data, content)
    if data.draw(st.integers(0, 3), label="gzip") == 0:  # one in four gzipped, half of those cut short
        content = gzip.compress(content, mtime=0)
        if data.draw(st.booleans(), label="cut"):
            content = content[: data.draw(st.integers(0, len(content)), label="gzip length")]
    return content
