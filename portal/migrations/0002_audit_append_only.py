from django.db import migrations

# Audit records are append-only for everyone, the portal's own code included.
SQL = """
CREATE FUNCTION portal_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit records cannot be changed or deleted';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER portal_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON portal_auditevent
    FOR EACH ROW EXECUTE FUNCTION portal_auditevent_append_only();
"""

REVERSE = """
DROP TRIGGER portal_auditevent_no_update_delete ON portal_auditevent;
DROP FUNCTION portal_auditevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
