from urllib.parse import quote, urlsplit, urlunsplit

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from vms.encryption import decrypt

MASK = "***"


class ProvisionState(models.TextChoices):
    PENDING = "pending"
    READY = "ready"
    ERROR = "error"


class StreamState(models.TextChoices):
    UNKNOWN = "unknown"
    ONLINE = "online"
    OFFLINE = "offline"
    FROZEN = "frozen"


class RecordingMode(models.TextChoices):
    OFF = "off"
    CONTINUOUS = "continuous"
    # Recorded like continuous; the app keeps only the minutes around detections and alerts.
    EVENTS = "events"


class CameraQuerySet(models.QuerySet):
    def active(self):
        """Cameras in service: not archived. Live lists show only these; evidence keeps the others."""
        return self.filter(archived_at__isnull=True)


class Camera(models.Model):
    # Unique among cameras in service: an archived camera keeps its name for its evidence.
    name = models.CharField(max_length=100)
    rtsp_url = models.CharField("RTSP URL", max_length=500, help_text="Without credentials: they are kept apart.")
    username = models.CharField(max_length=100, blank=True)
    password_encrypted = models.TextField(blank=True, editable=False)
    location = models.CharField(max_length=200, blank=True)
    enabled = models.BooleanField(default=True)
    ai_enabled = models.BooleanField("AI enabled", default=False)
    plate_camera = models.BooleanField(
        default=False, help_text="A close-up lane camera: plates are searched on every frame."
    )
    ai_fps = models.FloatField(
        "AI frames per second", default=1.0, validators=[MinValueValidator(0.2), MaxValueValidator(5.0)]
    )
    recording_mode = models.CharField(
        max_length=10, choices=RecordingMode.choices, default=RecordingMode.OFF,
        help_text="Continuous keeps everything; events keeps only the minutes around detections and alerts.",
    )
    recording_retention_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Recordings older than this are deleted (kept clips stay).",
    )

    provision_state = models.CharField(max_length=10, choices=ProvisionState.choices, default=ProvisionState.PENDING)
    provision_error = models.TextField(blank=True)
    provision_attempts = models.PositiveIntegerField(default=0)
    provisioned_at = models.DateTimeField(null=True, blank=True)

    stream_state = models.CharField(max_length=10, choices=StreamState.choices, default=StreamState.UNKNOWN)
    stream_state_since = models.DateTimeField(null=True, blank=True)
    # Why the stream is in its state, in words ("connection refused: …"); empty when online.
    stream_reason = models.CharField(max_length=300, blank=True)
    # When operators were told the camera has been offline or frozen too long (CAMERA_OFFLINE_ALERT_SECONDS);
    # cleared, with a notice, when it is back online.
    health_alerted_at = models.DateTimeField(null=True, blank=True)

    # Set when the camera is deleted: it is out of service (disabled, no media path, in no live list)
    # but its detections, alerts and recordings stay, under its name, until an admin purges them.
    archived_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CameraQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(archived_at__isnull=True), name="camera_name_unique_in_service",
                violation_error_message="A camera with this name already exists.",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def archived(self):
        return self.archived_at is not None

    @property
    def path_name(self):
        """The camera's path in the media server."""
        return f"cam_{self.pk}"

    @property
    def records(self):
        return self.recording_mode != RecordingMode.OFF

    @property
    def has_password(self):
        return bool(self.password_encrypted)

    def _url_with(self, password):
        parts = urlsplit(self.rtsp_url)
        if not self.username:
            return self.rtsp_url
        userinfo = quote(self.username, safe="")
        if password:
            userinfo += ":" + password
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = f"{userinfo}@{host}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    def source_url(self):
        """The URL the media server pulls, credentials included. Only for the media server API."""
        return self._url_with(quote(decrypt(self.password_encrypted), safe=""))

    @property
    def masked_url(self):
        """The URL as people, logs and events may see it."""
        return self._url_with(MASK if self.has_password else "")


class Zone(models.Model):
    """A region of interest: a polygon in coordinates normalised to 0–1 of the frame."""

    camera = models.ForeignKey(Camera, related_name="zones", on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
    points = models.JSONField(help_text="[[x, y], ...], each 0–1")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.camera}: {self.name}"


class StatusChange(models.Model):
    """A change of a camera's stream state; history and alerts read these rows."""

    camera = models.ForeignKey(Camera, related_name="status_changes", on_delete=models.CASCADE)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    from_state = models.CharField(max_length=10, choices=StreamState.choices)
    to_state = models.CharField(max_length=10, choices=StreamState.choices)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
