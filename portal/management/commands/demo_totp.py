"""Print the current authenticator code of a demo staff account (development only).

    python manage.py demo_totp officer.hai-chau

`seed_demo` enrols the demo staff with secrets derived from their usernames,
and only off a deployment; this command refuses to run on one too.
"""

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.management.commands.seed_demo import DEMO_ACCOUNTS, _is_deployment


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo staff account (development only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if _is_deployment():
            raise CommandError("Demo authenticator codes are not available on a deployment.")
        if username not in {account.username for account in DEMO_ACCOUNTS}:
            raise CommandError(f"{username} is not a demo account.")
        device = TOTPDevice.objects.filter(
            user__username=username, name="Demo authenticator", confirmed=True
        ).first()
        if device is None:
            raise CommandError(f"{username} has no demo authenticator; run seed_demo first.")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(f"{code:0{device.digits}d}")
