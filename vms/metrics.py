"""`/metrics` in the Prometheus text format.

- HTTP: `vms_http_requests_total{method,route,status}` and
  `vms_http_request_duration_seconds{method,route}` from `MetricsMiddleware`. The route is the URL
  pattern that matched (`api/cameras/<pk>/`), never the raw path, so the label set stays small.
  They live in this process's default registry: compose runs one uvicorn process per `web`
  container, so no multiprocess mode (its files and locks would buy nothing); scale `web` with
  containers and Prometheus scrapes each one.
- Pipeline: `PipelineCollector` reads, at scrape time, the counters and latency windows that
  every worker process writes to Redis DB 3 (`vms.pipeline_metrics`). The workers are the writers and
  Redis the shared store, so this is multiprocess-safe by construction, and any web process
  reports the same figures:
    vms_pipeline_frames_total{camera,stage}          grabbed / detected / persisted / still / empty
    vms_pipeline_dropped_total{camera,reason}        frames dropped (expired, …)
    vms_pipeline_latency_seconds{camera,stage,quantile}  p50 / p95 over the last 500 observations
    vms_pipeline_latency_observations{camera,stage}  how many observations the window holds
    vms_pipeline_last_frame_timestamp_seconds{camera}
  The workers keep each stage's latest observations, not cumulative buckets, so latencies are
  exported as quantile gauges over that window rather than as a Prometheus histogram.

Access: from loopback and private networks (the compose network, a Prometheus beside it), or
from anywhere with `Authorization: Bearer $METRICS_TOKEN` when that is set. `METRICS_ALLOW_PRIVATE=0`
leaves the token as the only way in. The entry point does not route `/metrics` at all.
"""

import hmac
import ipaddress
import logging
import re
import time

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from vms.middleware import AroundRequestMiddleware

logger = logging.getLogger(__name__)

HTTP_REQUESTS = Counter(
    "vms_http_requests", "HTTP requests answered by Django.", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "vms_http_request_duration_seconds",
    "Time Django took to answer, by route.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def _route(request):
    """The URL pattern that matched, regex routes written like path() ones: `api/cameras/<pk>/`."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    route = match.route or match.view_name or "<unnamed>"
    return _REGEX_GROUP.sub(r"<\1>", route).replace("^", "").replace("$", "")


class MetricsMiddleware(AroundRequestMiddleware):
    """Counts every request and times it, labelled by the matched route."""

    def enter(self, request):
        return time.perf_counter()

    def leave(self, request, response, started):
        status = response.status_code if response is not None else 500
        method = request.method if request.method in _METHODS else "OTHER"
        route = _route(request)
        HTTP_REQUESTS.labels(method, route, str(status)).inc()
        HTTP_LATENCY.labels(method, route).observe(time.perf_counter() - started)


class PipelineCollector:
    """The pipeline's counters and latencies, read from Redis DB 3 at each scrape."""

    def collect(self):
        from vms import pipeline_metrics

        frames = CounterMetricFamily("vms_pipeline_frames", "Frames through each pipeline stage.", labels=["camera", "stage"])
        dropped = CounterMetricFamily("vms_pipeline_dropped", "Frames dropped, by reason.", labels=["camera", "reason"])
        latency = GaugeMetricFamily(
            "vms_pipeline_latency_seconds",
            "Stage latency quantiles over the last observations the workers keep.",
            labels=["camera", "stage", "quantile"],
        )
        observations = GaugeMetricFamily(
            "vms_pipeline_latency_observations", "Observations in the latency window.", labels=["camera", "stage"]
        )
        last_frame = GaugeMetricFamily(
            "vms_pipeline_last_frame_timestamp_seconds", "When the last frame was grabbed (Unix time).", labels=["camera"]
        )
        up = GaugeMetricFamily("vms_pipeline_metrics_up", "1 when the pipeline store (Redis DB 3) answered.")
        try:
            for camera_id in pipeline_metrics.cameras():
                camera = str(camera_id)
                snap = pipeline_metrics.camera_snapshot(camera_id)
                # Every counter the workers keep (grabbed, detected, persisted, still, empty, …).
                for stage, count in snap.items():
                    if isinstance(count, int):
                        frames.add_metric([camera, stage], count)
                for reason, count in snap["dropped"].items():
                    dropped.add_metric([camera, reason], count)
                for stage, figures in snap["latency_ms"].items():
                    observations.add_metric([camera, stage], figures["count"])
                    for quantile, key in (("0.5", "p50"), ("0.95", "p95")):
                        if figures[key] is not None:
                            latency.add_metric([camera, stage, quantile], figures[key] / 1000.0)
                if snap["last_frame_at"] is not None:
                    last_frame.add_metric([camera], snap["last_frame_at"])
        except Exception:  # a scrape must answer even when Redis does not
            logger.warning("pipeline metrics unavailable", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield from (frames, dropped, latency, observations, last_frame, up)

    def describe(self):
        # Describing nothing keeps registration from running a collection (and touching Redis).
        return []


_registered = False


def register_pipeline_collector(registry=REGISTRY):
    global _registered
    if not _registered:
        registry.register(PipelineCollector())
        _registered = True


register_pipeline_collector()


# Loopback, RFC 1918 (docker's bridge networks among them) and IPv6 unique-local addresses.
PRIVATE_NETWORKS = [
    ipaddress.ip_network(net)
    for net in ("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7")
]


def _allowed(request):
    token = getattr(settings, "METRICS_TOKEN", "")
    if token:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
            return True
    if getattr(settings, "METRICS_ALLOW_PRIVATE", True):
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        if getattr(address, "ipv4_mapped", None):
            address = address.ipv4_mapped
        return any(address in network for network in PRIVATE_NETWORKS if network.version == address.version)
    return False


def metrics_view(request):
    if not _allowed(request):
        return HttpResponseForbidden("metrics: not from here\n", content_type="text/plain")
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
