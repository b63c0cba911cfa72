"""Watch lists of plates, the alerts they raise, and every webhook delivery attempt."""

import re

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.detections.models import Detection, plate_key

# A pattern is A–Z0–9 with `*` (any run of characters) and `?` (exactly one).
PATTERN_RE = re.compile(r"^[A-Z0-9*?]+$")
PATTERN_MAX_LENGTH = 16


def pattern_like(pattern):
    """The SQL LIKE form of a pattern, in the plates' confusable form (so O/0, I/1, … match each other)."""
    return plate_key_with_wildcards(pattern).replace("*", "%").replace("?", "_")


def plate_key_with_wildcards(pattern):
    return "".join(char if char in "*?" else plate_key(char) for char in pattern)


def pattern_like_exact(pattern):
    """The SQL LIKE form of a pattern on the plate as read: for lists that match exactly."""
    return pattern.replace("*", "%").replace("?", "_")


class WatchListMatch(models.TextChoices):
    TOLERANT = "tolerant", "Tolerant (characters OCR confuses match each other)"
    EXACT = "exact", "Exact (the plate as read)"


class WatchListKind(models.TextChoices):
    ALERT = "alert", "Alert"
    ALLOW = "allow", "Allow"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # not attempted yet: the task or the sweeper sends it once due
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"  # a next attempt is pending unless this was the last
    CANCELLED = "cancelled", "Cancelled"  # the list has no webhook any more


class WatchList(models.Model):
    """A named list of plate patterns. An *alert* list raises an alert for each matching detection; an *allow*
    list (residents, staff) marks them (`Detection.allow_list`) and, with `suppress_alerts`, keeps alert lists
    from alerting on them."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=WatchListKind.choices, default=WatchListKind.ALERT)
    description = models.CharField(max_length=300, blank=True)
    enabled = models.BooleanField(default=True)
    match_mode = models.CharField(
        "matching", max_length=10, choices=WatchListMatch.choices, default=WatchListMatch.TOLERANT,
        help_text="Tolerant: O/Q/D/0, I/L/1, B/8, S/5, Z/2, G/6 and W/M/N match each other, so a misread plate "
        "still matches. Exact: only the plate as read.",
    )
    suppress_alerts = models.BooleanField(
        "suppress alerts for these plates", default=True,
        help_text="Allow lists only: a plate on this list raises no alert, even where an alert list names it.",
    )
    webhook_url = models.URLField(
        "webhook URL", max_length=500, blank=True, help_text="http(s) URL that receives a JSON POST for each alert."
    )
    # The Standard Webhooks signing secret, encrypted (apps/watchlists/signing.py); shown once, when made.
    webhook_secret = models.CharField(max_length=300, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def last_delivery(self):
        return self.deliveries.exclude(status=DeliveryStatus.PENDING).order_by("-id").first()

    def last_failed_delivery(self):
        return self.deliveries.filter(status=DeliveryStatus.FAILED).order_by("-id").first()


class WatchListEntry(models.Model):
    watchlist = models.ForeignKey(WatchList, related_name="entries", on_delete=models.CASCADE)
    pattern = models.CharField(max_length=PATTERN_MAX_LENGTH, help_text="A–Z, 0–9, * and ?")
    note = models.CharField(max_length=200, blank=True)
    # `pattern` as a LIKE pattern on Detection.plate_key: matching is one indexed-free query per detection.
    match_like = models.CharField(max_length=PATTERN_MAX_LENGTH, editable=False)
    # `pattern` as a LIKE pattern on Detection.plate_text, for lists that match exactly.
    exact_like = models.CharField(max_length=PATTERN_MAX_LENGTH, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pattern"]
        constraints = [models.UniqueConstraint(fields=["watchlist", "pattern"], name="watchlist_entry_unique_pattern")]
        verbose_name_plural = "watch list entries"

    def __str__(self):
        return self.pattern

    def save(self, *args, **kwargs):
        self.match_like = pattern_like(self.pattern)
        self.exact_like = pattern_like_exact(self.pattern)
        super().save(*args, **kwargs)


class Alert(models.Model):
    """A detection matched an alert list: one per passage and list. A later sighting of the same plate
    (its confusable form) on the same list within ALERT_DEDUP_SECONDS of the alert's last one, by another
    camera or the same, is one more `AlertSighting` of this alert, not a new alert."""

    detection = models.ForeignKey(Detection, related_name="alerts", on_delete=models.CASCADE)
    watchlist = models.ForeignKey(WatchList, related_name="alerts", on_delete=models.CASCADE)
    entry = models.ForeignKey(WatchListEntry, null=True, blank=True, related_name="alerts", on_delete=models.SET_NULL)
    pattern = models.CharField(max_length=PATTERN_MAX_LENGTH, help_text="The entry's pattern when it matched.")
    plate_text = models.CharField(max_length=16)
    # The first detection's plate_key: later sightings of this plate join the alert (services.alert_match).
    plate_key = models.CharField(max_length=16, blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="The entry's note when it matched.")
    sighting_count = models.PositiveIntegerField(default=1)
    last_seen_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["detection", "watchlist"], name="alert_once_per_detection_and_list")]
        indexes = [
            models.Index(fields=["acknowledged_at", "-created_at"]),
            models.Index(fields=["watchlist", "plate_key", "-last_seen_at"], name="alert_passage"),
        ]

    def __str__(self):
        return f"{self.plate_text} on {self.watchlist}"

    @property
    def is_open(self):
        return self.acknowledged_at is None


class AlertSighting(models.Model):
    """One detection counted in an alert: the one that raised it, and each later one joined to it."""

    alert = models.ForeignKey(Alert, related_name="sightings", on_delete=models.CASCADE)
    detection = models.ForeignKey(Detection, related_name="alert_sightings", on_delete=models.CASCADE)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["seen_at", "id"]
        constraints = [models.UniqueConstraint(fields=["alert", "detection"], name="alert_sighting_once")]


class AlertPreference(models.Model):
    """A console user's own alert settings. No row: the default (sound on for those who acknowledge)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, related_name="alert_preference", on_delete=models.CASCADE)
    sound = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)


class WebhookDelivery(models.Model):
    """One attempt to POST an alert to its list's webhook; written `pending` in the transaction that raised the
    alert, so no crash or broker outage loses it. The task sent on commit, or else the sweeper, claims it."""

    alert = models.ForeignKey(Alert, related_name="deliveries", on_delete=models.CASCADE)
    watchlist = models.ForeignKey(WatchList, related_name="deliveries", on_delete=models.CASCADE)
    url = models.CharField(max_length=500)
    attempt = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    # `webhook-id`: the same for every attempt of one alert, so a receiver can drop a repeat.
    message_id = models.CharField(max_length=40, blank=True)
    due_at = models.DateTimeField(default=timezone.now)
    # Set by whoever sends it; another may take it over only once the claim is older than the lease.
    claimed_at = models.DateTimeField(null=True, blank=True)
    at = models.DateTimeField("attempted at", null=True, blank=True, db_index=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["due_at"], condition=models.Q(status="pending"), name="webhook_delivery_pending"),
        ]

    @property
    def ok(self):
        return self.status == DeliveryStatus.DELIVERED
