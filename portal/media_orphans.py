"""Files in storage that no row points at: left by a killed worker or a failed request.

Every upload, receipt, letter and signed result is saved under a fresh random
name before the row that points at it commits (so a row never points at a
missing file). A request or task killed between the two leaves a file no row
names. They are found by walking the storage and asking every file field of
every model whether it holds the name; only files older than a grace period
are considered, so a file whose row is still being committed is never taken.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import timedelta

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone

logger = logging.getLogger(__name__)

GRACE = timedelta(hours=6)
_BATCH = 500


def _walk(folder: str = "") -> Iterator[str]:
    """Every stored name, in sorted order (so a sweep can resume where it stopped)."""
    directories, files = default_storage.listdir(folder)
    entries = [(name, False) for name in files] + [(name, True) for name in directories]
    for name, is_directory in sorted(entries):
        path = f"{folder}/{name}" if folder else name
        if is_directory:
            yield from _walk(path)
        else:
            yield path


def _file_fields() -> list[tuple[type[models.Model], str]]:
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]


def _unreferenced(names: list[str], fields) -> set[str]:
    left = set(names)
    for model, field in fields:
        if not left:
            break
        held = model._base_manager.filter(**{f"{field}__in": left}).values_list(field, flat=True)
        left -= set(held)
    return left


def orphan_files(*, grace: timedelta = GRACE, after: str = "") -> Iterator[str]:
    """Names in storage that no file field holds, older than `grace`, sorted, past `after`."""
    fields = _file_fields()
    cutoff = timezone.now() - grace
    batch: list[str] = []
    try:
        for name in _walk():
            if name <= after:
                continue
            batch.append(name)
            if len(batch) >= _BATCH:
                yield from _old_enough(_unreferenced(batch, fields), cutoff)
                batch = []
        yield from _old_enough(_unreferenced(batch, fields), cutoff)
    except FileNotFoundError:
        return  # nothing stored yet


def _old_enough(names: set[str], cutoff) -> Iterator[str]:
    for name in sorted(names):
        try:
            if default_storage.get_modified_time(name) < cutoff:
                yield name
        except FileNotFoundError:
            continue


def orphan_files_delete(
    *, grace: timedelta = GRACE, after: str = "", deadline: float | None = None
) -> tuple[int, str]:
    """Delete orphans past `after` until done or `deadline` (a time.monotonic() value).

    Returns how many were deleted and where to resume ("" once the walk ended).
    """
    deleted = 0
    for name in orphan_files(grace=grace, after=after):
        default_storage.delete(name)
        deleted += 1
        if deadline is not None and time.monotonic() > deadline:
            logger.info("Deleted %s files no row pointed at; resuming after %s.", deleted, name)
            return deleted, name
    if deleted:
        logger.info("Deleted %s files no row pointed at.", deleted)
    return deleted, ""
