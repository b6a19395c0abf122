"""Request ids: one token per request, in its logs, its response and the tasks it queues.

Every request gets an id: the one a proxy in front sent in `X-Request-ID`, if
it is a plain token, or a new one. It is kept in a context variable while the
request is handled, so that every log record emitted meanwhile carries it
(`RequestIdFilter`, on the console handler in the settings). It is returned in
the response's `X-Request-ID` header (and so in gunicorn's access log line),
and a task queued by the request carries it to the worker in its message
headers (portal/celery.py), where the task's own log records carry it too.

A client chooses the incoming header, so it is believed only when it cannot
break a log line or a header: letters, digits, `.`, `_` and `-`, 8 to 64 of
them. Anything else is replaced, not escaped.
"""

import contextlib
import contextvars
import logging
import re
import uuid

from django.core.signals import request_finished
from django.dispatch import receiver

REQUEST_ID_HEADER = "X-Request-ID"
# What a log record says when no request or task is running (start-up, beat).
NO_REQUEST_ID = "-"

_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_current = contextvars.ContextVar("portal_request_id", default=None)


def is_safe(value) -> bool:
    return isinstance(value, str) and _SAFE_REQUEST_ID.fullmatch(value) is not None


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request or task being handled in this context, if any."""
    return _current.get()


def bind(request_id: str) -> contextvars.Token:
    """Make `request_id` the current one; give the token to `unbind` when done."""
    return _current.set(request_id)


def unbind(token: contextvars.Token) -> None:
    _current.reset(token)


@contextlib.contextmanager
def bound(request_id: str):
    token = bind(request_id)
    try:
        yield request_id
    finally:
        unbind(token)


class RequestIdMiddleware:
    """Give the request its id, for the request's duration, and return it in the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER)
        request_id = incoming if is_safe(incoming) else new_request_id()
        request.request_id = request_id
        # Left bound after the middleware returns, until the response is
        # closed (`forget_request_id`): Django logs a 4xx or 5xx response
        # ("Not Found: ...") after every middleware has returned.
        bind(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


@receiver(request_finished, dispatch_uid="portal.request_id.forget")
def forget_request_id(**kwargs):
    _current.set(None)


class RequestIdFilter(logging.Filter):
    """Add `request_id` to every record, so that formatters can always name it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id() or NO_REQUEST_ID
        return True
