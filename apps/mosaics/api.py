"""REST API for mosaics (DRF): /api/mosaics/. Everyone reads what they may see; operators write their own, admins any."""

from django.core.exceptions import PermissionDenied
from rest_framework import serializers, viewsets

from apps.accounts.permissions import allowed
from apps.accounts.policy import can
from apps.cameras.media import stream_urls
from apps.mosaics import selectors, services
from apps.mosaics.models import Mosaic


def _slots(mosaic):
    return sorted(mosaic.slots.all(), key=lambda slot: slot.position)


class CameraIdsField(serializers.ListField):
    """Camera ids in grid order; the count and the ids are the service's rules."""

    child = serializers.IntegerField()

    def get_attribute(self, mosaic):
        return [slot.camera_id for slot in _slots(mosaic)]


class MosaicSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    cameras = CameraIdsField(help_text="Camera ids in grid order (at most 4).")
    streams = serializers.SerializerMethodField()
    editable = serializers.SerializerMethodField()

    class Meta:
        model = Mosaic
        fields = ["id", "name", "owner", "shared", "cameras", "streams", "editable", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness per owner is the service's rule, with its own message.
        validators = []

    def get_streams(self, mosaic) -> list:
        return [
            {"position": slot.position, "camera": slot.camera_id, "name": slot.camera.name, "urls": stream_urls(slot.camera)}
            for slot in _slots(mosaic)
        ]

    def get_editable(self, mosaic) -> bool:
        return can(self.context["request"].user, "mosaic.change", mosaic)

    def create(self, validated):
        return services.mosaic_create(
            actor=self.context["request"].user,
            name=validated.get("name"),
            camera_ids=validated.get("cameras"),
            shared=validated.get("shared", False),
        )

    def update(self, mosaic, validated):
        changes = {}
        if "name" in validated:
            changes["name"] = validated["name"]
        if "cameras" in validated:
            changes["camera_ids"] = validated["cameras"]
        if "shared" in validated:
            changes["shared"] = validated["shared"]
        return services.mosaic_update(actor=self.context["request"].user, mosaic=mosaic, **changes)


class MosaicViewSet(viewsets.ModelViewSet):
    serializer_class = MosaicSerializer
    permission_classes = [allowed("mosaic.view", "mosaic.create")]

    def get_queryset(self):
        if self.action == "list":
            return selectors.mosaic_list_for(self.request.user)
        return selectors.mosaic_visible_to(self.request.user)

    def check_object_permissions(self, request, mosaic):
        super().check_object_permissions(request, mosaic)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not can(request.user, "mosaic.change", mosaic):
            raise PermissionDenied("You may not change this mosaic.")

    def perform_destroy(self, mosaic):
        services.mosaic_delete(actor=self.request.user, mosaic=mosaic)
