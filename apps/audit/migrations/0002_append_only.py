"""Audit entries are append-only, in the database itself: no UPDATE, no DELETE, by any code path.

The one change allowed is the one Django makes when the acting user is deleted: the actor set to
NULL (`on_delete=SET_NULL`), everything else unchanged. TRUNCATE (the test suite's flush) fires
no row trigger.
"""

from django.db import migrations

FORWARD = """
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
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
