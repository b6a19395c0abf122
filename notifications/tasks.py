"""Celery tasks of the outbox. Each is safe to run twice: a row is sent under its lock.

Failures are not retried by Celery: the row records the attempt and its next
time, and the periodic sweeper (CELERY_BEAT_SCHEDULE) sends it when due. The
same sweeper sends rows whose task was lost, so the broker is never the only
record of what must go out.
"""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def deliver_notification_task(notification_id: int) -> None:
    """Send one outbox row, if it is still pending and due."""
    from notifications.services import notification_deliver

    notification_deliver(notification_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_outbox_task() -> None:
    """Send every pending row whose attempt is due, within one beat period or so."""
    from notifications.services import outbox_sweep

    # Within the task time limit (CELERY_TASK_SOFT_TIME_LIMIT).
    outbox_sweep(time_budget=15)
