from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from apps.cameras.models import Camera

MAX_CAMERAS = 4


class Mosaic(models.Model):
    """A named grid of up to four cameras watched together; private to its owner unless shared."""

    name = models.CharField(max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="mosaics", on_delete=models.CASCADE)
    shared = models.BooleanField(default=False, help_text="Shared mosaics are visible to every console user.")
    cameras = models.ManyToManyField(Camera, through="MosaicCamera", related_name="mosaics")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="mosaic_name_unique_per_owner")]

    def __str__(self):
        return self.name

    def ordered_cameras(self):
        return [slot.camera for slot in self.slots.select_related("camera").order_by("position")]


class MosaicCamera(models.Model):
    """One cell of a mosaic: which camera, at which position (0–3, left to right, top to bottom)."""

    mosaic = models.ForeignKey(Mosaic, related_name="slots", on_delete=models.CASCADE)
    camera = models.ForeignKey(Camera, related_name="mosaic_slots", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MAX_CAMERAS - 1)])

    class Meta:
        ordering = ["mosaic", "position"]
        constraints = [
            models.UniqueConstraint(fields=["mosaic", "position"], name="mosaic_position_unique"),
            models.UniqueConstraint(fields=["mosaic", "camera"], name="mosaic_camera_unique"),
            models.CheckConstraint(condition=models.Q(position__lte=MAX_CAMERAS - 1), name="mosaic_position_max"),
        ]

    def __str__(self):
        return f"{self.mosaic} #{self.position}: {self.camera}"
