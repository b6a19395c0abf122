"""A trigram index for accent-insensitive search of the officer queue on PostgreSQL.

`Dossier.search_text` holds the folded code and applicant name (see
procedures/search.py); the queue's search is a set of `LIKE '%word%'` tests.
"""

from django.db import migrations

from portal.db import trigram_index


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial"), ("procedures", "0002_search_trigram_index")]

    operations = [
        trigram_index(table="dossiers_dossier", column="search_text", name="dossier_search_trgm")
    ]
