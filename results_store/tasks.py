"""Celery tasks of the results store. Each takes an id and is safe to run twice."""

from celery import shared_task

from core.side_effects import ROW_TASK


@shared_task(**ROW_TASK)
def sign_result_task(result_id: int) -> None:
    """Render the result's PDF, sign it, and deliver it to the holder's wallet."""
    from results_store.services import result_sign

    result_sign(result_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_unsigned_results_task() -> int:
    """Queue again the signing of results still being prepared after the grace period."""
    from results_store.services import unsigned_results_queue

    return unsigned_results_queue()
