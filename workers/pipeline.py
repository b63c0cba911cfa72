"""The AI chain at 1 FPS per camera: grab_frame (queue frames) → detect (queue detect) → persist (queue persist).

Frames travel as a key to a short-lived Redis entry (DB 3), never as pixels
through the broker. Every frame carries its time, and detect checks its
deadline first: a frame too old to matter is dropped and counted, never
detected late. (Not Celery's `expires`: RabbitMQ would then drop expired
messages in the queue silently, and the frame ledger could not balance.)
Persist has no deadline: what detect paid for is stored, late or not, and a
failing persist is retried with back-off, then counted and logged.
"""

import json
import logging
import time
import uuid
from datetime import datetime, timezone
from functools import lru_cache

from celery import Task, shared_task
from celery.signals import worker_process_init
from django.conf import settings

from vms import pipeline_metrics

logger = logging.getLogger(__name__)

FRAME_TTL_SECONDS = 30
# Back-off 1, 2, 4, 8, 16 s at most (jitter makes it less): a late retry may find the frame gone
# and store the detection without its snapshot, which beats losing it.
PERSIST_MAX_RETRIES = 5
JPEG_QUALITY = 90


@lru_cache(maxsize=1)
def reader_pool():
    from workers.frames import ReaderPool

    return ReaderPool(settings.FRAME_READER_IDLE_SECONDS)


def _too_late(ref):
    """Whether the frame is past its deadline; if so it is counted as dropped, never processed late."""
    if time.time() > ref["frame_time"] + settings.PIPELINE_FRAME_BUDGET_SECONDS:
        pipeline_metrics.dropped(ref["camera_id"], "expired")
        return True
    return False


def frame_key(frame_id):
    return f"frame:{frame_id}"


def pending_key(camera_id):
    return f"pending:{camera_id}"


# Cameras' ticks are spread over their period by the golden ratio: any run of camera ids
# lands evenly, so their frames reach detect one after another, not all at the same instant.
GOLDEN_FRACTION = 0.6180339887498949
PHASE_TOLERANCE_SECONDS = 0.02


def phase_delay(camera_id, period, now):
    """Seconds from `now` to the camera's next slot in its period (beat fires every camera together)."""
    offset = (camera_id * GOLDEN_FRACTION) % 1.0 * period
    delay = (offset - now % period) % period
    return 0.0 if delay < PHASE_TOLERANCE_SECONDS or period - delay < PHASE_TOLERANCE_SECONDS else delay


def hand_to_detect(camera_id, jpeg, frame_time):
    """Keep the frame as the camera's one frame waiting for detect; queue detect if none was waiting.

    A frame of the camera still waiting (its detect message not yet started) is replaced by this
    one and counted superseded; the message already queued will detect this newer frame. So at
    most one frame and one message per camera wait for detect. Returns the ref, and whether a
    message was queued for it.
    """
    frame_id = uuid.uuid4().hex
    ref = {"camera_id": camera_id, "frame_id": frame_id, "frame_time": frame_time}
    store = pipeline_metrics.store()
    store.set(frame_key(frame_id), jpeg, ex=FRAME_TTL_SECONDS)
    replaced = store.set(pending_key(camera_id), json.dumps(ref), ex=FRAME_TTL_SECONDS, get=True)
    pipeline_metrics.incr(camera_id, "grabbed")
    pipeline_metrics.mark(camera_id, "last_frame_at", frame_time)
    if replaced is not None:
        pipeline_metrics.incr(camera_id, "superseded")
        return ref, False
    detect.apply_async(args=[ref], headers={"camera_id": camera_id})
    return ref, True


def _take_newest(ref, redelivered):
    """The frame this detect message is to work on: the camera's newest waiting frame.

    A redelivered message (its worker died mid-detect) works on its own frame again, since
    that frame was taken already; so does one whose waiting frame expired (it is late anyway).
    """
    if redelivered:
        return ref
    taken = pipeline_metrics.store().getdel(pending_key(ref["camera_id"]))
    return json.loads(taken) if taken is not None else ref


@shared_task(name="pipeline.grab_frame", acks_late=False, ignore_result=True)
def grab_frame(camera_id, phased=False):
    """Take the newest frame of the camera at its slot in the period and hand it to detect.

    Beat ticks every camera at the same instant; a tick away from the camera's slot is sent on
    to the slot (a countdown: the worker holds it without a thread). A stale tick just stops.
    """
    import cv2

    from apps.cameras.media import reader_rtsp_url
    from apps.cameras.models import Camera

    camera = Camera.objects.filter(pk=camera_id, enabled=True, ai_enabled=True).first()
    if camera is None:
        return
    period = 1.0 / camera.ai_fps
    delay = 0.0 if phased else phase_delay(camera_id, period, time.time())
    if delay:
        grab_frame.apply_async(args=[camera_id], kwargs={"phased": True}, countdown=delay,
                               expires=delay + period, headers={"camera_id": camera_id})
        return
    started = time.time()
    reader = reader_pool().get(camera_id, reader_rtsp_url(camera))
    frame, frame_time = reader.latest(wait=1.0)
    if frame is None:
        pipeline_metrics.dropped(camera_id, "no_frame")
        return
    if started - frame_time > settings.PIPELINE_FRAME_BUDGET_SECONDS:
        pipeline_metrics.dropped(camera_id, "stale_source")
        return
    ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    hand_to_detect(camera_id, jpeg.tobytes(), frame_time)
    pipeline_metrics.observe(camera_id, "grab", (time.time() - started) * 1000)


@lru_cache(maxsize=1)
def detector():
    import numpy as np

    from workers.vision.models import get_detector

    loaded = get_detector()
    # The first inference of an ONNX session is several times slower: pay it now, not on a live frame.
    loaded.detect(np.zeros((720, 1280, 3), np.uint8), plate_camera=True)
    loaded.reader.read(np.zeros((48, 192, 3), np.uint8))  # a blank frame has no plate to read
    return loaded


@worker_process_init.connect
def load_models_in_detect_workers(**kwargs):
    # Models load once per process at start, not on the first frame.
    if settings.PIPELINE_PRELOAD_MODELS:
        detector()


def _zones(camera_id):
    from apps.cameras.models import Zone

    return [zone.points for zone in Zone.objects.filter(camera_id=camera_id)]


@shared_task(bind=True, name="pipeline.detect", ignore_result=True)
def detect(self, ref):
    """Motion first, then vehicles, plates and their text; hand what was found to persist."""
    import cv2
    import numpy as np

    from apps.cameras.models import Camera
    from workers.vision.motion import check_motion

    # At most one frame per camera waits for detect, the newest: under overload every camera slows evenly.
    ref = _take_newest(ref, redelivered=bool((self.request.delivery_info or {}).get("redelivered")))
    if _too_late(ref):
        return
    camera_id = ref["camera_id"]
    started = time.time()
    jpeg = pipeline_metrics.store().get(frame_key(ref["frame_id"]))
    if jpeg is None:
        pipeline_metrics.dropped(camera_id, "frame_gone")
        return
    frame = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    camera = Camera.objects.filter(pk=camera_id).values("plate_camera").first()
    if camera is None:
        return
    zones = _zones(camera_id)
    motion_key = f"motion:{camera_id}"
    previous = pipeline_metrics.store().hgetall(motion_key)
    # A redelivered frame is compared with the frame before it, not with itself.
    if previous.get(b"frame_id", b"").decode() == ref["frame_id"]:
        previous = {}
    moved, small = check_motion(frame, previous.get(b"small"), zones or None)
    pipe = pipeline_metrics.store().pipeline()
    pipe.hset(motion_key, mapping={"frame_id": ref["frame_id"], "small": small})
    pipe.expire(motion_key, 60)
    pipe.execute()
    if not moved:
        pipeline_metrics.incr(camera_id, "still")
        pipeline_metrics.observe(camera_id, "detect", (time.time() - started) * 1000)
        return
    result = detector().detect(frame, plate_camera=camera["plate_camera"], zones=zones or None).to_dict()
    pipeline_metrics.incr(camera_id, "detected")
    pipeline_metrics.observe(camera_id, "detect", (time.time() - started) * 1000)
    if not result["vehicles"] and not result["plates"]:
        pipeline_metrics.incr(camera_id, "empty")
        return
    persist.apply_async(
        args=[ref | {"vehicles": result["vehicles"], "plates": result["plates"]}],
        headers={"camera_id": camera_id},
    )


def persist_readings(**found):
    """Detections first, then the watch lists on what was written: the one place the two domains meet.

    One transaction: the detections, the frame's ProcessedFrame mark, their allow-list marks, their alerts and the
    alerts' webhook deliveries commit together or not at all. A matching failure raises and rolls the whole frame back
    (never a detection whose alert silently never happens), so a retry of the frame does all of it again.
    """
    from django.db import transaction

    from apps.detections.services import detection_record
    from apps.watchlists.services import alert_match, allow_match

    with transaction.atomic():
        written = detection_record(**found)
        for detection, _created in written:
            allow_match(detection=detection)  # first: the mark rides on the detection's push, and may suppress
            alert_match(detection=detection)
    return written


class PersistTask(Task):
    """Persist, retried with back-off when the database or a service fails; recorded when it gives up."""

    autoretry_for = (Exception,)
    max_retries = PERSIST_MAX_RETRIES
    retry_backoff = 1
    retry_backoff_max = 16
    retry_jitter = True

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        found = args[0] if args else kwargs.get("found", {})
        # Counted as a drop so the frame ledger still balances; the frame id tells which frame.
        pipeline_metrics.dropped(found.get("camera_id"), "persist_failed")
        logger.error(
            "persist gave up on frame %s of camera %s after %s retries: %r",
            found.get("frame_id"), found.get("camera_id"), self.request.retries, exc,
        )


@shared_task(base=PersistTask, bind=True, name="pipeline.persist", ignore_result=True)
def persist(self, found):
    """Store what detect found. No deadline here: the detection was paid for, a late one is still kept."""
    camera_id, frame_time = found["camera_id"], found["frame_time"]
    started = time.time()
    persist_readings(
        camera_id=camera_id,
        frame_id=found["frame_id"],
        frame_time=datetime.fromtimestamp(frame_time, tz=timezone.utc),
        vehicles=found["vehicles"],
        plates=found["plates"],
        frame_jpeg=pipeline_metrics.store().get(frame_key(found["frame_id"])),
    )
    # Counted whether or not it made a row (a redelivered frame makes none): every grabbed
    # frame ends as exactly one of still, empty, persisted or dropped — the soak's ledger.
    pipeline_metrics.incr(camera_id, "persisted")
    now = time.time()
    pipeline_metrics.observe(camera_id, "persist", (now - started) * 1000)
    pipeline_metrics.observe(camera_id, "frame_to_persisted", (now - frame_time) * 1000)
