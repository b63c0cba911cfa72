"""Console forms for watch lists and the alerts page's filter. They collect input; the services hold the rules
(patterns, URLs, names)."""

import re

from django import forms

from apps.cameras.models import Camera
from apps.watchlists.models import PATTERN_MAX_LENGTH, WatchList, WatchListKind, WatchListMatch
from apps.watchlists.selectors import ALERT_STATES
from vms.forms import SiteTimeRangeForm


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
    match_mode = forms.ChoiceField(
        label="Matching", choices=WatchListMatch.choices, initial=WatchListMatch.TOLERANT, required=False,
        help_text="Tolerant: a misread plate still matches (O/Q/D/0, I/L/1, B/8, S/5, Z/2, G/6, W/M/N). "
        "Exact: only the plate as read.",
    )
    suppress_alerts = forms.BooleanField(
        label="Suppress alerts for these plates", required=False, initial=True,
        help_text="Allow lists only: a plate on this list raises no alert, even where an alert list names it.",
    )
    entries = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "ABC1234 the director's car\nXYZ*\n?BC1234"}),
        help_text="One plate a line, then an optional note. Letters and digits, * for any characters, ? for one. "
        "On a tolerant list O/Q/D/0, I/L/1, B/8, S/5, Z/2, G/6 and W/M/N match each other.",
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
                    "match_mode": watchlist.match_mode,
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
            "match_mode": data["match_mode"] or WatchListMatch.TOLERANT,
            "suppress_alerts": data["suppress_alerts"],
            "webhook_url": data["webhook_url"],
            "entries": parse_entries(data["entries"]),
        }


class AlertFilterForm(SiteTimeRangeForm):
    """The alerts page's filter: what it shows, and so what "Acknowledge all shown" may acknowledge."""

    field_order = ["state", "watchlist", "camera", "plate", "since", "until"]

    state = forms.ChoiceField(choices=[(s, s.capitalize()) for s in ALERT_STATES], required=False, initial="open")
    watchlist = forms.ModelChoiceField(
        queryset=WatchList.objects.filter(kind=WatchListKind.ALERT).order_by("name"), required=False,
        empty_label="All lists", label="List",
    )
    camera = forms.ModelChoiceField(queryset=Camera.objects.order_by("name"), required=False, empty_label="All cameras")
    plate = forms.CharField(
        required=False, max_length=40, help_text="Part of the plate; characters OCR confuses (O/0, I/1, B/8 …) match each other.",
        widget=forms.TextInput(attrs={"placeholder": "ABC1234", "autocomplete": "off"}),
    )

    def clean_plate(self):
        plate = re.sub(r"[\s\-.]", "", self.cleaned_data["plate"] or "").upper()
        if plate and not re.fullmatch(r"[A-Z0-9]+", plate):
            raise forms.ValidationError("A plate is letters A–Z and digits 0–9 only.")
        return plate[:PATTERN_MAX_LENGTH]

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
