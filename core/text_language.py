"""Catalog text that knows which language it is in.

The catalog holds the legal Vietnamese wording and, for what citizens read,
an optional English translation. An English page shows the Vietnamese text
when no translation was entered, and that text must then be marked
`lang="vi"` (WCAG 3.1.2, Language of Parts), or screen readers read it with
English pronunciation. `localized()` in procedures.models returns a
`CatalogText` so that templates can tell a fallback from a translation
(procedures/templatetags/catalog.py: `in_lang`, `lang_attr`).

`CatalogText` is a `str` and nothing else changes: it compares, hashes,
formats, escapes, serialises to JSON and binds as a query parameter like the
plain string, and it pickles (cache) with its language. Every `str`
operation (slicing, `upper()`, `+`, f-strings) returns a plain `str`, so the
language only travels with the text as it was given.
"""

from django.conf import settings
from django.utils.translation import get_language

VIETNAMESE = "vi"
ENGLISH = "en"


class CatalogText(str):
    """A catalog string with the language it is written in (`lang`: "vi" or "en")."""

    lang: str

    def __new__(cls, value: str = "", lang: str = VIETNAMESE):
        text = super().__new__(cls, value)
        text.lang = lang
        return text

    def __reduce__(self):
        # Pickle and copy rebuild from the plain string and the language; the
        # default protocol for str subclasses would also work, but this keeps
        # the pickled form independent of the instance dict.
        return (self.__class__, (str(self), self.lang))

    def __repr__(self) -> str:
        return f"CatalogText({str.__repr__(self)}, lang={self.lang!r})"


def page_language() -> str:
    """The primary subtag of the active language, e.g. "en" for "en-gb"."""
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()


def is_english_page() -> bool:
    return page_language() == ENGLISH


def foreign_language(text) -> str | None:
    """The language of `text` when it differs from the page's; None otherwise.

    Plain strings (no `lang`) and empty texts are never marked: only the
    catalog knows what language its texts are in.
    """
    lang = getattr(text, "lang", None)
    if not lang or not text:
        return None
    return lang if lang != page_language() else None
