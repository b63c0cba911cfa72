from django.conf import settings
from django.db import models

from apps.cameras.models import Camera
from apps.detections.models import Detection


class KeptClip(models.Model):
    """A clip kept as evidence: copied out of the recordings into the app's storage, exempt from every retention."""

    camera = models.ForeignKey(Camera, related_name="kept_clips", on_delete=models.PROTECT)
    # PROTECT: retention skips a detection with a kept clip; purging deletes the clips first.
    detection = models.ForeignKey(Detection, null=True, blank=True, related_name="kept_clips", on_delete=models.PROTECT)
    start = models.DateTimeField()
    duration_seconds = models.FloatField()
    file = models.FileField(upload_to="kept/%Y/%m/%d/")
    reason = models.CharField(max_length=300)
    kept_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.camera} {self.start:%Y-%m-%d %H:%M:%S} ({self.duration_seconds:g} s)"
