"""Observability: request ids in logs and tasks, health probes, metrics, error tracking."""

import io
import json
import logging
import math
import re
import time

import pytest
import sentry_sdk
from celery import shared_task
from django.conf import settings as django_settings
from django.db import DatabaseError
from pythonjsonlogger.json import JsonFormatter

from portal import broker, error_tracking
from portal import celery as portal_celery
from portal import request_id as request_ids
from portal.celery import app
from tests.factories import DossierFactory

CLOSED_BROKER = "redis://127.0.0.1:1/0"
TASK_LOGGER = "tests.portal.observability.task"


@pytest.fixture
def json_log():
    """The lines the console handler would write, formatted as settings.LOGGING says."""
    options = {
        key: value
        for key, value in django_settings.LOGGING["formatters"]["json"].items()
        if key != "()"
    }
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(**options))
    handler.addFilter(request_ids.RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# -------------------------------------------------------------- request id


@pytest.mark.django_db
def test_a_request_without_an_id_gets_a_new_one_in_the_response(client):
    response = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.django_db
def test_a_safe_incoming_request_id_is_kept(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-2f1c.9a_77")
    assert response["X-Request-ID"] == "lb-2f1c.9a_77"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "unsafe", ["short", "has spaces in it", "x" * 65, "abcdefgh\r\nSet-Cookie: a=b", "id;rm -rf"]
)
def test_an_unsafe_incoming_request_id_is_replaced(client, unsafe):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=unsafe)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.django_db
def test_a_log_record_of_a_request_is_json_with_its_request_id(client, monkeypatch, json_log):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("portal.views.connection.cursor", broken_cursor)
    response = client.get("/healthz", HTTP_X_REQUEST_ID="probe-00000001")

    assert response.status_code == 503
    (record,) = [r for r in json_log() if r["logger"] == "portal.views"]
    assert record["request_id"] == "probe-00000001"
    assert record["level"] == "ERROR"
    assert record["message"] == "Health check: database unavailable"
    assert {"time", "process"} <= record.keys()


@pytest.mark.django_db
def test_djangos_own_not_found_line_carries_the_request_id(client, json_log):
    response = client.get("/khong-ton-tai/")
    (record,) = [r for r in json_log() if r["logger"] == "django.request"]
    assert record["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
def test_no_request_id_lingers_after_the_response(client):
    client.get("/healthz")
    assert request_ids.current_request_id() is None


def test_json_is_the_default_log_format_when_debug_is_off():
    assert not django_settings.DEBUG
    assert django_settings.LOG_FORMAT == "json"
    assert django_settings.LOGGING["handlers"]["console"]["formatter"] == "json"


# ------------------------------------------------------- request id in tasks


@shared_task(name="tests.portal.log_request_id_task", ignore_result=True)
def log_request_id_task():
    logging.getLogger(TASK_LOGGER).warning("Task ran.")


def _task_log_ids(json_log):
    return [r["request_id"] for r in json_log() if r["logger"] == TASK_LOGGER]


def test_publishing_a_task_sends_the_current_request_id_in_its_headers():
    headers = {}
    with request_ids.bound("request-0000aaaa"):
        portal_celery.send_request_id(headers=headers)
    assert headers == {portal_celery.REQUEST_ID_TASK_HEADER: "request-0000aaaa"}


def test_a_worker_task_logs_with_the_request_id_from_its_headers(json_log):
    class Request:
        portal_request_id = "request-0000bbbb"

    class Task:
        request = Request()

    portal_celery.bind_request_id(task_id="task-1", task=Task())
    try:
        logging.getLogger(TASK_LOGGER).warning("Task ran.")
    finally:
        portal_celery.unbind_request_id(task_id="task-1")

    assert _task_log_ids(json_log) == ["request-0000bbbb"]
    assert request_ids.current_request_id() is None


def test_a_task_queued_outside_a_request_logs_with_its_own_id(json_log):
    class Task:
        request = object()

    portal_celery.bind_request_id(task_id="4f0c9d1e-task-id", task=Task())
    try:
        logging.getLogger(TASK_LOGGER).warning("Task ran.")
    finally:
        portal_celery.unbind_request_id(task_id="4f0c9d1e-task-id")
    assert _task_log_ids(json_log) == ["4f0c9d1e-task-id"]


def test_an_eager_task_logs_with_the_id_of_the_request_that_ran_it(json_log):
    with request_ids.bound("request-0000cccc"):
        log_request_id_task.apply()
    assert _task_log_ids(json_log) == ["request-0000cccc"]


def test_a_task_run_by_a_worker_logs_with_the_id_of_the_request_that_queued_it(
    celery_worker, json_log
):
    with request_ids.bound("request-0000dddd"):
        log_request_id_task.delay()
    deadline = time.monotonic() + 10
    while not _task_log_ids(json_log) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _task_log_ids(json_log) == ["request-0000dddd"]


# --------------------------------------------------------------- time limits


def _project_tasks():
    app.loader.import_default_modules()
    apps = ("dossiers.", "notifications.", "results_store.", "procedures.", "citizens.")
    return {name: task for name, task in app.tasks.items() if name.startswith(apps)}


def test_every_project_task_has_a_finite_time_limit_below_the_visibility_timeout():
    tasks = _project_tasks()
    assert "dossiers.tasks.render_receipt_task" in tasks  # discovery worked
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    for name, task in tasks.items():
        hard = task.time_limit or app.conf.task_time_limit
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        assert hard and math.isfinite(hard), name
        assert soft and soft < hard, name
        assert hard < visibility, name


# ------------------------------------------------------------------ probes


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_readyz_answers_200_when_every_component_does(client, media):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "storage": "ok",
    }
    assert list(media.rglob("*.txt")) == []  # the probe's file is deleted


@pytest.mark.django_db
def test_readyz_answers_503_naming_the_broker_when_it_is_unreachable(client, settings, media):
    settings.CELERY_BROKER_URL = CLOSED_BROKER
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "cache": "ok",
        "broker": "unavailable",
        "storage": "ok",
    }


@pytest.mark.django_db
def test_readyz_answers_503_naming_the_storage_when_it_is_not_writable(client, settings, tmp_path):
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(not_a_directory / "media")},
        },
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["storage"] == "unavailable"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_readyz_skips_the_broker_when_tasks_run_eagerly(client, settings, media):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_BROKER_URL = CLOSED_BROKER
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["broker"] == "skipped"


@pytest.mark.django_db
def test_probes_are_never_cached(client, media):
    for path in ("/healthz", "/readyz"):
        cache_control = client.get(path)["Cache-Control"]
        assert "no-cache" in cache_control and "no-store" in cache_control, path


@pytest.mark.django_db
def test_probes_and_metrics_are_not_redirected_to_https(client, settings, media):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301
    for path in ("/healthz", "/readyz", "/metrics"):
        assert client.get(path).status_code == 200, path


# ----------------------------------------------------------------- metrics


@pytest.mark.django_db
def test_metrics_are_a_404_from_an_address_not_allowed(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404


@pytest.mark.django_db
def test_metrics_are_a_404_with_a_wrong_token(client, settings):
    settings.METRICS_TOKEN = "scrape-secret"
    response = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer not-the-secret"
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_metrics_answer_any_address_with_the_token(client, settings):
    settings.METRICS_TOKEN = "scrape-secret"
    response = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer scrape-secret"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_metrics_answer_an_allowed_network(client, settings):
    settings.METRICS_ALLOWED_ADDRESSES = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200


@pytest.mark.django_db
def test_metrics_are_a_404_for_a_client_behind_a_local_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 404


@pytest.mark.django_db
def test_metrics_count_requests_and_the_work_waiting(client):
    DossierFactory(received=True)  # no receipt yet
    client.get("/healthz")

    body = client.get("/metrics").text

    assert "django_http_requests_total" in body
    assert "portal_receipts_pending 1.0" in body
    assert "portal_apology_letters_pending 0.0" in body
    assert "portal_results_unsigned 0.0" in body
    assert 'portal_notifications_outbox{status="pending"}' in body
    assert 'portal_celery_queue_length{queue="celery"}' in body
    assert "portal_celery_broker_up 1.0" in body
    assert "django_db_execute_total" in body


@pytest.mark.django_db
def test_metrics_report_task_failures_counted_by_the_workers(client):
    before = broker.task_event_counts("failure").get(log_request_id_task.name, 0)
    portal_celery.count_task_failure(sender=log_request_id_task)
    portal_celery.count_task_retry(sender=log_request_id_task)

    body = client.get("/metrics").text

    line = f'portal_celery_task_failures_total{{task="{log_request_id_task.name}"}} {before + 1}.0'
    assert line in body
    assert f'portal_celery_task_retries_total{{task="{log_request_id_task.name}"}}' in body


@pytest.mark.django_db
def test_metrics_still_answer_when_the_broker_does_not(client, settings):
    settings.CELERY_BROKER_URL = CLOSED_BROKER
    body = client.get("/metrics").text
    assert "portal_celery_broker_up 0.0" in body
    assert "portal_receipts_pending" in body


# ----------------------------------------------------------- error tracking


def test_sentry_is_not_started_without_a_dsn():
    assert django_settings.SENTRY_DSN == ""
    assert not sentry_sdk.is_initialized()
    assert error_tracking.init_error_tracking(dsn="", environment="", traces_sample_rate=0) is False
    assert not sentry_sdk.is_initialized()


def test_sentry_options_are_accepted_and_collect_no_personal_data():
    options = error_tracking.sentry_options(
        dsn="https://public@sentry.invalid/1", environment="test", traces_sample_rate=0.0
    )
    client = sentry_sdk.Client(
        **options, default_integrations=False, auto_enabling_integrations=False
    )
    try:
        collected = client.options["data_collection"]
        assert collected["user_info"] is False
        assert collected["cookies"]["mode"] == "off"
        assert collected["http_headers"]["request"]["mode"] == "off"
        assert collected["http_bodies"] == []
        assert client.options["before_send"] is error_tracking.scrub_event
        assert client.options["traces_sample_rate"] == 0.0
    finally:
        client.close()


def test_the_scrubber_masks_national_id_numbers_and_emails():
    event = {
        "message": "Lookup of 001203004567 by an.nguyen@example.vn failed",
        "exception": {"values": [{"type": "ValueError", "value": "Bad ID 079123456789"}]},
        "breadcrumbs": {"values": [{"message": "mail to b.tran@so-tu-phap.gov.vn"}]},
    }

    scrubbed = error_tracking.scrub_event(event, {})

    text = json.dumps(scrubbed)
    for personal in ("001203004567", "079123456789", "an.nguyen@example.vn", "b.tran@"):
        assert personal not in text
    assert scrubbed["message"] == "Lookup of [national-id] by [email] failed"


def test_the_scrubber_leaves_longer_numbers_alone():
    assert error_tracking.scrub("order 1700000000000 done") == "order 1700000000000 done"


def test_the_scrubber_tags_the_event_with_the_request_id():
    with request_ids.bound("request-0000eeee"):
        event = error_tracking.scrub_event({"message": "boom"}, {})
    assert event["tags"]["request_id"] == "request-0000eeee"
