"""How many dossiers each tab of an agency's queue holds, cached between changes.

Every queue page shows the five counts, and at city size they are a GROUP BY
over the agency's whole history (200,000 dossiers in the largest ward: 30 to
50 ms, the largest part of the page; bench/README.md). They change only when
a dossier of the agency changes state, so the services call `forget` on
commit and the counts are computed again on the next page.

The cached value is keyed by a per-agency generation token: a page that
computed counts while a transition committed stores them under the old
generation, which nobody reads any more, instead of overwriting the fresh
ones. A short lifetime bounds what a change made outside the services (the
admin, a data import) or a per-process cache in development can leave stale.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db.models import Count

from dossiers.constants import WORKFLOW_STATES
from dossiers.models import Dossier

LIFETIME_SECONDS = 60


def _generation_key(agency_id: int) -> str:
    return f"dossiers:queue-counts:generation:{agency_id}"


def _counts_key(agency_id: int, generation: str) -> str:
    return f"dossiers:queue-counts:{agency_id}:{generation}"


def compute(agency_id: int) -> dict[str, int]:
    """Dossiers per workflow state of one agency, in one GROUP BY."""
    counts = dict.fromkeys(WORKFLOW_STATES, 0)
    rows = (
        Dossier.objects.filter(agency_id=agency_id, state__in=WORKFLOW_STATES)
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts.update(dict(rows))
    return counts


def get(agency_id: int) -> dict[str, int]:
    generation = cache.get(_generation_key(agency_id))
    if generation is None:
        generation = uuid.uuid4().hex
        # add, not set: two first pages at once agree on one generation.
        if not cache.add(_generation_key(agency_id), generation, LIFETIME_SECONDS):
            generation = cache.get(_generation_key(agency_id)) or generation
    key = _counts_key(agency_id, generation)
    counts = cache.get(key)
    if counts is None:
        counts = compute(agency_id)
        cache.set(key, counts, LIFETIME_SECONDS)
    return counts


def forget(agency_id: int) -> None:
    """The agency's counts changed: the next page computes them again."""
    cache.delete(_generation_key(agency_id))
