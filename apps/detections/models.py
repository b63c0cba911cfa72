from django.db import models

from apps.cameras.models import Camera
from apps.detections.plates import CONFUSABLE_CLASS, clean_plate


def plate_key(text):
    """The plate's confusable form: cleaned, and each class of characters OCR confuses folded into one
    (`plates.CONFUSABLE`: O/Q/D→0, I/L→1, B→8, S→5, Z→2, G→6, M/N→W), so `A8C1Z34` finds `ABC1234`."""
    return clean_plate(text).translate(CONFUSABLE_CLASS)


class Detection(models.Model):
    """One vehicle passage on one camera: the best reading of its plate, first and last seen, how many readings.

    Readings of the same or a near-identical plate on the same camera within
    the merge window update this row instead of creating another.
    """

    # PROTECT: a camera is archived, never deleted with its evidence; purging deletes these first.
    camera = models.ForeignKey(Camera, related_name="detections", on_delete=models.PROTECT)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    frame_time = models.DateTimeField(help_text="Time of the frame of the best reading.")
    readings = models.PositiveIntegerField(default=1)

    vehicle_class = models.CharField(max_length=20, blank=True)
    vehicle_confidence = models.FloatField(null=True, blank=True)
    vehicle_box = models.JSONField(null=True, blank=True, help_text="[x1, y1, x2, y2], 0–1")

    plate_text = models.CharField(max_length=16, blank=True)
    plate_format = models.CharField(max_length=10, blank=True)
    plate_confidence = models.FloatField(null=True, blank=True)
    plate_box = models.JSONField(null=True, blank=True, help_text="[x1, y1, x2, y2], 0–1")
    plate_key = models.CharField(
        max_length=16, blank=True, editable=False, help_text="plate_text with confusable characters folded; kept by save()."
    )

    # The allow list (residents, staff) the plate was on when the passage was stored, by name: what the gate
    # knew then. Set in the persist transaction (apps/watchlists/services.allow_match); "" when on none.
    allow_list = models.CharField(max_length=100, blank=True, default="")

    snapshot = models.FileField(upload_to="snapshots/%Y/%m/%d/", blank=True)
    plate_crop = models.FileField(upload_to="plates/%Y/%m/%d/", blank=True)

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-last_seen"]
        indexes = [
            models.Index(fields=["-last_seen"]),
            models.Index(fields=["camera", "-last_seen"]),
            models.Index(fields=["plate_text", "-last_seen"]),
            models.Index(fields=["vehicle_class", "-last_seen"]),
            # Exact and prefix (LIKE 'X%') lookups of the confusable form, whatever the collation.
            models.Index(fields=["plate_key"], name="detection_plate_key_like", opclasses=["varchar_pattern_ops"]),
            # "On an allow list" searches: the few marked passages, newest first.
            models.Index(fields=["-last_seen"], name="detection_allow_listed", condition=~models.Q(allow_list="")),
        ]

    def save(self, *args, **kwargs):
        self.plate_key = plate_key(self.plate_text)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "plate_text" in update_fields:
            kwargs["update_fields"] = {*update_fields, "plate_key"}
        super().save(*args, **kwargs)

    def __str__(self):
        return f"{self.plate_text or self.vehicle_class or 'vehicle'} on {self.camera_id} at {self.last_seen:%H:%M:%S}"


class ProcessedFrame(models.Model):
    """A frame whose results were persisted: a redelivered persist task finds it here and does nothing."""

    frame_id = models.CharField(max_length=64, primary_key=True)
    camera = models.ForeignKey(Camera, on_delete=models.CASCADE)
    at = models.DateTimeField(auto_now_add=True, db_index=True)


class Reading(models.Model):
    """One frame's sight of a passage's vehicle and plate, as read: the passage's plate is their consensus.

    `counted`: whether the plate took part in the vote (read, sure enough and of one of the site's formats).
    """

    detection = models.ForeignKey(Detection, related_name="frame_readings", on_delete=models.CASCADE)
    frame_time = models.DateTimeField()
    vehicle_class = models.CharField(max_length=20, blank=True)
    vehicle_confidence = models.FloatField(null=True, blank=True)
    vehicle_box = models.JSONField(null=True, blank=True)
    plate_text = models.CharField(max_length=16, blank=True)
    plate_format = models.CharField(max_length=10, blank=True)
    plate_confidence = models.FloatField(null=True, blank=True)
    plate_box = models.JSONField(null=True, blank=True)
    counted = models.BooleanField(default=False)

    class Meta:
        ordering = ["frame_time", "id"]
        indexes = [models.Index(fields=["detection", "-frame_time"])]

    def __str__(self):
        return f"{self.plate_text or self.vehicle_class or 'vehicle'} at {self.frame_time:%H:%M:%S}"
