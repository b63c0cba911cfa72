"""REST API for cameras (DRF): /api/cameras/. Viewers read, admins write.

The services' errors become 400/403/404 in `vms.api_errors`.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.permissions import allowed
from apps.cameras import selectors, services
from apps.cameras.media import stream_urls
from apps.cameras.models import Camera, Zone


class ZoneSerializer(serializers.ModelSerializer):
    points = serializers.ListField(child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2))

    class Meta:
        model = Zone
        fields = ["id", "name", "points"]
        read_only_fields = ["id"]


class CameraSerializer(serializers.ModelSerializer):
    rtsp_url = serializers.CharField(max_length=500, help_text="rtsp:// or rtsps://; credentials in it are kept apart")
    password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=200, style={"input_type": "password"}
    )
    has_password = serializers.BooleanField(read_only=True)
    zones = ZoneSerializer(many=True, read_only=True)
    urls = serializers.SerializerMethodField()

    class Meta:
        model = Camera
        fields = [
            "id", "name", "rtsp_url", "username", "password", "has_password", "location",
            "enabled", "ai_enabled", "plate_camera", "ai_fps", "recording_mode", "recording_retention_days",
            "provision_state", "provision_error", "provision_attempts", "provisioned_at",
            "stream_state", "stream_reason", "stream_state_since", "zones", "urls", "created_at", "updated_at",
        ]
        read_only_fields = [
            "provision_state", "provision_error", "provision_attempts", "provisioned_at",
            "stream_state", "stream_reason", "stream_state_since", "created_at", "updated_at",
        ]
        # Uniqueness is the service's rule, with its own message.
        extra_kwargs = {"name": {"validators": []}}

    def to_representation(self, camera):
        data = super().to_representation(camera)
        data["rtsp_url"] = camera.masked_url
        return data

    def get_urls(self, camera) -> dict:
        return stream_urls(camera)

    def create(self, validated):
        return services.camera_create(actor=self.context["request"].user, **validated)

    def update(self, camera, validated):
        return services.camera_update(actor=self.context["request"].user, camera=camera, **validated)


class CameraViewSet(viewsets.ModelViewSet):
    serializer_class = CameraSerializer
    permission_classes = [allowed("camera.view", "camera.change")]

    def get_queryset(self):
        return selectors.camera_list(filters=self.request.query_params)

    def perform_destroy(self, camera):
        services.camera_delete(actor=self.request.user, camera=camera)

    @extend_schema(request=ZoneSerializer(many=True), responses=ZoneSerializer(many=True))
    @action(detail=True, methods=["put"], url_path="zones", pagination_class=None)
    def zones(self, request, pk=None):
        """Replace the camera's ROI zones: [{"name": "...", "points": [[x, y], ...]}, ...]."""
        camera = self.get_object()
        data = request.data
        zones = data if isinstance(data, list) else data.get("zones") if isinstance(data, dict) else None
        services.camera_set_zones(actor=request.user, camera=camera, zones=zones)
        return Response(ZoneSerializer(camera.zones.all(), many=True).data, status=status.HTTP_200_OK)
