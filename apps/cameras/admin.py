"""Camera admin: browse and fix, through the services. Adding cameras (URL and credentials) and
drawing zones (validated, audited) are the console's job: zones are read only here."""

from django.contrib import admin

from apps.audit.admin import ReadOnlyInline
from apps.cameras import services
from apps.cameras.models import Camera, StatusChange, Zone


class ZoneInline(ReadOnlyInline):
    model = Zone
    fields = ["name", "points"]
    readonly_fields = fields


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    fields = ["at", "from_state", "to_state", "reason"]
    readonly_fields = fields
    can_delete = False
    max_num = 0
    ordering = ["-at"]


@admin.register(Camera)
class CameraAdmin(admin.ModelAdmin):
    list_display = ["name", "location", "enabled", "ai_enabled", "recording_mode", "provision_state", "stream_state", "updated_at"]
    list_filter = [("archived_at", admin.EmptyFieldListFilter), "enabled", "ai_enabled", "plate_camera", "recording_mode", "provision_state", "stream_state"]
    search_fields = ["name", "location"]
    # The password is never shown, not even encrypted; the URL shown is the masked one.
    exclude = ["password_encrypted"]
    fields = [
        "name", "masked_url", "location", "enabled", "ai_enabled", "plate_camera", "ai_fps",
        "recording_mode", "recording_retention_days",
        "provision_state", "provision_error", "provision_attempts", "provisioned_at",
        "stream_state", "stream_state_since", "archived_at", "created_at", "updated_at",
    ]
    readonly_fields = [
        "archived_at",
        "masked_url", "provision_state", "provision_error", "provision_attempts", "provisioned_at",
        "stream_state", "stream_state_since", "created_at", "updated_at",
    ]
    inlines = [ZoneInline, StatusChangeInline]

    def has_add_permission(self, request):
        # URL and credentials are split and encrypted by the service: add cameras in the console.
        return False

    @admin.display(description="RTSP URL")
    def masked_url(self, camera):
        return camera.masked_url

    def save_model(self, request, camera, form, change):
        # Through the service, so the change is audited and the media server told.
        fresh = Camera.objects.get(pk=camera.pk)
        changes = {field: form.cleaned_data[field] for field in form.changed_data if field in services.EDITABLE}
        services.camera_update(actor=request.user, camera=fresh, **changes)

    def has_delete_permission(self, request, obj=None):
        # Deleting archives the camera and keeps its evidence; the admin's own delete page would
        # promise otherwise. Delete (and purge) in the console, whose pages say what happens.
        return False
