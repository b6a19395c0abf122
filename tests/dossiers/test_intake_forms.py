"""The applicant's intake as a GOV.UK-style flow: error summary, every error at once,
specific messages, check your answers with a declaration, steps, deleting a draft."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation

from citizens.constants import WalletItemKind
from citizens.models import WalletItem
from dossiers import services
from dossiers.constants import DossierAction, DossierState
from dossiers.models import Dossier, DossierEvent
from portal import audit
from portal.models import AuditSeal, SealEvent
from procedures.constants import FormFieldType
from tests.accounts import pass_second_factor
from tests.dossiers.builders import cast, dossier_in, intake_data
from tests.factories import UserFactory
from tests.files import png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


@pytest.fixture
def c(client):
    c = cast()
    client.force_login(c.applicant)
    return c


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def start(client, c) -> Dossier:
    client.post(reverse("dossiers:start", args=[c.procedure.code]))
    return Dossier.objects.get(applicant=c.applicant, state=DossierState.DRAFT)


def edit_url(dossier):
    return reverse("dossiers:edit", args=[dossier.pk])


def review_url(dossier):
    return reverse("dossiers:review", args=[dossier.pk])


def bad_file(c):
    form_component = c.procedure.components.get(position=1)
    return {f"component_{form_component.pk}": upload("to-khai.pdf", b"MZ" + b"\0" * 50)}


class _Page(HTMLParser):
    """Ids, the error summary's attributes and links, and elements with autofocus."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.summary: dict | None = None
        self.summary_links: list[str] = []
        self.autofocused: list[str] = []
        self._in_summary = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        if "autofocus" in attributes:
            self.autofocused.append(tag)
        if "error-summary" in (attributes.get("class") or "").split():
            self.summary = attributes
            self._in_summary = 1
        elif self._in_summary and tag == "div":
            self._in_summary += 1
        elif self._in_summary and tag == "a":
            self.summary_links.append(attributes["href"])

    def handle_endtag(self, tag):
        if self._in_summary and tag == "div":
            self._in_summary -= 1


def page(html: str) -> _Page:
    parsed = _Page()
    parsed.feed(html)
    return parsed


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


# --------------------------------------------------------------------------
# The error summary
# --------------------------------------------------------------------------


def test_a_form_with_errors_opens_with_a_focused_summary_linking_to_each_field(client, c):
    draft = start(client, c)
    response = client.post(edit_url(draft), intake_data(c, field_purpose="", **bad_file(c)))
    assert response.status_code == 400
    parsed = page(response.text)
    assert parsed.summary is not None
    assert parsed.summary["role"] == "alert"
    assert parsed.summary["tabindex"] == "-1"
    assert "autofocus" in parsed.summary
    assert parsed.autofocused == ["div"]
    form_component = c.procedure.components.get(position=1)
    assert parsed.summary_links == ["#id_field_purpose", f"#id_component_{form_component.pk}"]
    assert all(link[1:] in parsed.ids for link in parsed.summary_links)
    assert len(parsed.ids) == len(set(parsed.ids))


def test_the_summary_heading_says_there_is_a_problem_in_both_languages(client, c):
    draft = start(client, c)
    vietnamese = client.post(edit_url(draft), intake_data(c, field_purpose="")).text
    assert "Đã có lỗi" in vietnamese
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.post(edit_url(draft), intake_data(c, field_purpose="")).text
    assert "There is a problem" in english


def test_the_page_title_starts_with_error_when_the_form_has_errors(client, c):
    draft = start(client, c)
    assert not title(client.get(edit_url(draft)).text).startswith("Lỗi: ")
    refused = client.post(edit_url(draft), intake_data(c, field_purpose="")).text
    assert title(refused).startswith("Lỗi: ")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    refused = client.post(edit_url(draft), intake_data(c, field_purpose="")).text
    assert title(refused).startswith("Error: ")


def test_a_page_without_errors_has_no_summary(client, c):
    draft = start(client, c)
    parsed = page(client.get(edit_url(draft)).text)
    assert parsed.summary is None


# --------------------------------------------------------------------------
# Every error in one round, nothing lost
# --------------------------------------------------------------------------


def test_a_bad_file_does_not_hide_the_missing_answers(client, c):
    draft = start(client, c)
    data = intake_data(c, field_applicant_name="", field_purpose="", **bad_file(c))
    response = client.post(edit_url(draft), data)
    assert response.status_code == 400
    assert "không phải là tệp PDF" in response.text
    assert "Nhập họ và tên" in response.text
    assert "Nhập mục đích sử dụng" in response.text


def test_what_was_valid_is_kept_when_another_answer_is_refused(client, c):
    draft = start(client, c)
    response = client.post(edit_url(draft), intake_data(c, field_purpose=""))
    assert response.status_code == 400
    dossier = Dossier.objects.get(pk=draft.pk)
    assert dossier.declaration["applicant_name"] == "Nguyễn Thị Ánh Tuyết"
    assert dossier.documents.exclude(file="").count() == 1
    # The file just stored is shown as attached, so it need not be chosen again.
    assert "to-khai.pdf" in response.text


def test_a_missing_required_document_is_reported_with_the_missing_answers(client, c):
    draft = start(client, c)
    form_component = c.procedure.components.get(position=1)
    data = intake_data(c, field_purpose="")
    del data[f"component_{form_component.pk}"]
    response = client.post(edit_url(draft), data)
    assert response.status_code == 400
    assert "Tải lên tờ khai" in response.text
    assert "Nhập mục đích sử dụng" in response.text


# --------------------------------------------------------------------------
# Specific messages, in both languages
# --------------------------------------------------------------------------


@pytest.fixture
def bilingual(c):
    c.procedure.form_fields.create(
        key="birth_date",
        label="Ngày sinh của trẻ",
        label_en="The child's date of birth",
        field_type=FormFieldType.DATE,
        position=3,
    )
    c.procedure.form_fields.create(
        key="sex",
        label="Giới tính",
        label_en="Sex",
        field_type=FormFieldType.CHOICE,
        choices="Nam\nNữ",
        choices_en="Male\nFemale",
        position=4,
    )
    return services.dossier_draft_create(
        applicant=c.applicant, procedure=c.procedure, agency=c.agency
    )


def test_missing_answers_say_what_to_do_in_english(c, bilingual):
    with translation.override("en"):
        errors = services.dossier_completeness_errors(bilingual)
    form_component = c.procedure.components.get(position=1)
    assert errors["field_birth_date"] == ["Enter the child's date of birth"]
    assert errors["field_sex"] == ["Choose sex"]
    # Untranslated Vietnamese labels keep their language inside the English message.
    assert errors["field_purpose"] == ['Enter <span lang="vi">mục đích sử dụng</span>']
    assert errors[f"component_{form_component.pk}"] == ['Upload <span lang="vi">tờ khai</span>']


def test_missing_answers_say_what_to_do_in_vietnamese(c, bilingual):
    with translation.override("vi"):
        errors = services.dossier_completeness_errors(bilingual)
    form_component = c.procedure.components.get(position=1)
    assert errors["field_birth_date"] == ["Nhập ngày sinh của trẻ"]
    assert errors["field_sex"] == ["Chọn giới tính"]
    assert errors["field_purpose"] == ["Nhập mục đích sử dụng"]
    assert errors[f"component_{form_component.pk}"] == ["Tải lên tờ khai"]


def test_an_acronym_at_the_start_of_a_label_keeps_its_capitals(c):
    c.procedure.form_fields.create(key="cccd", label="CCCD của người yêu cầu", position=5)
    dossier = dossier_in(DossierState.DRAFT, c)
    with translation.override("vi"):
        errors = services.dossier_completeness_errors(dossier)
    assert errors["field_cccd"] == ["Nhập CCCD của người yêu cầu"]


def test_the_english_page_shows_the_specific_message_not_the_generic_one(english, c, bilingual):
    english.force_login(c.applicant)
    response = english.post(edit_url(bilingual), intake_data(c, field_purpose=""))
    assert "Enter the child&#x27;s date of birth" in response.text
    assert "This field is required." not in response.text


def test_a_date_that_is_not_one_is_named(english, c, bilingual):
    english.force_login(c.applicant)
    response = english.post(edit_url(bilingual), intake_data(c, field_birth_date="31-02"))
    assert "Enter the child&#x27;s date of birth as a real date" in response.text


# --------------------------------------------------------------------------
# Check your answers, the declaration, the steps
# --------------------------------------------------------------------------


def test_continuing_with_a_complete_form_leads_to_the_review_not_a_submission(client, c):
    draft = start(client, c)
    response = client.post(edit_url(draft), intake_data(c))
    assert response.status_code == 302
    assert response.url == review_url(draft)
    assert Dossier.objects.get(pk=draft.pk).state == DossierState.DRAFT


def test_the_review_lists_every_answer_and_document_with_change_links(client, c):
    draft = start(client, c)
    client.post(edit_url(draft), intake_data(c))
    html = client.get(review_url(draft)).text
    for answer in ["Nguyễn Thị Ánh Tuyết", "Đăng ký kết hôn", "to-khai.pdf", "CCCD"]:
        assert answer in html
    form_ids = set(page(client.get(edit_url(draft)).text).ids)
    changes = re.findall(r'href="' + re.escape(edit_url(draft)) + r'#([^"]+)"', html)
    assert "id_field_purpose" in changes and "id_agency" in changes
    assert set(changes) <= form_ids
    assert "Tôi cam đoan những nội dung khai trên đây là đúng sự thật" in html


def test_the_review_of_an_incomplete_draft_sends_back_to_the_form(client, c):
    draft = start(client, c)
    response = client.get(review_url(draft))
    assert response.status_code == 302
    assert response.url == edit_url(draft)


def test_submitting_without_the_declaration_is_refused_and_nothing_is_submitted(client, c):
    draft = start(client, c)
    client.post(edit_url(draft), intake_data(c))
    response = client.post(review_url(draft), {})
    assert response.status_code == 400
    parsed = page(response.text)
    assert parsed.summary_links == ["#id_confirm"]
    assert "id_confirm" in parsed.ids
    assert title(response.text).startswith("Lỗi: ")
    dossier = Dossier.objects.get(pk=draft.pk)
    assert dossier.state == DossierState.DRAFT
    assert dossier.code is None and dossier.declared_at is None
    assert not dossier.events.filter(action=DossierAction.SUBMIT).exists()


def test_submitting_with_the_declaration_records_when_it_was_made(client, c):
    draft = start(client, c)
    client.post(edit_url(draft), intake_data(c))
    before = timezone.now()
    response = client.post(review_url(draft), {"confirm": "on"})
    assert response.status_code == 302
    assert response.url == reverse("dossiers:submitted", args=[draft.pk])
    dossier = Dossier.objects.get(pk=draft.pk)
    assert dossier.state == DossierState.SUBMITTED
    assert before <= dossier.declared_at <= timezone.now()
    assert dossier.events.filter(action=DossierAction.SUBMIT, actor=c.applicant).count() == 1


def test_the_service_refuses_a_submission_without_the_declaration(c):
    dossier = dossier_in(DossierState.DRAFT, c)
    with pytest.raises(ValidationError) as refused:
        services.dossier_submit(dossier=dossier, actor=c.applicant, declared=False)
    assert set(refused.value.message_dict) == {"confirm"}
    stored = Dossier.objects.get(pk=dossier.pk)
    assert stored.state == DossierState.DRAFT and stored.declared_at is None


@pytest.mark.parametrize(
    ("step", "caption"),
    [
        ("edit", "Step 1 of 3: Fill in the form"),
        ("review", "Step 2 of 3: Check your answers"),
        ("submitted", "Step 3 of 3: Dossier submitted"),
    ],
)
def test_each_step_of_the_flow_says_where_the_applicant_is(english, c, step, caption):
    english.force_login(c.applicant)
    draft = start(english, c)
    english.post(edit_url(draft), intake_data(c))
    if step == "submitted":
        english.post(review_url(draft), {"confirm": "on"})
    html = english.get(reverse(f"dossiers:{step}", args=[draft.pk])).text
    assert caption in html
    assert html.count('aria-current="step"') == 1
    current = re.search(r'<li aria-current="step">([^<]+)</li>', html).group(1)
    assert caption.endswith(current)


def test_the_vietnamese_step_indicator_is_numbered_the_vietnamese_way(client, c):
    draft = start(client, c)
    client.post(edit_url(draft), intake_data(c))
    assert "Bước 2/3: Kiểm tra thông tin đã khai" in client.get(review_url(draft)).text


# --------------------------------------------------------------------------
# Deleting a draft
# --------------------------------------------------------------------------


def delete_url(dossier):
    return reverse("dossiers:delete", args=[dossier.pk])


def test_asking_to_delete_a_draft_only_asks(client, c):
    draft = dossier_in(DossierState.DRAFT, c)
    response = client.get(delete_url(draft))
    assert response.status_code == 200
    assert "Bạn có chắc chắn muốn xóa bản nháp này không?" in response.text
    assert Dossier.objects.filter(pk=draft.pk).exists()


def test_the_owner_deletes_a_draft_and_its_uploaded_files(
    client, c, django_capture_on_commit_callbacks
):
    draft = dossier_in(DossierState.DRAFT, c)
    stored = draft.documents.exclude(file="").get().file.name
    assert default_storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url(draft))
    assert response.status_code == 302
    assert response.url == reverse("dossiers:mine")
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert not default_storage.exists(stored)
    assert "Bản nháp của bạn đã được xóa." in client.get(response.url).text


def test_deleting_a_draft_keeps_the_wallet_document_it_reused(
    client, c, django_capture_on_commit_callbacks
):
    item = WalletItem(
        owner=c.applicant, kind=WalletItemKind.DOCUMENT, document_type="id_card", title="CCCD"
    )
    item.file.save("cccd.png", ContentFile(png_bytes()), save=False)
    item.save()
    c.id_card = item
    draft = dossier_in(DossierState.DRAFT, c)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(delete_url(draft))
    assert WalletItem.objects.filter(pk=item.pk).exists()
    assert default_storage.exists(item.file.name)


def test_deleting_a_draft_leaves_its_record_in_the_audit_chain(client, c):
    draft = dossier_in(DossierState.DRAFT, c)
    client.post(delete_url(draft))
    reason = f"draft dossier {draft.pk} deleted by its applicant (user {c.applicant.pk})"
    purged = AuditSeal.objects.filter(event=SealEvent.PURGE, note=reason)
    # The draft's creation and the event of its deletion, each sealed when
    # written and again when purged, with who deleted the draft.
    assert purged.count() == 2
    assert not DossierEvent.objects.filter(dossier_id=draft.pk).exists()
    assert audit.verify_chain().broken is None


def test_another_citizen_cannot_see_or_delete_my_draft(client, c):
    draft = dossier_in(DossierState.DRAFT, c)
    client.force_login(UserFactory())
    assert client.get(delete_url(draft)).status_code == 404
    assert client.post(delete_url(draft)).status_code == 404
    assert Dossier.objects.filter(pk=draft.pk).exists()


def test_a_submitted_dossier_cannot_be_deleted(client, c):
    dossier = dossier_in(DossierState.SUBMITTED, c)
    assert client.post(delete_url(dossier)).status_code == 404
    with pytest.raises(services.WorkflowError):
        services.dossier_draft_delete(dossier=dossier, actor=c.applicant)
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.SUBMITTED


def test_the_service_refuses_to_delete_someone_elses_draft(c):
    draft = dossier_in(DossierState.DRAFT, c)
    with pytest.raises(PermissionDenied):
        services.dossier_draft_delete(dossier=draft, actor=c.stranger)
    assert Dossier.objects.filter(pk=draft.pk).exists()


def test_a_draft_can_be_deleted_from_its_page_and_from_my_dossiers(client, c):
    draft = dossier_in(DossierState.DRAFT, c)
    submitted = dossier_in(DossierState.SUBMITTED, c)
    link = f'href="{delete_url(draft)}"'
    assert link in client.get(edit_url(draft)).text
    listing = client.get(reverse("dossiers:mine")).text
    assert link in listing
    assert f'href="{delete_url(submitted)}"' not in listing


# --------------------------------------------------------------------------
# The same summary on the other dossier forms
# --------------------------------------------------------------------------


def test_a_refused_supplement_is_summarised_with_a_link_to_the_upload(client, c):
    dossier = dossier_in(DossierState.SUPPLEMENT_REQUESTED, c)
    form_component = c.procedure.components.get(position=1)
    response = client.post(reverse("dossiers:resubmit", args=[dossier.pk]), {"note": ""})
    assert response.status_code == 400
    parsed = page(response.text)
    assert parsed.summary_links == [f"#id_component_{form_component.pk}"]
    assert f"id_component_{form_component.pk}" in parsed.ids
    assert "Tải lên tờ khai" in response.text
    assert title(response.text).startswith("Lỗi: ")


def test_a_refused_officer_action_is_summarised_at_the_top(client, c):
    dossier = dossier_in(DossierState.RECEIVED, c)
    client.force_login(c.officer)
    pass_second_factor(client, c.officer)
    url = reverse("dossiers:officer_act", args=[dossier.pk, "reject"])
    response = client.post(url, {"reject-reason": ""})
    parsed = page(response.text)
    assert parsed.summary_links == ["#id_reject-reason"]
    assert "id_reject-reason" in parsed.ids
    assert title(response.text).startswith("Lỗi: ")
