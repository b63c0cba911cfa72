"""Who may: the stand-in asks the app exactly as MediaMTX's `authMethod: http` does.

The request body and the reading of an HTTP request's credentials are MediaMTX v1.20.1's
(internal/auth/manager.go `authenticateHTTP`, internal/protocols/httpp/credentials.go): a
`Bearer user:pass` is a user and password, any other `Bearer` a token, else Basic auth. Any 2xx
allows; anything else, or no answer, refuses.
"""

import base64
import binascii
import logging

import requests

log = logging.getLogger(__name__)


def http_credentials(headers):
    """(user, password, token) from an HTTP request's Authorization header, as MediaMTX reads them."""
    for value in headers.get_all("Authorization") or []:
        if value.startswith("Bearer "):
            bearer = value[len("Bearer "):]
            parts = bearer.split(":")
            if len(parts) == 2:
                return parts[0], parts[1], ""
            return "", "", bearer
    scheme, _, encoded = (headers.get("Authorization") or "").partition(" ")
    if scheme.lower() == "basic":
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
            return user, password, ""
        except (binascii.Error, UnicodeDecodeError):
            pass
    return "", "", ""


class HttpAuth:
    """Asks `address` (the app's /internal/media-auth) about one request."""

    def __init__(self, address, timeout=5.0):
        self.address = address
        self.timeout = timeout
        self.session = requests.Session()

    def allows(self, *, action, headers=None, path="", protocol="", ip="", query="", user="", password=""):
        token = ""
        if headers is not None:
            user, password, token = http_credentials(headers)
        body = {
            "ip": ip, "user": user, "password": password, "token": token, "action": action, "path": path,
            "protocol": protocol, "id": None, "query": query, "userAgent": "",
        }
        try:
            response = self.session.post(self.address, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            log.warning("auth server %s unreachable (%s): refused", self.address, exc.__class__.__name__)
            return False
        return 200 <= response.status_code < 300
