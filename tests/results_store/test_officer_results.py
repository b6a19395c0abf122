"""Officers' results pages: scope, revocation, superseding; the holder's PDF; the admin."""

import pytest
from django.conf import settings
from django.urls import reverse

from results_store.constants import ResultAction, ResultStatus
from results_store.models import Result, SigningKey
from tests.factories import ResultTypeFactory, UserFactory
from tests.results_store.results_cast import issue, make_cast, mark_signed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def c():
    return make_cast()


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def detail_url(result):
    return reverse("results_store:officer_detail", args=[result.public_id])


def revoke_url(result):
    return reverse("results_store:officer_revoke", args=[result.public_id])


def supersede_url(result):
    return reverse("results_store:officer_supersede", args=[result.public_id])


def fresh(result):
    return Result.objects.get(pk=result.pk)


# -- The list ----------------------------------------------------------------


def test_result_list_shows_the_agencys_results_newest_first(english, c):
    older = issue(c, number="1/2025")
    newer = issue(c, number="2/2025")
    issue(c, number="9/2025", agency=c.other_agency, actor=c.other_officer)
    english.force_login(c.officer)

    response = english.get(reverse("results_store:officer_list"))

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [newer, older]


def test_result_list_finds_a_result_by_the_holders_name(english, c):
    wanted = issue(c, number="1/2025", holder_name="Lê Thị Hoa")
    issue(c, number="2/2025")
    english.force_login(c.officer)

    response = english.get(reverse("results_store:officer_list"), {"q": "thị hoa"})

    assert list(response.context["page"].object_list) == [wanted]


def test_result_list_filters_by_status(english, c):
    issue(c, number="1/2025")
    signed = mark_signed(issue(c, number="2/2025"))
    english.force_login(c.officer)

    response = english.get(reverse("results_store:officer_list"), {"status": "valid"})

    assert list(response.context["page"].object_list) == [signed]


def test_supervisor_sees_the_results_of_the_agencies_below(english, c):
    result = issue(c)
    english.force_login(c.supervisor)

    response = english.get(reverse("results_store:officer_list"))

    assert list(response.context["page"].object_list) == [result]


def test_citizen_gets_404_on_the_results_list(client, c):
    client.force_login(c.holder)

    assert client.get(reverse("results_store:officer_list")).status_code == 404


# -- The result's page -------------------------------------------------------


def test_result_page_names_the_dossier_it_was_issued_for_in_words(client, c):
    result = issue(c, source_reference="dossier:000.01.00.H15-261207-0007")
    client.force_login(c.officer)

    content = client.get(detail_url(result)).content.decode()

    assert "Cấp cho hồ sơ 000.01.00.H15-261207-0007" in content
    assert "dossier:000.01" not in content


def test_result_page_shows_the_facts_events_and_verification_link(english, c):
    result = issue(c)
    english.force_login(c.officer)

    response = english.get(detail_url(result))

    assert response.status_code == 200
    content = response.content.decode()
    assert "12/2025" in content
    assert "Đà Nẵng" in content  # the content recorded on the result
    assert reverse("results_store:verify_result", args=[result.public_id]) in content
    assert [e.action for e in response.context["events"]] == [ResultAction.ISSUE]


def test_officer_of_another_agency_gets_404_on_the_result_page(client, c):
    result = issue(c)
    client.force_login(c.other_officer)

    assert client.get(detail_url(result)).status_code == 404


def test_officer_opens_the_signed_pdf_from_the_result_page(client, c):
    result = mark_signed(issue(c))
    client.force_login(c.officer)

    response = client.get(detail_url(result), {"file": "pdf"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


# -- Revoking ----------------------------------------------------------------


def test_officer_revokes_a_result_with_a_reason(client, c):
    result = mark_signed(issue(c))
    client.force_login(c.officer)

    response = client.post(revoke_url(result), {"revoke-reason": "Cấp sai ngày sinh"})

    assert response.status_code == 302
    result = fresh(result)
    assert result.status == ResultStatus.REVOKED
    assert result.status_reason == "Cấp sai ngày sinh"
    event = result.events.get(action=ResultAction.REVOKE)
    assert (event.actor, event.reason) == (c.officer, "Cấp sai ngày sinh")


def test_revoking_without_a_reason_is_refused_and_changes_nothing(english, c):
    result = mark_signed(issue(c))
    english.force_login(c.officer)

    response = english.post(revoke_url(result), {"revoke-reason": "   "})

    assert response.status_code == 400
    assert response.context["revoke_form"].errors["reason"]
    assert fresh(result).status == ResultStatus.VALID
    assert not result.events.filter(action=ResultAction.REVOKE).exists()


def test_officer_of_another_agency_gets_404_when_revoking(client, c):
    result = mark_signed(issue(c))
    client.force_login(c.other_officer)

    response = client.post(revoke_url(result), {"revoke-reason": "Không phải của tôi"})

    assert response.status_code == 404
    assert fresh(result).status == ResultStatus.VALID


def test_supervisor_cannot_revoke(client, c):
    result = mark_signed(issue(c))
    client.force_login(c.supervisor)

    response = client.post(revoke_url(result), {"revoke-reason": "Thử thu hồi"})

    assert response.status_code == 403
    assert fresh(result).status == ResultStatus.VALID
    assert not result.events.filter(action=ResultAction.REVOKE).exists()


def test_supervisor_sees_the_result_page_without_actions(english, c):
    result = mark_signed(issue(c))
    english.force_login(c.supervisor)

    response = english.get(detail_url(result))

    assert response.status_code == 200
    assert response.context["revoke_form"] is None
    assert response.context["supersede_form"] is None
    assert revoke_url(result) not in response.content.decode()


def test_revoking_a_revoked_result_again_is_refused(english, c):
    result = mark_signed(issue(c))
    english.force_login(c.officer)
    english.post(revoke_url(result), {"revoke-reason": "Lần một"})

    response = english.post(revoke_url(result), {"revoke-reason": "Lần hai"})

    assert response.status_code == 400
    assert fresh(result).status_reason == "Lần một"


# -- Superseding -------------------------------------------------------------


def test_supersede_links_the_replacement(client, c):
    original = mark_signed(issue(c, number="12/2025"))
    replacement = mark_signed(issue(c, number="13/2025"))
    client.force_login(c.officer)

    response = client.post(
        supersede_url(original),
        {"supersede-replacement_number": "13/2025", "supersede-reason": "Đính chính họ tên"},
    )

    assert response.status_code == 302
    original = fresh(original)
    assert original.status == ResultStatus.SUPERSEDED
    assert original.superseded_by == replacement
    assert original.status_reason == "Đính chính họ tên"
    event = original.events.get(action=ResultAction.SUPERSEDE)
    assert (event.actor, event.reason) == (c.officer, "Đính chính họ tên")


def test_supersede_refuses_a_replacement_of_another_type(english, c):
    original = mark_signed(issue(c, number="12/2025"))
    mark_signed(issue(c, number="13/2025", result_type=ResultTypeFactory(name="Trích lục")))
    english.force_login(c.officer)

    response = english.post(
        supersede_url(original),
        {"supersede-replacement_number": "13/2025", "supersede-reason": "Đính chính"},
    )

    assert response.status_code == 400
    assert response.context["supersede_form"].errors["replacement_number"]
    assert fresh(original).status == ResultStatus.VALID


def test_supersede_without_a_reason_changes_nothing(english, c):
    original = mark_signed(issue(c, number="12/2025"))
    mark_signed(issue(c, number="13/2025"))
    english.force_login(c.officer)

    response = english.post(
        supersede_url(original), {"supersede-replacement_number": "13/2025", "supersede-reason": ""}
    )

    assert response.status_code == 400
    assert fresh(original).superseded_by is None


# -- The holder's PDF ----------------------------------------------------------


def test_holder_pdf_is_served_as_a_download_to_the_holder(client, c):
    result = mark_signed(issue(c))
    client.force_login(c.holder)

    response = client.get(reverse("results_store:holder_pdf", args=[result.public_id]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_another_citizen_gets_404_on_the_holders_pdf(client, c):
    result = mark_signed(issue(c))
    client.force_login(c.stranger)

    response = client.get(reverse("results_store:holder_pdf", args=[result.public_id]))

    assert response.status_code == 404


def test_issuing_officer_gets_404_on_the_holders_pdf(client, c):
    result = mark_signed(issue(c))
    client.force_login(c.officer)

    response = client.get(reverse("results_store:holder_pdf", args=[result.public_id]))

    assert response.status_code == 404


def test_holder_pdf_is_404_while_being_prepared(client, c):
    result = issue(c)
    client.force_login(c.holder)

    response = client.get(reverse("results_store:holder_pdf", args=[result.public_id]))

    assert response.status_code == 404


# -- The admin -----------------------------------------------------------------


def test_admin_action_generates_a_new_key_and_retires_the_old_one(client, c):
    from results_store import keys

    old = keys.signing_key_generate(agency=c.agency)
    client.force_login(UserFactory(administrator=True))

    response = client.post(
        reverse("admin:results_store_signingkey_changelist"),
        {"action": "generate_new_key", "_selected_action": [old.pk]},
    )

    assert response.status_code == 302
    old.refresh_from_db()
    assert not old.is_active and old.retired_at is not None
    new = SigningKey.objects.get(agency=c.agency, is_active=True)
    assert new.kid != old.kid


def test_admin_key_page_never_shows_the_private_parts(client, c):
    from results_store import keys

    key = keys.signing_key_generate(agency=c.agency)
    client.force_login(UserFactory(administrator=True))

    response = client.get(reverse("admin:results_store_signingkey_change", args=[key.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert key.public_key in content
    assert key.private_key_encrypted not in content
    assert key.pdf_private_key_encrypted not in content


def test_admin_shows_a_result_with_its_events_read_only(client, c):
    result = issue(c)
    client.force_login(UserFactory(administrator=True))

    response = client.get(reverse("admin:results_store_result_change", args=[result.pk]))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
