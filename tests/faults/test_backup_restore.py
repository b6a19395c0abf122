"""The restore drill: a restored backup matches its source, row for row and byte for byte.

The backup is made with `manage.py backup` from the test database while it
holds dossiers with their uploads and receipts; `manage.py restore` then runs
as an operator would, in a process of its own pointed at a new, empty
database and media folder. Row counts of every table and the hash of every
file must be equal, the signing keys must still decrypt, and the audit chain
must verify. Without the key-encryption key (kept apart from backups) the
restore says the keys are unreadable.
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from dossiers.constants import DossierState
from dossiers.receipt import receipt_render_and_store
from tests.dossiers.builders import cast, dossier_in

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def _admin_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgresql://{db['USER']}{password}@{db['HOST']}:{db.get('PORT') or 5432}/{name}"


@pytest.fixture
def new_database():
    """Empty databases beside the test database, dropped afterwards."""
    made = []

    def make(suffix: str) -> str:
        name = f"{connection.settings_dict['NAME']}_{suffix}"
        with psycopg.connect(_admin_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return name

    yield make
    with psycopg.connect(_admin_url("postgres"), autocommit=True) as admin:
        for name in made:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _restore(source: Path, database: str, media: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(source)],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": _admin_url(database),
            "MEDIA_ROOT": str(media),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def _counts(url: str) -> dict[str, int]:
    tables = sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)})
    with psycopg.connect(url) as db:
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def portal_with_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    c = cast()
    for state in (DossierState.SUBMITTED, DossierState.RECEIVED, DossierState.RECEIVED):
        dossier = dossier_in(state, c)
        if state == DossierState.RECEIVED:
            receipt_render_and_store(dossier.pk)
    return settings.MEDIA_ROOT


def test_a_restored_backup_has_every_row_and_every_file(
    portal_with_files, tmp_path, new_database, settings
):
    backup = tmp_path / "backup"
    call_command("backup", str(backup))
    assert sorted(p.name for p in backup.iterdir()) == [
        "database.dump",
        "manifest.json",
        "media.tar.gz",
    ]
    assert "SIGNING_KEYS_ENCRYPTION_KEY" not in (backup / "manifest.json").read_text()

    database = new_database("restored")
    restored_media = tmp_path / "restored-media"
    done = _restore(backup, database, restored_media)

    assert done.returncode == 0, done.stderr
    assert "counts and hashes match the backup" in done.stdout
    assert "Every active signing key can be decrypted." in done.stdout
    live = _counts(_admin_url(connection.settings_dict["NAME"]))
    assert _counts(_admin_url(database)) == live
    assert live["dossiers_dossier"] == 3
    original_files = _hashes(portal_with_files)
    assert len(original_files) >= 5  # uploads, wallet items and two receipts
    assert _hashes(restored_media) == original_files


def test_a_restore_without_the_key_encryption_key_says_the_keys_are_unreadable(
    portal_with_files, tmp_path, new_database
):
    backup = tmp_path / "backup"
    call_command("backup", str(backup))

    done = _restore(
        backup,
        new_database("nokey"),
        tmp_path / "restored-media",
        SIGNING_KEYS_ENCRYPTION_KEY="M2ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY=",
    )

    assert done.returncode != 0
    assert "cannot be decrypted" in done.stderr


def test_a_restore_refuses_a_database_that_is_not_empty(portal_with_files, tmp_path):
    backup = tmp_path / "backup"
    call_command("backup", str(backup))

    done = _restore(backup, connection.settings_dict["NAME"], tmp_path / "restored-media")

    assert done.returncode != 0
    assert "is not empty" in done.stderr
