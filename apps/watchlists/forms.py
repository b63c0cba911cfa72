"""Console forms for watch lists and the alerts page's filter. They collect input; the services hold the rules
(patterns, URLs, names)."""

import re

from django import forms
from django.conf import settings
from django.utils import timezone

from apps.cameras.models import Camera
from apps.detections.forms import DATETIME_FORMATS
from apps.watchlists.models import PATTERN_MAX_LENGTH, WatchList, WatchListKind
from apps.watchlists.selectors import ALERT_STATES


def entries_text(watchlist):
    return "\n".join(f"{e.pattern} {e.note}".strip() for e in watchlist.entries.order_by("pattern"))


def parse_entries(text):
    """One entry a line: the pattern, then an optional note after a space."""
    entries = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        pattern, _, note = line.partition(" ")
        entries.append({"pattern": pattern, "note": note.strip()})
    return entries


class WatchListForm(forms.Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(
        choices=WatchListKind.choices,
        help_text="An alert list raises an alert for every matching plate; an allow list (residents, staff) marks "
        "its plates' passages as residents in the feed, search, export and API.",
    )
    description = forms.CharField(max_length=300, required=False)
    enabled = forms.BooleanField(required=False, initial=True)
    suppress_alerts = forms.BooleanField(
        label="Suppress alerts for these plates", required=False, initial=True,
        help_text="Allow lists only: a plate on this list raises no alert, even where an alert list names it.",
    )
    entries = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "ABC1234 the director's car\nXYZ*\n?BC1234"}),
        help_text="One plate a line, then an optional note. Letters and digits, * for any characters, ? for one. "
        "O/0, I/1, B/8, S/5, Z/2 and G/6 match each other.",
    )
    webhook_url = forms.CharField(
        label="Webhook URL",
        max_length=500,
        required=False,
        help_text="Optional: each alert is POSTed here as JSON (http:// or https://), retried on failure.",
        widget=forms.TextInput(attrs={"placeholder": "https://example.org/hooks/vms", "autocomplete": "off"}),
    )

    def __init__(self, *args, watchlist=None, **kwargs):
        if watchlist is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": watchlist.name,
                    "kind": watchlist.kind,
                    "description": watchlist.description,
                    "enabled": watchlist.enabled,
                    "suppress_alerts": watchlist.suppress_alerts,
                    "entries": entries_text(watchlist),
                    "webhook_url": watchlist.webhook_url,
                },
            )
        super().__init__(*args, **kwargs)

    def service_arguments(self):
        data = self.cleaned_data
        return {
            "name": data["name"],
            "kind": data["kind"],
            "description": data["description"],
            "enabled": data["enabled"],
            "suppress_alerts": data["suppress_alerts"],
            "webhook_url": data["webhook_url"],
            "entries": parse_entries(data["entries"]),
        }


class AlertFilterForm(forms.Form):
    """The alerts page's filter: what it shows, and so what "Acknowledge all shown" may acknowledge."""

    state = forms.ChoiceField(choices=[(s, s.capitalize()) for s in ALERT_STATES], required=False, initial="open")
    watchlist = forms.ModelChoiceField(
        queryset=WatchList.objects.filter(kind=WatchListKind.ALERT).order_by("name"), required=False,
        empty_label="All lists", label="List",
    )
    camera = forms.ModelChoiceField(queryset=Camera.objects.order_by("name"), required=False, empty_label="All cameras")
    plate = forms.CharField(
        required=False, max_length=40, help_text="Part of the plate; O/0, I/1, B/8 … match each other.",
        widget=forms.TextInput(attrs={"placeholder": "ABC1234", "autocomplete": "off"}),
    )
    since = forms.DateTimeField(
        required=False, label="From", input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    until = forms.DateTimeField(
        required=False, label="To", input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django reads a time without an offset in the current zone, which is the site's (TIME_ZONE).
        for name in ("since", "until"):
            self.fields[name].help_text = f"Site time ({settings.TIME_ZONE})."

    def clean_plate(self):
        plate = re.sub(r"[\s\-.]", "", self.cleaned_data["plate"] or "").upper()
        if plate and not re.fullmatch(r"[A-Z0-9]+", plate):
            raise forms.ValidationError("A plate is letters A–Z and digits 0–9 only.")
        return plate[:PATTERN_MAX_LENGTH]

    def clean_until(self):
        value = self.cleaned_data.get("until")
        # A day alone as the end means all of that day (the site's), not its first moment.
        if value is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(self.data.get("until", "")).strip()):
            value = timezone.localtime(value).replace(hour=23, minute=59, second=59, microsecond=999999)
        return value

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "“To” is before “From”.")
        return data

    def filters(self):
        """Keyword arguments for `selectors.alert_list`."""
        data = self.cleaned_data if self.is_bound else {}
        return {
            "state": data.get("state") or "open",
            "watchlist_id": data["watchlist"].pk if data.get("watchlist") else None,
            "camera_id": data["camera"].pk if data.get("camera") else None,
            "plate": data.get("plate") or "",
            "since": data.get("since"),
            "until": data.get("until"),
        }
