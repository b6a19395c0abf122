"""The benchmark's reference: the cheapest page Django can serve.

`bench/run.py` measures every scenario against this view, served by the same
gunicorn settings on the same machine in the same run, so its figures compare
across machines as ratios. It goes through the whole middleware stack but
touches no template, session or database. The URL exists only when
BENCH_REFERENCE is on, which a deployment never sets.
"""

from django.http import HttpResponse
from django.views.decorators.http import require_GET

REFERENCE_BODY = b"<!doctype html><title>reference</title><p>ok</p>\n"


@require_GET
def reference(request):
    return HttpResponse(REFERENCE_BODY, content_type="text/html; charset=utf-8")
