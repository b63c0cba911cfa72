"""DRF permission classes by role."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from apps.accounts.roles import ADMIN, OPERATOR, VIEWER


class _RolePermission(BasePermission):
    role = VIEWER

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_role(self.role))


class IsViewer(_RolePermission):
    role = VIEWER


class IsOperator(_RolePermission):
    role = OPERATOR


class IsAdmin(_RolePermission):
    role = ADMIN


class ReadViewerWriteAdmin(BasePermission):
    """Viewers read; admins write."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return user.has_role(VIEWER if request.method in SAFE_METHODS else ADMIN)


class ReadViewerWriteOperator(BasePermission):
    """Viewers read; operators and admins write."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return user.has_role(VIEWER if request.method in SAFE_METHODS else OPERATOR)
