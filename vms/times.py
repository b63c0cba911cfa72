"""Times as the console shows them: in the site's zone (TIME_ZONE), with that zone, one format everywhere —
`2026-12-01 14:03:07 -03` (`UTC` where the offset is zero, `+05:30` where it has minutes).

`site_time` is the one Python function (a template filter everywhere, as a builtin: no `{% load %}`);
static/js/time.js is its twin for rows the browser adds from pushes, told the zone by <html data-time-zone>.
tests/browser/test_times.py holds the two to the same text for the same moment.
"""

from datetime import datetime

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

register = template.Library()


def offset_label(offset):
    """`-03`, `+05:30`, or `UTC` for a zero offset: what time.js derives from Intl's "GMT-03:00" too."""
    minutes = round(offset.total_seconds() / 60)
    if not minutes:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    return f"{'+' if minutes > 0 else '-'}{hours:02d}" + (f":{rest:02d}" if rest else "")


@register.filter(expects_localtime=False)
def site_time(value):
    """An aware datetime (or an ISO 8601 string) as `YYYY-MM-DD HH:MM:SS ±HH` in the site's zone; "" for none."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if not isinstance(value, datetime):
        return ""
    local = timezone.localtime(value)
    return f"{local:%Y-%m-%d %H:%M:%S} {offset_label(local.utcoffset())}"


@register.simple_tag
def site_time_zone():
    """The zone's name, for <html data-time-zone> (time.js formats in it)."""
    return settings.TIME_ZONE


def site_zone_label(moment=None):
    """The site zone's offset label at `moment` (now by default), for headings of local hours."""
    return offset_label(timezone.localtime(moment or timezone.now()).utcoffset())
