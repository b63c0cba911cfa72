"""CSV export of a detection search, streamed row by row: memory stays flat however many rows match."""

import csv

from django.utils import timezone

COLUMNS = [
    ("id", "id"),
    ("camera_id", "camera_id"),
    ("camera", "camera__name"),
    ("first_seen", "first_seen"),
    ("last_seen", "last_seen"),
    ("plate_text", "plate_text"),
    ("plate_confidence", "plate_confidence"),
    ("vehicle_class", "vehicle_class"),
    ("vehicle_confidence", "vehicle_confidence"),
    ("readings", "readings"),
    ("allow_list", "allow_list"),
    ("snapshot", "snapshot"),
]
CHUNK_SIZE = 1000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """A file-like object whose write() returns what was written: csv.writer then yields lines, not a buffer."""

    def write(self, value):
        return value


def _cell(value, tz):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.astimezone(tz).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # a camera name like "=HYPERLINK(…)" stays text in a spreadsheet
    return value


def csv_lines(detections):
    """Yield the header then one CSV line per detection, reading the database in chunks."""
    writer = csv.writer(_Line())
    yield writer.writerow([name for name, _ in COLUMNS])
    fields = [field for _, field in COLUMNS]
    tz = timezone.get_current_timezone()
    for row in detections.values_list(*fields).iterator(chunk_size=CHUNK_SIZE):
        yield writer.writerow([_cell(value, tz) for value in row])


def export_filename(now=None):
    return f"detections-{(now or timezone.now()):%Y%m%d-%H%M%S}.csv"
