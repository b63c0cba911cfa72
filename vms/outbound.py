"""HTTP to URLs that users give (webhooks), never turned inward.

A URL whose host is, or resolves to, a loopback, private, link-local, multicast,
unspecified or otherwise non-public address is refused, and so is a bare name
without a dot (a compose service: `rabbitmq`, `web`, …) or a `.localhost`,
`.local` or `.internal` name — unless the host or the address is in
`WEBHOOK_ALLOWED_HOSTS` (host names, IP addresses or CIDRs).

The check runs when a URL is saved and again at each request. At a request the
name is resolved once and the connection goes to that checked address (Host
header and TLS SNI and certificate check keep the name), so a DNS answer that
changes between the check and the connect (DNS rebinding) cannot redirect it.
Redirects are never followed and proxies from the environment are not used.
"""

import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

INTERNAL_SUFFIXES = (".localhost", ".local", ".internal")


class RefusedDestination(ValueError):
    """The URL points inside: the message says why, naming the host and address (never the path or query)."""


def _allowed_entries():
    hosts, networks = set(), []
    for entry in getattr(settings, "WEBHOOK_ALLOWED_HOSTS", []) or []:
        entry = entry.strip().lower()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            hosts.add(entry.rstrip("."))
    return hosts, networks


def _address_problem(address):
    """Why `address` may not be reached, or None when it is a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    for flag, reason in (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_private", "private"),
        ("is_reserved", "reserved"),
    ):
        if getattr(address, flag):
            return reason
    if not address.is_global:
        return "not public"
    return None


def _is_internal_name(host):
    return "." not in host or host.endswith(INTERNAL_SUFFIXES)


def internal_name(url):
    """The host of `url` when it is an internal name (no dot, `.local`, …) and not allowed; else None. For
    URLs that a URL validator refuses only because such a name has no top-level domain."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    if not host or host in _allowed_entries()[0]:
        return None
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        return host if _is_internal_name(host) else None


def _port(parts):
    return parts.port or (443 if parts.scheme == "https" else 80)


def resolve(url):
    """(host, [checked addresses]) for an http(s) URL, or RefusedDestination naming what is wrong."""
    try:
        parts = urlsplit(url)
        port = _port(parts)
    except ValueError:
        raise RefusedDestination("the URL cannot be read") from None
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise RefusedDestination("give an http:// or https:// URL with a host")
    allowed_hosts, allowed_networks = _allowed_entries()
    host_allowed = host in allowed_hosts
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is None and not host_allowed and _is_internal_name(host):
        raise RefusedDestination(f"{host} is an internal name (a compose service or a local name)")
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise RefusedDestination(f"{host} cannot be resolved") from None
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))
    if host_allowed:
        return host, addresses
    for address in addresses:
        problem = _address_problem(address)
        if problem and not any(address in network for network in allowed_networks):
            where = f"{host} resolves to {address}" if literal is None else f"{address} is"
            raise RefusedDestination(f"{where} ({problem}): webhooks may only reach public addresses")
    return host, addresses


def check(url):
    """Raise RefusedDestination when `url` may not be reached (for validation when it is saved)."""
    resolve(url)


class _PinnedTLSAdapter(HTTPAdapter):
    """Connects to an address while TLS still names (SNI) and verifies the host."""

    def __init__(self, host):
        self.host = host
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["server_hostname"] = self.host
        kwargs["assert_hostname"] = self.host
        super().init_poolmanager(*args, **kwargs)


def post(url, *, data, headers, timeout):
    """POST `data` to `url` at the one address it was checked at. RefusedDestination when it points inside."""
    host, addresses = resolve(url)
    address = addresses[0]
    parts = urlsplit(url)
    netloc_host = f"[{address}]" if address.version == 6 else str(address)
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@" * bool(userinfo) + f"{netloc_host}:{_port(parts)}"
    pinned = urlunsplit(parts._replace(netloc=netloc))
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment: the checked address is the one reached
        session.mount("https://", _PinnedTLSAdapter(host))
        session.mount("http://", HTTPAdapter(max_retries=0))
        return session.post(
            pinned, data=data, headers={**headers, "Host": host_header}, timeout=timeout, allow_redirects=False
        )


def standard_webhook_headers(*, secret, message_id, body, at=None):
    """Standard Webhooks headers of one message: `webhook-id` (the receiver's idempotency key), `webhook-timestamp`
    (Unix seconds) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under `secret`)."""
    from datetime import datetime, timezone

    from standardwebhooks.webhooks import Webhook

    at = at or datetime.now(timezone.utc)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
    }
