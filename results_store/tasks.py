"""Celery tasks of the results store. Each takes an id and is safe to run twice."""

from celery import shared_task


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def sign_result_task(self, result_id: int) -> None:
    """Render the result's PDF, sign it, and deliver it to the holder's wallet."""
    from results_store.services import result_sign

    result_sign(result_id)
