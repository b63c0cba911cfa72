"""DRF permissions: each asks the access policy (`apps/accounts/policy.py`) for an action."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from apps.accounts.policy import can


def allowed(read, write=None):
    """A DRF permission class: reading needs the action `read`, writing needs `write` (default: `read`)."""

    class Allowed(BasePermission):
        def has_permission(self, request, view):
            action = read if request.method in SAFE_METHODS else (write or read)
            return can(request.user, action)

    Allowed.__name__ = f"Allowed[{read}|{write or read}]"
    return Allowed


# The default for every DRF view (vms/settings.py): a role is required.
ConsoleView = allowed("console.view")
