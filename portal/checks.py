"""Deployment checks: a portal with DEBUG off must never run on the development key."""

from django.conf import settings
from django.core.checks import Error, Tags, register
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


def ensure_deployable() -> None:
    """Called when serving: with DEBUG off, a missing SECRET_KEY stops the process."""
    if not settings.DEBUG and _uses_development_key():
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in the environment when DEBUG is off."
        )
