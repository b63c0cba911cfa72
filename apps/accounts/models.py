from django.contrib.auth.models import AbstractUser

from apps.accounts.roles import ADMIN, OPERATOR, VIEWER


class User(AbstractUser):
    """A console or API user; what they may do comes from their role group."""

    @property
    def role(self):
        """The highest role the user holds, or None."""
        if self.is_superuser:
            return ADMIN
        names = set(self.groups.values_list("name", flat=True))
        for role in (ADMIN, OPERATOR, VIEWER):
            if role in names:
                return role
        return None

    def has_role(self, role):
        """True when the user holds `role` or one above it."""
        held = self.role
        return held is not None and RANK[held] >= RANK[role]


RANK = {VIEWER: 1, OPERATOR: 2, ADMIN: 3}
