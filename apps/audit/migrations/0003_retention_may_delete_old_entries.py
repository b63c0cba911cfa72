"""Audit entries stay append-only, with one exception: the retention task deleting entries older than its
cutoff. It says so for its own transaction only (`SET LOCAL vms.audit_retention_before`), and the trigger
lets through a DELETE of a row older than that moment, nothing else.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
DECLARE
    cutoff text := current_setting('vms.audit_retention_before', true);
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF cutoff IS NOT NULL AND cutoff <> '' AND OLD.at < cutoff::timestamptz THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit entries cannot be deleted' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.actor_id IS NULL
       AND (NEW.id, NEW.at, NEW.action, NEW.target_type, NEW.target_id, NEW.target_repr, NEW.changes)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.at, OLD.action, OLD.target_type, OLD.target_id, OLD.target_repr, OLD.changes) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries cannot be changed' USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""

# Back to 0002's function: no deletes at all.
BACKWARD = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit entries cannot be deleted' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.actor_id IS NULL
       AND (NEW.id, NEW.at, NEW.action, NEW.target_type, NEW.target_id, NEW.target_repr, NEW.changes)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.at, OLD.action, OLD.target_type, OLD.target_id, OLD.target_repr, OLD.changes) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries cannot be changed' USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
