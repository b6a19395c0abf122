"""Reads of the catalog, with the joins each page needs built in."""

from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Concat, Length, StrIndex, Substr
from django.utils.translation import get_language

from procedures.constants import ServiceLevel
from procedures.models import Agency, DocumentComponent, Field, Procedure
from procedures.search import fold, query_phrases

# Agency trees are shallow (city, departments and wards, their units); the
# bound only stops a parent loop entered by mistake from spinning forever.
MAX_AGENCY_DEPTH = 10


def agency_children() -> dict[int | None, list[int]]:
    """Every agency's children by id (None: the roots), in one query."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Agency.objects.order_by("pk").values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    return children


def agency_subtree_ids(
    root_ids: Iterable[int], children: Mapping[int | None, Iterable[int]] | None = None
) -> list[int]:
    """The agencies given and every agency below them, each once: the roots, then level by level.

    The one walk of the agency tree: what an officer or a supervisor may see
    (dossiers, results) and what the figures add up both start here. Pass
    `children` (agency_children, or a tree already loaded) to walk it again
    without a query.
    """
    if children is None:
        children = agency_children()
    ids = list(dict.fromkeys(root_ids))
    seen = set(ids)
    frontier = ids
    for _level in range(MAX_AGENCY_DEPTH):
        frontier = [child for pk in frontier for child in children.get(pk, ()) if child not in seen]
        if not frontier:
            break
        seen.update(frontier)
        ids.extend(frontier)
    return ids


def procedure_list(
    *,
    query: str = "",
    level: str = "",
    agency_code: str = "",
    field_code: str = "",
    service_level: str = "",
) -> QuerySet[Procedure]:
    qs = Procedure.objects.active().select_related("field")
    phrases = query_phrases(query)
    if phrases:
        qs = qs.search(phrases[-1])
    if level:
        qs = qs.filter(level=level)
    if agency_code:
        qs = qs.filter(agencies__code=agency_code)
    if field_code:
        qs = qs.filter(field__code=field_code)
    if service_level:
        qs = qs.filter(service_level=service_level)
    if phrases:
        return _ranked(qs, query, phrases)
    return qs.order_by("name", "id")


# Exact names are looked for among this many of the shortest names that start
# with the query: a name equal to the query is the shortest of them.
_EXACT_NAME_CANDIDATES = 20


def _ranked(qs: QuerySet[Procedure], query: str, phrases: list[str]) -> QuerySet[Procedure]:
    """Matches in the order a person looking for one procedure expects.

    First the procedure whose code is the query, or whose name is the query
    (accents, case and a leading "thủ tục" aside); then names that start with
    the query; then every other match, by name. Someone typing "đăng ký khai
    sinh" wants "Đăng ký khai sinh" before the procedures that merely mention
    it ("Liên thông các thủ tục ... đăng ký khai sinh ...").
    """
    # search_text is "<code> <name> <English name>", folded (Procedure.save),
    # and national codes hold no space: the name starts after the first one.
    qs = qs.alias(
        folded_from_name=Substr(
            Concat(F("search_text"), Value(" ")),
            StrIndex(F("search_text"), Value(" ")) + 1,
        )
    )
    starts_with_query = Q()
    for phrase in phrases:
        starts_with_query |= Q(folded_from_name__startswith=f"{phrase} ")
    candidates = (
        qs.filter(starts_with_query)
        .order_by(Length("name"), "id")
        .values_list("pk", "name")[:_EXACT_NAME_CANDIDATES]
    )
    exact_names = [pk for pk, name in candidates if fold(name) in phrases]
    rank = Case(
        When(Q(pk__in=exact_names) | Q(code__iexact=query.strip()), then=Value(0)),
        When(starts_with_query, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return qs.alias(search_rank=rank).order_by("search_rank", "name", "id")


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
