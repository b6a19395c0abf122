"""Deployment checks: a portal with DEBUG off must never run on the development key."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured


def _uses_development_key() -> bool:
    return settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY


@register(Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    if _uses_development_key():
        return [
            Error(
                "SECRET_KEY is not set; the development key must not be deployed.",
                hint="Set SECRET_KEY to a long random value in the environment.",
                id="portal.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_signing_keys_encryption(app_configs, **kwargs):
    if not settings.SIGNING_KEYS_ENCRYPTION_KEY:
        return [
            Error(
                "SIGNING_KEYS_ENCRYPTION_KEY is not set: signing keys would be encrypted "
                "with a key derived from SECRET_KEY.",
                hint="Set it to a Fernet key kept apart from database backups.",
                id="portal.E002",
            )
        ]
    return []


@register(Tags.database, deploy=True)
def check_production_services(app_configs, **kwargs):
    """A deployment left on the embedded defaults works, badly: say so."""
    warnings = []
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        warnings.append(
            Warning(
                "DATABASE_URL is not set: the portal runs on the embedded SQLite file.",
                hint="Point DATABASE_URL at PostgreSQL.",
                id="portal.W001",
            )
        )
    if settings.CELERY_TASK_ALWAYS_EAGER:
        warnings.append(
            Warning(
                "CELERY_TASK_ALWAYS_EAGER is on: PDFs and notifications run inside web requests.",
                id="portal.W002",
            )
        )
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        warnings.append(
            Warning(
                "CACHE_URL is not Redis: each web process keeps its own login throttle counts.",
                hint="Set CACHE_URL=redis://...",
                id="portal.W003",
            )
        )
    return warnings


def ensure_deployable() -> None:
    """Called when serving: with DEBUG off, a missing SECRET_KEY stops the process."""
    if not settings.DEBUG and _uses_development_key():
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
