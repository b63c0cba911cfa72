import re

from django.db import migrations

# Frozen copy of apps.detections.models.plate_key as it was when this migration was written: the classes
# Q/D with O/0, L with I/1, and W/M/N were added to O/0, I/1, B/8, S/5, Z/2, G/6.
_CONFUSABLE = str.maketrans(
    {"O": "0", "I": "1", "B": "8", "S": "5", "Z": "2", "G": "6", "Q": "0", "D": "0", "L": "1", "M": "W", "N": "W"}
)


def _plate_key(text):
    return re.sub(r"[^A-Z0-9]", "", (text or "").upper()).translate(_CONFUSABLE)


def refold_plate_keys(apps, schema_editor):
    Detection = apps.get_model("detections", "Detection")
    batch = []
    rows = Detection.objects.exclude(plate_text="").only("pk", "plate_text", "plate_key").order_by("pk")
    for detection in rows.iterator(chunk_size=5000):
        key = _plate_key(detection.plate_text)
        if key != detection.plate_key:
            detection.plate_key = key
            batch.append(detection)
        if len(batch) >= 5000:
            Detection.objects.bulk_update(batch, ["plate_key"])
            batch = []
    if batch:
        Detection.objects.bulk_update(batch, ["plate_key"])


class Migration(migrations.Migration):
    dependencies = [("detections", "0005_allow_list")]

    operations = [migrations.RunPython(refold_plate_keys, migrations.RunPython.noop, elidable=True)]
