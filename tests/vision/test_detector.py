import json
import re
import shutil

import cv2
import pytest
from django.core.management import CommandError, call_command

from tests.vision.conftest import SAMPLES, load_sample

SAMPLE_NAMES = ["JOG9221", "NZF7823", "PJB2414"]
LAST_LINE = re.compile(
    r"^images=\d+ plate_recall=\d\.\d{3} exact=\d\.\d{3} char_acc=\d\.\d{3} p50_ms=\d+ p95_ms=\d+$"
)


@pytest.mark.ai
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_detector_finds_the_car_and_reads_its_plate(detector, name):
    image, truth_box, truth = load_sample("br", name)

    result = detector.detect(image, plate_camera=False)

    payload = json.loads(json.dumps(result.to_dict()))  # it travels through Celery as JSON
    assert {"vehicles", "plates", "timings", "width", "height"} <= payload.keys()
    assert any(v["label"] == "car" for v in payload["vehicles"])
    read = [p for p in payload["plates"] if p["text"] == truth]
    assert read, payload["plates"]
    plate = read[0]
    assert plate["format"] == "br"
    assert plate["vehicle"] is not None
    assert payload["vehicles"][plate["vehicle"]]["plate"]["text"] == truth
    height, width = image.shape[:2]
    x1, y1, x2, y2 = plate["box"]
    assert x1 * width < (truth_box[0] + truth_box[2]) / 2 < x2 * width
    assert {"vehicles", "plates", "ocr", "total"} <= payload["timings"].keys()


@pytest.mark.ai
def test_a_plate_found_with_its_mount_as_well_is_one_plate(detector):
    # The demo's pickup coming in: the plate model finds its plate, and its plate with the mount around it.
    import numpy as np

    from apps.devtools.simcam.demo_video import VEHICLES, Passage, Renderer

    pickup = next(vehicle for vehicle in VEHICLES if vehicle.plate == "8P62983")
    frame = Renderer([Passage(pickup, 0.0, 1.0, 5.0, 6.0)], 1280, 720).frame(0.1)

    result = detector.detect(cv2.cvtColor(np.asarray(frame), cv2.COLOR_RGB2BGR))

    assert [(plate.text, plate.vehicle) for plate in result.plates] == [("8P62983", 0)]
    assert result.vehicles[0].label == "truck"


@pytest.mark.ai
def test_roi_that_excludes_the_car_reports_nothing(detector):
    image, _, _ = load_sample("br", SAMPLE_NAMES[0])
    corner = [[[0, 0], [0.03, 0], [0.03, 0.03], [0, 0.03]]]

    result = detector.detect(image, plate_camera=True, zones=corner)

    assert result.vehicles == []
    assert result.plates == []


@pytest.mark.ai
def test_easyocr_reads_a_sample_plate():
    from apps.detections.plates import normalise_plate
    from workers.vision.detector import plate_crop
    from workers.vision.ocr import EasyOcrReader

    reader = EasyOcrReader()
    read = []
    for name in SAMPLE_NAMES:
        image, truth_box, truth = load_sample("br", name)
        text, confidence = reader.read(plate_crop(image, truth_box))
        read.append((normalise_plate(text)[0], truth))
        assert 0.0 <= confidence <= 1.0
    assert any(text == truth for text, truth in read), read


@pytest.mark.ai
def test_alpr_eval_prints_the_summary_line(detector, tmp_path, capsys):
    for name in SAMPLE_NAMES:
        label = (SAMPLES / "br" / f"{name}.txt").read_text()
        shutil.copy(SAMPLES / "br" / label.split("\t")[0], tmp_path)
        (tmp_path / f"{name}.txt").write_text(label)
    report = tmp_path / "report.json"

    call_command("alpr_eval", str(tmp_path), "--json", str(report))

    lines = capsys.readouterr().out.strip().splitlines()
    assert LAST_LINE.match(lines[-1]), lines[-1]
    assert lines[-1].startswith("images=3 plate_recall=1.000")
    saved = json.loads(report.read_text())
    assert saved["summary"]["images"] == 3 and len(saved["images"]) == 3


@pytest.mark.ai
def test_alpr_eval_reports_each_folder_and_each_format_then_the_whole_run(detector, tmp_path, capsys):
    for folder, name in [("br", "JOG9221"), ("br", "NZF7823"), ("us", None)]:
        source = SAMPLES / folder
        label = (source / f"{name}.txt") if name else sorted(source.glob("*.txt"))[0]
        (tmp_path / folder).mkdir(exist_ok=True)
        shutil.copy(source / label.read_text().split("\t")[0], tmp_path / folder)
        (tmp_path / folder / label.name).write_text(label.read_text())

    call_command("alpr_eval", str(tmp_path), "--formats", "brazil,us")

    lines = capsys.readouterr().out.strip().splitlines()
    assert any(line.startswith("folder br: images=2 ") for line in lines), lines
    assert any(line.startswith("folder us: images=1 ") for line in lines), lines
    assert any(line.startswith("format br: images=2 ") for line in lines), lines
    assert LAST_LINE.match(lines[-1]) and lines[-1].startswith("images=3 ")


def test_alpr_eval_unknown_format_is_a_command_error(tmp_path):
    (tmp_path / "a.txt").write_text("a.jpg\t1\t1\t10\t10\tABC1234\n")
    with pytest.raises(CommandError, match="unknown plate format 'xx'"):
        call_command("alpr_eval", str(tmp_path), "--formats", "xx")


def test_alpr_eval_bad_folder_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="not a folder"):
        call_command("alpr_eval", str(tmp_path / "missing"))
    with pytest.raises(CommandError, match="no labels"):
        call_command("alpr_eval", str(tmp_path))


@pytest.mark.ai
def test_a_detector_limited_to_one_thread_runs_every_model_on_one_thread_and_reads_the_same(settings, detector):
    import torch

    from workers.vision.models import get_detector

    settings.VISION_THREADS = 1
    torch_threads = torch.get_num_threads()
    get_detector.cache_clear()
    try:
        limited = get_detector()
    finally:
        get_detector.cache_clear()
        torch.set_num_threads(torch_threads)  # process-wide: the tests after this one keep theirs
    sessions = [limited.vehicle_model.predictor.model.backend.session,
                limited.plate_model.predictor.model.backend.session,
                limited.reader._engine.text_rec.session.session]
    assert [session.get_session_options().intra_op_num_threads for session in sessions] == [1, 1, 1]
    for name in SAMPLE_NAMES:
        image, _, truth = load_sample("br", name)
        assert truth in [plate["text"] for plate in limited.detect(image, plate_camera=True).to_dict()["plates"]]
