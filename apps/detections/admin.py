from django.contrib import admin

from apps.detections.models import Detection


@admin.register(Detection)
class DetectionAdmin(admin.ModelAdmin):
    list_display = ["plate_text", "vehicle_class", "camera", "first_seen", "last_seen", "readings"]
    list_filter = ["vehicle_class", "camera"]
    search_fields = ["=plate_text", "=plate_key"]
    date_hierarchy = "last_seen"
    readonly_fields = ["plate_key", "created_at"]
    raw_id_fields = ["camera"]
    show_full_result_count = False
