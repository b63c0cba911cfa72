"""Console form helpers shared by every app."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

EARLIEST_YEAR = 2000
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]


def _time_field(label):
    return forms.DateTimeField(
        required=False, label=label, input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class SiteTimeRangeForm(forms.Form):
    """A filter's From–To, read in the site's time zone (Django reads a time without an offset in the current
    zone, which is TIME_ZONE): a day alone as the end is all of that day, the years are sane, To not before
    From."""

    since = _time_field("From")
    until = _time_field("To")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("since", "until"):
            self.fields[name].help_text = f"Site time ({settings.TIME_ZONE})."

    def _clean_time(self, name):
        value = self.cleaned_data.get(name)
        if value is not None:
            latest = timezone.now().year + 1
            if not EARLIEST_YEAR <= value.year <= latest:
                raise ValidationError(f"Pick a date between {EARLIEST_YEAR} and {latest}.")
        return value

    def clean_since(self):
        return self._clean_time("since")

    def clean_until(self):
        value = self._clean_time("until")
        if value is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(self.data.get("until", "")).strip()):
            value = timezone.localtime(value).replace(hour=23, minute=59, second=59, microsecond=999999)
        return value

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "“To” is before “From”.")
        return data


def add_service_errors(form, exc):
    """Show a service's ValidationError next to the fields it names; the rest above the form."""
    if not isinstance(exc, ValidationError):
        raise TypeError(exc)
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)
