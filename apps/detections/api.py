"""REST API for detections (DRF): /api/detections/ — the console's search filters, read-only.

(The AI pipeline's own API, django-ninja, is `api.py` under /api/ai/.)
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from apps.detections import selectors
from apps.detections.forms import DetectionSearchForm
from apps.detections.presenters import detection_public


class DetectionSerializer(serializers.Serializer):
    """`detection_public` (as in the `detection.created` event) plus the boxes and the frame time."""

    id = serializers.IntegerField(read_only=True)
    camera_id = serializers.IntegerField(read_only=True)
    camera_name = serializers.CharField(read_only=True)
    plate_text = serializers.CharField(read_only=True)
    plate_confidence = serializers.FloatField(read_only=True, allow_null=True)
    vehicle_class = serializers.CharField(read_only=True)
    vehicle_confidence = serializers.FloatField(read_only=True, allow_null=True)
    first_seen = serializers.DateTimeField(read_only=True)
    last_seen = serializers.DateTimeField(read_only=True)
    frame_time = serializers.DateTimeField(read_only=True)
    readings = serializers.IntegerField(read_only=True)
    snapshot_url = serializers.CharField(read_only=True, allow_null=True)
    plate_crop_url = serializers.CharField(read_only=True, allow_null=True)
    clip_url = serializers.CharField(read_only=True, allow_null=True)
    allow_list = serializers.CharField(
        read_only=True, allow_null=True,
        help_text="The allow list (residents) the plate was on when the passage was stored; null: on none (a visitor)",
    )
    plate_box = serializers.ListField(child=serializers.FloatField(), read_only=True, allow_null=True)
    vehicle_box = serializers.ListField(child=serializers.FloatField(), read_only=True, allow_null=True)

    def to_representation(self, detection):
        data = detection_public(detection)
        data["plate_box"] = detection.plate_box
        data["vehicle_box"] = detection.vehicle_box
        data["frame_time"] = detection.frame_time.isoformat()
        return data


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("plate", str, description="letters and digits; spaces and dashes ignored"),
    OpenApiParameter("match", str, enum=[value for value, _ in selectors.MATCH_MODES], description="default: similar"),
    OpenApiParameter("camera", int),
    OpenApiParameter("vehicle_class", str, enum=list(selectors.VEHICLE_CLASSES)),
    OpenApiParameter("allow_list", str, enum=[value for value, _ in selectors.ALLOW_LIST_CHOICES],
                     description="on: only passages marked by an allow list (residents); off: only the others"),
    OpenApiParameter("since", OpenApiTypes.DATETIME),
    OpenApiParameter("until", OpenApiTypes.DATETIME),
]))
class DetectionViewSet(viewsets.ReadOnlyModelViewSet):
    """Query: `plate`, `match` (similar | similar_prefix | similar_contains | exact | prefix), `camera`,
    `vehicle_class`, `allow_list` (on | off), `since`, `until` (ISO 8601). Newest first, paginated."""

    serializer_class = DetectionSerializer

    def get_queryset(self):
        if self.action != "list":
            return selectors.detection_search()
        params = {key: value for key, value in self.request.query_params.items() if key != "page"}
        form = DetectionSearchForm(params)
        if not form.is_valid():
            raise ValidationError(form.error_dict())
        return selectors.detection_search(**form.filters())
