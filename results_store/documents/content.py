"""What a result's document prints: its content, section by section.

A result type with a prescribed form (a birth certificate) prints the form's
lines, filled from the result's data and, where the form says so, in words;
any other prints the lines the officer entered. The lines marked `certified`
are what the QR token vouches for (their digest is in the token).
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from results_store.documents.words import date_in_words, date_text


@dataclass(frozen=True)
class Row:
    """One line of the result's content: "label: value", with an optional note.

    `certified` rows are what the QR code vouches for (their digest is in the token).
    """

    label: str
    value: str
    note: str = ""
    certified: bool = True
    same_line: bool = False


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[Row]

    @property
    def lines(self) -> list[list[Row]]:
        """The rows as printed: a `same_line` row shares the line of the row before it."""
        lines: list[list[Row]] = []
        for row in self.rows:
            if row.same_line and lines:
                lines[-1].append(row)
            else:
                lines.append([row])
        return lines


@dataclass(frozen=True)
class FormLine:
    """A line of a prescribed form, and where in `result.data` its value is found.

    `sources` are keys or labels of `result.data`, compared without regard to
    case, spacing or a trailing colon; the first one with a value wins.
    `fallback` gives the value from the result itself when the data has none.
    `certified` lines are the facts the QR code vouches for and the
    verification page shows; others (who registered, ID numbers) are printed only.
    `same_line` lines follow the one before on the same printed line, as the
    form sets its short items ("Năm sinh: … Dân tộc: … Quốc tịch: …"); it also
    keeps a full certificate on one page.
    """

    label: str
    sources: tuple[str, ...]
    fallback: Callable | None = None
    in_words: bool = False
    certified: bool = False
    same_line: bool = False


@dataclass(frozen=True)
class FormSection:
    title: str
    lines: tuple[FormLine, ...]


def _parse_date(text: str) -> dt.date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    return None


def _text(value) -> str:
    """A value of `result.data` as printed; JSON gives strings, numbers, lists, maps."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, list | tuple):
        return "; ".join(text for text in (_text(item) for item in value) if text)
    if isinstance(value, dict):
        return "; ".join(f"{_label(key)}: {_text(item)}" for key, item in value.items())
    return str(value).strip()


def _label(key) -> str:
    """A data key as a label: labels stay as typed, `snake_case` keys become words."""
    key = str(key).strip().rstrip(":").strip()
    if re.fullmatch(r"[a-z0-9_]+", key):
        return key.replace("_", " ").capitalize()
    return key


def _normalized(key) -> str:
    text = unicodedata.normalize("NFC", str(key)).casefold().strip().rstrip(":")
    return " ".join(text.split())


def content_rows(items: list[tuple[str, object]]) -> list[Row]:
    """Every content line of a result with a value, in its order."""
    rows = []
    for key, value in items:
        text = _text(value)
        if text:
            rows.append(Row(label=_label(key), value=text))
    return rows


def _form_sections(result, form: tuple[FormSection, ...]) -> list[Section]:
    """The prescribed lines found in the data, then whatever the data holds besides."""
    entries = {}
    for key, value in result.content_items:
        text = _text(value)
        if text:
            entries.setdefault(_normalized(key), (key, text))
    used = set()
    sections = []
    for form_section in form:
        rows = []
        for line in form_section.lines:
            value = ""
            for source in line.sources:
                entry = entries.get(_normalized(source))
                if entry and entry[0] not in used:
                    used.add(entry[0])
                    value = entry[1]
                    break
            if not value and line.fallback is not None:
                value = line.fallback(result)
            if not value:
                continue
            note = ""
            if line.in_words and (day := _parse_date(value)):
                note = f"({date_in_words(day).capitalize()})"
            rows.append(
                Row(
                    label=line.label,
                    value=value,
                    note=note,
                    certified=line.certified,
                    same_line=line.same_line and not note,
                )
            )
        if rows:
            sections.append(Section(title=form_section.title, rows=rows))
    others = [
        Row(label=_label(key), value=text, certified=False)
        for key, text in entries.values()
        if key not in used
    ]
    if others:
        sections.append(Section(title="Thông tin khác", rows=others))
    return sections


def _parent_lines(who: str, key: str) -> tuple[FormLine, ...]:
    """The lines a birth certificate prints about the mother or the father."""
    person = f"người {who}"
    return (
        FormLine(
            f"Họ, chữ đệm, tên {person}",
            (f"{key}_full_name", f"Họ, chữ đệm và tên {person}", f"Họ, chữ đệm, tên {person}"),
            certified=True,
        ),
        FormLine(
            "Năm sinh",
            (f"{key}_year_of_birth", f"{key}_date_of_birth", f"Năm sinh của {person}"),
        ),
        FormLine("Dân tộc", (f"{key}_ethnicity", f"Dân tộc của {person}"), same_line=True),
        FormLine("Quốc tịch", (f"{key}_nationality", f"Quốc tịch của {person}"), same_line=True),
        FormLine("Nơi cư trú", (f"{key}_residence", f"Nơi cư trú của {person}")),
    )


# Prescribed forms (Circular 04/2020/TT-BTP, as amended): the lines they print,
# in their order, for the result types that have a template of their own.
RESULT_FORMS: dict[str, tuple[FormSection, ...]] = {
    # Giấy khai sinh.
    "KQ.G15.000031": (
        FormSection(
            "",
            (
                FormLine(
                    "Họ, chữ đệm, tên",
                    ("child_full_name", "Họ, chữ đệm và tên của trẻ", "Họ, chữ đệm, tên"),
                    certified=True,
                ),
                FormLine(
                    "Ngày, tháng, năm sinh",
                    ("child_date_of_birth", "Ngày, tháng, năm sinh của trẻ"),
                    in_words=True,
                    certified=True,
                ),
                FormLine(
                    "Giới tính", ("child_gender", "Giới tính của trẻ", "Giới tính"), certified=True
                ),
                FormLine(
                    "Dân tộc", ("child_ethnicity", "Dân tộc của trẻ", "Dân tộc"), same_line=True
                ),
                FormLine(
                    "Quốc tịch",
                    ("child_nationality", "Quốc tịch của trẻ", "Quốc tịch"),
                    same_line=True,
                ),
                FormLine(
                    "Nơi sinh",
                    ("child_place_of_birth", "Nơi sinh của trẻ", "Nơi sinh"),
                    certified=True,
                ),
                FormLine("Quê quán", ("child_hometown", "Quê quán của trẻ", "Quê quán")),
                FormLine(
                    "Số định danh cá nhân",
                    ("child_national_id", "Số định danh cá nhân của trẻ"),
                ),
            ),
        ),
        FormSection("", _parent_lines("mẹ", "mother")),
        FormSection("", _parent_lines("cha", "father")),
        FormSection(
            "",
            (
                FormLine(
                    "Người đi đăng ký khai sinh",
                    ("full_name", "Họ, chữ đệm và tên người yêu cầu", "Người đi đăng ký khai sinh"),
                ),
                FormLine("Số định danh cá nhân", ("national_id", "Số định danh cá nhân")),
                FormLine(
                    "Quan hệ với người được khai sinh",
                    ("relationship", "Quan hệ với người được khai sinh"),
                ),
                FormLine(
                    "Nơi đăng ký khai sinh",
                    ("registration_place", "Nơi đăng ký khai sinh"),
                    fallback=lambda result: result.agency.name,
                ),
                FormLine(
                    "Ngày, tháng, năm đăng ký",
                    ("registration_date", "Ngày, tháng, năm đăng ký", "Ngày đăng ký"),
                    fallback=lambda result: date_text(result.issued_on),
                ),
            ),
        ),
    ),
    # Giấy xác nhận tình trạng hôn nhân.
    "KQ.G15.000038": (
        FormSection(
            "",
            (
                FormLine(
                    "Họ, chữ đệm, tên",
                    ("full_name", "Họ, chữ đệm và tên người yêu cầu", "Họ, chữ đệm, tên"),
                    fallback=lambda result: result.holder_name,
                    certified=True,
                ),
                FormLine(
                    "Ngày, tháng, năm sinh",
                    ("date_of_birth", "Ngày, tháng, năm sinh"),
                    certified=True,
                ),
                FormLine("Giới tính", ("gender", "Giới tính")),
                FormLine("Dân tộc", ("ethnicity", "Dân tộc"), same_line=True),
                FormLine("Quốc tịch", ("nationality", "Quốc tịch"), same_line=True),
                FormLine(
                    "Số định danh cá nhân",
                    ("national_id", "Số định danh cá nhân", "Giấy tờ tùy thân"),
                    fallback=lambda result: result.holder_national_id,
                ),
                FormLine(
                    "Nơi cư trú", ("permanent_address", "residence", "Nơi thường trú", "Nơi cư trú")
                ),
                FormLine(
                    "Tình trạng hôn nhân",
                    ("marital_status", "Tình trạng hôn nhân hiện tại", "Tình trạng hôn nhân"),
                    certified=True,
                ),
                FormLine(
                    "Giấy này được cấp để",
                    ("purpose", "Mục đích sử dụng", "Giấy này được cấp để"),
                    certified=True,
                ),
            ),
        ),
    ),
}


def result_sections(result) -> list[Section]:
    """What the document prints, section by section, from the result type's form if it has one.

    Expects the result with its result type and agency loaded.
    """
    form = RESULT_FORMS.get(result.result_type.code)
    if form:
        return _form_sections(result, form)
    rows = content_rows(result.content_items)
    return [Section(title="", rows=rows)] if rows else []


def certified_facts(result) -> list[tuple[str, str]]:
    """What the QR code vouches for, in print order.

    A result type with a prescribed form certifies the lines it marks (a birth
    certificate: the child, the birth, the parents); any other certifies every
    line the officer entered, since each of them is printed as the result's content.
    """
    return [
        (row.label, row.value)
        for section in result_sections(result)
        for row in section.rows
        if row.certified
    ]


def has_form(result_type) -> bool:
    return result_type.code in RESULT_FORMS


def content_draft(result_type, values: dict[str, str]) -> dict[str, str]:
    """A first draft of a result's content, from a dossier's declaration.

    `values` maps a declaration field's key and its label to its text. A
    result type with a form takes exactly its form's lines, nothing else; any
    other result type takes what the caller passes (the declaration without
    contact details: dossiers.selectors.dossier_result_content).
    """
    form = RESULT_FORMS.get(result_type.code)
    if not form:
        return dict(values)
    entries = {_normalized(key): text for key, text in values.items() if text}
    draft = {}
    for form_section in form:
        for line in form_section.lines:
            for source in line.sources:
                text = entries.get(_normalized(source))
                if text:
                    draft.setdefault(_draft_label(line), text)
                    break
    return draft


def _draft_label(line: FormLine) -> str:
    """The line's label as the officer edits it, unique in the form: "Năm sinh của người mẹ"."""
    for source in line.sources:
        if not re.fullmatch(r"[a-z0-9_]+", source):
            return source
    return line.label
