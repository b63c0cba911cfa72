"""Mosaics in the admin: read only; they change in the console or the API, through the services (audited)."""

from django.contrib import admin

from apps.audit.admin import ReadOnlyAdmin, ReadOnlyInline
from apps.mosaics.models import Mosaic, MosaicCamera


class MosaicCameraInline(ReadOnlyInline):
    model = MosaicCamera
    fields = ["position", "camera"]
    readonly_fields = fields
    ordering = ["position"]


@admin.register(Mosaic)
class MosaicAdmin(ReadOnlyAdmin):
    list_display = ["name", "owner", "shared", "camera_count", "updated_at"]
    list_filter = ["shared", "owner"]
    search_fields = ["name", "owner__username"]
    inlines = [MosaicCameraInline]
    readonly_fields = ["name", "owner", "shared", "created_at", "updated_at"]

    @admin.display(description="cameras")
    def camera_count(self, mosaic):
        return mosaic.slots.count()
