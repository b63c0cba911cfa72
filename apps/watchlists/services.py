"""Every write to watch lists and alerts. One transaction each, audited; events sent on commit.

Matching: on a *tolerant* list (the default) a detection's plate matches an entry
when the plate's confusable form (`Detection.plate_key`: O/Q/D/0, I/L/1, B/8, S/5,
Z/2, G/6, W/M/N folded) matches the entry's pattern folded the same way, so a
misread plate on a watch list still alerts; on an *exact* list the plate as read
must match. `*` stands for any run of characters and `?` for exactly one. The
plate is the passage's consensus, matched again after every reading.
"""

import json
import logging
import random
import time
import uuid
from datetime import timedelta
from http import HTTPStatus

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.accounts.policy import can, require
from apps.audit.services import audit_record
from apps.detections.models import plate_key
from apps.detections.services import detection_mark_allow_list
from apps.watchlists import selectors, signing
from apps.watchlists.models import (
    PATTERN_MAX_LENGTH,
    PATTERN_RE,
    Alert,
    AlertPreference,
    AlertSighting,
    DeliveryStatus,
    WatchList,
    WatchListEntry,
    WatchListKind,
    WatchListMatch,
    WebhookDelivery,
)
from apps.watchlists.presenters import alert_links, alert_public
from vms import events, live, outbound, outbox

logger = logging.getLogger(__name__)

UNCHANGED = object()
MAX_ENTRIES = 10_000
WEBHOOK_TIMEOUT_SECONDS = 5.0
# Retries of a failed webhook: base * 2^n seconds (± 25 %), n = 0 … max-1; every attempt is a WebhookDelivery row.
WEBHOOK_MAX_RETRIES = 6
WEBHOOK_BACKOFF_CAP_SECONDS = 600.0
# A claimed delivery whose sender went silent this long (it died) is taken over by the sweeper.
WEBHOOK_CLAIM_LEASE_SECONDS = 60.0
WEBHOOK_SWEEP_BATCH = 50


# --- validation -----------------------------------------------------------------


def clean_pattern(raw):
    """Upper case, no spaces; A–Z, 0–9, `*` and `?` only; 1–16 characters and at least one letter or digit."""
    pattern = str(raw or "").strip().upper()
    if not pattern:
        raise ValidationError("A pattern cannot be empty.")
    if len(pattern) > PATTERN_MAX_LENGTH:
        raise ValidationError(f"{pattern[:20]!r} is longer than {PATTERN_MAX_LENGTH} characters.")
    if not PATTERN_RE.match(pattern):
        raise ValidationError(f"{pattern!r}: use only letters A–Z, digits 0–9, * (any characters) and ? (one character).")
    if not any(char.isalnum() for char in pattern):
        raise ValidationError(f"{pattern!r} would match every plate: add at least one letter or digit.")
    return pattern


def _clean_entries(entries):
    """[{"pattern", "note"}] from dicts or plain strings; distinct patterns; errors name the bad lines."""
    if entries is None or isinstance(entries, (str, bytes, dict)) or not hasattr(entries, "__iter__"):
        raise ValidationError({"entries": "Entries are a list of patterns."})
    cleaned, errors, seen = [], [], set()
    for item in entries:
        if isinstance(item, dict):
            raw, note = item.get("pattern"), str(item.get("note") or "").strip()
        else:
            raw, note = item, ""
        try:
            pattern = clean_pattern(raw)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if len(note) > 200:
            errors.append(f"{pattern}: the note is longer than 200 characters.")
            continue
        if pattern in seen:
            continue
        seen.add(pattern)
        cleaned.append({"pattern": pattern, "note": note})
    if errors:
        raise ValidationError({"entries": errors})
    if len(cleaned) > MAX_ENTRIES:
        raise ValidationError({"entries": f"A watch list holds at most {MAX_ENTRIES} entries."})
    return cleaned


def clean_webhook_url(url):
    """An http(s) URL that does not point inside (vms/outbound.py), or ""."""
    url = str(url or "").strip()
    if not url:
        return ""
    if len(url) > 500:
        raise ValidationError({"webhook_url": "The URL is longer than 500 characters."})
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        if url.lower().startswith(("http://", "https://")) and (name := outbound.internal_name(url)):
            raise ValidationError({"webhook_url": f"Refused: {name} is an internal name (a compose service or a "
                                                  "local name)."}) from None
        raise ValidationError({"webhook_url": "Give an http:// or https:// URL (or leave it empty)."}) from None
    try:
        outbound.check(url)
    except outbound.RefusedDestination as exc:
        raise ValidationError({"webhook_url": f"Refused: {exc}."}) from None
    return url


def _clean_name(name):
    name = str(name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the watch list a name."})
    if len(name) > 100:
        raise ValidationError({"name": "A watch list name is at most 100 characters."})
    return name


def _check_name_free(name, exclude_id=None):
    if WatchList.objects.filter(name__iexact=name).exclude(pk=exclude_id).exists():
        raise ValidationError({"name": f"There is already a watch list named {name!r}."})


def _clean_kind(kind):
    if kind not in WatchListKind.values:
        raise ValidationError({"kind": f"Choose one of {', '.join(WatchListKind.values)}."})
    return kind


def _clean_match_mode(match_mode):
    if match_mode not in WatchListMatch.values:
        raise ValidationError({"match_mode": f"Matching is one of {', '.join(WatchListMatch.values)}."})
    return match_mode


def _clean_description(description):
    description = str(description or "").strip()
    if len(description) > 300:
        raise ValidationError({"description": "At most 300 characters."})
    return description


def _require(actor, action, what):
    require(actor, action, message=f"{what} needs the operator role.")


def _require_role(actor):
    require(actor, "console.view", message="Alert settings need a role.")


# --- watch lists ------------------------------------------------------------------


def _set_entries(watchlist, entries):
    """Replace the entries, keeping the rows of patterns that stay (their alerts keep pointing at them)."""
    wanted = {entry["pattern"]: entry["note"] for entry in entries}
    existing = {entry.pattern: entry for entry in watchlist.entries.all()}
    watchlist.entries.filter(pattern__in=set(existing) - set(wanted)).delete()
    for pattern, note in wanted.items():
        entry = existing.get(pattern)
        if entry is None:
            WatchListEntry(watchlist=watchlist, pattern=pattern, note=note).save()
        elif entry.note != note:
            entry.note = note
            entry.save(update_fields=["note"])


def _audit_view(watchlist, entries):
    return {
        "name": watchlist.name,
        "kind": watchlist.kind,
        "enabled": watchlist.enabled,
        "match_mode": watchlist.match_mode,
        "suppress_alerts": watchlist.suppress_alerts,
        "webhook_url": watchlist.webhook_url,
        "entries": sorted(entry["pattern"] for entry in entries),
    }


def _current_entries(watchlist):
    return [{"pattern": e.pattern, "note": e.note} for e in watchlist.entries.order_by("pattern")]


def _save(watchlist):
    try:
        with transaction.atomic():
            watchlist.save()
    except IntegrityError:
        raise ValidationError({"name": f"There is already a watch list named {watchlist.name!r}."}) from None


class _Errors:
    """Collects the ValidationErrors of several fields so a form shows every problem at once."""

    def __init__(self):
        self.errors = {}

    def clean(self, field, cleaner, value):
        try:
            return cleaner(value)
        except ValidationError as exc:
            messages = exc.message_dict.get(field, exc.messages) if hasattr(exc, "error_dict") else exc.messages
            self.errors.setdefault(field, []).extend(messages)
            return None

    def raise_any(self):
        if self.errors:
            raise ValidationError(self.errors)


def watchlist_create(
    *, actor, name, kind=WatchListKind.ALERT, description="", enabled=True, match_mode=WatchListMatch.TOLERANT,
    suppress_alerts=True, webhook_url="", entries=(),
):
    _require(actor, "watchlist.change", "Creating watch lists")
    errors = _Errors()
    watchlist = WatchList(
        name=errors.clean("name", _clean_name, name),
        kind=errors.clean("kind", _clean_kind, kind),
        description=errors.clean("description", _clean_description, description),
        enabled=bool(enabled),
        match_mode=errors.clean("match_mode", _clean_match_mode, match_mode),
        suppress_alerts=bool(suppress_alerts),
        webhook_url=errors.clean("webhook_url", clean_webhook_url, webhook_url),
        created_by=actor,
    )
    cleaned = errors.clean("entries", _clean_entries, entries)
    errors.raise_any()
    _check_name_free(watchlist.name)
    secret = signing.new_secret()
    watchlist.webhook_secret = signing.seal(secret)
    with transaction.atomic():
        _save(watchlist)
        _set_entries(watchlist, cleaned)
        audit_record(actor=actor, action="watchlist.create", target=watchlist, changes=_audit_view(watchlist, cleaned))
    watchlist.new_webhook_secret = secret  # in memory only, for the one response that shows it
    return watchlist


def watchlist_rotate_secret(*, actor, watchlist):
    """A new signing secret for the list's webhook; returns it (the only time it is shown). The old one stops
    signing at once."""
    _require(actor, "watchlist.change", "Rotating a webhook secret")
    secret = signing.new_secret()
    with transaction.atomic():
        WatchList.objects.filter(pk=watchlist.pk).update(webhook_secret=signing.seal(secret), updated_at=timezone.now())
        audit_record(actor=actor, action="watchlist.rotate_secret", target=watchlist, changes={})
    watchlist.refresh_from_db()
    return secret


def watchlist_update(
    *,
    actor,
    watchlist,
    name=UNCHANGED,
    kind=UNCHANGED,
    description=UNCHANGED,
    enabled=UNCHANGED,
    match_mode=UNCHANGED,
    suppress_alerts=UNCHANGED,
    webhook_url=UNCHANGED,
    entries=UNCHANGED,
):
    _require(actor, "watchlist.change", "Changing watch lists")
    before_entries = _current_entries(watchlist)
    before = _audit_view(watchlist, before_entries)
    errors = _Errors()
    changes = {}
    for field, cleaner, value in (
        ("name", _clean_name, name),
        ("kind", _clean_kind, kind),
        ("description", _clean_description, description),
        ("enabled", bool, enabled),
        ("match_mode", _clean_match_mode, match_mode),
        ("suppress_alerts", bool, suppress_alerts),
        ("webhook_url", clean_webhook_url, webhook_url),
    ):
        # A URL saved before is not resolved again for an unrelated edit (it is checked at every delivery).
        if field == "webhook_url" and value is not UNCHANGED and str(value or "").strip() == watchlist.webhook_url:
            continue
        if value is not UNCHANGED:
            changes[field] = errors.clean(field, cleaner, value)
    cleaned = before_entries if entries is UNCHANGED else errors.clean("entries", _clean_entries, entries)
    errors.raise_any()
    if "name" in changes:
        _check_name_free(changes["name"], exclude_id=watchlist.pk)
    for field, value in changes.items():
        setattr(watchlist, field, value)
    after = _audit_view(watchlist, cleaned)
    diff = {field: [before[field], after[field]] for field in after if before[field] != after[field]}
    with transaction.atomic():
        _save(watchlist)
        if entries is not UNCHANGED:
            _set_entries(watchlist, cleaned)
        audit_record(actor=actor, action="watchlist.update", target=watchlist, changes=diff)
    return watchlist


def watchlist_delete(*, actor, watchlist):
    _require(actor, "watchlist.change", "Deleting watch lists")
    with transaction.atomic():
        audit_record(
            actor=actor, action="watchlist.delete", target=watchlist,
            changes=_audit_view(watchlist, _current_entries(watchlist)),
        )
        watchlist.delete()


# --- alerts -------------------------------------------------------------------------


def _matching_entries(detection):
    """The first matching entry of each enabled alert list that has not counted this detection yet."""
    entries = _entries_matching(detection, WatchListKind.ALERT).exclude(watchlist__alerts__sightings__detection=detection)
    first = {}
    # An exact pattern is a better explanation of the alert than a wildcard one.
    for entry in sorted(entries, key=lambda e: (e.pattern.count("*") + e.pattern.count("?"), e.pattern)):
        first.setdefault(entry.watchlist_id, entry)
    return sorted(first.values(), key=lambda e: e.watchlist_id)  # lists locked in one order: no deadlock


def _passage_alert(watchlist, key, detection):
    """The list's alert this detection is a later sighting of: the same plate key, last seen within
    ALERT_DEDUP_SECONDS before the detection was; None when there is none (or dedup is off)."""
    window = float(getattr(settings, "ALERT_DEDUP_SECONDS", 60))
    if window <= 0:
        return None
    return (
        Alert.objects.filter(
            watchlist=watchlist, plate_key=key, last_seen_at__gte=detection.first_seen - timedelta(seconds=window)
        )
        .order_by("-last_seen_at", "-id")
        .first()
    )


def _add_sighting(alert, detection):
    AlertSighting.objects.create(alert=alert, detection=detection, seen_at=detection.first_seen)
    Alert.objects.filter(pk=alert.pk).update(sighting_count=F("sighting_count") + 1)
    Alert.objects.filter(pk=alert.pk, last_seen_at__lt=detection.last_seen).update(last_seen_at=detection.last_seen)


def _entries_matching(detection, kind):
    """The entries of enabled lists of `kind` that the detection's plate matches, each by its list's matching
    (tolerant: the confusable forms; exact: the plate as read), with their list."""
    key = detection.plate_key or plate_key(detection.plate_text)
    if not key:
        return WatchListEntry.objects.none()
    table = WatchListEntry._meta.db_table
    lists = WatchListEntry.objects.filter(watchlist__enabled=True, watchlist__kind=kind)
    tolerant = lists.filter(watchlist__match_mode=WatchListMatch.TOLERANT).extra(
        where=[f'%s LIKE "{table}"."match_like"'], params=[key]
    )
    exact = lists.filter(watchlist__match_mode=WatchListMatch.EXACT).extra(
        where=[f'%s LIKE "{table}"."exact_like"'], params=[detection.plate_text]
    )
    return WatchListEntry.objects.filter(Q(pk__in=tolerant.values("pk")) | Q(pk__in=exact.values("pk"))).select_related(
        "watchlist"
    )


def _allow_entry(detection):
    """The allow-list entry that best explains the plate: a list that suppresses alerts first, then an exact
    pattern before a wildcard one, then by list name; None when the plate is on no enabled allow list."""
    entries = _entries_matching(detection, WatchListKind.ALLOW)
    return min(
        entries,
        key=lambda e: (not e.watchlist.suppress_alerts, e.pattern.count("*") + e.pattern.count("?"), e.watchlist.name),
        default=None,
    )


def allow_match(*, detection):
    """Mark the detection with the allow list its plate is on (matched as alert lists match), in the caller's
    transaction: the persist one, so the mark is stored with the passage and is what was true then — an entry
    added later does not rewrite it. Returns the list, or None."""
    entry = _allow_entry(detection)
    detection_mark_allow_list(detection=detection, allow_list=entry.watchlist.name if entry else "")
    return entry.watchlist if entry else None


def _alerts_suppressed(detection):
    entry = _allow_entry(detection)
    return entry is not None and entry.watchlist.suppress_alerts


def alert_match(*, detection):
    """Raise an alert for each alert list the detection's plate matches, and the first webhook delivery of
    each (pending), in the caller's transaction: they commit with the detection or not at all. Returns the
    alerts created now. On commit each one is pushed to the consoles, published as `system.notification`,
    and its delivery handed to a task (the sweeper sends it if that cannot be queued).

    One alert per passage: where the list already alerted for the same plate key within
    ALERT_DEDUP_SECONDS, the detection is a sighting of that alert (count, last seen, cameras; pushed as
    `alert.updated`) and raises nothing else: no event, no webhook. Race-safe: the list's row is locked
    (FOR NO KEY UPDATE) before looking, so two cameras persisting the same plate at once wait for each
    other and the second sees the first's alert.
    """
    if _alerts_suppressed(detection):  # a resident's plate: an allow list that suppresses alerts names it
        return []
    key = detection.plate_key or plate_key(detection.plate_text)
    created, deliveries, joined = [], [], []
    with transaction.atomic():
        for entry in _matching_entries(detection):
            watchlist = WatchList.objects.select_for_update(no_key=True).get(pk=entry.watchlist_id)
            if AlertSighting.objects.filter(alert__watchlist=watchlist, detection=detection).exists():
                continue  # another persist of this detection counted it while we waited
            passage = _passage_alert(watchlist, key, detection)
            if passage is not None:
                _add_sighting(passage, detection)
                joined.append(passage.pk)
                continue
            try:
                with transaction.atomic():
                    alert = Alert.objects.create(
                        detection=detection, watchlist=watchlist, entry=entry, pattern=entry.pattern,
                        note=entry.note, plate_text=detection.plate_text, plate_key=key,
                        last_seen_at=detection.last_seen,
                    )
                    AlertSighting.objects.create(alert=alert, detection=detection, seen_at=detection.first_seen)
            except IntegrityError:
                continue  # another persist raised it first
            created.append(alert)
            if watchlist.webhook_url:
                deliveries.append(
                    WebhookDelivery.objects.create(
                        alert=alert, watchlist=watchlist, url=watchlist.webhook_url, attempt=1,
                        message_id=f"msg_{uuid.uuid4().hex}",
                    )
                )
        # A later reading of a counted detection moves its alerts' last sighting on (after the lists' locks:
        # alert rows are always locked after list rows).
        Alert.objects.filter(sightings__detection=detection, last_seen_at__lt=detection.last_seen).update(
            last_seen_at=detection.last_seen
        )
    if created or joined:
        alert_ids, delivery_ids = [a.pk for a in created], [d.pk for d in deliveries]
        transaction.on_commit(lambda: _announce(alert_ids, delivery_ids, joined))
    return created


def _notification(alert, payload):
    camera = payload["camera_name"]
    note = f" — {payload['note']}" if payload["note"] else ""
    return {
        "kind": "watchlist.alert",
        "level": "warning",
        "title": f"Plate {payload['plate_text']} on watch list {payload['watchlist_name']}{note}",
        "message": f"{payload['plate_text']} seen at {camera} (pattern {payload['pattern']}){note}.",
        "alert": payload,
        "links": alert_links(alert),
    }


def _announce(alert_ids, delivery_ids, joined_ids=()):
    from apps.watchlists import tasks

    for delivery_id in delivery_ids:
        outbox.enqueue(tasks.deliver_webhook, delivery_id)
    for alert in _with_related(Alert.objects.filter(pk__in=alert_ids)):
        payload = alert_public(alert)
        live.push(live.NOTIFICATIONS, "alert.created", payload)
        events.publish("system.notification", _notification(alert, payload))
    for alert in _with_related(Alert.objects.filter(pk__in=joined_ids)):
        live.push(live.NOTIFICATIONS, "alert.updated", alert_public(alert))


def _with_related(alerts):
    return selectors.with_sightings(alerts.select_related("watchlist", "detection__camera", "acknowledged_by"))


def _acknowledge(actor, alerts):
    """Acknowledge the open ones of `alerts` (a queryset), each audited and pushed; the ids acknowledged."""
    now = timezone.now()
    with transaction.atomic():
        claimed = list(alerts.filter(acknowledged_at=None).select_for_update(of=("self",)).order_by("pk"))
        Alert.objects.filter(pk__in=[a.pk for a in claimed]).update(acknowledged_by=actor, acknowledged_at=now)
        for alert in claimed:
            audit_record(actor=actor, action="alert.acknowledge", target=alert, changes={"plate_text": alert.plate_text})
        ids = [a.pk for a in claimed]
        if ids:
            transaction.on_commit(lambda: _push_acknowledged(ids))
    return ids


def _push_acknowledged(ids):
    for alert in _with_related(Alert.objects.filter(pk__in=ids)):
        live.push(live.NOTIFICATIONS, "alert.acknowledged", alert_public(alert))


def alert_acknowledge(*, actor, alert):
    """Mark an open alert acknowledged (idempotent: an acknowledged alert keeps who and when)."""
    _require(actor, "alert.acknowledge", "Acknowledging alerts")
    _acknowledge(actor, Alert.objects.filter(pk=alert.pk))
    alert.refresh_from_db()
    return alert


ACKNOWLEDGE_SHOWN_MAX = 500


def alert_acknowledge_shown(*, actor, alerts, alert_ids):
    """Acknowledge what a page shows: the open alerts among `alert_ids` (the rows on the page) that are in
    `alerts` (the page's filter), so nothing the operator did not see is acknowledged. Each is audited as a
    single acknowledgement. Returns how many were acknowledged."""
    _require(actor, "alert.acknowledge", "Acknowledging alerts")
    try:
        ids = {int(i) for i in alert_ids}
    except (TypeError, ValueError):
        raise ValidationError({"alert": "Alert ids are numbers."}) from None
    if len(ids) > ACKNOWLEDGE_SHOWN_MAX:
        raise ValidationError({"alert": f"At most {ACKNOWLEDGE_SHOWN_MAX} alerts at once."})
    return len(_acknowledge(actor, alerts.filter(pk__in=ids)))


def alert_sound_enabled(user):
    """Whether the console plays a sound for this user's alerts: their own choice, else on for those who
    acknowledge alerts (operators, admins) and off for viewers."""
    preference = AlertPreference.objects.filter(user_id=user.pk).first()
    if preference is not None:
        return preference.sound
    return can(user, "alert.acknowledge")


def alert_sound_set(*, actor, enabled):
    """A console user turns their own alert sound on or off (a personal setting: not audited)."""
    _require_role(actor)
    AlertPreference.objects.update_or_create(user=actor, defaults={"sound": bool(enabled)})
    return bool(enabled)


# --- webhooks ----------------------------------------------------------------------------


def webhook_backoff(retries):
    base = float(getattr(settings, "WEBHOOK_RETRY_BASE_SECONDS", 2.0))
    return min(WEBHOOK_BACKOFF_CAP_SECONDS, base * 2**retries) * random.uniform(0.75, 1.25)


def webhook_body(alert):
    return {
        "type": "watchlist.alert", "version": events.VERSION, "at": timezone.now().isoformat(),
        "alert": alert_public(alert), "links": alert_links(alert),
    }


def _claimable(now):
    lease = timedelta(seconds=WEBHOOK_CLAIM_LEASE_SECONDS)
    return Q(status=DeliveryStatus.PENDING, due_at__lte=now) & (Q(claimed_at=None) | Q(claimed_at__lt=now - lease))


def webhook_send(*, delivery_id):
    """Send one pending delivery if it is due and nobody else holds it; the delivery, or None if not claimed."""
    now = timezone.now()
    if not WebhookDelivery.objects.filter(_claimable(now), pk=delivery_id).update(claimed_at=now):
        return None
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    return delivery and _attempt(delivery)


def _claim_next():
    """Claim the oldest due delivery nobody holds; None when there is none."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(_claimable(now))
            .order_by("due_at", "id")
            .first()
        )
        if delivery is not None:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_at=now)
    return delivery


def webhook_sweep(*, limit=WEBHOOK_SWEEP_BATCH):
    """Claim the deliveries left pending (their task was never queued, or its worker died) and send them, at
    most `limit`; returns how many were attempted. One row is claimed at a time, right before it is sent, so
    no claim waits behind other receivers' timeouts until its lease runs out. Two sweepers, or a sweeper and
    a task, never take the same row."""
    attempted = 0
    while attempted < limit and (delivery := _claim_next()) is not None:
        attempted += 1
        try:
            _attempt(delivery)
        except Exception:  # one broken row must not hold up the others; its claim lapses and it is tried again
            logger.exception("webhook delivery %s could not be attempted", delivery.pk)
    return attempted


def _request_error(exc):
    """What is recorded of a failed request: its kind, never the URL (it may hold a token) nor an answer."""
    if isinstance(exc, requests.Timeout):
        return f"Timeout: no answer within {WEBHOOK_TIMEOUT_SECONDS:g} s"
    if isinstance(exc, requests.exceptions.SSLError):
        return "SSLError: the TLS handshake or certificate check failed"
    if isinstance(exc, requests.ConnectionError):
        return "ConnectionError: could not connect"
    return exc.__class__.__name__


def _post(alert, delivery):
    """(status_code, error, final): one signed POST of the alert; `final` when retrying cannot help."""
    watchlist = alert.watchlist
    try:
        secret = signing.unseal(watchlist.webhook_secret)
    except ValueError:
        return None, "The signing secret cannot be decrypted (the encryption key changed): rotate it.", True
    if not secret:
        return None, "The list has no signing secret: make one on its page.", True
    body = json.dumps(webhook_body(alert), separators=(",", ":"))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "VMS-webhook/1",
        "X-VMS-Event": "watchlist.alert",
        "X-VMS-Alert": str(alert.pk),
        **signing.signed_headers(secret=secret, message_id=delivery.message_id, body=body),
    }
    try:
        response = outbound.post(
            watchlist.webhook_url, data=body.encode(), headers=headers, timeout=WEBHOOK_TIMEOUT_SECONDS
        )
    except outbound.RefusedDestination as exc:
        return None, f"Refused: {exc}."[:500], True
    except requests.RequestException as exc:
        return None, _request_error(exc), False
    if 200 <= response.status_code < 300:
        return response.status_code, "", False
    try:
        phrase = HTTPStatus(response.status_code).phrase  # the standard phrase: nothing the receiver wrote
    except ValueError:
        phrase = ""
    return response.status_code, f"HTTP {response.status_code} {phrase}".strip(), False


def _attempt(delivery):
    """Make the claimed delivery's attempt, record it, and on failure write the next attempt (pending)."""
    from apps.watchlists import tasks

    alert = _with_related(Alert.objects).filter(pk=delivery.alert_id).first()
    if alert is None:  # deleted with its list meanwhile (and this row with it)
        return None
    started, started_at = time.monotonic(), timezone.now()
    if not alert.watchlist.webhook_url:
        status, status_code, error, final = DeliveryStatus.CANCELLED, None, "The list has no webhook any more.", True
    else:
        status_code, error, final = _post(alert, delivery)
        status = DeliveryStatus.FAILED if error else DeliveryStatus.DELIVERED
    delivery.status, delivery.status_code, delivery.error = status, status_code, error
    delivery.url, delivery.at = alert.watchlist.webhook_url or delivery.url, started_at
    delivery.duration_ms = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        delivery.save(update_fields=["status", "status_code", "error", "url", "at", "duration_ms"])
        if status == DeliveryStatus.FAILED and not final and delivery.attempt <= WEBHOOK_MAX_RETRIES:
            countdown = webhook_backoff(delivery.attempt - 1)
            retry = WebhookDelivery.objects.create(
                alert=alert, watchlist=alert.watchlist, url=delivery.url, attempt=delivery.attempt + 1,
                message_id=delivery.message_id, due_at=timezone.now() + timedelta(seconds=countdown),
            )
            transaction.on_commit(lambda: outbox.enqueue(tasks.deliver_webhook, retry.pk, countdown=countdown))
    return delivery
