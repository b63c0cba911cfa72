"""Failing fast and clearly when the database is away."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
MESSAGE = "The database is unavailable for a moment. Try again in a few seconds."
# No templates: rendering the site's base page would ask the database for the user again.
PAGE = f"<!doctype html><title>503</title><h1>503</h1><p>{MESSAGE}</p>"


class DatabaseUnavailableMiddleware:
    """A lost database connection is a 503 with Retry-After, not a 500.

    Each request opens its own connection (CONN_MAX_AGE 0, health checks on),
    so once PostgreSQL is back the next request just works: no process restarts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.warning("database unavailable: %s", exception.__class__.__name__)
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": MESSAGE}, status=503)
        else:
            response = HttpResponse(PAGE, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
