from django.contrib import admin

from apps.detections.models import Detection, Reading


class ReadingInline(admin.TabularInline):
    model = Reading
    fields = ["frame_time", "plate_text", "plate_format", "plate_confidence", "vehicle_class", "vehicle_confidence", "counted"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-frame_time"]


@admin.register(Detection)
class DetectionAdmin(admin.ModelAdmin):
    inlines = [ReadingInline]
    list_display = ["plate_text", "vehicle_class", "camera", "first_seen", "last_seen", "readings"]
    list_filter = ["vehicle_class", "camera"]
    search_fields = ["=plate_text", "=plate_key"]
    date_hierarchy = "last_seen"
    readonly_fields = ["plate_key", "created_at"]
    raw_id_fields = ["camera"]
    show_full_result_count = False
