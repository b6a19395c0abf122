"""Back the portal up into a new folder: database, files and a manifest (portal/backup.py)."""

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Write a backup folder: database.dump, media.tar.gz and manifest.json."

    def add_arguments(self, parser):
        parser.add_argument("destination", help="A new or empty folder.")

    def handle(self, *args, destination, **options):
        try:
            manifest = backup_create(destination)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Backed up {len(manifest['tables'])} tables ({rows} rows) and "
            f"{len(manifest['files'])} files into {destination}."
        )
        self.stdout.write(
            "The signing-key encryption key is not in the backup: keep "
            "SIGNING_KEYS_ENCRYPTION_KEY apart, a restore needs it."
        )
