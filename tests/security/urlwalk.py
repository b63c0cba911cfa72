"""Every URL pattern of the project, from the URL configuration, as a readable route."""

import re

from django.urls import URLResolver, get_resolver


def readable(route):
    """`api/^cameras/(?P<pk>[^/.]+)/$` → `api/cameras/<pk>/`."""
    route = route.replace("^", "").replace("$", "")
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route).replace("\\.", ".")


def walk(patterns=None, prefix=""):
    """(route, pattern) for every pattern; the admin site counts as one (Django's own permissions guard it)."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if getattr(pattern, "app_name", None) == "admin":
                yield "admin/", pattern
                continue
            yield from walk(pattern.url_patterns, route)
        else:
            yield route, pattern


def routes():
    """Every readable route, once."""
    found = []
    for route, _ in walk():
        name = readable(route)
        if name not in found:
            found.append(name)
    return found
