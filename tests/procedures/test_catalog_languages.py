"""Catalog text in two languages: English where entered, else Vietnamese marked lang="vi"."""

import pickle

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from core.text_language import CatalogText
from procedures.models import DocumentComponent, FormField, LegalBasis, localized
from tests.factories import AgencyFactory, FieldFactory, ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def birth():
    procedure = ProcedureFactory(
        code="1.001193",
        name="Thủ tục đăng ký khai sinh",
        name_en="Birth registration",
        field=FieldFactory(code="ho-tich", name="Hộ tịch", name_en=""),
        agencies=[AgencyFactory(name="Ủy ban nhân dân phường Hải Châu", name_en="")],
        applicants="Cha, mẹ hoặc người thân thích",
        applicants_en="The father, the mother or a relative",
        steps="Bước 1: nộp hồ sơ.",
        steps_en="",
    )
    DocumentComponent.objects.create(
        procedure=procedure,
        name="Tờ khai đăng ký khai sinh",
        name_en="Birth registration form",
        copies="1 bản chính",
        copies_en="1 original",
        position=1,
    )
    DocumentComponent.objects.create(
        procedure=procedure, name="Giấy chứng sinh", copies="1 bản chính", position=2
    )
    LegalBasis.objects.create(
        procedure=procedure, number="123/2015/QH13", title="Luật Hộ tịch", title_en=""
    )
    return procedure


def render(source, **context):
    return Template("{% load catalog %}" + source).render(Context(context))


# -- The text knows its language ---------------------------------------------


def test_localized_text_is_the_english_translation_on_english_pages():
    with translation.override("en"):
        text = localized("Hộ tịch", "Civil status")
    assert (text, text.lang) == ("Civil status", "en")


def test_localized_text_falls_back_to_vietnamese_marked_as_such():
    with translation.override("en"):
        text = localized("Hộ tịch", "")
    assert (text, text.lang) == ("Hộ tịch", "vi")


def test_catalog_text_behaves_as_the_plain_string_and_keeps_its_language_through_pickle():
    text = CatalogText("Hộ tịch", "vi")
    copy = pickle.loads(pickle.dumps(text))
    assert copy == "Hộ tịch" and hash(copy) == hash("Hộ tịch") and copy.lang == "vi"
    assert type(text.upper()) is str


def test_in_lang_wraps_only_text_in_another_language_than_the_page():
    text = CatalogText("Hộ tịch <b>", "vi")
    with translation.override("en"):
        assert render("{{ t|in_lang }}", t=text) == '<span lang="vi">Hộ tịch &lt;b&gt;</span>'
        assert render("{{ t|in_lang }}", t="plain <b>") == "plain &lt;b&gt;"
    with translation.override("vi"):
        assert render("{{ t|in_lang }}", t=text) == "Hộ tịch &lt;b&gt;"


def test_lang_attr_names_the_language_of_a_fallback_only():
    with translation.override("en"):
        assert render("<p{{ t|lang_attr }}>", t=CatalogText("Hộ tịch", "vi")) == '<p lang="vi">'
        assert render("<p{{ t|lang_attr }}>", t=CatalogText("Civil status", "en")) == "<p>"
    with translation.override("vi"):
        assert render("<p{{ t|lang_attr }}>", t=CatalogText("Hộ tịch", "vi")) == "<p>"


# -- Choices: English labels, Vietnamese values --------------------------------


def choice_field(**overrides):
    return FormField(
        procedure=ProcedureFactory(),
        key="gender",
        label="Giới tính",
        field_type="choice",
        choices="Nam\nNữ",
        **overrides,
    )


def test_english_choice_labels_keep_the_vietnamese_value_stored():
    field = choice_field(choices_en="Male\nFemale")
    with translation.override("en"):
        assert field.choice_options == [("Nam", "Male"), ("Nữ", "Female")]
        assert field.choice_label("Nữ") == "Female"
    with translation.override("vi"):
        assert field.choice_label("Nữ") == "Nữ"


def test_english_choices_must_match_the_vietnamese_ones_one_for_one():
    field = choice_field(choices_en="Male")
    with pytest.raises(ValidationError) as raised:
        field.full_clean()
    assert "choices_en" in raised.value.message_dict


def test_a_mismatched_english_choice_list_shows_vietnamese_labels_not_shifted_ones():
    field = choice_field(choices_en="Male")
    with translation.override("en"):
        assert field.choice_options == [("Nam", "Nam"), ("Nữ", "Nữ")]


# -- Pages ---------------------------------------------------------------------


def test_english_procedure_page_shows_translations_and_marks_the_rest_vietnamese(english, birth):
    html = english.get(reverse("procedures:detail", args=[birth.code])).content.decode()

    assert "<h1>Birth registration</h1>" in html
    assert "The father, the mother or a relative" in html
    assert "<strong>Birth registration form</strong>" in html
    assert '<span class="muted">1 original</span>' in html
    assert '<strong lang="vi">Giấy chứng sinh</strong>' in html
    assert '<span class="muted" lang="vi">1 bản chính</span>' in html
    assert '<p lang="vi">Bước 1: nộp hồ sơ.</p>' in html
    assert '<span lang="vi">Luật Hộ tịch</span>' in html
    assert '<span lang="vi">Ủy ban nhân dân phường Hải Châu</span>' in html


def test_vietnamese_procedure_page_carries_no_language_marks(client, birth):
    html = client.get(reverse("procedures:detail", args=[birth.code])).content.decode()

    assert "<h1>Thủ tục đăng ký khai sinh</h1>" in html
    assert "1 bản chính" in html
    main = html[html.index("<main") :]
    assert 'lang="vi"' not in main and 'lang="en"' not in main


def test_admin_shows_the_english_twin_of_every_citizen_facing_text(client, birth):
    client.force_login(UserFactory(username="admin", administrator=True))
    url = reverse("admin:procedures_procedure_change", args=[birth.pk])
    html = client.get(url).content.decode()

    for name in (
        "applicants_en",
        "steps_en",
        "conditions_en",
        "components-0-copies_en",
        "components-0-note_en",
        "legal_bases-0-title_en",
    ):
        assert f'name="{name}"' in html, name
