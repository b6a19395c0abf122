"""The applicant's pages and the public lookup. Dossiers come from querysets scoped to the user."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citizens.security import client_address
from core.files import file_response
from core.rate_limits import over_limit
from dossiers import selectors, services
from dossiers.constants import DossierState
from dossiers.downloads import document_response, receipt_response
from dossiers.forms import DeclarationForm, IntakeForm, LookupForm, RatingForm, SupplementForm
from procedures.models import Procedure


def _my_dossier(request, pk, **filters):
    return get_object_or_404(selectors.dossiers_for_applicant(request.user), pk=pk, **filters)


@login_required
@require_GET
def my_dossiers(request):
    return render(
        request,
        "dossiers/my_dossiers.html",
        {"dossiers": selectors.dossiers_for_applicant(request.user)},
    )


@login_required
@require_POST
def start(request, procedure_code):
    """Resume the applicant's draft of this procedure, or start one."""
    procedure = get_object_or_404(Procedure.objects.active(), code=procedure_code)
    draft = (
        selectors.dossiers_for_applicant(request.user)
        .filter(procedure=procedure, state=DossierState.DRAFT)
        .first()
    )
    if draft is None:
        agency = selectors.suggested_agency(procedure, request.user)
        if agency is None:
            raise Http404
        try:
            draft = services.dossier_draft_create(
                applicant=request.user, procedure=procedure, agency=agency
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(procedure.get_absolute_url())
    return redirect("dossiers:edit", pk=draft.pk)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    """Step 1: the form. "Continue" checks everything and leads to the review."""
    dossier = _my_dossier(request, pk, state=DossierState.DRAFT)
    if request.method == "GET":
        form = IntakeForm(dossier=dossier)
        return render(request, "dossiers/intake.html", {"form": form, "dossier": dossier})

    form = IntakeForm(request.POST, request.FILES, dossier=dossier)
    valid = form.is_valid()
    # Whatever is valid is kept, even when something else is not: nothing typed
    # or attached is lost to a validation error.
    services.dossier_draft_save(
        dossier=dossier,
        actor=request.user,
        declaration=form.declaration_values(),
        delivery_method=form.cleaned_data.get("delivery_method", dossier.delivery_method),
        delivery_address=form.cleaned_data.get("delivery_address", dossier.delivery_address),
        agency=form.cleaned_data.get("agency"),
        uploads=form.uploads(),
        reused=form.reused(),
    )
    form.refresh_attached()
    if request.POST.get("action") == "save":
        if valid:
            messages.success(
                request, _("Your draft is saved. You can come back to it at any time.")
            )
            return redirect("dossiers:edit", pk=dossier.pk)
    else:
        # Every problem in one round: what the dossier still lacks is shown
        # next to what this request got wrong (a refused file, say).
        form.add_completeness_errors(services.dossier_completeness_errors(dossier))
        if not form.errors:
            return redirect("dossiers:review", pk=dossier.pk)
    return render(request, "dossiers/intake.html", {"form": form, "dossier": dossier}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    """Step 2: check your answers, declare them true, and submit."""
    dossier = _my_dossier(request, pk, state=DossierState.DRAFT)
    if services.dossier_completeness_errors(dossier):
        messages.error(request, _("Some answers are missing. Complete the form and continue."))
        return redirect("dossiers:edit", pk=dossier.pk)
    # Bound on POST even with nothing ticked: an empty form is a refusal.
    form = DeclarationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dossier_submit(
                dossier=dossier, actor=request.user, declared=form.cleaned_data["confirm"]
            )
        except ValidationError as error:
            if set(getattr(error, "error_dict", {})) - {"confirm"}:
                # The draft changed since this page was shown (another tab).
                messages.error(
                    request, _("Some answers are missing. Complete the form and continue.")
                )
                return redirect("dossiers:edit", pk=dossier.pk)
            form.add_error(None, error.messages)
        else:
            return redirect("dossiers:submitted", pk=dossier.pk)
    context = {
        "dossier": dossier,
        "form": form,
        "declaration": selectors.dossier_declaration(dossier),
        "documents": selectors.dossier_documents_for_review(dossier),
    }
    return render(request, "dossiers/review.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, pk):
    """Delete a draft: GET asks to confirm, POST deletes."""
    dossier = _my_dossier(request, pk, state=DossierState.DRAFT)
    if request.method == "POST":
        services.dossier_draft_delete(dossier=dossier, actor=request.user)
        messages.success(request, _("Your draft has been deleted."))
        return redirect("dossiers:mine")
    return render(request, "dossiers/delete_draft.html", {"dossier": dossier})


@login_required
@require_GET
def submitted(request, pk):
    dossier = _my_dossier(request, pk)
    if dossier.state == DossierState.DRAFT:
        return redirect("dossiers:edit", pk=dossier.pk)
    return render(request, "dossiers/submitted.html", {"dossier": dossier})


@login_required
@require_GET
def detail(request, pk):
    dossier = _my_dossier(request, pk)
    if dossier.state == DossierState.DRAFT:
        return redirect("dossiers:edit", pk=dossier.pk)
    context = {
        "dossier": dossier,
        "events": selectors.dossier_timeline(dossier),
        "results": selectors.dossier_results(dossier, request.user, as_officer=False),
    }
    if dossier.state == DossierState.SUPPLEMENT_REQUESTED:
        components = services.requested_components(dossier)
        context["supplement_form"] = SupplementForm(dossier=dossier, components=components)
    return render(request, "dossiers/applicant_detail.html", context)


@login_required
@require_POST
def resubmit(request, pk):
    dossier = _my_dossier(request, pk, state=DossierState.SUPPLEMENT_REQUESTED)
    components = services.requested_components(dossier)
    form = SupplementForm(request.POST, request.FILES, dossier=dossier, components=components)
    if form.is_valid():
        try:
            services.dossier_resubmit(
                dossier=dossier,
                actor=request.user,
                uploads=form.uploads(),
                reused=form.reused(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_service_errors(error.message_dict)
        else:
            messages.success(
                request, _("Your documents were sent. The office will check them again.")
            )
            return redirect("dossiers:detail", pk=dossier.pk)
    return render(
        request,
        "dossiers/applicant_detail.html",
        {
            "dossier": dossier,
            "events": selectors.dossier_timeline(dossier),
            "supplement_form": form,
        },
        status=400,
    )


@login_required
@require_GET
def document_file(request, pk, document_pk):
    return document_response(_my_dossier(request, pk), document_pk)


@login_required
@require_GET
def receipt(request, pk):
    return receipt_response(_my_dossier(request, pk))


def _lookup_over_limit(request, code: str) -> bool:
    """Attempts per connection and per code, so neither codes nor PINs can be guessed."""
    by_address = over_limit(
        request,
        group="dossier-lookup-address",
        key=client_address(request) or "unknown",
        rate=settings.DOSSIER_LOOKUP_RATE_PER_ADDRESS,
    )
    by_code = over_limit(
        request,
        group="dossier-lookup-code",
        key=code.casefold(),
        rate=settings.DOSSIER_LOOKUP_RATE_PER_CODE,
    )
    return by_address or by_code


@require_GET
def lookup(request):
    """The public lookup: a dossier's state for whoever holds its code and PIN."""
    asked = bool(request.GET.get("code") or request.GET.get("pin"))
    form = LookupForm(request.GET if asked else None)
    context = {"form": form, "result": None, "searched": False}
    if not form.is_valid():
        return render(request, "dossiers/lookup.html", context, status=400 if asked else 200)
    code, pin = form.cleaned_data["code"], form.cleaned_data["pin"]
    if _lookup_over_limit(request, code):
        context["limited"] = True
        return render(request, "dossiers/lookup.html", context, status=429)
    context["searched"] = True
    context["result"] = selectors.public_lookup(code, pin)
    return render(request, "dossiers/lookup.html", context)


@login_required
@require_POST
def rate(request, pk):
    """The applicant rates a completed dossier, once; anyone else's dossier is a 404."""
    dossier = _my_dossier(request, pk, state=DossierState.COMPLETED)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.dossier_rate(
                dossier=dossier,
                actor=request.user,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you for your rating. It helps the office improve."))
        return redirect(reverse("dossiers:detail", args=[dossier.pk]) + "#rating")
    return render(
        request,
        "dossiers/applicant_detail.html",
        {"dossier": dossier, "events": selectors.dossier_timeline(dossier), "rating_form": form},
        status=400,
    )


@login_required
@require_GET
def apology(request, pk):
    """The apology with the new appointment, for the applicant to keep."""
    return file_response(_my_dossier(request, pk).apology_pdf, "pdf")
