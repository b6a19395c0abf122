"""Verification pages (being written)."""

from django.http import Http404


def _missing(*args, **kwargs):
    raise Http404


verify = scan = verify_pdf = verify_result = jwks = status_list = _missing
