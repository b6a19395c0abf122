"""Celery tasks of dossiers. Each takes an id, loads the dossier and is safe to run twice."""

from celery import shared_task

from core.side_effects import ROW_TASK


@shared_task(**ROW_TASK)
def render_receipt_task(dossier_id: int) -> None:
    """Render the reception receipt (form 01) as a PDF and store it with the dossier."""
    from dossiers.receipt import receipt_render_and_store

    receipt_render_and_store(dossier_id)


@shared_task(**ROW_TASK)
def render_apology_task(dossier_id: int) -> None:
    """Render the apology with the new appointment as a PDF and store it with the dossier."""
    from dossiers.apology import apology_render_and_store

    apology_render_and_store(dossier_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_pdfs_task() -> dict[str, int]:
    """Queue again the receipts and apology letters whose task was lost."""
    from dossiers.pending_pdfs import pending_pdfs_queue

    return pending_pdfs_queue()


# The periodic jobs of the beat schedule (settings.CELERY_BEAT_SCHEDULE). Each
# alert is written once per dossier and kind under a unique constraint, so a
# run redelivered or overlapping another alerts nobody twice.


@shared_task(acks_late=True, ignore_result=True)
def deadline_alerts_task() -> dict[str, int]:
    """Alert agencies of dossiers due soon, overdue, or not received in time."""
    from dossiers.deadlines import deadline_alerts_run

    return deadline_alerts_run()


@shared_task(acks_late=True, ignore_result=True)
def supplement_reminders_task() -> int:
    """Remind applicants whose deadline to supply documents is near."""
    from dossiers.deadlines import supplement_reminders_run

    return supplement_reminders_run()
