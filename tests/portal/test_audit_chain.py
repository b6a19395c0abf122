"""The tamper-evident audit trail (ADR 10): the seal chain, `verify_audit`, the
triggers, staff reads of a citizen's files, and wallet access ending with the dossier."""

import threading

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from citizens import selectors as citizen_selectors
from citizens import services as citizen_services
from citizens.constants import AccountAction, MembershipRole
from citizens.models import AccountEvent, Membership, WalletAccess, WalletItem
from dossiers.constants import DossierAction, DossierState
from dossiers.models import Dossier, DossierEvent
from portal import audit
from portal.models import AuditSeal, SealEvent
from results_store.constants import ResultAction
from tests.dossiers.builders import cast, dossier_in
from tests.factories import UserFactory
from tests.files import pdf_bytes, png_bytes
from tests.results_store.results_cast import issue as issue_result
from tests.results_store.results_cast import make_cast, mark_signed

pytestmark = pytest.mark.django_db

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only"
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def c():
    c = cast()
    # The reused identity card has a scan the officer may open.
    c.id_card.file.save("cccd.png", ContentFile(png_bytes()), save=False)
    c.id_card.file_kind = "png"
    c.id_card.save()
    return c


def verify(*args) -> tuple[int, str]:
    """Run `verify_audit`; its exit status and what it printed."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, err.getvalue()
    return 0, out.getvalue()


def raw(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def without_triggers(table):
    """What a database superuser can do: switch the append-only trigger off (until rollback)."""
    # The test's transaction has foreign keys still to check; ALTER TABLE waits for none.
    raw("SET CONSTRAINTS ALL IMMEDIATE")
    raw(f"ALTER TABLE {table} DISABLE TRIGGER portal_audit_append_only")


def seal_of(row) -> AuditSeal:
    return AuditSeal.objects.get(
        source=row._meta.label_lower, source_id=row.pk, event=SealEvent.INSERT
    )


def upload_of(dossier):
    return dossier.documents.exclude(file="").first()


def document_url(dossier):
    return reverse("dossiers:officer_document_file", args=[dossier.pk, upload_of(dossier).pk])


def officer_wallet_url(dossier, c):
    use = c.id_card.uses.get(reference=dossier.code)
    return reverse("citizens:officer_wallet_item_file", args=[use.pk])


# -- The chain ---------------------------------------------------------------


def test_a_workflow_run_seals_every_audit_row_in_one_unbroken_chain(client, c):
    dossier = dossier_in(DossierState.RECEIVED, c)
    citizen_services.account_event_record(user=c.applicant, action=AccountAction.LOCKED_OUT)
    client.force_login(c.officer)
    client.get(officer_wallet_url(dossier, c))
    client.get(document_url(dossier))

    sealed = {(s.source, s.source_id) for s in AuditSeal.objects.all()}
    rows = [
        *DossierEvent.objects.all(),
        *AccountEvent.objects.all(),
        *WalletAccess.objects.all(),
    ]
    assert {(r._meta.label_lower, r.pk) for r in rows} <= sealed
    assert list(AuditSeal.objects.values_list("seq", flat=True)) == list(range(1, len(sealed) + 1))
    status, output = verify()
    assert status == 0, output
    assert output.startswith("OK:") and "dossiers.dossierevent" in output


def test_verify_pages_through_the_chain_in_small_chunks(c):
    dossier_in(DossierState.COMPLETED, c)
    status, output = verify("--chunk-size", "2")
    assert status == 0, output


@needs_postgresql
def test_a_reason_rewritten_by_raw_sql_is_named_as_the_first_broken_row(c):
    dossier = dossier_in(DossierState.REJECTED, c)
    event = dossier.events.get(action=DossierAction.REJECT)
    without_triggers("dossiers_dossierevent")
    raw("UPDATE dossiers_dossierevent SET reason = %s WHERE id = %s", ["Đã xử lý", event.pk])

    status, output = verify()

    assert status == 1
    assert "row changed" in output
    assert f"table dossiers_dossierevent, id {event.pk}, seal {seal_of(event).seq}" in output


@needs_postgresql
def test_a_row_deleted_behind_the_purge_service_is_named_as_missing(c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    event = dossier.events.get(action=DossierAction.SUBMIT)
    seq = seal_of(event).seq
    raw("SELECT set_config('portal.audit_purge', 'on', true)")
    raw("DELETE FROM dossiers_dossierevent WHERE id = %s", [event.pk])

    status, output = verify()

    assert status == 1
    assert "row missing" in output and f"id {event.pk}, seal {seq}" in output


@needs_postgresql
def test_an_edited_seal_hash_breaks_the_link(c):
    dossier_in(DossierState.SUBMITTED, c)
    seal = AuditSeal.objects.order_by("seq")[1]
    without_triggers("portal_auditseal")
    raw("UPDATE portal_auditseal SET hash = %s WHERE seq = %s", ["f" * 64, seal.seq])

    status, output = verify()

    assert status == 1
    assert "link broken" in output and f"seal {seal.seq}" in output


@needs_postgresql
def test_a_deleted_seal_leaves_a_gap_that_is_named(c):
    dossier_in(DossierState.RECEIVED, c)
    without_triggers("portal_auditseal")
    raw("DELETE FROM portal_auditseal WHERE seq = 2")

    status, output = verify()

    assert status == 1
    assert "link broken" in output and "seal 2 is missing" in output


def test_a_forged_row_inserted_without_a_seal_is_named(c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    raw(
        "INSERT INTO dossiers_dossierevent"
        " (dossier_id, action, actor_id, from_state, to_state, reason, data, created_at)"
        " VALUES (%s, 'receive', %s, 'submitted', 'received', '', '{}', %s)",
        [dossier.pk, c.officer.pk, timezone.now()],
    )
    forged = DossierEvent.objects.order_by("-id").first()

    status, output = verify()

    assert status == 1
    assert f"unsealed row (table dossiers_dossierevent, id {forged.pk})" in output


@needs_postgresql
def test_a_consistently_rewritten_chain_is_caught_by_an_earlier_head(c):
    dossier = dossier_in(DossierState.REJECTED, c)
    _status, output = verify()
    head = output.rsplit("Head ", 1)[1].strip()
    # The last row changed, and its seal recomputed to match: the chain alone holds.
    event = dossier.events.order_by("-id").first()
    without_triggers("dossiers_dossierevent")
    without_triggers("portal_auditseal")
    raw("UPDATE dossiers_dossierevent SET reason = 'Khác' WHERE id = %s", [event.pk])
    seal = seal_of(event)
    values = audit.stored_values(DossierEvent, event.pk, using="default")
    seal.row_digest = audit.row_digest(values, audit.AUDITED["dossiers.dossierevent"][-1])
    seal.hash = audit.seal_hash(seal)
    AuditSeal.objects.filter(seq=seal.seq).update(row_digest=seal.row_digest, hash=seal.hash)
    assert verify()[0] == 0

    status, output = verify("--anchor", head)

    assert status == 1 and "recorded earlier" in output


@needs_postgresql
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE dossiers_dossierevent SET reason = 'x'",
        "DELETE FROM dossiers_dossierevent",
        "UPDATE citizens_walletaccess SET reference = 'x'",
        "UPDATE citizens_accountevent SET detail = '{}'",
        "DELETE FROM results_store_resultevent",
        "UPDATE portal_auditseal SET note = 'x'",
        "DELETE FROM portal_auditseal",
    ],
)
def test_the_database_refuses_to_change_or_delete_audit_rows(client, c, sql):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    client.force_login(c.officer)
    client.get(officer_wallet_url(dossier, c))
    citizen_services.account_event_record(user=c.applicant, action=AccountAction.LOCKED_OUT)
    rc = make_cast()
    issue_result(rc)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        raw(sql)


@needs_postgresql
def test_the_purge_setting_allows_deleting_audit_rows_but_never_seals(c):
    dossier_in(DossierState.SUBMITTED, c)
    with transaction.atomic():
        raw("SELECT set_config('portal.audit_purge', 'on', true)")
        raw("DELETE FROM dossiers_dossierevent")
        with pytest.raises(IntegrityError), transaction.atomic():
            raw("DELETE FROM portal_auditseal")
        transaction.set_rollback(True)


def test_the_orm_refuses_to_save_or_delete_an_audit_row_outside_a_purge(c):
    event = dossier_in(DossierState.SUBMITTED, c).events.first()
    event.reason = "changed"
    with pytest.raises(audit.AuditRowProtected):
        event.save()
    with pytest.raises(audit.AuditRowProtected):
        event.delete()


def test_a_citizen_deleting_a_wallet_document_purges_its_accesses_on_the_record(client, c):
    # Shared with the agency for a case, as intake does, but not part of a dossier's documents.
    use = citizen_services.wallet_item_attach(item=c.id_card, agency=c.agency, reference="X-1")
    client.force_login(c.officer)
    client.get(reverse("citizens:officer_wallet_item_file", args=[use.pk]))
    access = WalletAccess.objects.get()
    citizen_services.wallet_uses_release(reference="X-1")

    citizen_services.wallet_item_delete(item=c.id_card, actor=c.applicant)

    assert not WalletItem.objects.filter(pk=c.id_card.pk).exists()
    purge = AuditSeal.objects.get(event=SealEvent.PURGE)
    assert (purge.source, purge.source_id) == ("citizens.walletaccess", access.pk)
    assert purge.row_digest == seal_of(access).row_digest and "deleted by its owner" in purge.note
    status, output = verify()
    assert status == 0, output
    assert "1 purged" in output


def test_the_latest_layout_of_each_audited_table_names_every_column():
    for source, layouts in audit.AUDITED.items():
        model = audit.audited_model(source)
        assert set(layouts[-1]) == {f.attname for f in model._meta.concrete_fields}, source


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_make_one_linear_chain():
    users = [UserFactory() for _ in range(6)]
    barrier = threading.Barrier(len(users))
    errors = []

    def write(user):
        try:
            barrier.wait(timeout=10)
            for _ in range(3):
                citizen_services.account_event_record(user=user, action=AccountAction.LOCKED_OUT)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert AuditSeal.objects.count() == AccountEvent.objects.count() == 18
    status, output = verify()
    assert status == 0, output


# -- Staff reads of a citizen's files ------------------------------------------


def test_an_officer_opening_an_upload_leaves_a_file_event_the_applicant_sees(client, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    client.force_login(c.officer)

    assert client.get(document_url(dossier)).status_code == 200
    client.get(document_url(dossier))  # the same read again, moments later

    event = DossierEvent.objects.get(action=DossierAction.FILE_VIEWED)
    assert event.actor == c.officer and event.data["file"] == "document"
    assert event.data["document"] == upload_of(dossier).pk
    assert AuditSeal.objects.filter(source="dossiers.dossierevent", source_id=event.pk).exists()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(c.applicant)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).text
    assert "File opened" in page
    assert escape(f"{c.officer.get_full_name()}, {c.agency.display_name}") in page
    assert "to-khai.png" in page


def test_a_supervisor_opening_the_receipt_is_recorded(client, c):
    dossier = dossier_in(DossierState.RECEIVED, c)
    name = default_storage.save("receipts/bien-nhan.pdf", ContentFile(pdf_bytes()))
    Dossier.objects.filter(pk=dossier.pk).update(receipt_pdf=name)
    supervisor = UserFactory(full_name="Đỗ Giám Sát")
    Membership.objects.create(user=supervisor, agency=c.agency, role=MembershipRole.SUPERVISOR)
    client.force_login(supervisor)

    response = client.get(reverse("dossiers:officer_receipt", args=[dossier.pk]))

    assert response.status_code == 200
    event = DossierEvent.objects.get(action=DossierAction.FILE_VIEWED)
    assert (event.actor, event.data["file"]) == (supervisor, "receipt")


def test_the_applicant_opening_their_own_files_leaves_no_file_event(client, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    client.force_login(c.applicant)
    url = reverse("dossiers:document_file", args=[dossier.pk, upload_of(dossier).pk])
    assert client.get(url).status_code == 200
    assert not DossierEvent.objects.filter(action=DossierAction.FILE_VIEWED).exists()


def test_an_officer_opening_a_result_pdf_is_recorded_and_shown_in_the_holders_wallet(client):
    rc = make_cast()
    result = mark_signed(issue_result(rc))
    item = citizen_services.wallet_result_add(
        owner=rc.holder,
        result_type=result.result_type,
        title=result.result_type.name,
        number=result.number,
        issuer=result.agency.name,
        issued_on=result.issued_on,
        source_reference=f"result:{result.public_id}",
        file_name=result.pdf.name,
    )
    client.force_login(rc.supervisor)

    url = reverse("results_store:officer_detail", args=[result.public_id]) + "?file=pdf"
    assert client.get(url).status_code == 200

    assert result.events.filter(action=ResultAction.FILE_VIEWED, actor=rc.supervisor).exists()
    access = WalletAccess.objects.get()
    assert (access.item, access.accessed_by, access.agency) == (item, rc.supervisor, rc.agency)
    client.force_login(rc.holder)
    log = client.get(reverse("citizens:wallet_access_log")).text
    assert rc.supervisor.get_full_name() in log
    assert verify()[0] == 0


# -- Wallet access ends when the dossier closes ----------------------------------


def test_an_officer_opens_a_shared_wallet_document_while_the_dossier_is_open(client, c):
    dossier = dossier_in(DossierState.RECEIVED, c)
    client.force_login(c.officer)
    assert client.get(officer_wallet_url(dossier, c)).status_code == 200
    assert WalletAccess.objects.filter(accessed_by=c.officer).count() == 1


@pytest.mark.parametrize("state", [DossierState.COMPLETED, DossierState.REJECTED])
def test_a_closed_dossier_no_longer_opens_the_citizens_wallet_document(english, c, state):
    dossier = dossier_in(state, c)
    url = officer_wallet_url(dossier, c)
    english.force_login(c.officer)

    response = english.get(url)

    assert response.status_code == 403
    assert "This document is no longer shared" in response.text
    assert dossier.code in response.text
    assert not WalletAccess.objects.exists()
    page = english.get(reverse("dossiers:officer_detail", args=[dossier.pk])).text
    assert url not in page
    assert "The dossier is closed" in page


def test_the_officer_selector_leaves_out_uses_of_closed_dossiers(c):
    open_dossier = dossier_in(DossierState.SUBMITTED, c)
    closed = dossier_in(DossierState.COMPLETED, c)
    references = set(
        citizen_selectors.wallet_item_uses_for_officer(c.officer).values_list(
            "reference", flat=True
        )
    )
    assert references == {open_dossier.code}
    assert closed.code not in references


def test_the_migration_seals_rows_written_before_the_chain_existed(c):
    import importlib

    from django.apps import apps

    dossier = dossier_in(DossierState.SUBMITTED, c)
    raw(
        "INSERT INTO dossiers_dossierevent"
        " (dossier_id, action, actor_id, from_state, to_state, reason, data, created_at)"
        " VALUES (%s, 'receive', %s, 'submitted', 'received', '', '{}', %s)",
        [dossier.pk, c.officer.pk, timezone.now()],
    )
    assert verify()[0] == 1
    migration = importlib.import_module("portal.migrations.0002_seal_existing_rows")

    with connection.schema_editor() as schema_editor:
        migration.seal_existing(apps, schema_editor)

    status, output = verify()
    assert status == 0, output
