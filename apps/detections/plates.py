"""Plate text: cleaning, country formats, and fuzzy matching of readings.

OCR output is noisy: PP-OCR can emit CJK characters, dashes and dots, and any
engine confuses O/0, I/1, B/8, S/5, Z/2, G/6. Text is cleaned to A–Z0–9 and,
where it has the shape of a Brazilian plate (old `AAA9999` or Mercosul
`AAA9A99`), letters and digits are fixed by position.
"""

import re

# Position fixes: what a digit read in a letter position most likely is, and back.
DIGIT_TO_LETTER = {"0": "O", "1": "I", "8": "B", "5": "S", "2": "Z", "6": "G"}
LETTER_TO_DIGIT = {letter: digit for digit, letter in DIGIT_TO_LETTER.items()}

# L = letter, D = digit, per position.
FORMATS = {"br": "LLLDDDD", "mercosul": "LLLDLDD"}

# More fixes than this and the text is more likely another country's plate
# (e.g. a US `K179658` would otherwise become `KIZ9658`).
MAX_POSITION_FIXES = 1

# For matching readings: each confusable pair counts as one character.
CONFUSABLE_CLASS = str.maketrans(LETTER_TO_DIGIT)


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


def normalise_plate(text):
    """Clean `text` and fix it by position if it fits a known format.

    Returns (text, format) with format `br`, `mercosul` or `other`. The fifth
    character decides between the two Brazilian formats as read: a digit means
    the old format, a letter Mercosul.
    """
    text = clean_plate(text)
    if len(text) != 7:
        return text, "other"
    name = "br" if text[4].isdigit() else "mercosul"
    fitted = _fit(text, FORMATS[name])
    if fitted is None or fitted[1] > MAX_POSITION_FIXES:
        return text, "other"
    return fitted[0], name


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
