"""Backing the portal up and restoring it: the database, the uploaded files, a manifest.

A backup is a folder holding

- ``database.dump``: ``pg_dump`` in its custom format, taken from a snapshot;
- ``media.tar.gz``: every file under MEDIA_ROOT (uploads, receipts, results);
- ``manifest.json``: the row count of every table *in that same snapshot*,
  the SHA-256 of every file, and the applied migrations.

It never holds the key that encrypts the signing keys
(SIGNING_KEYS_ENCRYPTION_KEY): a stolen backup must not be able to sign
results. Keep that key apart (a password manager, a safe); without it a
restored portal cannot sign anything, and the restore says so.

Restoring loads the dump into an empty database, unpacks the files, then
checks the result against the manifest (counts and hashes) and runs the
signing-key and audit-chain checks. Uploads on S3-compatible storage are not
in the folder: back the bucket up with its own versioning or replication.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

DATABASE_FILE = "database.dump"
MEDIA_FILE = "media.tar.gz"
MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1
_CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    """The backup or restore cannot go on; the message says why, for an operator."""


@dataclass
class RestoreReport:
    tables: int = 0
    rows: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)


def _database(using: str = "default") -> dict:
    settings_dict = connections[using].settings_dict
    if connections[using].vendor != "postgresql":
        raise BackupError("Backups are made of PostgreSQL databases; this one is not.")
    return settings_dict


def _pg_environment(db: dict) -> dict[str, str]:
    env = {**os.environ}
    env["PGHOST"] = db.get("HOST") or "localhost"
    env["PGPORT"] = str(db.get("PORT") or 5432)
    env["PGUSER"] = db.get("USER") or ""
    env["PGDATABASE"] = db["NAME"]
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BackupError(f"{command[0]} failed: {completed.stderr.strip()[-2000:]}")


def _tables() -> list[str]:
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    tables.add(MigrationRecorder.Migration._meta.db_table)
    return sorted(tables)


def _row_counts(cursor) -> dict[str, int]:
    counts = {}
    quote = connections["default"].ops.quote_name
    for table in _tables():
        cursor.execute(f"SELECT count(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _media_root() -> Path | None:
    if isinstance(default_storage, FileSystemStorage):
        return Path(settings.MEDIA_ROOT)
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _file_hashes(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): _sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def backup_create(destination: Path, *, using: str = "default") -> dict:
    """Write a backup folder; returns its manifest."""
    db = _database(using)
    destination = Path(destination)
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} is not empty; choose a new folder.")
    destination.mkdir(parents=True, exist_ok=True)
    env = _pg_environment(db)

    # The counts and the dump must describe the same moment: the counts are
    # read in a repeatable-read transaction whose snapshot pg_dump then uses.
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _row_counts(cursor)
        # The snapshot lives as long as this transaction: pg_dump runs inside it.
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={destination / DATABASE_FILE}",
            ],
            env,
        )

    media_root = _media_root()
    files: dict[str, str] = {}
    if media_root is not None:
        files = _file_hashes(media_root)
        with tarfile.open(destination / MEDIA_FILE, "w:gz") as archive:
            for name in files:
                archive.add(media_root / name, arcname=name, recursive=False)

    manifest = {
        "format": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "database": DATABASE_FILE,
        "media": MEDIA_FILE if media_root is not None else None,
        "tables": counts,
        "files": files,
        "migrations": sorted(
            f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
        ),
        "signing_keys_encryption_key": "not included; restore needs the one kept apart",
    }
    (destination / MANIFEST_FILE).write_text(
        json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8"
    )
    return manifest


def _database_is_empty(using: str) -> bool:
    with connections[using].cursor() as cursor:
        return MigrationRecorder.Migration._meta.db_table not in (
            connections[using].introspection.table_names(cursor)
        )


def backup_restore(source: Path, *, using: str = "default") -> RestoreReport:
    """Load a backup folder into an empty database and MEDIA_ROOT, then check it."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{source} has no readable {MANIFEST_FILE}: {error}") from error
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    db = _database(using)
    if not _database_is_empty(using):
        raise BackupError(
            f"The database {db['NAME']} is not empty; restore into a new, empty database."
        )
    connections[using].close()
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={db['NAME']}",
            str(source / manifest["database"]),
        ],
        _pg_environment(db),
    )

    media_root = _media_root()
    if manifest.get("media"):
        if media_root is None:
            raise BackupError("The backup has files but the storage is not a local folder.")
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(source / manifest["media"], "r:gz") as archive:
            # The "data" filter refuses absolute paths, "..", links out and devices.
            archive.extractall(media_root, filter="data")
    return backup_check(manifest, using=using)


def backup_check(manifest: dict, *, using: str = "default") -> RestoreReport:
    """Compare the live database and files with a manifest."""
    report = RestoreReport()
    with connections[using].cursor() as cursor:
        counts = _row_counts(cursor)
    for table, expected in manifest["tables"].items():
        actual = counts.get(table)
        if actual != expected:
            report.problems.append(f"table {table}: {actual} rows, the backup had {expected}")
    report.tables = len(counts)
    report.rows = sum(counts.values())
    media_root = _media_root()
    if manifest.get("files") and media_root is not None:
        for name, expected in manifest["files"].items():
            path = media_root / name
            if not path.is_file():
                report.problems.append(f"file {name}: missing")
            elif _sha256(path) != expected:
                report.problems.append(f"file {name}: content differs")
            else:
                report.files += 1
    return report
