"""Public catalog pages: anyone may read active procedures."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from procedures import selectors
from procedures.forms import CatalogFilterForm


@require_GET
def procedure_list(request):
    form = CatalogFilterForm(request.GET or None)
    procedures = selectors.procedure_list(**form.filters())
    page = Paginator(procedures, settings.CATALOG_PAGE_SIZE).get_page(request.GET.get("page"))
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "procedures/procedure_list.html",
        {"form": form, "page": page, "querystring": query_without_page.urlencode()},
    )


@require_GET
def procedure_detail(request, code):
    procedure = get_object_or_404(selectors.procedure_detail(code))
    return render(request, "procedures/procedure_detail.html", {"procedure": procedure})


@require_GET
def procedure_file(request, code):
    """The "file online" entry point: what to prepare, before the intake form."""
    procedure = get_object_or_404(selectors.procedure_detail(code))
    return render(request, "procedures/procedure_file.html", {"procedure": procedure})
