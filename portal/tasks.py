"""The portal's own periodic job: removing files no row points at (portal/media_orphans.py)."""

import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from portal.media_orphans import orphan_files_delete

# Where the last run stopped; a lost cursor only means starting over.
CURSOR_KEY = "media-orphans:after"
# Well inside the task time limits: a large store is swept over several runs.
BUDGET_SECONDS = 12


@shared_task(acks_late=True, ignore_result=True)
def sweep_orphan_files_task() -> int:
    after = cache.get(CURSOR_KEY, "")
    deleted, resume = orphan_files_delete(after=after, deadline=time.monotonic() + BUDGET_SECONDS)
    cache.set(CURSOR_KEY, resume, timeout=settings.MEDIA_ORPHANS_EVERY_SECONDS * 10)
    return deleted
