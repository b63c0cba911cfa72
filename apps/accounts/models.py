from django.contrib.auth.models import AbstractUser

from apps.accounts import policy


class User(AbstractUser):
    """A console or API user; what they may do comes from their role group (`apps/accounts/policy.py`)."""

    @property
    def role(self):
        """The highest role the user holds, or None."""
        return policy.role_of(self)

    def has_role(self, role):
        """True when the user holds `role` or one above it."""
        return policy.has_role(self, role)
