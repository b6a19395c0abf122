"""Celery tasks of dossiers. Each takes an id, loads the dossier and is safe to run twice."""

from celery import shared_task


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def render_receipt_task(self, dossier_id: int) -> None:
    """Render the reception receipt (form 01) as a PDF and store it with the dossier."""
    from dossiers.receipt import receipt_render_and_store

    receipt_render_and_store(dossier_id)
