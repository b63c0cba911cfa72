"""AI pipeline API (django-ninja): /api/ai/ — pipeline status per camera, model info, recent results."""

from datetime import datetime, timezone

from ninja import Field, Router, Schema

from apps.accounts.auth import router_requires
from apps.cameras.models import Camera
from apps.detections.models import Detection
from apps.detections.presenters import detection_public
from vms import pipeline_metrics
from vms.vision_config import vision_ocr_model, vision_settings

router = router_requires(Router(tags=["ai"]), "pipeline.view")


class StageLatency(Schema):
    p50: float | None
    p95: float | None
    count: int


class PipelineStatus(Schema):
    camera_id: int
    name: str
    ai_enabled: bool
    plate_camera: bool
    ai_fps: float
    last_frame_at: datetime | None
    grabbed: int
    detected: int
    persisted: int
    still: int
    empty: int
    superseded: int
    dropped: dict[str, int]
    latency_ms: dict[str, StageLatency]


class ModelInfo(Schema):
    vehicle_model: str
    plate_model: str
    plate_model_task: str
    ocr_engine: str
    ocr_model: str


class DetectionOut(Schema):
    id: int
    camera_id: int
    camera_name: str
    plate_text: str
    plate_confidence: float | None
    vehicle_class: str
    vehicle_confidence: float | None
    first_seen: datetime
    last_seen: datetime
    readings: int
    snapshot_url: str | None
    plate_crop_url: str | None
    allow_list: str | None = Field(None, description="the allow list (residents) the plate was on when stored")


def _status(camera):
    snapshot = pipeline_metrics.camera_snapshot(camera.pk)
    last = snapshot["last_frame_at"]
    return {
        "camera_id": camera.pk,
        "name": camera.name,
        "ai_enabled": camera.ai_enabled,
        "plate_camera": camera.plate_camera,
        "ai_fps": camera.ai_fps,
        "last_frame_at": datetime.fromtimestamp(last, tz=timezone.utc) if last else None,
        **{key: snapshot[key] for key in ("grabbed", "detected", "persisted", "still", "empty", "superseded", "dropped",
                                               "latency_ms")},
    }


@router.get("/pipeline", response=list[PipelineStatus], summary="Pipeline status of every camera")
def pipeline_status(request):
    return [_status(camera) for camera in Camera.objects.active().order_by("name")]


@router.get("/pipeline/{camera_id}", response=PipelineStatus, summary="Pipeline status of one camera")
def pipeline_camera(request, camera_id: int):
    from django.shortcuts import get_object_or_404

    return _status(get_object_or_404(Camera, pk=camera_id))


@router.get("/models", response=ModelInfo, summary="The weights and OCR engine in use")
def model_info(request):
    vehicle, plate, task, engine = vision_settings()
    return {"vehicle_model": vehicle, "plate_model": plate, "plate_model_task": task, "ocr_engine": engine,
            "ocr_model": vision_ocr_model()}


@router.get("/recent", response=list[DetectionOut], summary="The most recent detections")
def recent(request, limit: int = 20, camera_id: int | None = None):
    limit = max(1, min(limit, 200))
    detections = Detection.objects.select_related("camera").order_by("-last_seen")
    if camera_id is not None:
        detections = detections.filter(camera_id=camera_id)
    return [detection_public(d) for d in detections[:limit]]
