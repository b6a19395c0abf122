"""PostgreSQL refuses to change or delete audit rows and seals (ADR 10).

An audit row may be deleted only while the transaction's `portal.audit_purge`
setting is on, which `portal.audit.audit_purge` sets and records in the
chain; a seal never. SQLite has no such triggers: the ORM receivers refuse
there, and the chain tells what raw SQL did.
"""

from django.db import migrations

from portal import audit

FUNCTION = f"""
CREATE OR REPLACE FUNCTION portal_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_ARGV[0] = 'purgeable'
       AND coalesce(current_setting('{audit.PURGE_SETTING}', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% on % refused: audit rows are append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;
"""


def _tables(apps):
    tables = [(apps.get_model(source)._meta.db_table, "purgeable") for source in audit.AUDITED]
    tables.append((apps.get_model("portal", "AuditSeal")._meta.db_table, "sealed"))
    return tables


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # No parameters: the % of RAISE is not a placeholder.
    schema_editor.execute(FUNCTION, params=None)
    for table, mode in _tables(apps):
        schema_editor.execute(
            f"CREATE TRIGGER portal_audit_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION portal_audit_append_only('{mode}')"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _mode in _tables(apps):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS portal_audit_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS portal_audit_append_only()")


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_seal_existing_rows")]

    operations = [migrations.RunPython(create, drop)]
