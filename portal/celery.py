"""The Celery application. Tasks are discovered in every installed app's tasks.py.

Its signal handlers carry the request id (portal/request_id.py) from the
request that queues a task to the task's log records, count task failures and
retries for /metrics (portal/broker.py), and leave logging to Django's LOGGING.
"""

import os

from celery import Celery, signals

from portal import request_id as request_ids

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The message header that carries the id of the request that queued a task.
REQUEST_ID_TASK_HEADER = "portal_request_id"
# The context tokens of running tasks, by task id, for task_postrun to undo.
_bound_tasks = {}


@signals.setup_logging.connect
def use_django_logging(**kwargs):
    """Worker and beat log as the web does: settings.LOGGING, JSON with a request id.

    Connecting this handler is what stops Celery from replacing the root
    handlers with its own format. The worker's `-l` option is therefore
    ignored: LOG_LEVEL sets the level. A worker told not to touch the root
    logger (tests/celery_worker.py keeps pytest's handlers) is left alone.
    """
    if not app.conf.worker_hijack_root_logger:
        return
    from django.conf import settings
    from django.utils.log import configure_logging

    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


@signals.before_task_publish.connect
def send_request_id(headers=None, **kwargs):
    request_id = request_ids.current_request_id()
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_TASK_HEADER, request_id)


@signals.task_prerun.connect
def bind_request_id(task_id=None, task=None, **kwargs):
    """The task's logs carry the id of the request that queued it, else the task's own id.

    An eager task runs inside the request that queued it and keeps its id.
    """
    sent = getattr(task.request, REQUEST_ID_TASK_HEADER, None) if task is not None else None
    if not request_ids.is_safe(sent):
        sent = request_ids.current_request_id() or task_id
    if task_id and sent:
        _bound_tasks[task_id] = request_ids.bind(sent)


@signals.task_postrun.connect
def unbind_request_id(task_id=None, **kwargs):
    token = _bound_tasks.pop(task_id, None)
    if token is not None:
        request_ids.unbind(token)


@signals.task_failure.connect
def count_task_failure(sender=None, **kwargs):
    from portal import broker

    broker.count_task_event("failure", getattr(sender, "name", "unknown"))


@signals.task_retry.connect
def count_task_retry(sender=None, **kwargs):
    from portal import broker

    broker.count_task_event("retry", getattr(sender, "name", "unknown"))
