"""The busy reads of dossiers use the indexes made for them, never a scan of the table.

Each query is run as the portal runs it (its SQL captured from the selector),
under EXPLAIN (ANALYZE, FORMAT JSON) on the small generated city; the plan
tree must hold no sequential scan of dossiers_dossier, and must read the
intended index with an index condition (a full index walk standing in for a
table scan does not count). Nothing is timed.

A table of a few thousand rows fits in a handful of pages, where the planner
rightly prefers reading it whole; at a million dossiers it picks the same
indexes unprompted (bench/README.md shows the plans). So plans are taken with
`enable_seqscan = off`: what is checked is that an index matching the query's
shape exists and that the query, as written, can use it. Where a small table
makes another index the cheaper one, that index is dropped inside the test's
savepoint (DDL is transactional), so the question stays the same.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.generator import BIG_WARD_CODE
from dossiers import deadlines, selectors
from dossiers.constants import DossierState
from dossiers.models import Dossier
from procedures.models import Agency, Procedure
from tests.bench.conftest import NOW, SIZES

pytestmark = pytest.mark.usefixtures("city", "db")

TABLE = Dossier._meta.db_table


def _walk(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _walk(child)


def _plan(sql: str, *, bitmap_only: bool = False) -> list[dict]:
    with connection.cursor() as cursor:
        # Undone with the test's savepoint.
        cursor.execute("SET LOCAL enable_seqscan = off")
        if bitmap_only:
            # No walking a whole index in its order instead of the table:
            # a bitmap scan needs a condition the index answers.
            cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        (explained,) = cursor.fetchone()
    return list(_walk(explained[0]["Plan"]))


def _queries(read) -> list[str]:
    """The SQL of the dossier queries that `read()` runs, as sent to the database."""
    with CaptureQueriesContext(connection) as captured:
        read()
    return [q["sql"] for q in captured.captured_queries if f'FROM "{TABLE}"' in q["sql"]]


def _drop_indexes(*names: str) -> None:
    """Drop indexes until the test's savepoint is rolled back."""
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")


def _indexes_on(column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [TABLE, f"%({column}%"],
        )
        return [name for (name,) in cursor.fetchall()]


def assert_reads_index(sql: str, *indexes: str, bitmap_only: bool = False) -> dict:
    """The plan reads one of `indexes` with a condition and never scans the table."""
    nodes = _plan(sql, bitmap_only=bitmap_only)
    sequential = [n for n in nodes if n["Node Type"] == "Seq Scan" and n["Relation Name"] == TABLE]
    assert not sequential, f"sequential scan of {TABLE}"
    used = [n for n in nodes if n.get("Index Name") in indexes]
    read = sorted({n["Index Name"] for n in nodes if "Index Name" in n})
    assert used, f"expected one of {indexes}, the plan reads {read}"
    assert all("Index Cond" in n for n in used), f"{indexes} walked without a condition"
    return used[0]


@pytest.fixture
def big_ward():
    return Agency.objects.get(code=BIG_WARD_CODE)


@pytest.mark.parametrize("state", [DossierState.RECEIVED, DossierState.COMPLETED])
def test_a_queue_tab_reads_the_queue_index(big_ward, state):
    (sql,) = _queries(lambda: selectors.queue_page(agency=big_ward, state=state))
    assert_reads_index(sql, "dossier_queue")


def test_a_later_queue_page_starts_reading_the_index_at_its_cursor(big_ward):
    first = selectors.queue_page(agency=big_ward, state=DossierState.RECEIVED, page_size=5)
    assert first.has_next
    (sql,) = _queries(
        lambda: selectors.queue_page(
            agency=big_ward, state=DossierState.RECEIVED, cursor=first.next_cursor, page_size=5
        )
    )
    scan = assert_reads_index(sql, "dossier_queue")
    assert "sort_at" in scan["Index Cond"]


def test_the_queue_search_reads_the_trigram_index(big_ward):
    # A tab of this small city is a few dozen rows, read faster along the
    # (agency, state) indexes than by looking words up; at 1M, a searched
    # code is looked up in the trigram index. Without the range indexes, and
    # with bitmap scans only, the question is whether that index answers the
    # search as it is written (folded words, LIKE '%word%').
    _drop_indexes(*{"dossier_queue", "dossier_state_due", *_indexes_on("agency_id")})
    code = (
        Dossier.objects.filter(agency=big_ward, state=DossierState.RECEIVED)
        .values_list("code", flat=True)
        .first()
    )
    filters = selectors.QueueFilters(query=code)  # what an officer pastes: a code
    (sql,) = _queries(
        lambda: selectors.queue_page(agency=big_ward, state=DossierState.RECEIVED, filters=filters)
    )
    assert_reads_index(sql, "dossier_search_trgm", bitmap_only=True)


def test_the_catalog_search_reads_the_trigram_index():
    with CaptureQueriesContext(connection) as captured:
        assert list(Procedure.objects.search("dang ky khai sinh"))
    (sql,) = [q["sql"] for q in captured.captured_queries]
    nodes = _plan(sql)
    assert not [n for n in nodes if n["Node Type"] == "Seq Scan"]
    assert "procedure_search_trgm" in {n.get("Index Name") for n in nodes}


def test_the_public_lookup_reads_an_index_on_the_code():
    code = Dossier.objects.exclude(code=None).values_list("code", flat=True).last()
    (sql,) = _queries(lambda: selectors.public_lookup(code, "12345678"))
    # The unique index, or the pattern-ops twin Django adds to a CharField's.
    assert_reads_index(sql, *_indexes_on("code"))


# A batch that is the same share of this table as the real 1,000 are of a
# million dossiers, so that the planner weighs "read in id order and stop
# after a batch" as it does at full size.
BATCH = max(1, deadlines.BATCH_SIZE * SIZES["dossiers"] // 1_000_000)


@pytest.mark.parametrize(
    ("collect", "index"),
    [
        (deadlines.due_soon_ids, "dossier_state_due"),
        (deadlines.overdue_ids, "dossier_state_due"),
        # Keyed on id it walked the primary key (~950,000 rows per batch at 1M,
        # bench/README.md); keyed on when reception started it reads this one.
        (deadlines.not_received_ids, "dossier_waiting_reception"),
        (deadlines.supplement_reminder_ids, "dossier_state_due"),
    ],
)
def test_a_deadline_alert_collect_query_reads_its_index(collect, index):
    sql = _queries(lambda: next(collect(NOW, batch_size=BATCH), None))[0]
    assert_reads_index(sql, index)


def test_my_dossiers_reads_the_applicant_index():
    # Django's index on the foreign key repeats the first column of
    # dossier_applicant_recent; a small table makes it the cheaper one, a
    # million rows the composite one, which also gives the order.
    _drop_indexes(*(i for i in _indexes_on("applicant_id") if i != "dossier_applicant_recent"))
    user = Dossier.objects.select_related("applicant").first().applicant
    (sql,) = _queries(lambda: list(selectors.dossiers_for_applicant(user)))
    assert_reads_index(sql, "dossier_applicant_recent")
