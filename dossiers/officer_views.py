"""The officer's pages: an agency's queue, a dossier with its documents, and the actions.

Every dossier comes from `selectors.dossiers_for_officer`, so another agency's
dossier is a 404. Supervisors see the same pages; only officers of the agency
get the action forms, and the services refuse anyone else. Opening one of
the dossier's files is recorded on its timeline (dossiers/downloads.py).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dossiers import constants, selectors, services
from dossiers.constants import WORKFLOW_STATES, DossierState
from dossiers.downloads import apology_response, document_response, receipt_response
from dossiers.officer_forms import ACTION_FORMS, ApologyForm, QueueFilterForm


def _chosen_agency(request, agencies):
    """The agency asked for, which must be one of the user's; the first by default."""
    raw = request.GET.get("agency")
    if not raw:
        return agencies[0]
    for agency in agencies:
        if str(agency.pk) == raw:
            return agency
    raise Http404


@login_required
@require_GET
def queue(request):
    agencies = list(selectors.officer_agencies(request.user))
    if not agencies:
        raise Http404
    agency = _chosen_agency(request, agencies)
    state = request.GET.get("state")
    if state not in WORKFLOW_STATES:
        state = DossierState.SUBMITTED
    form = QueueFilterForm(request.GET, agency=agency)
    page = selectors.queue_page(
        agency=agency,
        state=state,
        filters=form.filters(),
        cursor=request.GET.get("cursor"),
        page_size=constants.QUEUE_PAGE_SIZE,
    )
    counts = selectors.queue_counts(agency)
    tabs = [
        {"state": value, "label": DossierState(value).label, "count": counts[value]}
        for value in WORKFLOW_STATES
    ]
    return render(
        request,
        "dossiers/queue.html",
        {
            "agencies": agencies,
            "agency": agency,
            "state": state,
            "state_label": DossierState(state).label,
            "tabs": tabs,
            "form": form,
            "page": page,
            "can_act": services.is_officer_of(request.user, agency),
        },
    )


def _officer_dossier(request, pk):
    return get_object_or_404(selectors.dossiers_for_officer(request.user), pk=pk)


def _detail_context(request, dossier, bound_form=None) -> dict:
    actions = selectors.available_actions(dossier, request.user)
    action_forms = [
        bound_form
        if bound_form is not None and bound_form.action == action
        else ACTION_FORMS[action](dossier=dossier)
        for action in actions
    ]
    selectors.mark_deadlines([dossier])
    can_act = services.is_officer_of(request.user, dossier.agency)
    apology_form = None
    if can_act and dossier.state == DossierState.RECEIVED:
        if isinstance(bound_form, ApologyForm):
            apology_form = bound_form
        elif _apology_due(dossier):
            apology_form = ApologyForm(dossier=dossier)
    return {
        "dossier": dossier,
        "applicant": dossier.applicant,
        "declaration": selectors.dossier_declaration(dossier),
        "components": selectors.dossier_documents_for_officer(dossier, request.user),
        "events": selectors.dossier_timeline(dossier),
        "results": selectors.dossier_results(dossier, request.user, as_officer=True),
        "action_forms": action_forms,
        "apology_form": apology_form,
        # The form that was sent and refused, for the error summary.
        "bound_form": bound_form,
        "can_act": can_act,
    }


def _apology_due(dossier) -> bool:
    """The apology is offered once the due date is missed or near (one working day)."""
    return dossier.deadline_status in ("late", "due_soon")


@login_required
@require_GET
def detail(request, pk):
    dossier = _officer_dossier(request, pk)
    return render(request, "dossiers/officer_detail.html", _detail_context(request, dossier))


@login_required
@require_POST
def result_preview(request, pk):
    """The result the complete form would issue, as a PDF marked as a preview and never signed."""
    dossier = _officer_dossier(request, pk)
    if not services.is_officer_of(request.user, dossier.agency):
        raise PermissionDenied
    form = ACTION_FORMS["complete"](request.POST, dossier=dossier)
    pdf = form.preview()
    if pdf is None:
        messages.error(
            request, _("Choose the result to issue and enter its content to preview it.")
        )
        return redirect("dossiers:officer_detail", pk=dossier.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.code}-xem-truoc.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def act(request, pk, action):
    dossier = _officer_dossier(request, pk)
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    if not services.is_officer_of(request.user, dossier.agency):
        raise PermissionDenied
    return _perform(request, dossier, form_class(request.POST, dossier=dossier))


def _perform(request, dossier, form):
    """Run a bound action form's service; on success go back to the dossier, else show why."""
    if form.is_valid():
        try:
            form.perform(actor=request.user)
        except services.WorkflowError as error:
            # The dossier was reloaded: the page shows its current state and actions.
            messages.error(request, " ".join(error.messages))
            return render(
                request,
                "dossiers/officer_detail.html",
                _detail_context(request, dossier, form),
                status=409,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, form.success_message % {"code": dossier.code})
            return redirect("dossiers:officer_detail", pk=dossier.pk)
    messages.error(request, _("Nothing was changed. Correct what is marked below."))
    return render(
        request,
        "dossiers/officer_detail.html",
        _detail_context(request, dossier, form),
        status=400,
    )


@login_required
@require_GET
def document_file(request, pk, document_pk):
    return document_response(_officer_dossier(request, pk), document_pk, reader=request.user)


@login_required
@require_GET
def receipt(request, pk):
    return receipt_response(_officer_dossier(request, pk), reader=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def apology(request, pk):
    """The dossier's apology: GET opens the letter (PDF), POST issues a new one.

    Issuing it is not a workflow transition (the dossier stays received), so it
    has its own form and view rather than an entry in ACTION_FORMS.
    """
    dossier = _officer_dossier(request, pk)
    if request.method == "GET":
        return apology_response(dossier, reader=request.user)
    if not services.is_officer_of(request.user, dossier.agency):
        raise PermissionDenied
    return _perform(request, dossier, ApologyForm(request.POST, dossier=dossier))
