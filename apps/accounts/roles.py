"""The three roles and the permissions each one holds.

Roles are groups; this module is the one place that says what each may do.
Permissions named here that do not exist yet (their app is not installed or
migrated) are skipped and picked up after a later migration.
"""

ADMIN = "admin"
OPERATOR = "operator"
VIEWER = "viewer"
ROLES = (ADMIN, OPERATOR, VIEWER)

VIEW_ONLY = ["view"]
ROLE_PERMISSIONS = {
    # app_label -> actions, per role; admin holds every permission.
    VIEWER: {
        "cameras": VIEW_ONLY,
        "mosaics": VIEW_ONLY,
        "detections": VIEW_ONLY,
        "clips": VIEW_ONLY,
        "watchlists": VIEW_ONLY,
    },
    OPERATOR: {
        "cameras": VIEW_ONLY,
        "mosaics": ["view", "add", "change", "delete"],
        "detections": ["view", "add", "change", "delete"],
        "clips": VIEW_ONLY,
        "watchlists": ["view", "add", "change", "delete"],
    },
}


def sync_role_permissions(sender=None, using="default", **kwargs):
    from django.contrib.auth.models import Group, Permission

    for role in ROLES:
        group, _ = Group.objects.using(using).get_or_create(name=role)
        if role == ADMIN:
            perms = Permission.objects.using(using).all()
        else:
            perms = Permission.objects.using(using).none()
            for app_label, actions in ROLE_PERMISSIONS[role].items():
                for action in actions:
                    perms = perms | Permission.objects.using(using).filter(
                        content_type__app_label=app_label, codename__startswith=f"{action}_"
                    )
        group.permissions.set(perms)
