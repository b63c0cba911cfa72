"""Writes to users and their roles."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.roles import ADMIN, ROLES


def user_create(*, username, password, role, email="", validate=True):
    """Create a user holding one role; admins can also use the Django admin."""
    if role not in ROLES:
        raise ValidationError({"role": f"unknown role {role!r}; choose one of {', '.join(ROLES)}"})
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"user {username!r} already exists"})
    user = User(username=username, email=email)
    if validate:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    with transaction.atomic():
        user.save()
        user_set_role(user=user, role=role)
    return user


def user_set_role(*, user, role):
    if role not in ROLES:
        raise ValidationError({"role": f"unknown role {role!r}; choose one of {', '.join(ROLES)}"})
    with transaction.atomic():
        user.groups.set([Group.objects.get(name=role)])
        user.is_staff = role == ADMIN
        user.is_superuser = role == ADMIN
        user.save(update_fields=["is_staff", "is_superuser"])
    return user
