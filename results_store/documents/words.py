"""Numbers and dates in Vietnamese words, as a result prints them.

"ngày mười lăm, tháng tư, năm hai nghìn không trăm hai mươi sáu": birth
certificates and other forms write the date of birth in words as well as in
figures (Circular 04/2020/TT-BTP).
"""

import datetime as dt


def date_text(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def _below_thousand_in_words(number: int, *, full: bool) -> list[str]:
    """0-999 in Vietnamese words; `full` spells the hundreds ("không trăm linh năm")."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words = []
    if full or hundreds:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        elif units == 4 and tens >= 2:
            words.append("tư")
        else:
            words.append(_DIGITS[units])
    return words


def number_in_words(number: int) -> str:
    """A number below a million in Vietnamese words: 2026 → "hai nghìn không trăm hai mươi sáu"."""
    if number == 0:
        return _DIGITS[0]
    thousands, rest = divmod(number, 1000)
    words = []
    if thousands:
        words += [*_below_thousand_in_words(thousands, full=False), "nghìn"]
    if rest:
        words += _below_thousand_in_words(rest, full=bool(thousands))
    return " ".join(words)


def date_in_words(day: dt.date) -> str:
    """A date as birth certificates spell it: "ngày mùng năm, tháng ba, năm hai nghìn …"."""
    day_words = number_in_words(day.day)
    if day.day <= 10:
        day_words = f"mùng {day_words}"
    month_words = "tư" if day.month == 4 else number_in_words(day.month)
    return f"ngày {day_words}, tháng {month_words}, năm {number_in_words(day.year)}"
