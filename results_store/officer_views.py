"""Officers' results pages (list, detail, revoke, supersede, digitize) and the holder's PDF.

Every result an officer page touches comes from `selectors.results_for_officer`,
so another agency's result is a 404. Supervisors see the same pages; only
officers of the issuing agency get the action forms, and the services refuse
anyone else. The holder's PDF comes from `selectors.results_for_holder`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.files import file_response
from results_store import selectors, services
from results_store.constants import ResultStatus
from results_store.officer_forms import (
    DigitizeForm,
    ResultFilterForm,
    RevokeForm,
    SupersedeForm,
    add_service_errors,
)

RESULTS_PAGE_SIZE = 25


# --------------------------------------------------------------------------
# The holder
# --------------------------------------------------------------------------


@login_required
@require_GET
def holder_pdf(request, public_id):
    """The signed PDF, for its holder only, whenever they need it again."""
    result = get_object_or_404(selectors.results_for_holder(request.user), public_id=public_id)
    if not result.is_ready:
        raise Http404
    return _pdf_download(result)


def _pdf_download(result):
    response = file_response(result.pdf, "pdf")
    name = get_valid_filename(f"{result.result_type.code}-{result.number}".replace("/", "-"))
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{name}.pdf"
    )
    return response


# --------------------------------------------------------------------------
# Officers
# --------------------------------------------------------------------------


@login_required
@require_GET
def result_list(request):
    if not selectors.agencies_for_results(request.user).exists():
        raise Http404
    form = ResultFilterForm(request.GET)
    results = selectors.result_search(request.user, form.filters())
    page = Paginator(results, RESULTS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "results_store/officer_list.html",
        {
            "form": form,
            "page": page,
            "querystring": query.urlencode(),
            "can_digitize": selectors.issuing_agencies(request.user).exists(),
        },
    )


def _officer_result(request, public_id):
    return get_object_or_404(selectors.results_for_officer(request.user), public_id=public_id)


def _detail_context(request, result, *, revoke_form=None, supersede_form=None) -> dict:
    can_act = services.is_officer_of(request.user, result.agency)
    can_revoke = can_act and result.status in (ResultStatus.VALID, ResultStatus.PREPARING)
    can_supersede = can_act and result.status == ResultStatus.VALID
    return {
        "result": result,
        "events": selectors.result_events(result),
        "supersedes": result.supersedes.all(),
        "can_act": can_act,
        "revoke_form": (revoke_form or RevokeForm()) if can_revoke else None,
        "supersede_form": (supersede_form or SupersedeForm(result=result))
        if can_supersede
        else None,
    }


@login_required
@require_GET
def result_detail(request, public_id):
    """The result's page; `?file=pdf` or `?file=scan` opens its signed PDF or its paper scan."""
    result = _officer_result(request, public_id)
    wanted = request.GET.get("file")
    if wanted == "pdf":
        if not result.pdf:
            raise Http404
        response = file_response(result.pdf, "pdf")
    elif wanted == "scan":
        if not result.scan:
            raise Http404
        response = file_response(result.scan, result.scan.name.rsplit(".", 1)[-1])
    else:
        return render(
            request, "results_store/officer_detail.html", _detail_context(request, result)
        )
    # A staff read of the holder's document is recorded, and shown to the holder.
    services.result_file_viewed(result=result, actor=request.user, file=wanted)
    return response


def _acting_officer_result(request, public_id):
    result = _officer_result(request, public_id)
    if not services.is_officer_of(request.user, result.agency):
        raise PermissionDenied
    return result


def _refused(request, result, form_name, form):
    """The result's page again, with the form's errors; a refusal not about a field on top."""
    refusals = form.non_field_errors()
    messages.error(
        request,
        " ".join(refusals) if refusals else _("Nothing was changed. Correct what is marked below."),
    )
    # The page shows the result as it is now, which a refusal may explain.
    result.refresh_from_db()
    return render(
        request,
        "results_store/officer_detail.html",
        _detail_context(request, result, **{form_name: form}),
        status=400,
    )


@login_required
@require_POST
def revoke(request, public_id):
    result = _acting_officer_result(request, public_id)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.result_revoke(
                result=result, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Result %(number)s was revoked.") % {"number": result.number}
            )
            return redirect("results_store:officer_detail", public_id=result.public_id)
    return _refused(request, result, "revoke_form", form)


@login_required
@require_POST
def supersede(request, public_id):
    result = _acting_officer_result(request, public_id)
    form = SupersedeForm(request.POST, result=result)
    if form.is_valid():
        replacement = form.cleaned_data["replacement_number"]
        try:
            services.result_supersede(
                result=result,
                replacement=replacement,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Result %(number)s was replaced by %(replacement)s.")
                % {"number": result.number, "replacement": replacement.number},
            )
            return redirect("results_store:officer_detail", public_id=result.public_id)
    return _refused(request, result, "supersede_form", form)


@login_required
@require_http_methods(["GET", "POST"])
def digitize(request):
    """An officer enters an older paper result; the store issues it signed and marked digitized."""
    if not selectors.issuing_agencies(request.user).exists():
        raise Http404
    form = DigitizeForm(
        request.POST if request.method == "POST" else None, request.FILES or None, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.result_issue(
                result_type=data["result_type"],
                agency=data["agency"],
                holder_national_id=data["holder_national_id"],
                holder_name=data["holder_name"],
                issued_on=data["issued_on"],
                valid_until=data["valid_until"],
                number=data["number"],
                data=data["content"],
                actor=request.user,
                source_reference="digitized",
                digitized=True,
                scan=data["scan"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if result.holder_id:
                message = _(
                    "Result %(number)s was digitized. It is being signed and will appear "
                    "in the holder's wallet."
                )
            else:
                message = _(
                    "Result %(number)s was digitized. No account has this citizen ID number "
                    "yet: it will reach the holder's wallet when they create one."
                )
            messages.success(request, message % {"number": result.number})
            return redirect("results_store:officer_detail", public_id=result.public_id)
    if request.method == "POST":
        messages.error(request, _("Nothing was saved. Correct what is marked below."))
    return render(
        request,
        "results_store/digitize.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
