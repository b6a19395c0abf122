"""Folding Vietnamese text for accent-insensitive search.

Citizens type without diacritics ("dang ky khai sinh"), type d for đ, and place
tone marks or spell i/y in more than one accepted way (ký/kí, quý/quí,
thủy/thuỷ). Both the stored text and the query go through `fold`, so the match
is a plain substring test that works on SQLite and that PostgreSQL answers
from a trigram index (see the procedures migrations).

People also type a procedure's name the way it is spoken, "thủ tục đăng ký
khai sinh", while the catalog names it "Đăng ký khai sinh": `query_phrases`
gives the query with such a leading word dropped, so both are looked for.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w.]+")
# A syllable ending in y after a consonant cluster (or "qu") has an i-spelling in
# common use: ky/ki, my/mi, ly/li, quy/qui. Both sides are folded to i.
_FINAL_Y = re.compile(r"\b(qu|[bcdghklmnpqrstvx]{1,3})y\b")


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = text.replace("đ", "d").replace("Đ", "D").lower()
    text = _NON_WORD.sub(" ", text)
    text = _FINAL_Y.sub(r"\1i", text)
    return _SPACES.sub(" ", text).strip()


# What people put before a procedure's name ("the procedure of ...") that the
# names themselves do not start with. Folded; longest first.
_LEADING_FILLERS = ("thu tuc hanh chinh ", "thu tuc ", "tthc ")


def query_phrases(query: str) -> list[str]:
    """The folded query, then the same without a leading filler word when it has one.

    The last phrase is the one whose words must all appear; each phrase
    counts when ranking exact names and names that start with the query.
    """
    folded = fold(query)
    for filler in _LEADING_FILLERS:
        if folded.startswith(filler):
            return [folded, folded.removeprefix(filler)]
    return [folded] if folded else []
