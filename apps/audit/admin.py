"""The audit log in the admin: read only, for everyone. And the read-only admin the other apps use.

Every change to the domain goes through a service, which writes its audit entry in the same
transaction. The Django admin's own save and delete would skip both, so the models whose writes
have rules (mosaics, watch lists, zones, alerts, deliveries) are read-only there: change them in
the console or the API. Cameras are editable in the admin because `CameraAdmin` calls the services.
Audit entries can be neither changed nor deleted, by anyone: the admin offers neither, and the
database refuses both (migration 0002_append_only).
"""

from django.contrib import admin

from apps.audit.models import AuditEntry


class ReadOnly:
    """Browse only: no add, change or delete (the console and the API write, through the services)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "target_repr")
    list_filter = ("action", "target_type")
    search_fields = ("target_repr", "actor__username")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
