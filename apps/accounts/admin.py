from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from apps.accounts.models import User


@admin.register(User)
class VmsUserAdmin(UserAdmin):
    list_display = ("username", "email", "role", "is_active", "last_login")

    @admin.display(description="role")
    def role(self, obj):
        return obj.role or "-"
