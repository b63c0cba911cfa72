from apps.audit.models import AuditEntry


def audit_record(*, actor, action, target, changes=None):
    """Record a change. `changes` must not hold secrets: callers pass masked values."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.model_name,
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        changes=changes or {},
    )
