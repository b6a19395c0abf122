"""Officer and holder pages of the results store (being written)."""

from django.http import Http404


def _missing(*args, **kwargs):
    raise Http404


holder_pdf = result_list = digitize = result_detail = revoke = supersede = _missing
