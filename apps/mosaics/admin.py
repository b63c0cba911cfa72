from django.contrib import admin

from apps.mosaics.models import Mosaic, MosaicCamera


class MosaicCameraInline(admin.TabularInline):
    model = MosaicCamera
    extra = 0
    max_num = 4
    autocomplete_fields = ["camera"]
    ordering = ["position"]


@admin.register(Mosaic)
class MosaicAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "shared", "camera_count", "updated_at"]
    list_filter = ["shared", "owner"]
    search_fields = ["name", "owner__username"]
    inlines = [MosaicCameraInline]
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(description="cameras")
    def camera_count(self, mosaic):
        return mosaic.slots.count()
