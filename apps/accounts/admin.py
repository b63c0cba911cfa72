from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from apps.accounts.models import User

# Set only by apps/accounts/services.py (the console's Users page), which gives a role's group together with
# is_staff and is_superuser, checks that an active admin stays and audits it: here they are read-only, so the
# admin group and is_staff can never disagree.
ROLE_FIELDS = ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class VmsUserAdmin(UserAdmin):
    list_display = ("username", "email", "role", "is_active", "last_login")
    readonly_fields = ("role", *ROLE_FIELDS, "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Role", {"fields": ("role", *ROLE_FIELDS),
                  "description": "Roles and deactivation are changed on the console's Users page (/users/)."}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )

    @admin.display(description="role")
    def role(self, obj):
        return obj.role or "-"
