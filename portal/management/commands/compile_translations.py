"""Compile the project's .po catalogs into .mo files without GNU gettext.

`make run` must work on a machine with only Python, where `compilemessages`
(which calls msgfmt) is not available; polib writes the same binary format.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po into .mo files (pure Python)."

    def handle(self, *args, **options):
        compiled = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                catalog = polib.pofile(str(po_path))
                errors = [e for e in catalog if e.msgid and e.msgstr and e.fuzzy]
                if errors:
                    raise CommandError(
                        f"{po_path}: {len(errors)} fuzzy entries; review them before compiling."
                    )
                catalog.save_as_mofile(str(po_path.with_suffix(".mo")))
                compiled += 1
                self.stdout.write(f"compiled {po_path.relative_to(settings.BASE_DIR)}")
        if not compiled:
            raise CommandError("No .po catalogs found under LOCALE_PATHS.")
