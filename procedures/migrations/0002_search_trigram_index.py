"""A trigram index for accent-insensitive catalog search on PostgreSQL.

`Procedure.search_text` holds folded text (see procedures/search.py), and a
search is a set of `LIKE '%word%'` tests that a GIN trigram index answers.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from portal.db import trigram_index


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial")]

    operations = [
        TrigramExtension(),
        trigram_index(
            table="procedures_procedure", column="search_text", name="procedure_search_trgm"
        ),
    ]
