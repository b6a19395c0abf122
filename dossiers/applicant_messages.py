"""What applicants are told when their dossier changes.

`dossiers.services._apply` calls `notify_dossier_event` inside the transaction
of every transition, so the outbox rows commit or roll back with the change
itself (see notifications.services). One event gives at most one message per
channel: its id is the dedupe key.
"""

from django.urls import reverse

from dossiers.constants import DossierAction
from dossiers.models import DossierEvent
from notifications.constants import MessageKind
from notifications.services import notify

# The applicant hears of every decision on their dossier; their own actions
# other than filing (drafting, resubmitting) need no message.
APPLICANT_MESSAGES = {
    DossierAction.SUBMIT: MessageKind.DOSSIER_SUBMITTED,
    DossierAction.RECEIVE: MessageKind.DOSSIER_RECEIVED,
    DossierAction.REJECT: MessageKind.DOSSIER_REJECTED,
    DossierAction.REQUEST_SUPPLEMENT: MessageKind.DOSSIER_SUPPLEMENT_REQUESTED,
    DossierAction.COMPLETE: MessageKind.DOSSIER_COMPLETED,
}


def _context(event: DossierEvent) -> dict:
    dossier = event.dossier
    context = {"dossier": dossier}
    if event.action == DossierAction.REJECT:
        context["reason"] = event.reason
    elif event.action == DossierAction.REQUEST_SUPPLEMENT:
        ids = (event.data or {}).get("components", [])
        context["reason"] = event.reason
        context["components"] = list(
            dossier.procedure.components.filter(pk__in=ids).order_by("position", "id")
        )
        context["supplement_due_at"] = dossier.supplement_due_at
    elif event.action == DossierAction.COMPLETE:
        context["outcome"] = dossier.outcome or event.reason
        # A procedure with result types issues a signed result into the wallet.
        context["digital_result"] = dossier.procedure.result_types.exists()
    return context


def notify_dossier_event(event: DossierEvent) -> None:
    """Write the notifications of a dossier event into the outbox, in the caller's transaction."""
    kind = APPLICANT_MESSAGES.get(event.action)
    if kind is None:
        return
    dossier = event.dossier
    notify(
        users=[dossier.applicant],
        kind=kind,
        context=_context(event),
        link=reverse("dossiers:detail", args=[dossier.pk]),
        dedupe_key=f"dossier-event:{event.pk}",
    )
