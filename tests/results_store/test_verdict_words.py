"""The offline verifier speaks in the verification page's words, in both languages."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from result_verifier import verdict as offline
from results_store import verification


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_verdict_word_is_the_pages(language):
    with translation.override(language):
        page_words = {status.value: str(status.label) for status in verification.VerdictStatus}

    assert offline.WORDS[language] == page_words


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("reason", ["format", "unknown_key", "signature", "altered", "not_signed"])
def test_every_reason_is_explained_as_the_page_explains_it(language, reason):
    with translation.override(language):
        page = render_to_string(
            "results_store/verify_verdict.html",
            {"verdict": verification.invalid(reason), "checked": "token"},
        )

    assert offline.REASONS[language][reason] in " ".join(page.replace("&#x27;", "'").split())
