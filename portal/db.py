"""Database operations that migrations share."""

from django.db import migrations


def trigram_index(*, table: str, column: str, name: str) -> migrations.RunPython:
    """A GIN trigram index for `LIKE '%word%'` search, created on PostgreSQL only.

    SQLite, the embedded default, has no such index type and scans instead.
    The pg_trgm extension must exist (procedures.0002 creates it).
    """

    def create(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
            )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop)
