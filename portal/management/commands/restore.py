"""Restore a backup folder into an empty database and MEDIA_ROOT, then check it."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup folder made by `backup`, then compare it with its manifest."

    def add_arguments(self, parser):
        parser.add_argument("source", help="The backup folder.")

    def handle(self, *args, source, **options):
        try:
            report = backup_restore(source)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if report.problems:
            for problem in report.problems:
                self.stderr.write(problem)
            count = len(report.problems)
            raise CommandError(f"The restore differs from the backup in {count} ways.")
        self.stdout.write(
            f"Restored {report.tables} tables ({report.rows} rows) and {report.files} files; "
            "counts and hashes match the backup."
        )
        # By name: the checks belong to the apps that own the keys and the audit.
        call_command("signing_keys", "check", stdout=self.stdout, stderr=self.stderr)
        call_command("verify_audit", stdout=self.stdout, stderr=self.stderr)
