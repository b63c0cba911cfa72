"""One line per event on stdout, plain or JSON (`LOG_FORMAT=json`), with the request, task and camera at hand.

- `RequestIdMiddleware` takes the request id from `X-Request-ID` (the entry point sets one when the
  client did not) or makes one, keeps it in a context variable for the request and echoes it in
  the response's `X-Request-ID`. A camera id found in the URL (`/cameras/<pk>/…`,
  `/api/cameras/<pk>/…`, or a `camera_id` keyword) is kept too.
- Celery signals keep the task id (and the camera, from a `camera_id` header, keyword or the
  first argument of a `{"camera_id": …}` dict) for the length of each task.
- `PerFrameFilter` turns Celery's own INFO lines about the AI chain's tasks (received, succeeded,
  beat's "sending due task") into DEBUG: at one frame a second per camera they were most of the log.
- `ContextFilter` copies them onto every record (`request_id`, `task_id`, `camera_id`, "-" when
  unknown); `JsonFormatter` writes a record as one JSON object.

Context variables follow the request through asgiref's sync/async hops and are per-thread in
Celery's thread pool, so concurrent requests and tasks never see each other's ids.
"""

import contextvars
import json
import logging
import re
import time
import traceback
import uuid

from vms.middleware import AroundRequestMiddleware

request_id_var = contextvars.ContextVar("request_id", default=None)
task_id_var = contextvars.ContextVar("task_id", default=None)
camera_id_var = contextvars.ContextVar("camera_id", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_CAMERA_PATH = re.compile(r"^/(?:api/)?cameras/(\d+)(?:/|$)")


def new_request_id():
    return uuid.uuid4().hex


class ContextFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get() or "-"
        record.task_id = task_id_var.get() or "-"
        camera = camera_id_var.get()
        record.camera_id = "-" if camera is None else str(camera)
        return True


PER_FRAME_TASK_PREFIX = "pipeline."
PER_FRAME_SCHEDULE_PREFIX = "ai: camera "  # apps.cameras.schedules.schedule_name
_CELERY_TASK_LOGGERS = ("celery.app.trace", "celery.worker.strategy")


def _per_frame(record):
    if record.name in _CELERY_TASK_LOGGERS and isinstance(record.args, dict):
        return str(record.args.get("name", "")).startswith(PER_FRAME_TASK_PREFIX)
    if record.name == "celery.beat" and isinstance(record.args, tuple) and record.args:
        return str(record.args[0]).startswith(PER_FRAME_SCHEDULE_PREFIX)
    return False


class PerFrameFilter(logging.Filter):
    """Celery's INFO lines about each frame's tasks become DEBUG, shown only when DEBUG is on."""

    def filter(self, record):
        if record.levelno != logging.INFO or not _per_frame(record):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time (UTC, ISO 8601), level, logger, message, ids, extras, exception."""

    def format(self, record):
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "task_id", "camera_id"):
            value = getattr(record, key, "-")
            if value not in (None, "-"):
                entry[key] = value
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and key not in ("request_id", "task_id", "camera_id"):
                try:
                    json.dumps(value)
                except (TypeError, ValueError):
                    value = repr(value)
                entry[key] = value
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(entry, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [req=%(request_id)s task=%(task_id)s cam=%(camera_id)s] %(message)s")

    def format(self, record):
        for key in ("request_id", "task_id", "camera_id"):
            if not hasattr(record, key):
                setattr(record, key, "-")
        # One event, one line: a traceback's newlines are kept escaped.
        return super().format(record).replace("\n", "\\n")


def logging_config(log_format="plain", level="INFO"):
    """The `LOGGING` dict for settings: everything to stdout through one handler."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "vms.logging.ContextFilter"},
            "per_frame": {"()": "vms.logging.PerFrameFilter"},
        },
        "formatters": {
            "plain": {"()": "vms.logging.PlainFormatter"},
            "json": {"()": "vms.logging.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json" if log_format == "json" else "plain",
                "filters": ["per_frame", "context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.request": {"level": "ERROR"},
            # uvicorn's own handlers would print a second, unformatted line.
            "uvicorn": {"handlers": ["console"], "level": level, "propagate": False},
            "uvicorn.error": {"handlers": ["console"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": ["console"], "level": level, "propagate": False},
        },
    }


class RequestIdMiddleware(AroundRequestMiddleware):
    """A request id (and camera id) in context for the request, echoed in the response."""

    def enter(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else new_request_id()
        request.request_id = request_id
        match = _CAMERA_PATH.match(request.path)
        tokens = [request_id_var.set(request_id), camera_id_var.set(int(match.group(1)) if match else None)]
        return request_id, tokens

    def leave(self, request, response, state):
        request_id, tokens = state
        if response is not None:
            response[REQUEST_ID_HEADER] = request_id
        request_id_var.reset(tokens[0])
        camera_id_var.reset(tokens[1])

    def process_view(self, request, view_func, view_args, view_kwargs):
        camera = view_kwargs.get("camera_id")
        if camera is not None:
            camera_id_var.set(camera)
        return None


# --- Celery: the task id and camera for the length of each task --------------------------------

_task_tokens = {}


def _camera_of(task, args, kwargs):
    request = getattr(task, "request", None)
    camera = getattr(request, "camera_id", None) if request is not None else None
    if camera is None and kwargs:
        camera = kwargs.get("camera_id")
    if camera is None and args:
        first = args[0]
        if isinstance(first, dict):
            camera = first.get("camera_id")
        elif isinstance(first, int) and task is not None and "camera" in (task.name or ""):
            camera = first
    return camera


def task_started(sender=None, task_id=None, task=None, args=None, kwargs=None, **_):
    _task_tokens[task_id] = (task_id_var.set(task_id), camera_id_var.set(_camera_of(task, args, kwargs)))


def task_finished(sender=None, task_id=None, **_):
    tokens = _task_tokens.pop(task_id, None)
    if tokens:
        try:
            task_id_var.reset(tokens[0])
            camera_id_var.reset(tokens[1])
        except ValueError:  # reset from another context (should not happen with prerun/postrun)
            task_id_var.set(None)
            camera_id_var.set(None)


def connect_celery_signals():
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(task_started, weak=False, dispatch_uid="vms.logging.task_started")
    task_postrun.connect(task_finished, weak=False, dispatch_uid="vms.logging.task_finished")


connect_celery_signals()
