"""REST API for detections (DRF): /api/detections/ — the console's search filters, read-only.

(The AI pipeline's own API, django-ninja, is `api.py` under /api/ai/.)
"""

from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from apps.detections import selectors
from apps.detections.forms import DetectionSearchForm
from apps.detections.services import detection_public


class DetectionSerializer(serializers.Serializer):
    def to_representation(self, detection):
        data = detection_public(detection)
        data["plate_box"] = detection.plate_box
        data["vehicle_box"] = detection.vehicle_box
        data["frame_time"] = detection.frame_time.isoformat()
        return data


class DetectionViewSet(viewsets.ReadOnlyModelViewSet):
    """Query: `plate`, `match` (similar | similar_prefix | exact | prefix), `camera`, `vehicle_class`,
    `since`, `until` (ISO 8601). Newest first, paginated."""

    serializer_class = DetectionSerializer

    def get_queryset(self):
        if self.action != "list":
            return selectors.detection_search()
        params = {key: value for key, value in self.request.query_params.items() if key != "page"}
        form = DetectionSearchForm(params)
        if not form.is_valid():
            raise ValidationError(form.error_dict())
        return selectors.detection_search(**form.filters())
