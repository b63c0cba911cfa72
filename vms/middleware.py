"""Middleware plumbing: a base for code around each request (WSGI and ASGI), and failing fast when the database is away."""

import logging

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)


class AroundRequestMiddleware:
    """Runs `enter` before the rest of the stack and `leave` after it, the same under WSGI and ASGI.

    `enter(request)` returns a state; `leave(request, response, state)` gets the response
    (None when the stack raised) and may change it.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def enter(self, request):
        return None

    def leave(self, request, response, state):
        pass

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        state, response = self.enter(request), None
        try:
            response = self.get_response(request)
            return response
        finally:
            self.leave(request, response, state)

    async def __acall__(self, request):
        state, response = self.enter(request), None
        try:
            response = await self.get_response(request)
            return response
        finally:
            self.leave(request, response, state)

RETRY_AFTER_SECONDS = 5
MESSAGE = "The database is unavailable for a moment. Try again in a few seconds."
# No templates: rendering the site's base page would ask the database for the user again.
PAGE = f"<!doctype html><title>503</title><h1>503</h1><p>{MESSAGE}</p>"


class DatabaseUnavailableMiddleware:
    """A lost database connection is a 503 with Retry-After, not a 500.

    Each request takes a connection from the web process's pool (or opens its own
    outside ASGI) and gives it back, and the pool drops broken ones, so once
    PostgreSQL is back the next request just works: no process restarts.
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
