"""Writes to users and their roles: the one place that gives a role (the role group, and with it `is_staff`
and `is_superuser`, which the Django admin and `policy.role_of` read, so they can never disagree), every one
checked against the policy and audited. No password is ever audited or logged."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from apps.accounts.policy import SYSTEM, require, role_of
from apps.accounts.roles import ADMIN, ROLES
from apps.audit.services import audit_record

USERNAME_MAX_LENGTH = 150


def _clean_role(role):
    if role not in ROLES:
        raise ValidationError({"role": f"Unknown role {role!r}: choose one of {', '.join(ROLES)}."})
    return role


def _check_password(password, user):
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None


def _apply_role(user, role):
    """THE place a role is given: the group, and is_staff and is_superuser with it (admins only)."""
    user.groups.set([Group.objects.get(name=role)])
    user.is_staff = role == ADMIN
    user.is_superuser = role == ADMIN
    user.save(update_fields=["is_staff", "is_superuser"])


def active_admins():
    admins = Q(groups__name=ADMIN) | Q(is_superuser=True)
    return get_user_model().objects.filter(admins, is_active=True).distinct()


def check_an_admin_stays(*, user, role, active):
    """Refuse a change that would leave no active admin: `user` would be `role` (None: no role) and `active`.
    Call it inside the change's transaction: it locks the admin group's row, so two admins demoting each other
    at once are checked one after the other."""
    Group.objects.select_for_update().filter(name=ADMIN).first()
    was_admin = user.is_active and role_of(user) == ADMIN
    if was_admin and not (active and role == ADMIN) and not active_admins().exclude(pk=user.pk).exists():
        raise ValidationError(
            f"{user.username} is the last active admin: make another user admin first, or nobody could manage users."
        )


def user_create(*, username, password, role, email="", validate=True, actor=SYSTEM):
    """Create a user holding one role (admins can also use the Django admin). `actor` is the admin doing it;
    SYSTEM for the host's commands (ensure_admin, the benchmarks)."""
    require(actor, "user.change", message="Creating users needs the admin role.")
    _clean_role(role)
    username = str(username or "").strip()
    if not username:
        raise ValidationError({"username": "Give the user a username."})
    if len(username) > USERNAME_MAX_LENGTH:
        raise ValidationError({"username": f"A username is at most {USERNAME_MAX_LENGTH} characters."})
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"User {username!r} already exists."})
    user = User(username=username, email=str(email or "").strip())
    if validate:
        _check_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        _apply_role(user, role)
        audit_record(actor=actor, action="user.create", target=user,
                     changes={"username": user.username, "email": user.email, "role": role})
    return user


def user_set_role(*, user, role, actor=SYSTEM):
    require(actor, "user.change", message="Changing roles needs the admin role.")
    _clean_role(role)
    before = role_of(user)
    with transaction.atomic():
        check_an_admin_stays(user=user, role=role, active=user.is_active)
        _apply_role(user, role)
        if before != role:
            audit_record(actor=actor, action="user.role", target=user, changes={"role": [before, role]})
    return user


def user_set_active(*, actor, user, active):
    """Deactivate (logs them out everywhere: every request and socket asks `policy.can`, which needs an active
    user) or reactivate a user. The last active admin cannot be deactivated."""
    require(actor, "user.change", message="Deactivating users needs the admin role.")
    active = bool(active)
    if user.is_active == active:
        return user
    with transaction.atomic():
        check_an_admin_stays(user=user, role=role_of(user), active=active)
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(actor=actor, action="user.reactivate" if active else "user.deactivate", target=user,
                     changes={"is_active": [not active, active]})
    return user


def new_password():
    """A generated password: 16 random URL-safe characters (about 96 bits)."""
    return secrets.token_urlsafe(12)


def user_reset_password(*, actor, user):
    """Give the user a new generated password and return it, for the one page that shows it; their sessions
    end (Django's session hash changes with the password). Audited without it."""
    require(actor, "user.change", message="Resetting passwords needs the admin role.")
    password = new_password()
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(actor=actor, action="user.password_reset", target=user, changes={})
    return password
