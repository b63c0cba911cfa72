"""The control API: the subset of MediaMTX's v3 API the project uses, same bodies and status codes."""

import base64
import binascii
import hmac
import json
import logging
import re
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlsplit

from .httpserver import StandInHTTPServer
from .pathconf import ConfError


log = logging.getLogger("standin.api")


class ApiError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


# (method, route) -> name of the MediaServer method that answers; {name} may contain slashes.
ROUTES = [
    ("GET", "/v3/info", "info"),
    ("GET", "/v3/config/paths/list", "conf_list"),
    ("GET", "/v3/config/paths/get/{name}", "conf_get"),
    ("POST", "/v3/config/paths/add/{name}", "conf_add"),
    ("PATCH", "/v3/config/paths/patch/{name}", "conf_patch"),
    ("POST", "/v3/config/paths/replace/{name}", "conf_replace"),
    ("DELETE", "/v3/config/paths/delete/{name}", "conf_delete"),
    ("GET", "/v3/paths/list", "paths_list"),
    ("GET", "/v3/paths/get/{name}", "paths_get"),
]
COMPILED_ROUTES = [
    (method, re.compile("^" + route.replace("{name}", "(?P<name>.+)") + "$"), handler)
    for method, route, handler in ROUTES
]
WITH_BODY = {"conf_add", "conf_patch", "conf_replace"}


def paginate(items, query):
    """MediaMTX's pagination: `page` from 0, `itemsPerPage` default 100."""
    try:
        per_page = int(query.get("itemsPerPage", ["100"])[0])
        page = int(query.get("page", ["0"])[0])
    except ValueError as exc:
        raise ApiError(400, f"invalid pagination: {exc}") from None
    if per_page <= 0 or page < 0:
        raise ApiError(400, "invalid pagination: page must be >= 0 and itemsPerPage > 0")
    page_count = (len(items) + per_page - 1) // per_page
    return {"itemCount": len(items), "pageCount": page_count, "items": items[page * per_page:(page + 1) * per_page]}


def authorized(headers, username, password):
    """Whether a request carries the basic-auth credentials (always, where none are set)."""
    if not username:
        return True
    scheme, _, encoded = (headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, secret = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return hmac.compare_digest(user.encode(), username.encode()) & hmac.compare_digest(secret.encode(), password.encode())


def make_api_handler(media_server, username="", password="", auth=None):
    class ApiHandler(BaseHTTPRequestHandler):
        server_version = "vms-standin"
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self._handle()

        def do_POST(self):
            self._handle()

        def do_PATCH(self):
            self._handle()

        def do_DELETE(self):
            self._handle()

        def _handle(self):
            try:
                body = self._read_body()
                if not self._authorized():
                    self._send(401, {"status": "error", "error": "authentication error"},
                               {"WWW-Authenticate": 'Basic realm="mediamtx"'})
                    return
                self._send(200, self._dispatch(body))
            except ApiError as exc:
                self._send(exc.status, {"status": "error", "error": str(exc)})
            except ConfError as exc:
                self._send(400, {"status": "error", "error": str(exc)})
            except Exception as exc:  # noqa: BLE001 - a bug must answer 500, not drop the connection
                log.exception("API %s %s failed", self.command, self.path)
                self._send(500, {"status": "error", "error": f"internal error: {exc}"})

        def _dispatch(self, body):
            url = urlsplit(self.path)
            for method, pattern, handler in COMPILED_ROUTES:
                match = pattern.match(url.path)
                if match and method == self.command:
                    args = {key: unquote(value) for key, value in match.groupdict().items()}
                    if handler in WITH_BODY:
                        args["body"] = self._parse_json(body)
                    if handler in ("conf_list", "paths_list"):
                        return paginate(getattr(media_server, handler)(), parse_qs(url.query))
                    return getattr(media_server, handler)(**args)
            raise ApiError(404, "not found")

        def _read_body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        @staticmethod
        def _parse_json(body):
            if not body:
                raise ApiError(400, "invalid JSON: empty body")
            try:
                return json.loads(body)
            except json.JSONDecodeError as exc:
                # Worded like Go's encoding/json, which MediaMTX quotes.
                char = exc.doc[exc.pos : exc.pos + 1]
                raise ApiError(400, f"invalid character {char!r} looking for beginning of value") from None
            except (ValueError, UnicodeDecodeError) as exc:
                raise ApiError(400, f"invalid JSON: {exc}") from None

        def _authorized(self):
            if auth is not None:
                return auth.allows(action="api", headers=self.headers, ip=self.client_address[0])
            return authorized(self.headers, username, password)

        def _send(self, status, payload, headers=None):
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            log.debug("%s %s", self.address_string(), format % args)

    return ApiHandler


def serve_api(host, port, media_server, username="", password="", auth=None):
    return StandInHTTPServer((host, port), make_api_handler(media_server, username, password, auth))
