from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from apps.watchlists import services, signing
from apps.watchlists.models import Alert, WatchList, WatchListEntry, WebhookDelivery


class WatchListEntryAdminForm(forms.ModelForm):
    """The same pattern rule as the console and the API."""

    class Meta:
        model = WatchListEntry
        fields = ["pattern", "note"]

    def clean_pattern(self):
        return services.clean_pattern(self.cleaned_data["pattern"])


class WatchListAdminForm(forms.ModelForm):
    class Meta:
        model = WatchList
        fields = "__all__"

    def clean_webhook_url(self):
        try:
            return services.clean_webhook_url(self.cleaned_data["webhook_url"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["webhook_url"]) from None


class WatchListEntryInline(admin.TabularInline):
    model = WatchListEntry
    form = WatchListEntryAdminForm
    extra = 1
    fields = ["pattern", "note"]


@admin.register(WatchList)
class WatchListAdmin(admin.ModelAdmin):
    form = WatchListAdminForm
    list_display = ["name", "kind", "enabled", "entry_count", "webhook_url", "updated_at"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "entries__pattern"]
    inlines = [WatchListEntryInline]
    readonly_fields = ["created_by", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        if not obj.webhook_secret:  # every list signs its deliveries; an operator rotates it to see it
            obj.webhook_secret = signing.seal(signing.new_secret())
        super().save_model(request, obj, form, change)

    @admin.display(description="entries")
    def entry_count(self, watchlist):
        return watchlist.entries.count()


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["plate_text", "watchlist", "pattern", "created_at", "acknowledged_by", "acknowledged_at"]
    list_filter = ["watchlist", ("acknowledged_at", admin.EmptyFieldListFilter)]
    search_fields = ["plate_text"]
    raw_id_fields = ["detection", "entry"]
    readonly_fields = ["created_at"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["watchlist", "alert", "attempt", "status", "due_at", "at", "status_code", "error"]
    list_filter = ["status", "watchlist"]
    raw_id_fields = ["alert"]
