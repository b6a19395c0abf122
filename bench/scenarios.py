"""The load scenarios: which page, as whom, with how many connections.

Each scenario is one URL hammered by wrk for a fixed time, except the intake,
which is a two-step state machine in Lua (bench/wrk/intake.lua). `target`
turns the state prepared by bench/state.py into the request, or into the
reason the scenario cannot run at this size. The reference page is measured
in short bursts before the first scenario and after each one; a scenario's
figure is reported as a ratio to the bursts around it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from bench.state import SEARCH_QUERY

# Connections of the GET scenarios: twice the requests gunicorn serves at once
# (2 workers x 2 threads), so a request is always waiting when one finishes.
CONNECTIONS = 8
# The intake writes a dossier, its documents and its audit rows per pair of
# requests; a few connections, one citizen each, are a realistic peak.
INTAKE_CONNECTIONS = 2


@dataclass(frozen=True)
class Target:
    """What the load tool sends, or why this scenario does not run."""

    path: str = ""
    cookies: dict[str, str] = field(default_factory=dict)
    skip: str = ""
    # Shown in the report instead of the path (tokens and cursors are long).
    display: str = ""


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    description: str
    target: Callable[[dict], Target]
    kind: str = "get"  # "get", "reference" or "intake"
    connections: int = CONNECTIONS
    # A URL that may not exist yet in this version of the portal: a 404 skips
    # the scenario with the reason instead of failing it.
    optional: bool = False


def _citizen(state: dict, path: str, display: str = "") -> Target:
    if "reason" in state["citizen"]:
        return Target(skip=state["citizen"]["reason"])
    return Target(path, {"sessionid": state["citizen"]["session"]}, display=display or path)


def _queue(number: int) -> Callable[[dict], Target]:
    def target(state: dict) -> Target:
        officer = state["officer"]
        if "reason" in officer:
            return Target(skip=officer["reason"])
        key = str(number)
        if key not in officer["cursors"]:
            return Target(skip=officer["missing_pages"][key])
        query = {"agency": officer["agency_id"], "state": officer["state"]}
        if officer["cursors"][key]:
            query["cursor"] = officer["cursors"][key]
        display = f"/officer/queue/?state={officer['state']}" + (
            f"&cursor=<page {number}>" if number > 1 else ""
        )
        return Target(
            "/officer/queue/?" + urlencode(query),
            {"sessionid": officer["session"]},
            display=display,
        )

    return target


def _verify(state: dict) -> Target:
    verification = state["verification"]
    if "reason" in verification:
        return Target(skip=verification["reason"])
    return Target(
        "/verify/?" + urlencode({"t": verification["token"]}), display="/verify/?t=<token>"
    )


def _procedure(state: dict) -> Target:
    catalog = state["catalog"]
    if not catalog.get("procedure_code"):
        return Target(skip="no active procedure in the bench database")
    return Target(f"/procedures/{catalog['procedure_code']}/", display="/procedures/<code>/")


def _intake(state: dict) -> Target:
    intake = state["intake"]
    if "reason" in intake:
        return Target(skip=intake["reason"])
    path = f"/dossiers/start/{intake['procedure_code']}/"
    return Target(path, display=f"POST {path} + POST /dossiers/<pk>/edit/")


REFERENCE = Scenario(
    name="reference",
    title="Reference (constant page)",
    description=(
        "`portal/bench_views.py`: a short constant page through the whole middleware "
        "stack, no template, session or query, measured in bursts between the scenarios."
    ),
    target=lambda state: Target("/bench/reference"),
    kind="reference",
)

SCENARIOS: list[Scenario] = [
    Scenario(
        name="catalog",
        title="Catalog, first page",
        description="Anonymous: `/procedures/`, the first 20 active procedures with filters.",
        target=lambda state: Target("/procedures/"),
    ),
    Scenario(
        name="catalog_search",
        title="Catalog search, no diacritics",
        description=(
            f"Anonymous: `/procedures/?q={SEARCH_QUERY.replace(' ', '+')}`, the accent-"
            "insensitive search typed without diacritics (trigram index on folded text)."
        ),
        target=lambda state: Target("/procedures/?" + urlencode({"q": SEARCH_QUERY})),
    ),
    Scenario(
        name="procedure_detail",
        title="Procedure detail",
        description=(
            "Anonymous: `/procedures/<code>/` of the procedure filed most often, with its "
            "documents, legal bases and agencies."
        ),
        target=_procedure,
    ),
    Scenario(
        name="citizen_dashboard",
        title="Citizen dashboard",
        description="A logged-in citizen's `/me/`: wallet summary and recent accesses.",
        target=lambda state: _citizen(state, "/me/"),
    ),
    Scenario(
        name="citizen_dossiers",
        title="Citizen: my dossiers",
        description=(
            "`/dossiers/` of a citizen with many dossiers (the most among those with at most "
            "12 filed)."
        ),
        target=lambda state: _citizen(state, "/dossiers/"),
    ),
    Scenario(
        name="citizen_dossier_detail",
        title="Citizen: dossier detail",
        description="`/dossiers/<pk>/`: that citizen's dossier with the longest history.",
        target=lambda state: _citizen(
            state, f"/dossiers/{state['citizen'].get('dossier_id')}/", "/dossiers/<pk>/"
        ),
    ),
    Scenario(
        name="queue_page_1",
        title="Officer queue, page 1",
        description=(
            "An officer of the agency with the most dossiers, on its *received* tab: "
            "`/officer/queue/?agency=<pk>&state=received`."
        ),
        target=_queue(1),
    ),
    Scenario(
        name="queue_page_100",
        title="Officer queue, page 100",
        description=(
            "The same tab at keyset page 100 (`&cursor=` found by walking "
            "`dossiers.selectors.queue_page`, 25 rows a page)."
        ),
        target=_queue(100),
    ),
    Scenario(
        name="queue_page_1000",
        title="Officer queue, page 1000",
        description="The same tab at keyset page 1000 (needs 25,000 received dossiers).",
        target=_queue(1000),
    ),
    Scenario(
        name="intake_submit",
        title="Intake: submit with an upload",
        description=(
            "A citizen per connection (2 connections): `POST /dossiers/start/<code>/`, then "
            "`POST /dossiers/<pk>/edit/` with the declaration, a small PDF for each document "
            "and `action=submit`. Every pair files a real dossier; the count in the database "
            "is checked afterwards."
        ),
        target=_intake,
        kind="intake",
        connections=INTAKE_CONNECTIONS,
    ),
    Scenario(
        name="verify",
        title="Verify a QR token",
        description=(
            "Anonymous: `/verify/?t=<token>`, a signed token of a valid result: signature, "
            "key and result status checked per request."
        ),
        target=_verify,
    ),
    Scenario(
        name="statistics",
        title="Public statistics",
        description="Anonymous: `/statistics/`, the city's Decision 766 indicators.",
        target=lambda state: Target("/statistics/"),
        optional=True,
    ),
    Scenario(
        name="open_data",
        title="Open data API",
        description="Anonymous: `/api/open-data/procedures.json?page=2`.",
        target=lambda state: Target("/api/open-data/procedures.json?page=2"),
        optional=True,
    ),
]
