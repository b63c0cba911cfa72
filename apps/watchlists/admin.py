"""Watch lists, alerts and deliveries in the admin: read only. Watch lists change and alerts are
acknowledged in the console or the API, through the services (validated, audited)."""

from django.contrib import admin

from apps.audit.admin import ReadOnlyAdmin, ReadOnlyInline
from apps.watchlists.models import Alert, WatchList, WatchListEntry, WebhookDelivery


class WatchListEntryInline(ReadOnlyInline):
    model = WatchListEntry
    fields = ["pattern", "note"]
    readonly_fields = fields


@admin.register(WatchList)
class WatchListAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "enabled", "entry_count", "updated_at"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "entries__pattern"]
    inlines = [WatchListEntryInline]
    # The webhook URL is left out: it is often a bearer secret (operators see it in the console).
    fields = ["name", "kind", "description", "enabled", "created_by", "created_at", "updated_at"]
    readonly_fields = fields

    @admin.display(description="entries")
    def entry_count(self, watchlist):
        return watchlist.entries.count()


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["plate_text", "watchlist", "pattern", "created_at", "acknowledged_by", "acknowledged_at"]
    list_filter = ["watchlist", ("acknowledged_at", admin.EmptyFieldListFilter)]
    search_fields = ["plate_text"]
    raw_id_fields = ["detection", "entry"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["watchlist", "alert", "attempt", "status", "due_at", "at", "status_code", "error"]
    list_filter = ["status", "watchlist"]
    raw_id_fields = ["alert"]
