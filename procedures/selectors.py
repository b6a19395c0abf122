"""Reads of the catalog, with the joins each page needs built in."""

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import get_language

from procedures.constants import ServiceLevel
from procedures.models import Agency, DocumentComponent, Field, Procedure


def procedure_list(
    *,
    query: str = "",
    level: str = "",
    agency_code: str = "",
    field_code: str = "",
    service_level: str = "",
) -> QuerySet[Procedure]:
    qs = Procedure.objects.active().select_related("field")
    if query:
        qs = qs.search(query)
    if level:
        qs = qs.filter(level=level)
    if agency_code:
        qs = qs.filter(agencies__code=agency_code)
    if field_code:
        qs = qs.filter(field__code=field_code)
    if service_level:
        qs = qs.filter(service_level=service_level)
    return qs.order_by("name", "id")


def procedure_detail(code: str) -> QuerySet[Procedure]:
    """The active procedure with everything its public page shows."""
    return (
        Procedure.objects.active()
        .filter(code=code)
        .select_related("field")
        .prefetch_related(
            Prefetch(
                "components",
                queryset=DocumentComponent.objects.prefetch_related("satisfied_by"),
            ),
            "legal_bases",
            "result_types",
            Prefetch("agencies", queryset=Agency.objects.filter(is_active=True)),
        )
    )


def agencies_handling_procedures() -> QuerySet[Agency]:
    # EXISTS per agency, not JOIN + DISTINCT: at city size the join spans
    # every procedure-agency link (146,881 with 2,000 procedures and 94 wards
    # and communes) only to be folded back into 194 agencies (bench/README.md).
    handles_one = Procedure.agencies.through.objects.filter(
        agency_id=OuterRef("pk"), procedure__is_active=True
    )
    return Agency.objects.filter(Exists(handles_one), is_active=True).order_by("level", "name")


CATALOG_CHOICES_SECONDS = 300


def _catalog_choices_key(language: str) -> str:
    return f"procedures:catalog-filter-choices:{language}"


def catalog_filter_choices() -> dict[str, list[tuple[str, str]]]:
    """(code, name) of the agencies and fields the catalog filter offers, in the
    active language, cached: every visitor's catalog page shows ~200 of them,
    and they change only when an administrator edits the catalog."""
    key = _catalog_choices_key(get_language() or settings.LANGUAGE_CODE)
    choices = cache.get(key)
    if choices is None:
        choices = {
            "agencies": [(a.code, a.display_name) for a in agencies_handling_procedures()],
            "fields": [(f.code, f.display_name) for f in Field.objects.order_by("name")],
        }
        cache.set(key, choices, CATALOG_CHOICES_SECONDS)
    return choices


def catalog_filter_choices_forget() -> None:
    cache.delete_many([_catalog_choices_key(code) for code, _name in settings.LANGUAGES])


def fields_with_counts() -> QuerySet[Field]:
    return (
        Field.objects.annotate(
            procedure_count=Count("procedures", filter=Q(procedures__is_active=True))
        )
        .filter(procedure_count__gt=0)
        .order_by("name")
    )


def catalog_figures() -> dict:
    counts = Procedure.objects.active().aggregate(
        total=Count("id"),
        full_online=Count("id", filter=Q(service_level=ServiceLevel.FULL_ONLINE)),
        online=Count("id", filter=~Q(service_level=ServiceLevel.IN_PERSON)),
    )
    total = counts["total"] or 0
    counts["online_percent"] = round(100 * counts["online"] / total) if total else 0
    counts["agencies"] = Agency.objects.filter(is_active=True).count()
    return counts


def featured_procedures(limit: int = 6) -> QuerySet[Procedure]:
    """Fully online procedures first: they are what a visitor can finish from home."""
    return (
        Procedure.objects.active()
        .filter(service_level=ServiceLevel.FULL_ONLINE)
        .select_related("field")
        .order_by("code")[:limit]
    )
