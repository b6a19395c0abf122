"""Fill a database of its own with a city for the benchmarks (see bench/generator.py).

    python manage.py bench_data --dossiers N [--procedures P] [--citizens C]
                                [--seed S] [--database-url URL] [--force]

The database is DATABASE_URL's, or the one --database-url names; it is
migrated, then every table of the portal is emptied and filled. So that a
mistake cannot empty a real database, its name must contain "bench" and it
must hold no accounts but generated ones, unless --force is given.
`make bench` uses the database `portal_bench`.
"""

import dj_database_url
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from bench import generator


class Command(BaseCommand):
    help = "Empty a benchmark database and fill it with a city-scale data set."

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, required=True, help="How many dossiers.")
        parser.add_argument(
            "--procedures",
            type=int,
            default=generator.DEFAULT_PROCEDURES,
            help="Procedures in the catalog, the 28 real ones included.",
        )
        parser.add_argument(
            "--citizens", type=int, default=generator.DEFAULT_CITIZENS, help="Citizen accounts."
        )
        parser.add_argument(
            "--seed", type=int, default=generator.DEFAULT_SEED, help="Same seed, same data."
        )
        parser.add_argument(
            "--database-url", help="Fill this database instead of DATABASE_URL's (PostgreSQL)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Empty the database even if its name lacks 'bench' or it has real accounts.",
        )

    def handle(self, *args, dossiers, procedures, citizens, seed, database_url, force, **options):
        if database_url:
            _use_database(database_url)
        connection = connections["default"]
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark data needs PostgreSQL (it is written with COPY).")
        name = connection.settings_dict["NAME"]
        if "bench" not in name and not force:
            raise CommandError(
                f"The database {name!r} does not look like a benchmark database, and this "
                "command empties it. Name one with --database-url (e.g. portal_bench), "
                "or use --force."
            )
        self.stdout.write(f"Database {name}: migrating")
        call_command("migrate", interactive=False, verbosity=0)
        try:
            generator.generate(
                dossiers=dossiers,
                procedures=procedures,
                citizens=citizens,
                seed=seed,
                force=force,
                log=self._log,
            )
        except (generator.RefusedError, ValueError) as error:
            raise CommandError(str(error)) from error

    def _log(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()


def _use_database(url: str) -> None:
    """Point the default connection at another database, before anything is read."""
    config = dj_database_url.parse(url)
    connection = connections["default"]
    connection.close()
    for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT"):
        connection.settings_dict[key] = config[key]
