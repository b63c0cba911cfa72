"""Accuracy and latency of the ALPR pipeline on a folder of labelled photos.

Runs the pipeline's own Detector, as for a plate camera, on every image of
DIR (`NAME.txt` beside each image: `FILE X Y W H PLATE`, tab-separated), and
of each folder directly inside DIR that has labels (`DIR/br`, `DIR/us`, …):
one summary line per folder, one per plate format (the format the true text
fits among the expected ones), then the whole run's line, last.
"""

import json
import statistics
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vms.stats import percentile
from vms.vision_config import OCR_MODELS


def read_labels(folder):
    """[(image path, (x1, y1, x2, y2) px, plate)] from the label files of `folder`."""
    labels = []
    for label_file in sorted(folder.glob("*.txt")):
        for line in label_file.read_text().splitlines():
            fields = line.strip().split("\t")
            if len(fields) != 6:
                continue
            name, x, y, w, h, plate = fields
            x, y, w, h = (float(v) for v in (x, y, w, h))
            labels.append((folder / name, (x, y, x + w, y + h), plate.strip().upper()))
    return labels


def summarise(rows):
    """Recall, exact, character accuracy and latency of some rows (see handle)."""
    from workers.vision.evaluation import IOU_MATCH

    count = len(rows)
    latencies = [row["latency_ms"] for row in rows]
    return {
        "images": count,
        "plate_recall": sum(row["iou"] >= IOU_MATCH for row in rows) / count,
        "exact": sum(row["exact"] for row in rows) / count,
        "char_acc": sum(row["char_accuracy"] for row in rows) / count,
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95),
        "cpu_p50_ms": statistics.median(row["cpu_ms"] for row in rows),
    }


def summary_line(summary):
    return (
        f"images={summary['images']} plate_recall={summary['plate_recall']:.3f} exact={summary['exact']:.3f} "
        f"char_acc={summary['char_acc']:.3f} p50_ms={summary['p50_ms']:.0f} p95_ms={summary['p95_ms']:.0f}"
    )


class Command(BaseCommand):
    help = "ALPR accuracy on labelled photos: plate recall, exact reads, character accuracy, latency."

    def add_arguments(self, parser):
        parser.add_argument("dir", help="folder of images with NAME.txt labels (FILE X Y W H PLATE), or of such folders")
        parser.add_argument("--json", dest="json_file", help="write per-image results and the summary here")
        parser.add_argument("--ocr", choices=["rapidocr", "easyocr"], help="OCR engine (default: the setting)")
        parser.add_argument("--ocr-model", choices=OCR_MODELS, help="rapidocr's recognition weights (default: the setting)")
        parser.add_argument("--formats", help="plate formats expected, e.g. us or europe (default: VISION_PLATE_FORMATS)")

    def handle(self, *args, dir, json_file=None, ocr=None, ocr_model=None, formats=None, **options):
        import cv2
        from tqdm import tqdm

        from apps.detections.plates import normalise_plate, plate_formats
        from vms.vision_config import vision_plate_formats
        from workers.vision.evaluation import score_reading
        from workers.vision.models import get_detector

        folder = Path(dir)
        if not folder.is_dir():
            raise CommandError(f"not a folder: {folder}")
        labels = read_labels(folder) + [
            label for sub in sorted(path for path in folder.iterdir() if path.is_dir()) for label in read_labels(sub)
        ]
        if not labels:
            raise CommandError(f"no labels (NAME.txt: FILE X Y W H PLATE) in {folder} or its folders")
        try:
            expected = plate_formats(formats if formats else vision_plate_formats())
        except ValueError as error:
            raise CommandError(str(error)) from None

        load_started = time.perf_counter()
        detector = get_detector(ocr=ocr, ocr_model=ocr_model)
        load_ms = (time.perf_counter() - load_started) * 1000
        # Warm-up: the first run of each model is slower (allocations, lazy init).
        warm_image = cv2.imread(str(labels[0][0]))
        if warm_image is not None:
            detector.detect(warm_image, plate_camera=True, formats=formats or None)

        rows = []
        for image_path, truth_box, truth in tqdm(labels, desc="alpr_eval", unit="img", file=sys.stderr):
            image = cv2.imread(str(image_path))
            if image is None:
                raise CommandError(f"cannot read image {image_path}")
            started, cpu_started = time.perf_counter(), time.process_time()
            result = detector.detect(image, plate_camera=True, formats=formats or None)
            latency_ms, cpu_ms = (time.perf_counter() - started) * 1000, (time.process_time() - cpu_started) * 1000
            height, width = image.shape[:2]
            plates = [
                ((p.box[0] * width, p.box[1] * height, p.box[2] * width, p.box[3] * height), p.text, p.raw_text)
                for p in result.plates
            ]
            score = score_reading(truth, truth_box, plates)
            rows.append(
                {
                    "image": str(image_path.relative_to(folder)),
                    "folder": str(image_path.parent.relative_to(folder)),
                    "truth": truth,
                    "format": normalise_plate(truth, expected)[1],
                    "read": score.read,
                    "raw": score.raw,
                    "all_read": [p.text for p in result.plates],
                    "iou": round(score.iou, 3),
                    "exact": score.exact,
                    "char_accuracy": round(score.char_accuracy, 3),
                    "failure": score.failure,
                    "latency_ms": round(latency_ms, 1),
                    "cpu_ms": round(cpu_ms, 1),
                    "timings": result.timings,
                }
            )

        stages = sorted({stage for row in rows for stage in row["timings"]})
        summary = summarise(rows) | {
            "ocr": detector.reader.name,
            "ocr_model": detector.reader.model,
            "formats": [f.name for f in expected],
            "stage_median_ms": {
                stage: statistics.median(row["timings"][stage] for row in rows if stage in row["timings"])
                for stage in stages
            },
            "failures": {
                reason: sum(row["failure"] == reason for row in rows) for reason in ("detection", "crop_ocr", "cleaning")
            },
            "model_load_ms": round(load_ms),
        }
        groups = {
            kind: {name: summarise([row for row in rows if row[kind] == name]) for name in sorted({row[kind] for row in rows})}
            for kind in ("folder", "format")
        }
        summary["by_folder"], summary["by_format"] = groups["folder"], groups["format"]

        self.stdout.write(f"{'image':<44} {'truth':<10} {'read':<10} {'iou':>5}  result")
        for row in rows:
            self.stdout.write(
                f"{row['image'][:44]:<44} {row['truth']:<10} {row['read'] or '-':<10} {row['iou']:>5.2f}  "
                f"{row['failure'] or 'ok'}"
            )
        self.stdout.write(
            "failures: "
            + " ".join(f"{reason}={n}" for reason, n in summary["failures"].items())
            + "  stage p50 ms: "
            + " ".join(f"{stage}={ms:.0f}" for stage, ms in summary["stage_median_ms"].items())
            + f"  detect CPU p50 ms: {summary['cpu_p50_ms']:.0f}"
        )
        for kind, group in groups.items():
            for name, figures in group.items():
                self.stdout.write(f"{kind} {name or '.'}: {summary_line(figures)}")
        if json_file:
            Path(json_file).write_text(json.dumps({"summary": summary, "images": rows}, indent=2))
        self.stdout.write(summary_line(summary))
