"""Oversized bodies are refused from their Content-Length, before anything is spooled.

A real gunicorn serves these: the test client would hand Django the body
already in memory. The body's first megabyte is sent, then the answer is
read: a portal that waited for the whole body (or wrote it to disk) would not
answer until all of it came.
"""

import http.client
import os

import pytest
from django.test import Client

from tests.faults.own_gunicorn import OwnGunicorn

pytestmark = pytest.mark.django_db(transaction=True)

MEGABYTE = 1024 * 1024


@pytest.fixture
def web(tmp_path):
    tmp = tmp_path / "spool"
    tmp.mkdir()
    server = OwnGunicorn(
        workers=1,
        threads=2,
        env={"CELERY_TASK_ALWAYS_EAGER": "true", "TMPDIR": str(tmp), "MEDIA_ROOT": str(tmp_path)},
    )
    server.start()
    yield server, tmp
    server.stop()


def _post_head_of(server, path: str, declared: int) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", "multipart/form-data; boundary=xyz")
    connection.putheader("Content-Length", str(declared))
    connection.endheaders()
    connection.send(b"--xyz\r\n" + os.urandom(MEGABYTE))
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def test_a_visitor_sending_100_megabytes_is_refused_before_the_body_is_read(web):
    server, spool = web
    status, body = _post_head_of(server, "/verify/pdf/", 100 * MEGABYTE)
    assert status == 413
    assert "quá lớn" in body.decode()
    assert list(spool.iterdir()) == []


def test_a_body_just_under_the_limit_reaches_the_view(client, settings):
    settings.ANONYMOUS_REQUEST_BODY_MAX_MB = 1
    response = client.post("/verify/pdf/", {"note": "x" * 1000})
    assert response.status_code != 413


def test_the_limit_is_higher_for_a_signed_in_citizen(settings):
    from tests.factories import UserFactory

    settings.ANONYMOUS_REQUEST_BODY_MAX_MB = 1
    settings.REQUEST_BODY_MAX_MB = 3
    visitor, citizen = Client(), Client()
    citizen.force_login(UserFactory())
    body = {"blob": "x" * (2 * MEGABYTE)}
    assert visitor.post("/me/wallet/add/", body).status_code == 413
    assert citizen.post("/me/wallet/add/", body).status_code != 413
