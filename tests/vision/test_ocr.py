import pytest

from vms.vision_config import OCR_MODELS, ocr_model_files


def test_every_ocr_model_names_files_that_are_installed():
    from pathlib import Path

    for name in OCR_MODELS:
        assert all(Path(path).is_file() for path in ocr_model_files(name).values()), name


def test_an_unknown_ocr_model_is_named_in_the_error():
    with pytest.raises(ValueError, match="'ppocrv9'"):
        ocr_model_files("ppocrv9")


@pytest.mark.ai
def test_the_default_reader_runs_the_ppocrv6_small_weights_and_reads_a_plate():
    from apps.detections.plates import clean_plate
    from tests.vision.conftest import load_sample
    from workers.vision.detector import plate_crop
    from workers.vision.ocr import make_reader

    reader = make_reader("rapidocr", threads=1)
    session = reader._engine.text_rec.session.session
    assert session._model_path == ocr_model_files("ppocrv6-small")["rec_model_path"]
    image, box, truth = load_sample("br", "JOG9221")
    text, confidence = reader.read(plate_crop(image, box))
    assert clean_plate(text) == truth and 0 < confidence <= 1
