"""Client of the media server's control API (MediaMTX v3).

The only code that talks to the media server (its control API, and its playback
server for recordings: `PlaybackClient`). It does not know whether
MediaMTX or the project's stand-in answers: both speak the same API
(`docs/reference/mediamtx/openapi.yaml`).
"""

from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import requests
from django.conf import settings


class MediaServerError(Exception):
    """The media server answered with an error."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class PathAlreadyExists(MediaServerError):
    pass


class PathNotFound(MediaServerError):
    pass


class MediaServerUnreachable(MediaServerError):
    pass


class MediaServerClient:
    def __init__(self, base_url, username="", password="", timeout=3.0):
        # Credentials written into the URL are taken out of it, so no message or log quotes them.
        parts = urlsplit(base_url)
        if parts.username or parts.password:
            username = username or unquote(parts.username or "")
            password = password or unquote(parts.password or "")
            host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
            netloc = host + (f":{parts.port}" if parts.port else "")
            base_url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        if username:
            self.session.auth = (username, password)

    def _request(self, method, path, json=None, params=None):
        url = f"{self.base_url}{path}"
        try:
            response = self.session.request(method, url, json=json, params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            raise MediaServerUnreachable(f"media server at {self.base_url} unreachable: {exc.__class__.__name__}") from exc
        if response.status_code >= 400:
            try:
                message = response.json().get("error", response.text)
            except ValueError:
                message = response.text
            message = message or f"HTTP {response.status_code}"
            if response.status_code == 404:
                raise PathNotFound(message, response.status_code)
            if response.status_code == 400 and "already exists" in message:
                raise PathAlreadyExists(message, response.status_code)
            raise MediaServerError(message, response.status_code)
        if response.content and response.headers.get("Content-Type", "").startswith("application/json"):
            return response.json()
        return None

    # --- server ---
    def info(self):
        return self._request("GET", "/v3/info")

    # --- configured paths ---
    def path_add(self, name, conf):
        return self._request("POST", f"/v3/config/paths/add/{quote(name)}", json=conf)

    def path_patch(self, name, conf):
        return self._request("PATCH", f"/v3/config/paths/patch/{quote(name)}", json=conf)

    def path_replace(self, name, conf):
        return self._request("POST", f"/v3/config/paths/replace/{quote(name)}", json=conf)

    def path_delete(self, name):
        return self._request("DELETE", f"/v3/config/paths/delete/{quote(name)}")

    def path_config(self, name):
        return self._request("GET", f"/v3/config/paths/get/{quote(name)}")

    def path_configs(self):
        """Every configured path, following the pages."""
        return list(self._pages("/v3/config/paths/list"))

    # --- runtime state ---
    def paths(self):
        return list(self._pages("/v3/paths/list"))

    def path_state(self, name):
        return self._request("GET", f"/v3/paths/get/{quote(name)}")

    # --- readers' sessions (kind: hlssessions, webrtcsessions, rtspsessions) ---
    def sessions(self, kind):
        return list(self._pages(f"/v3/{kind}/list"))

    def session_kick(self, kind, session_id):
        return self._request("POST", f"/v3/{kind}/kick/{quote(session_id)}")

    def _pages(self, path, per_page=100):
        page = 0
        while True:
            body = self._request("GET", path, params={"page": page, "itemsPerPage": per_page})
            yield from body.get("items") or []
            page += 1
            if page >= body.get("pageCount", 0):
                return


@lru_cache(maxsize=1)
def media_server():
    return MediaServerClient(
        settings.MEDIAMTX_API_URL,
        settings.MEDIAMTX_API_USER,
        settings.MEDIAMTX_API_PASSWORD,
        settings.MEDIAMTX_TIMEOUT,
    )


class NoRecording(MediaServerError):
    """The playback server has nothing recorded there."""


def rfc3339(moment):
    """A datetime as the playback server reads it: UTC, microseconds, `Z`."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class PlaybackClient:
    """Client of the media server's playback server (MediaMTX's `/list` and `/get`)."""

    def __init__(self, base_url, username="", password="", timeout=3.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        if username:
            self.session.auth = (username, password)

    def _get(self, path, params, stream=False):
        try:
            response = self.session.get(f"{self.base_url}{path}", params=params, timeout=self.timeout, stream=stream)
        except requests.RequestException as exc:
            raise MediaServerUnreachable(
                f"playback server at {self.base_url} unreachable: {exc.__class__.__name__}"
            ) from exc
        if response.status_code < 400:
            return response
        try:
            message = response.json().get("error", response.text)
        except ValueError:
            message = response.text
        response.close()
        message = message or f"HTTP {response.status_code}"
        # A path that never recorded has no folder yet: MediaMTX says so in words, not with a 404.
        if response.status_code == 404 or "no such file or directory" in message:
            raise NoRecording(message, response.status_code)
        if "is not configured" in message:
            raise PathNotFound(message, response.status_code)
        raise MediaServerError(message, response.status_code)

    def spans(self, name, start=None, end=None):
        """The recorded spans of a path between `start` and `end`: [(start datetime, seconds)], oldest first."""
        params = {"path": name}
        if start is not None:
            params["start"] = rfc3339(start)
        if end is not None:
            params["end"] = rfc3339(end)
        try:
            body = self._get("/list", params).json()
        except NoRecording:
            return []
        return [(datetime.fromisoformat(item["start"].replace("Z", "+00:00")), float(item["duration"])) for item in body]

    def clip(self, name, start, seconds):
        """An open streaming response with the MP4 of `seconds` from `start`; the caller closes it."""
        return self._get(
            "/get", {"path": name, "start": rfc3339(start), "duration": f"{seconds:g}", "format": "mp4"}, stream=True
        )


@lru_cache(maxsize=1)
def playback_server():
    return PlaybackClient(
        settings.MEDIAMTX_PLAYBACK_URL,
        settings.MEDIAMTX_API_USER,
        settings.MEDIAMTX_API_PASSWORD,
        settings.MEDIAMTX_TIMEOUT,
    )
