"""The detection search form: one set of rules for the console page, the CSV export and the API."""

import re

from django import forms

from apps.cameras.models import Camera
from apps.detections.selectors import ALLOW_LIST_CHOICES, MATCH_MODES, VEHICLE_CLASSES
from vms.forms import SiteTimeRangeForm

PLATE_MAX_LENGTH = 16


class DetectionSearchForm(SiteTimeRangeForm):
    field_order = ["plate", "match", "camera", "vehicle_class", "allow_list", "since", "until"]

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

    def clean_plate(self):
        plate = re.sub(r"[\s\-.]", "", self.cleaned_data["plate"] or "").upper()
        if plate and not re.fullmatch(r"[A-Z0-9]+", plate):
            raise forms.ValidationError("A plate is letters A–Z and digits 0–9 only.")
        if len(plate) > PLATE_MAX_LENGTH:
            raise forms.ValidationError(f"A plate is at most {PLATE_MAX_LENGTH} characters.")
        return plate

    def clean_match(self):
        return self.cleaned_data.get("match") or "similar"

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
