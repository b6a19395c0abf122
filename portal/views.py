"""The site shell: home page, health check and error pages."""

import logging
import sys

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from procedures import selectors as catalog

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10


@require_GET
def home(request):
    return render(
        request,
        "portal/home.html",
        {
            "fields": catalog.fields_with_counts(),
            "figures": catalog.catalog_figures(),
            "featured": catalog.featured_procedures(),
        },
    )


@never_cache
@require_GET
def healthz(request):
    """For load balancers and compose health checks: is the database answering?"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: database unavailable")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def permission_denied(request, exception):
    return render(request, "403.html", status=403)


def server_error(request):
    # Rendered without the request context on purpose: the failure may be in it.
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE):
        # The database restarting or unreachable: nothing was committed (the
        # transaction could not be), so the visitor can simply try again.
        logger.warning("Database unavailable: %s", error.__class__.__name__)
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
