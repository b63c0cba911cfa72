"""The detection search form: one set of rules for the console page, the CSV export and the API."""

import re

from django import forms
from django.conf import settings
from django.utils import timezone

from apps.cameras.models import Camera
from apps.detections.selectors import ALLOW_LIST_CHOICES, MATCH_MODES, VEHICLE_CLASSES

EARLIEST_YEAR = 2000
PLATE_MAX_LENGTH = 16
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]


class DetectionSearchForm(forms.Form):
    plate = forms.CharField(
        required=False,
        max_length=40,
        help_text="Letters and digits; spaces and dashes are ignored. “Any part” finds the end of a plate (9876).",
        widget=forms.TextInput(attrs={"placeholder": "ABC1234", "autocomplete": "off"}),
    )
    match = forms.ChoiceField(choices=MATCH_MODES, required=False, initial="similar")
    camera = forms.ModelChoiceField(queryset=Camera.objects.order_by("name"), required=False, empty_label="All cameras")
    vehicle_class = forms.ChoiceField(
        choices=[("", "Any vehicle")] + [(v, v.title()) for v in VEHICLE_CLASSES], required=False, label="Vehicle"
    )
    allow_list = forms.ChoiceField(
        choices=[("", "Residents and visitors")] + ALLOW_LIST_CHOICES, required=False, label="Allow list"
    )
    since = forms.DateTimeField(
        required=False, label="From", input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    until = forms.DateTimeField(
        required=False, label="To", input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean_plate(self):
        plate = re.sub(r"[\s\-.]", "", self.cleaned_data["plate"] or "").upper()
        if plate and not re.fullmatch(r"[A-Z0-9]+", plate):
            raise forms.ValidationError("A plate is letters A–Z and digits 0–9 only.")
        if len(plate) > PLATE_MAX_LENGTH:
            raise forms.ValidationError(f"A plate is at most {PLATE_MAX_LENGTH} characters.")
        return plate

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django reads a time without an offset in the current zone, which is the site's (TIME_ZONE).
        for name in ("since", "until"):
            self.fields[name].help_text = f"Site time ({settings.TIME_ZONE})."

    def _clean_time(self, name):
        value = self.cleaned_data.get(name)
        if value is not None:
            latest = timezone.now().year + 1
            if not EARLIEST_YEAR <= value.year <= latest:
                raise forms.ValidationError(f"Pick a date between {EARLIEST_YEAR} and {latest}.")
        return value

    def clean_since(self):
        return self._clean_time("since")

    def clean_until(self):
        value = self._clean_time("until")
        # A day alone as the end means all of that day (the site's), not its first moment.
        if value is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(self.data.get("until", "")).strip()):
            value = timezone.localtime(value).replace(hour=23, minute=59, second=59, microsecond=999999)
        return value

    def clean_match(self):
        return self.cleaned_data.get("match") or "similar"

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "“To” is before “From”.")
        return data

    def filters(self):
        """Keyword arguments for `selectors.detection_search`."""
        data = self.cleaned_data
        return {
            "plate": data.get("plate") or "",
            "match": data.get("match") or "similar",
            "camera_id": data["camera"].pk if data.get("camera") else None,
            "vehicle_class": data.get("vehicle_class") or "",
            "allow_listed": {"on": True, "off": False}.get(data.get("allow_list") or ""),
            "since": data.get("since"),
            "until": data.get("until"),
        }

    def error_dict(self):
        return {field: [str(message) for message in messages] for field, messages in self.errors.items()}
