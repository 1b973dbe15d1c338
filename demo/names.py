"""Fictional place, practice and trust names (deterministic, never a real place on purpose)."""

from __future__ import annotations

import numpy as np

_PREFIXES = (
    "Ash", "Bel", "Brack", "Brom", "Cal", "Carl", "Chel", "Dun", "Elm", "Fal", "Fen", "Glen", "Hal", "Hart",
    "Hol", "Kel", "Lang", "Lark", "Lin", "Mar", "Mell", "Moor", "Ned", "Nor", "Oak", "Pen", "Quar", "Red",
    "Rid", "Ros", "Sand", "Shel", "Stan", "Tam", "Thorn", "Ul", "Wal", "Wex", "Whit", "Wil", "Wood", "Yar",
)  # fmt: skip
_SUFFIXES = (
    "bury", "by", "caster", "combe", "dale", "den", "field", "ford", "gate", "ham", "holme", "hurst", "ley",
    "mere", "ness", "port", "stead", "stone", "thorpe", "ton", "wick", "worth",
)  # fmt: skip
# Combinations that are (or sound exactly like) real English places, kept out so nothing reads as real.
_REAL = {
    "Ashford", "Ashby", "Ashton", "Ashley", "Belford", "Bromley", "Bromford", "Carlton", "Chelford", "Dunford",
    "Dunstone", "Elmley", "Falmouth", "Fenton", "Halton", "Hartley", "Hartford", "Holford", "Holmfield",
    "Kelham", "Langley", "Langford", "Lindale", "Linton", "Marton", "Marley", "Melton", "Nedham", "Norton",
    "Norham", "Oakham", "Oakley", "Penley", "Redcar", "Redford", "Ridley", "Rosley", "Sandford", "Sandbury",
    "Shelley", "Stanley", "Stanford", "Stanton", "Tamworth", "Thornbury", "Thornley", "Thornton", "Walton",
    "Walford", "Whitby", "Whitley", "Whitstone", "Wilton", "Wilford", "Woodford", "Woodley", "Woodstone",
    "Yarmouth", "Calton", "Carlby", "Kelby", "Stanway", "Wexham", "Ulley", "Woodham", "Whitworth", "Wilby",
    "Fenham", "Marham", "Holton", "Hollingworth", "Dunham", "Elmstead", "Halstead", "Hurst", "Sandhurst",
    "Whitford", "Ashbury", "Shelton", "Langton", "Lindley", "Redbourne", "Ridgeway", "Rosthorne", "Stanhope",
    "Wexcombe", "Moorby", "Ulceby", "Carlecotes", "Kelbrook", "Hartlepool", "Brackley", "Bracknell",
    "Woodthorpe", "Oakthorpe", "Ashbourne", "Whitstable", "Penworth", "Redmere", "Thornby", "Halby",
}
_STREETS = (
    "Abbey Road", "Bank Street", "Bridge Street", "Brook Lane", "Castle Street", "Church Street", "Clarence Road",
    "Elm Grove", "Garden Street", "Green Lane", "High Street", "Hill Top", "King Street", "Market Place",
    "Mill Lane", "Moor Lane", "New Road", "Oak Lane", "Orchard Way", "Park View", "Queen Street", "River Walk",
    "Rose Hill", "School Lane", "Station Road", "Union Street", "Vale Road", "Victoria Road", "Water Street",
    "West End", "Willow Court", "York Road",
)  # fmt: skip
_PRACTICE_FORMS = ("{place} Medical Centre", "{place} Health Centre", "{street} Surgery", "The {street} Practice",
                   "{place} Family Practice", "{place} Group Practice", "{street} Medical Practice")  # fmt: skip


class NameMaker:
    """Draws unique fictional names from a seeded stream."""

    def __init__(self, rng: np.random.Generator, taken: set[str] | None = None):
        self.rng = rng
        self.taken = set(taken or ())

    def place(self) -> str:
        for _ in range(10_000):
            name = _PREFIXES[self.rng.integers(len(_PREFIXES))] + _SUFFIXES[self.rng.integers(len(_SUFFIXES))]
            if name not in _REAL and name not in self.taken:
                self.taken.add(name)
                return name
        # The combinations ran out: qualify one.
        base = _PREFIXES[self.rng.integers(len(_PREFIXES))] + _SUFFIXES[self.rng.integers(len(_SUFFIXES))]
        i = 2
        while f"{base} {i}" in self.taken:
            i += 1
        self.taken.add(f"{base} {i}")
        return f"{base} {i}"

    def practice(self, place: str) -> str:
        form = _PRACTICE_FORMS[self.rng.integers(len(_PRACTICE_FORMS))]
        street = _STREETS[self.rng.integers(len(_STREETS))]
        name = form.format(place=place, street=street)
        if name in self.taken:
            name = f"{place} {street} Surgery"
        i = 2
        base = name
        while name in self.taken:
            name = f"{base} ({i})"
            i += 1
        self.taken.add(name)
        return name
