import pytest

from apps.detections.plates import (
    clean_plate,
    near_identical,
    PLATE_FORMATS,
    normalise_plate,
    plate_formats,
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
        ("7ABC123", ("7ABC123", "generic")),  # California shape: no fix applies
        ("K179658", ("K179658", "generic")),  # would need two fixes: another country's plate
        ("CCLVN3", ("CCLVN3", "generic")),
        ("ABC12345", ("ABC12345", "generic")),
        ("AB1", ("AB1", "other")),  # too short for any format of the default set
    ],
)
def test_normalise_plate_fixes_by_position_only_for_known_formats(raw, expected):
    assert normalise_plate(raw) == expected


@pytest.mark.parametrize(
    "raw, names, expected",
    [
        ("RK1O1AO", "europe", ("RK101AO", "sk")),  # Slovak LLDDDLL: O in a digit position is 0
        ("RK7O8AI", "europe", ("RK708AI", "sk")),
        ("1B8O338", "europe", ("1B80338", "cz")),  # Czech DLDDDDD
        ("BA3020Z", "sk,cz", ("BA302OZ", "sk")),  # 0 in a letter position is O
        ("RK755AJ", "it,sk", ("RK755AJ", "it")),  # a shape two countries share: the site's order names it
        ("RK755AJ", "us", ("RK755AJ", "us")),  # US without a state: no position rule
        ("CH0P8Y", "us", ("CH0P8Y", "us")),
        ("CHOP8Y", "us", ("CH0P8Y", "us")),  # standard US series issue no O: it is a 0
        ("ABCDEFGH", "us", ("ABCDEFGH", "other")),  # no US plate has eight characters
        ("0UH9191", "us", ("0UH9191", "us")),  # Brazil's rules do not apply where Brazil is not expected
        ("M5XSX", "europe", ("M5XSX", "other")),
        ("M5XSX", "europe,generic", ("M5XSX", "generic")),
    ],
)
def test_normalise_plate_uses_the_site_formats(raw, names, expected):
    assert normalise_plate(raw, plate_formats(names)) == expected


def test_plate_formats_expands_regions_keeps_the_order_and_names_unknown_ones():
    assert [f.name for f in plate_formats("brazil, us")] == ["br", "mercosul", "us"]
    assert [f.name for f in plate_formats("")] == ["br", "mercosul", "generic"]
    assert "sk" in [f.name for f in plate_formats(["europe"])]
    with pytest.raises(ValueError, match="'xx'"):
        plate_formats("br,xx")


def test_every_format_name_fits_the_detection_column():
    from apps.detections.models import Detection

    width = Detection._meta.get_field("plate_format").max_length
    assert all(len(name) <= width for name in [*PLATE_FORMATS, "other"])


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


def test_every_format_has_one_label_shown_with_its_name():
    from apps.detections.plates import PLATE_FORMAT_LABELS, plate_format_label

    assert set(PLATE_FORMAT_LABELS) == {*PLATE_FORMATS, "other"}
    assert plate_format_label("br") == "Brazil, old grey plate (br)"
    assert plate_format_label("mercosul") == "Mercosul (Brazil) (mercosul)"
    assert plate_format_label("") == "—" and plate_format_label("xx") == "xx"


def test_the_demo_video_names_its_plates_as_the_reader_does():
    from apps.detections.plates import normalise_plate
    from apps.devtools.simcam.demo_video import PLATES, plate_format

    assert {plate: plate_format(plate) for plate in PLATES} == {plate: normalise_plate(plate)[1] for plate in PLATES}
