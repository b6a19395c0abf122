"""Manage the root certificate authority and the signing keys (run by the deploy and by hand).

    signing_keys ensure [--root-key FILE]    the root, the portal's key, a key per agency
    signing_keys rotate --agency CODE | --portal [--root-key FILE]
    signing_keys rotate-root                 a new root; active keys are certified again
    signing_keys export-root --out FILE      the root's key, encrypted with a passphrase
    signing_keys forget-root-key             remove the root's key from the database
    signing_keys show                        roots and keys with fingerprints

A passphrase is read from ROOT_KEY_PASSPHRASE, or asked for on the terminal.
"""

import getpass
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procedures.models import Agency
from results_store import keys
from results_store.models import CertificateAuthority, SigningKey


def _passphrase(*, confirm: bool = False) -> bytes:
    value = os.environ.get("ROOT_KEY_PASSPHRASE")
    if value is None:
        value = getpass.getpass("Passphrase of the root key: ")
        if confirm and getpass.getpass("Again: ") != value:
            raise CommandError("The passphrases differ.")
    if len(value) < 12:
        raise CommandError("The passphrase must be at least 12 characters long.")
    return value.encode()


class Command(BaseCommand):
    help = "Manage the portal's root certificate authority and the signing keys."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        for name in ("ensure", "rotate"):
            sub = commands.add_parser(name)
            sub.add_argument("--root-key", help="The root's exported key file, if kept offline.")
            if name == "rotate":
                owner = sub.add_mutually_exclusive_group(required=True)
                owner.add_argument("--agency", help="The agency's code.")
                owner.add_argument("--portal", action="store_true", help="The status-list key.")
        commands.add_parser("rotate-root")
        export = commands.add_parser("export-root")
        export.add_argument("--out", required=True)
        commands.add_parser("forget-root-key")
        commands.add_parser("show")
        commands.add_parser("check")

    def handle(self, *args, action, **options):
        try:
            getattr(self, "_" + action.replace("-", "_"))(**options)
        except keys.RootKeyOffline as error:
            raise CommandError(str(error)) from error

    def _root_key(self, path):
        if not path:
            return None
        try:
            return keys.root_key_load(Path(path).read_bytes(), passphrase=_passphrase())
        except (OSError, ValueError, TypeError) as error:
            raise CommandError(f"Cannot read the root key {path}: {error}") from error

    def _ensure(self, root_key=None, **options):
        created = keys.signing_keys_ensure(root_key=self._root_key(root_key))
        self.stdout.write(f"{len(created)} signing keys created.")

    def _rotate(self, agency=None, portal=False, root_key=None, **options):
        owner = None
        if not portal:
            owner = Agency.objects.filter(code=agency).first()
            if owner is None:
                raise CommandError(f"No agency has the code {agency}.")
        signing_key = keys.signing_key_generate(agency=owner, root_key=self._root_key(root_key))
        self.stdout.write(f"New key {signing_key.kid}; the previous one keeps verifying.")

    def _rotate_root(self, **options):
        authority = keys.root_create()
        self.stdout.write(f"New root {authority.fingerprint}; the previous one stays published.")

    def _export_root(self, out, **options):
        authority = keys.root_active()
        if authority is None:
            raise CommandError("There is no root yet: run `signing_keys ensure`.")
        path = Path(out)
        if path.exists():
            raise CommandError(f"{out} exists; choose another file.")
        data = keys.root_export(authority, passphrase=_passphrase(confirm=True))
        path.touch(mode=0o600)
        path.write_bytes(data)
        self.stdout.write(f"The root key is in {out}, encrypted. Keep it offline.")

    def _forget_root_key(self, **options):
        authority = keys.root_active()
        if authority is None or authority.key_is_offline:
            raise CommandError("The active root has no key in the database.")
        keys.root_forget_key(authority)
        self.stdout.write(
            "The root key was removed from the database. New agencies need "
            "`signing_keys ensure --root-key <file>`."
        )

    def _show(self, **options):
        for authority in CertificateAuthority.objects.order_by("created_at"):
            state = "active" if authority.is_active else "retired"
            where = "offline" if authority.key_is_offline else "in the database"
            self.stdout.write(f"root {authority.fingerprint} {state}, key {where}")
        for signing_key in SigningKey.objects.select_related("agency").order_by("created_at"):
            state = "active" if signing_key.is_active else "retired"
            owner = signing_key.agency.code if signing_key.agency else "portal"
            self.stdout.write(f"key {signing_key.kid} {signing_key.role} {owner} {state}")

    def _check(self, **options):
        """Every active key decrypts with the configured encryption key (after a restore)."""
        unreadable = keys.unreadable_active_keys()
        if unreadable:
            raise CommandError(
                f"{len(unreadable)} active signing keys cannot be decrypted "
                f"({', '.join(unreadable[:5])}): SIGNING_KEYS_ENCRYPTION_KEY is not the key "
                "they were encrypted with. Set it from where it is kept apart from backups."
            )
        self.stdout.write("Every active signing key can be decrypted.")
