"""Plate text: cleaning, country formats, and fuzzy matching of readings.

OCR output is noisy: PP-OCR can emit CJK characters, dashes and dots, and any
engine confuses O/Q/D/0, I/L/1, B/8, S/5, Z/2, G/6, W/M/N. Text is cleaned to A–Z0–9 and,
where it has the shape of one of the site's plate formats, letters and digits
are fixed by position; a reading that fits none of them is `other`.

Formats are named one way everywhere (stored on `Detection.plate_format`,
shown in the console, sent in events): the country's ISO 3166 code in lower
case (`us`, `sk`, `cz`, …), `br` for Brazil's old grey plates and `mercosul`
for Brazil's Mercosul plates, `generic` for the fallback and `other` for a
reading that fits none of the site's formats.
"""

import functools
import re
from dataclasses import dataclass
from itertools import product

# Position fixes: what a digit read in a letter position most likely is, and back.
DIGIT_TO_LETTER = {"0": "O", "1": "I", "8": "B", "5": "S", "2": "Z", "6": "G"}
LETTER_TO_DIGIT = {letter: digit for digit, letter in DIGIT_TO_LETTER.items()}

# More fixes than this and the text is more likely another country's plate
# (e.g. a US `K179658` would otherwise become `KIZ9658`).
MAX_POSITION_FIXES = 1

# For matching readings, searching and watch lists: characters OCR takes for each other fold into one
# (O/Q/D/0, I/L/1, B/8, S/5, Z/2, G/6, W/M/N), so each class counts as one character.
CONFUSABLE = {**LETTER_TO_DIGIT, "Q": "0", "D": "0", "L": "1", "M": "W", "N": "W"}
CONFUSABLE_CLASS = str.maketrans(CONFUSABLE)


@dataclass(frozen=True)
class PlateFormat:
    """A plate format: shapes per position (L letter, D digit, A either) or, when free, a length range."""

    name: str
    shapes: tuple = ()
    free_lengths: range | None = None  # no position rule: any A–Z0–9 text of these lengths
    # Letters the format never issues, and the digit they are a misreading of.
    never_issued: tuple = ()

    def substitute(self, text):
        for letter, digit in self.never_issued:
            text = text.replace(letter, digit)
        return text

    @property
    def fixes_by_position(self):
        return self.free_lengths is None


def _german_shapes():
    # District 1–3 letters, then 1–2 letters, then 1–4 digits (the E/H suffix is read as a letter: not kept).
    return tuple("L" * letters + "D" * digits for letters, digits in product(range(2, 6), range(1, 5)) if letters + digits <= 8)


# Each format once. Where two countries share a shape (SK, IT, FR: LLDDDLL),
# the site's order of formats names the reading.
PLATE_FORMATS = {
    plate_format.name: plate_format
    for plate_format in (
        PlateFormat("br", ("LLLDDDD",)),
        PlateFormat("mercosul", ("LLLDLDD",)),
        # No state set: any 2–7 characters. Standard US series leave out O and Q (they read as 0).
        PlateFormat("us", free_lengths=range(2, 8), never_issued=(("O", "0"), ("Q", "0"))),
        PlateFormat("sk", ("LLDDDLL", "LLDDDDD")),  # current, and the older district + five digits
        PlateFormat("cz", ("DLDDDDD", "DLLDDDD", "LLLDDDD")),  # since 2001 (two shapes), and before
        # District letters, then digits and letters in one of the allowed orders.
        PlateFormat("pl", ("LLDDDDD", "LLDDDDL", "LLDDDLL", "LLDLDDD", "LLDLLDD", "LLLLDDD", "LLLDDLL", "LLLDLDD", "LLLDDLD", "LLLDLLD", "LLLLLDD")),
        PlateFormat("de", _german_shapes()),
        PlateFormat("it", ("LLDDDLL",)),
        PlateFormat("fr", ("LLDDDLL",)),
        PlateFormat("nl", ("LLDDDL", "DLLLDD", "DDLLLD", "LDDDLL", "LLLDDL", "LDDLLL", "DLLDDD", "DDDLLD", "LLDDLL", "DDLLDD", "DDDDLL", "LLLLDD")),
        PlateFormat("es", ("DDDDLLL",)),
        PlateFormat("gb", ("LLDDLLL",)),
        PlateFormat("generic", free_lengths=range(4, 11)),
    )
}
# How the console shows each format: one label per name, the name after it (what the API, events and CSV carry).
PLATE_FORMAT_LABELS = {
    "br": "Brazil, old grey plate", "mercosul": "Mercosul (Brazil)", "us": "United States", "sk": "Slovakia",
    "cz": "Czechia", "pl": "Poland", "de": "Germany", "it": "Italy", "fr": "France", "nl": "Netherlands",
    "es": "Spain", "gb": "United Kingdom", "generic": "Generic", "other": "Fits none of the site's formats",
}


def plate_format_label(name):
    """`br` → "Brazil, old grey plate (br)"; "" (no plate read) → "—"; a name no longer known → the name."""
    if not name:
        return "—"
    label = PLATE_FORMAT_LABELS.get(name)
    return f"{label} ({name})" if label else name


# Names a site may use for several formats at once.
PLATE_REGIONS = {
    "brazil": ("br", "mercosul"),
    "europe": ("sk", "cz", "pl", "de", "it", "fr", "nl", "es", "gb"),
}
DEFAULT_PLATE_FORMATS = ("br", "mercosul", "generic")


def plate_formats(names):
    """The formats named by `names` (format or region names, a list or a comma-separated string, in the site's
    order of preference).

    Raises ValueError naming an unknown name; empty means the default (Brazil and the generic fallback).
    """
    if isinstance(names, str):
        names = names.split(",")
    return _plate_formats(tuple(name.strip().lower() for name in names or () if name.strip()))


@functools.lru_cache(maxsize=64)
def _plate_formats(names):
    chosen = []
    for name in names or DEFAULT_PLATE_FORMATS:
        expanded = PLATE_REGIONS.get(name, (name,))
        for format_name in expanded:
            if format_name not in PLATE_FORMATS:
                known = ", ".join([*PLATE_FORMATS, *PLATE_REGIONS])
                raise ValueError(f"unknown plate format {name!r}; choose from {known}")
            if PLATE_FORMATS[format_name] not in chosen:
                chosen.append(PLATE_FORMATS[format_name])
    return tuple(chosen)


def clean_plate(raw):
    """Upper case, A–Z and 0–9 only (drops CJK, dashes, dots and spaces)."""
    return re.sub(r"[^A-Z0-9]", "", (raw or "").upper())


def _fit(text, pattern):
    """Return (fixed text, number of fixes) if `text` fits `pattern` after fixing, else None."""
    if len(text) != len(pattern):
        return None
    fixed = []
    fixes = 0
    for char, kind in zip(text, pattern):
        if kind == "L" and char.isdigit():
            if char not in DIGIT_TO_LETTER:
                return None
            char = DIGIT_TO_LETTER[char]
            fixes += 1
        elif kind == "D" and char.isalpha():
            if char not in LETTER_TO_DIGIT:
                return None
            char = LETTER_TO_DIGIT[char]
            fixes += 1
        fixed.append(char)
    return "".join(fixed), fixes


def normalise_plate(text, formats=None):
    """Clean `text` and fix it by position to the site's format it fits best.

    `formats`: `PlateFormat`s in the site's order (`plate_formats(...)`), the
    default set when None. The format with position rules that fits with the
    fewest fixes (at most MAX_POSITION_FIXES; ties: the site's order) wins;
    otherwise the first free-length format the text fits, unchanged;
    otherwise the format is `other`. Returns (text, format name).
    """
    text = clean_plate(text)
    formats = plate_formats(DEFAULT_PLATE_FORMATS) if formats is None else formats
    best = None
    for order, plate_format in enumerate(formats):
        for shape in plate_format.shapes:
            fitted = _fit(text, shape)
            if fitted and fitted[1] <= MAX_POSITION_FIXES and (best is None or fitted[1] < best[0][1]):
                best = (fitted, plate_format.name)
    if best:
        return best[0][0], best[1]
    for plate_format in formats:
        if plate_format.free_lengths is not None and len(text) in plate_format.free_lengths:
            return plate_format.substitute(text), plate_format.name
    return text, "other"


def edit_distance(a, b):
    """Levenshtein distance (insertions, deletions, substitutions)."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def _confusable_form(text):
    return clean_plate(text).translate(CONFUSABLE_CLASS)


def plate_similarity(a, b):
    """1.0 for the same plate, down to 0.0; confusable characters count as equal."""
    a, b = _confusable_form(a), _confusable_form(b)
    if not a and not b:
        return 1.0
    return 1.0 - edit_distance(a, b) / max(len(a), len(b))


def near_identical(a, b):
    """Whether two readings are probably the same plate: at most one edit apart after confusables."""
    a, b = _confusable_form(a), _confusable_form(b)
    return bool(a) and bool(b) and edit_distance(a, b) <= 1


# Two plausible readings this many edits apart (after confusables) are two plates, whatever their boxes say.
DIFFERENT_PLATE_EDITS = 3


def plate_distance(a, b):
    """Edits between two readings, confusable characters counted as equal."""
    return edit_distance(_confusable_form(a), _confusable_form(b))


def consensus_plate(readings):
    """The plate a passage's readings agree on: `readings` is [(text, format, confidence)].

    The length is the one most readings have (ties: the greater summed confidence); each position is the
    character with the greatest summed confidence among the readings of that length; the format the one
    those readings name most (by confidence). Returns (text, format, confidence): the confidence of the
    surest reading that reads the consensus whole, or, when none does, their mean confidence times the
    least share a winning character had of its position's votes; ("", "", None) when there is no reading.
    """
    readings = [(text, plate_format, confidence or 0.0) for text, plate_format, confidence in readings if text]
    if not readings:
        return "", "", None
    by_length = {}
    for reading in readings:
        by_length.setdefault(len(reading[0]), []).append(reading)
    same_length = max(by_length.values(), key=lambda group: (len(group), sum(r[2] for r in group)))
    characters, share = [], 1.0
    for position in range(len(same_length[0][0])):
        votes = {}
        for text, _, confidence in same_length:
            votes[text[position]] = votes.get(text[position], 0.0) + max(confidence, 1e-6)
        winner = max(votes, key=votes.get)
        characters.append(winner)
        share = min(share, votes[winner] / sum(votes.values()))
    formats = {}
    for _, plate_format, confidence in same_length:
        formats[plate_format] = formats.get(plate_format, 0.0) + max(confidence, 1e-6)
    text = "".join(characters)
    agreeing = [c for t, _, c in same_length if t == text]
    confidence = max(agreeing) if agreeing else share * sum(c for _, _, c in same_length) / len(same_length)
    return text, max(formats, key=formats.get), round(confidence, 4)
