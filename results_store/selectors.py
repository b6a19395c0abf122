"""Reads of the results store, each scoped to the person who asks.

Officers and supervisors see the results issued by their agencies (supervisors
also those of the agencies below the ones they supervise, as in the dossier
queue); only officers of the issuing agency act on them (services). A holder
sees only the results issued to their account.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from citizens.constants import MembershipRole
from citizens.models import User
from citizens.selectors import agencies_of
from procedures.models import Agency, ResultType
from procedures.selectors import agency_subtree_ids
from results_store.constants import ResultStatus
from results_store.models import Result, ResultEvent


def result_types_issued_by(agencies) -> QuerySet[ResultType]:
    """The result types of the procedures these agencies handle: all they may issue or digitize."""
    return (
        ResultType.objects.filter(procedures__agencies__in=agencies)
        .distinct()
        .order_by("name", "id")
    )


def agency_issues(agency: Agency, result_type: ResultType) -> bool:
    return result_types_issued_by([agency]).filter(pk=result_type.pk).exists()


def agencies_for_results(user: User) -> QuerySet[Agency]:
    """Agencies whose results the user may see: theirs, and those below the ones they supervise."""
    ids = set(agencies_of(user).values_list("pk", flat=True))
    supervised = list(
        agencies_of(user, roles=[MembershipRole.SUPERVISOR]).values_list("pk", flat=True)
    )
    if supervised:
        ids.update(agency_subtree_ids(supervised))
    return Agency.objects.filter(pk__in=ids).order_by("name", "id")


def issuing_agencies(user: User) -> QuerySet[Agency]:
    """Agencies for which the user may issue, digitize, revoke and supersede: officer only."""
    return agencies_of(user, roles=[MembershipRole.OFFICER]).order_by("name", "id")


def results_for_officer(user: User) -> QuerySet[Result]:
    """Results of the user's agencies, newest first; every officer page starts here."""
    agency_ids = list(agencies_for_results(user).values_list("pk", flat=True))
    return (
        Result.objects.filter(agency__in=agency_ids)
        .select_related("result_type", "agency", "holder", "superseded_by")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class ResultFilters:
    query: str = ""
    status: str = ""


def result_search(user: User, filters: ResultFilters) -> QuerySet[Result]:
    """The officer's list: by number, holder's name or citizen ID, and by status."""
    qs = results_for_officer(user)
    if filters.status in ResultStatus.values:
        qs = qs.filter(status=filters.status)
    query = " ".join(filters.query.split())
    if query:
        qs = qs.filter(
            Q(number__icontains=query)
            | Q(holder_name__icontains=query)
            | Q(holder_national_id=query)
        )
    return qs


def result_events(result: Result) -> QuerySet[ResultEvent]:
    return result.events.select_related("actor").order_by("created_at", "id")


def replacement_for(result: Result, number: str) -> Result | None:
    """Another result of the same agency and type, by its number, that could replace it."""
    return (
        Result.objects.filter(
            agency_id=result.agency_id, result_type_id=result.result_type_id, number=number.strip()
        )
        .exclude(pk=result.pk)
        .first()
    )


@dataclass(frozen=True)
class DossierResult:
    """A result on its dossier's page; `downloadable`: the viewer holds it and it is signed."""

    result: Result
    downloadable: bool


def results_of_dossier(dossier_code: str, *, viewer: User, as_officer: bool) -> list[DossierResult]:
    """The results a dossier issued, for its page.

    The applicant's page is already scoped to the applicant's own dossier; an
    officer sees them only through the results of their agencies. Only the
    holder may download the PDF, as `results_for_holder` decides for the download.
    """
    results = (
        results_for_officer(viewer)
        if as_officer
        else Result.objects.select_related("result_type", "agency")
    )
    return [
        DossierResult(result=result, downloadable=result.holder_id == viewer.pk and result.is_ready)
        for result in results.filter(source_reference=f"dossier:{dossier_code}").order_by("id")
    ]


def results_for_holder(user: User) -> QuerySet[Result]:
    """The results issued to the user's account."""
    if not user.is_authenticated:
        return Result.objects.none()
    return Result.objects.filter(holder=user).select_related("result_type", "agency")


def unsigned_results_count() -> int:
    """Results still being prepared (not signed yet), for /metrics (a partial index)."""
    return Result.objects.filter(status=ResultStatus.PREPARING).count()
