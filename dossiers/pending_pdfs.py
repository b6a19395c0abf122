"""Receipts and apology letters whose task was lost, found by their row and queued again.

A received dossier without its receipt, or a new appointment without its
letter, is a PDF still to be made: its task was queued after the commit, but
the broker may have been down, or a worker may have died with it. The
periodic sweeper (`dossiers.tasks.sweep_pdfs_task`) collects those rows and
queues their tasks again; the tasks are safe to run twice.
"""

import datetime as dt

from django.utils import timezone

from core import side_effects
from dossiers.models import Dossier

# A task queued on commit normally runs within seconds; the sweeper leaves
# younger rows to it.
GRACE = dt.timedelta(minutes=1)
BATCH_SIZE = 500


def receipts_pending_ids(*, now=None, limit: int = BATCH_SIZE) -> list[int]:
    """Collect: received dossiers that have had no receipt for longer than the grace period."""
    cutoff = (now or timezone.now()) - GRACE
    return list(
        Dossier.objects.filter(receipt_pdf="", received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("id", flat=True)[:limit]
    )


def apologies_pending_ids(*, limit: int = BATCH_SIZE) -> list[int]:
    """Collect: dossiers with a new appointment whose letter is not made yet."""
    return list(
        Dossier.objects.filter(apology_pdf="", rescheduled_due_at__isnull=False)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


def pending_pdfs_queue(*, now=None) -> dict[str, int]:
    """Act: queue the task of every pending PDF; stop at the first the broker refuses."""
    from dossiers.tasks import render_apology_task, render_receipt_task

    queued = {"receipts": 0, "apologies": 0}
    for name, task, ids in (
        ("receipts", render_receipt_task, receipts_pending_ids(now=now)),
        ("apologies", render_apology_task, apologies_pending_ids()),
    ):
        for dossier_id in ids:
            if not side_effects.queue(task, dossier_id):
                return queued
            queued[name] += 1
    return queued
