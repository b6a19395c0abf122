"""WSGI entry point for gunicorn. Refuses to serve a deployment without a real SECRET_KEY."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()

from portal.checks import ensure_deployable  # noqa: E402  (needs configured settings)

ensure_deployable()
