"""Console form for watch lists. It collects input; the services hold the rules (patterns, URLs, names)."""

from django import forms

from apps.watchlists.models import WatchListKind


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
