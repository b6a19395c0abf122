"""A deployment configured as .env.example documents passes `check --deploy` at WARNING.

Each run is a fresh process with only the given environment, as a container
starts: nothing from the test session's settings leaks in.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What a deployment must set (README, .env.example); everything else keeps its
# documented default.
DEPLOYMENT = {
    "DEBUG": "false",
    "SECRET_KEY": "k3Jx9vQ2mT7wZp4sL8rN1bF6hY0cD5gA-2qW8eR4tY6uI0oP3aS7dF1gH5jK9lZ",
    "SIGNING_KEYS_ENCRYPTION_KEY": "8lY9GkQ0m1n2b3v4c5x6z7a8s9d0f1g2h3j4k5l6m7o=",
    "ALLOWED_HOSTS": "dichvucong.danang.gov.vn",
    "DATABASE_URL": "postgres://portal:secret@db:5432/portal",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
    "CACHE_URL": "redis://cache:6379/0",
}


def _run(*args, **env) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_documented_deployment_passes_the_deploy_checks_at_warning_level():
    done = _run("check", "--deploy", "--fail-level", "WARNING", **DEPLOYMENT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


@pytest.mark.parametrize(
    ("missing", "check_id"),
    [("SIGNING_KEYS_ENCRYPTION_KEY", "portal.E002"), ("SECRET_KEY", "portal.E001")],
)
def test_the_deploy_checks_refuse_a_deployment_without_its_secrets(missing, check_id):
    env = {key: value for key, value in DEPLOYMENT.items() if key != missing}
    done = _run("check", "--deploy", "--fail-level", "WARNING", **env)
    assert done.returncode != 0
    assert check_id in done.stderr


def test_with_debug_off_cookies_are_secure_and_http_is_redirected_by_default():
    script = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0)"
    )
    done = _run("shell", "-c", script, **DEPLOYMENT)
    assert done.stdout.split()[-5:] == ["True"] * 5, done.stderr
