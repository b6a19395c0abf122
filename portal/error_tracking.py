"""Optional error tracking with Sentry, for the web and worker processes.

Nothing is sent unless SENTRY_DSN is set. When it is, errors of Django views
and Celery tasks go to Sentry without personal data: no user, cookies,
headers, bodies, query strings, SQL parameters or local variables
(`NO_PERSONAL_DATA`), and `scrub_event` masks the citizen ID numbers (12
digits) and email addresses left in the event's messages, exception values
and breadcrumbs before it leaves the process. Task arguments are sent: tasks
take row ids only (CONVENTIONS.md).

sentry-sdk 3 has no `send_default_pii` any more (it refuses unknown options);
its `data_collection` option says per category what is collected, and
collects most of it unless told otherwise, hence the explicit dictionary.
"""

import re

from portal import request_id as request_ids

# What sentry-sdk's integrations may collect: what send_default_pii=False
# meant in sentry-sdk 2, and less (no SQL parameters, no frame variables).
NO_PERSONAL_DATA = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "http_headers": {"request": {"mode": "off"}},
    "http_bodies": [],
    "url_query_params": {"mode": "off"},
    "database_query_data": False,
    "stack_frame_variables": False,
}

# A citizen ID number (căn cước) is 12 digits; longer digit runs (a
# timestamp in ms, an order number) are not IDs and are left alone.
NATIONAL_ID = re.compile(r"(?<!\d)\d{12}(?!\d)")
EMAIL_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
NATIONAL_ID_MASK = "[national-id]"
EMAIL_MASK = "[email]"


def scrub(text):
    """The text with every 12-digit number and email address masked."""
    if not isinstance(text, str):
        return text
    return EMAIL_ADDRESS.sub(EMAIL_MASK, NATIONAL_ID.sub(NATIONAL_ID_MASK, text))


def _scrub_deep(value):
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: _scrub_deep(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_deep(item) for item in value]
    return value


def scrub_event(event, hint=None):
    """Sentry's before_send: mask personal data in the event, tag it with the request id."""
    for key in ("message", "logentry", "exception", "threads", "breadcrumbs", "extra", "request"):
        if key in event:
            event[key] = _scrub_deep(event[key])
    request_id = request_ids.current_request_id()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def sentry_options(*, dsn: str, environment: str, traces_sample_rate: float) -> dict:
    """The options of sentry_sdk.init, but the integrations."""
    return {
        "dsn": dsn,
        "environment": environment or None,
        "data_collection": NO_PERSONAL_DATA,
        "traces_sample_rate": traces_sample_rate,
        # Breadcrumbs hold log messages: they are scrubbed with the event.
        "before_send": scrub_event,
    }


def init_error_tracking(*, dsn: str, environment: str, traces_sample_rate: float) -> bool:
    """Start Sentry if a DSN is given; True if it was started."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        integrations=[DjangoIntegration(), CeleryIntegration()],
        **sentry_options(dsn=dsn, environment=environment, traces_sample_rate=traces_sample_rate),
    )
    return True
