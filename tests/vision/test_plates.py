import pytest

from apps.detections.plates import (
    clean_plate,
    near_identical,
    normalise_plate,
    plate_similarity,
)


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("abc-1234", "ABC1234"),
        ("ABC·1D23", "ABC1D23"),
        (" FZB 9581 ", "FZB9581"),
        ("京ABC1234", "ABC1234"),  # PP-OCR sometimes emits a CJK character
        ("", ""),
        (None, ""),
    ],
)
def test_clean_plate_keeps_only_upper_letters_and_digits(raw, cleaned):
    assert clean_plate(raw) == cleaned


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("ABC1234", ("ABC1234", "br")),
        ("abc-1234", ("ABC1234", "br")),
        ("0UH9191", ("OUH9191", "br")),  # digit in a letter position
        ("PJB24I4", ("PJB2414", "br")),  # letter in a digit position
        ("ABC1D23", ("ABC1D23", "mercosul")),
        ("ABC1D2S", ("ABC1D25", "mercosul")),
        ("8RA2E19", ("BRA2E19", "mercosul")),
        ("7ABC123", ("7ABC123", "other")),  # California shape: no fix applies
        ("K179658", ("K179658", "other")),  # would need two fixes: another country's plate
        ("CCLVN3", ("CCLVN3", "other")),
        ("ABC12345", ("ABC12345", "other")),
    ],
)
def test_normalise_plate_fixes_by_position_only_for_known_formats(raw, expected):
    assert normalise_plate(raw) == expected


def test_near_identical_treats_confusable_characters_as_one():
    assert near_identical("OUH9191", "0UH9191")
    assert near_identical("ABC1234", "A8C1Z34")  # two confusables, zero edits
    assert near_identical("ABC1234", "ABC1235")  # one real edit
    assert near_identical("ABC1234", "ABC123")  # one missing character
    assert not near_identical("ABC1234", "ABD1274")  # two real edits
    assert not near_identical("", "")
    assert not near_identical("ABC1234", "")


def test_plate_similarity():
    assert plate_similarity("ABC1234", "abc-1234") == 1.0
    assert plate_similarity("ABC1234", "ABC1235") == pytest.approx(6 / 7)
    assert plate_similarity("ABC1234", "XYZ9876") == 0.0
