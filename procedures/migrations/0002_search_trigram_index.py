"""A trigram index for accent-insensitive catalog search on PostgreSQL.

`Procedure.search_text` holds folded text (see procedures/search.py), and a
search is a set of `LIKE '%word%'` tests that a GIN trigram index answers.
SQLite, the embedded default, has no such index and scans the small table.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "procedure_search_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON procedures_procedure "
            "USING gin (search_text gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index),
    ]
