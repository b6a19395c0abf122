"""The site shell: home, language, health check, error pages and settings that matter."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.db import DatabaseError
from django.urls import reverse

from tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


def test_home_page_is_vietnamese_even_when_the_browser_asks_for_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert '<html lang="vi">' in response.text
    assert "Dịch vụ công trực tuyến" in response.text


def test_language_switch_sets_english_and_back(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get("/").text
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert '<html lang="vi">' in client.get("/").text


def test_home_page_has_skip_link_landmarks_and_search(client):
    body = client.get("/").text
    assert 'href="#main"' in body and 'id="main"' in body
    assert "<header" in body and "<nav" in body and "<footer" in body
    assert 'role="search"' in body


def test_home_page_counts_active_procedures(client):
    ProcedureFactory.create_batch(3)
    ProcedureFactory(inactive=True)
    assert client.get("/").context["figures"]["total"] == 3


def test_healthz_reports_the_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("portal.views.connection.cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_unknown_page_gets_the_friendly_404(client):
    response = client.get("/khong-ton-tai/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.text


def test_server_error_page_is_bilingual_and_standalone(client):
    from portal.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    body = response.content.decode()
    assert "Đã xảy ra lỗi" in body and "Something went wrong" in body


def test_passwords_are_hashed_with_argon2():
    assert get_hasher().algorithm == "argon2"


def test_portal_speaks_vietnamese_first_in_ho_chi_minh_time():
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _ in settings.LANGUAGES] == ["vi", "en"]
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"


def test_celery_acknowledges_tasks_late():
    from portal.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_deploy_check_refuses_the_development_secret_key(settings):
    from portal.checks import check_secret_key

    settings.SECRET_KEY = settings.DEVELOPMENT_SECRET_KEY
    assert [e.id for e in check_secret_key(None)] == ["portal.E001"]
    settings.SECRET_KEY = "x" * 60
    assert check_secret_key(None) == []


def test_wsgi_refuses_to_serve_without_secret_key_when_debug_is_off(settings):
    from django.core.exceptions import ImproperlyConfigured

    from portal.checks import ensure_deployable

    settings.DEBUG = False
    settings.SECRET_KEY = settings.DEVELOPMENT_SECRET_KEY
    with pytest.raises(ImproperlyConfigured):
        ensure_deployable()


def test_forbidden_action_gets_the_friendly_403():
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from portal.views import permission_denied

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = permission_denied(request, None)
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()
