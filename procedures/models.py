"""The procedure catalog: who handles what, which documents it takes, how long it lasts.

Texts are stored in Vietnamese (the legal wording) with an optional English
translation for what citizens read; each `display_*` property picks the one
for the active language and returns a `CatalogText`, which tells templates
when an English page shows the Vietnamese text (core/text_language.py).
"""

import math
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.text_language import ENGLISH, VIETNAMESE, CatalogText, is_english_page
from procedures.constants import (
    DEFAULT_ACCEPTED_FORMATS,
    DEFAULT_MAX_UPLOAD_MB,
    DEFAULT_ONLINE_REDUCTION_PERCENT,
    WORKING_DAY_HOURS,
    AdministrativeLevel,
    AgencyKind,
    CalendarExceptionKind,
    FormFieldType,
    PrefillSource,
    ProcedureKind,
    ServiceLevel,
    TimeUnit,
    Weekday,
)
from procedures.search import fold


def localized(vietnamese: str, english: str) -> CatalogText:
    """The English text when English is active and there is one; else the Vietnamese."""
    if english and is_english_page():
        return CatalogText(english, ENGLISH)
    return CatalogText(vietnamese, VIETNAMESE)


ENGLISH_HELP = _("Shown on English pages; leave empty to show the Vietnamese text.")


def _lines(text: str) -> list[str]:
    """The non-blank lines of a one-per-line text field, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class BilingualNameMixin(models.Model):
    name = models.CharField(_("name (Vietnamese)"), max_length=500)
    name_en = models.CharField(
        _("name (English)"), max_length=500, blank=True, help_text=ENGLISH_HELP
    )

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        return localized(self.name, self.name_en)


class Agency(BilingualNameMixin):
    """An authority or unit that receives or decides dossiers, in a tree of any depth."""

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Electronic ID of the agency, used as the prefix of its dossier codes."),
        validators=[RegexValidator(r"^[A-Za-z0-9.\-]+$", _("Letters, digits, dots and dashes."))],
    )
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=AdministrativeLevel.choices)
    kind = models.CharField(_("kind"), max_length=30, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["level", "name"]

    def ancestors(self) -> list["Agency"]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class Field(BilingualNameMixin):
    """A field of administration (lĩnh vực), e.g. civil status or construction."""

    code = models.SlugField(_("code"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["name"]


class ResultType(BilingualNameMixin):
    """A kind of document that procedures issue, e.g. a birth certificate."""

    code = models.CharField(
        _("code"), max_length=40, unique=True, help_text=_("National result type code.")
    )
    validity_months = models.PositiveIntegerField(
        _("validity in months"), null=True, blank=True, help_text=_("Empty: does not expire.")
    )

    class Meta:
        verbose_name = _("result type")
        verbose_name_plural = _("result types")
        ordering = ["name"]


class ProcedureQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def search(self, query: str):
        """Every word of the query, folded like the stored text, must appear."""
        qs = self
        for token in fold(query).split():
            qs = qs.filter(search_text__contains=token)
        return qs


class Procedure(BilingualNameMixin):
    code = models.CharField(
        _("national code"),
        max_length=40,
        unique=True,
        help_text=_("Code in the national procedure database, e.g. 1.001193."),
    )
    field = models.ForeignKey(
        Field, verbose_name=_("field"), on_delete=models.PROTECT, related_name="procedures"
    )
    level = models.CharField(
        _("handling level"), max_length=20, choices=AdministrativeLevel.choices
    )
    agencies = models.ManyToManyField(
        Agency,
        verbose_name=_("handling agencies"),
        related_name="procedures",
        blank=True,
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=ProcedureKind.choices,
        default=ProcedureKind.ADMINISTRATIVE,
    )
    service_level = models.CharField(
        _("online service level"), max_length=20, choices=ServiceLevel.choices
    )
    applicants = models.TextField(_("who may apply (Vietnamese)"), blank=True)
    applicants_en = models.TextField(
        _("who may apply (English)"), blank=True, help_text=ENGLISH_HELP
    )
    processing_time = models.PositiveSmallIntegerField(
        _("processing time"),
        help_text=_("In the unit below. Zero with 'same day' means due the day received."),
    )
    time_unit = models.CharField(
        _("time unit"), max_length=20, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    same_day = models.BooleanField(
        _("same day"),
        default=False,
        help_text=_("Due the day received, or the next working day when received after 15:00."),
    )
    online_reduction_percent = models.PositiveSmallIntegerField(
        _("online time reduction (%)"),
        default=DEFAULT_ONLINE_REDUCTION_PERCENT,
        validators=[MaxValueValidator(100)],
        help_text=_("How much shorter the processing time is for dossiers filed online."),
    )
    fee_vnd = models.PositiveIntegerField(
        _("fee in person (VND)"),
        null=True,
        blank=True,
        help_text=_("Empty: set by the People's Council or not published."),
    )
    fee_online_vnd = models.PositiveIntegerField(
        _("fee online (VND)"), null=True, blank=True, help_text=_("Empty: as in person.")
    )
    fee_note = models.TextField(
        _("fee notes"), blank=True, help_text=_("For administrators; not shown to the public.")
    )
    result_types = models.ManyToManyField(
        ResultType, verbose_name=_("result types issued"), related_name="procedures", blank=True
    )
    steps = models.TextField(_("steps (Vietnamese)"), blank=True)
    steps_en = models.TextField(_("steps (English)"), blank=True, help_text=ENGLISH_HELP)
    conditions = models.TextField(_("conditions (Vietnamese)"), blank=True)
    conditions_en = models.TextField(_("conditions (English)"), blank=True, help_text=ENGLISH_HELP)
    time_note = models.TextField(
        _("processing time notes"),
        blank=True,
        help_text=_("For administrators; not shown to the public."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Lowercased, accent-free copy of code and names, for search on any database.
    search_text = models.TextField(editable=False, default="")

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["is_active", "level"], name="procedure_active_level"),
            models.Index(fields=["is_active", "service_level"], name="procedure_active_service"),
        ]

    def save(self, *args, **kwargs):
        self.search_text = fold(" ".join([self.code, self.name, self.name_en]))
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("procedures:detail", kwargs={"code": self.code})

    @property
    def is_online(self) -> bool:
        return self.service_level != ServiceLevel.IN_PERSON

    @property
    def effective_fee_online_vnd(self) -> int | None:
        return self.fee_vnd if self.fee_online_vnd is None else self.fee_online_vnd

    @property
    def online_saving_vnd(self) -> int:
        if self.fee_vnd is None or self.effective_fee_online_vnd is None:
            return 0
        return max(self.fee_vnd - self.effective_fee_online_vnd, 0)

    @property
    def display_applicants(self) -> CatalogText:
        return localized(self.applicants, self.applicants_en)

    @property
    def display_steps(self) -> CatalogText:
        return localized(self.steps, self.steps_en)

    @property
    def display_conditions(self) -> CatalogText:
        return localized(self.conditions, self.conditions_en)

    def processing_working_hours(self, *, online: bool) -> int:
        """Processing time in office hours, shortened for online filing.

        Only for procedures counted in working days; a shortened time is
        rounded up to whole office hours so nobody is promised the impossible.
        """
        hours = Decimal(self.processing_time * WORKING_DAY_HOURS)
        if online:
            hours = hours * (100 - self.online_reduction_percent) / 100
        return math.ceil(hours)

    def online_processing_time(self) -> Decimal:
        """The online time in the procedure's own unit, for display (e.g. 1.5 days)."""
        value = Decimal(self.processing_time) * (100 - self.online_reduction_percent) / 100
        return value.normalize() if value else Decimal(0)


class LegalBasis(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="legal_bases")
    number = models.CharField(_("reference number"), max_length=120)
    title = models.CharField(_("summary (Vietnamese)"), max_length=500, blank=True)
    title_en = models.CharField(
        _("summary (English)"), max_length=500, blank=True, help_text=ENGLISH_HELP
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        ordering = ["position", "id"]

    def __str__(self):
        return self.number

    @property
    def display_title(self) -> CatalogText:
        return localized(self.title, self.title_en)


class DocumentComponent(BilingualNameMixin):
    """A document the applicant provides (thành phần hồ sơ)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="components")
    is_required = models.BooleanField(_("required"), default=True)
    copies = models.CharField(
        _("copies (Vietnamese)"),
        max_length=200,
        blank=True,
        help_text=_("e.g. 1 bản chính, 1 bản sao chứng thực"),
    )
    copies_en = models.CharField(
        _("copies (English)"),
        max_length=200,
        blank=True,
        help_text=_(
            "e.g. 1 original, 1 certified copy. Shown on English pages; leave empty to "
            "show the Vietnamese text."
        ),
    )
    note = models.TextField(_("note (Vietnamese)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True, help_text=ENGLISH_HELP)
    accepted_formats = models.CharField(
        _("accepted formats"),
        max_length=100,
        default=DEFAULT_ACCEPTED_FORMATS,
        help_text=_("Comma-separated: pdf, jpg, png."),
        validators=[
            RegexValidator(
                r"^(pdf|jpg|png)(,(pdf|jpg|png))*$",
                _("Use pdf, jpg and png, separated by commas."),
            )
        ],
    )
    max_size_mb = models.PositiveSmallIntegerField(
        _("size limit (MB)"),
        default=DEFAULT_MAX_UPLOAD_MB,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    template_file = models.FileField(
        _("blank template"), upload_to="templates/components/", blank=True
    )
    document_types = models.JSONField(
        _("personal document types that satisfy it"),
        default=list,
        blank=True,
        help_text=_("A wallet document of these types can be offered instead of an upload."),
    )
    satisfied_by = models.ManyToManyField(
        ResultType,
        verbose_name=_("result types that satisfy it"),
        related_name="satisfies_components",
        blank=True,
        help_text=_("A stored result of these types can be offered instead of an upload."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("document component")
        verbose_name_plural = _("document components")
        ordering = ["position", "id"]

    @property
    def format_list(self) -> list[str]:
        return [f for f in self.accepted_formats.split(",") if f]

    @property
    def display_copies(self) -> CatalogText:
        return localized(self.copies, self.copies_en)

    @property
    def display_note(self) -> CatalogText:
        return localized(self.note, self.note_en)


class FormField(models.Model):
    """A field of a procedure's declaration form (tờ khai)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="form_fields")
    key = models.SlugField(_("key"), max_length=60)
    label = models.CharField(_("label (Vietnamese)"), max_length=300)
    label_en = models.CharField(
        _("label (English)"), max_length=300, blank=True, help_text=ENGLISH_HELP
    )
    field_type = models.CharField(
        _("type"), max_length=20, choices=FormFieldType.choices, default=FormFieldType.TEXT
    )
    is_required = models.BooleanField(_("required"), default=True)
    choices = models.TextField(
        _("choices (Vietnamese)"),
        blank=True,
        help_text=_(
            "One per line, for choice fields. These are the values stored in the "
            "declaration, whatever the language of the page."
        ),
    )
    choices_en = models.TextField(
        _("choices (English)"),
        blank=True,
        help_text=_(
            "One per line, in the same order and as many as the Vietnamese choices; only "
            "the label changes, the stored value stays the Vietnamese choice. Shown on "
            "English pages; leave empty to show the Vietnamese text."
        ),
    )
    help_text = models.CharField(_("help text (Vietnamese)"), max_length=500, blank=True)
    help_text_en = models.CharField(
        _("help text (English)"), max_length=500, blank=True, help_text=ENGLISH_HELP
    )
    prefill_source = models.CharField(
        _("prefill from profile"),
        max_length=30,
        choices=PrefillSource.choices,
        default=PrefillSource.NONE,
        blank=True,
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "key"], name="form_field_unique_key"),
        ]

    def __str__(self):
        return self.label

    def clean(self):
        super().clean()
        # Labels are matched to values by position: a missing or extra line
        # would show every later choice under the wrong English label.
        english = _lines(self.choices_en)
        if english and len(english) != len(self.choice_list):
            raise ValidationError(
                {
                    "choices_en": ValidationError(
                        _(
                            "Give one English choice for each Vietnamese choice, in the same "
                            "order: %(expected)s expected, %(given)s given."
                        ),
                        code="choices_en_count",
                        params={"expected": len(self.choice_list), "given": len(english)},
                    )
                }
            )

    @property
    def display_label(self) -> CatalogText:
        return localized(self.label, self.label_en)

    @property
    def display_help_text(self) -> CatalogText:
        return localized(self.help_text, self.help_text_en)

    @property
    def choice_list(self) -> list[str]:
        """The stored values of a choice field: its Vietnamese choices."""
        return _lines(self.choices)

    @property
    def choice_options(self) -> list[tuple[str, CatalogText]]:
        """(stored value, label for the active language) of each choice."""
        values = self.choice_list
        english = _lines(self.choices_en)
        if len(english) != len(values):
            # clean() refuses this; rows written around it show Vietnamese
            # labels rather than labels shifted onto the wrong values.
            english = [""] * len(values)
        return [
            (value, localized(value, label)) for value, label in zip(values, english, strict=True)
        ]

    def choice_label(self, value: str) -> CatalogText | str:
        """The label of a stored choice value; the value itself if it is not a choice."""
        for choice, label in self.choice_options:
            if choice == value:
                return label
        return value


class CalendarException(models.Model):
    """A day the government adds off, or swaps into a working day, for one year."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CalendarExceptionKind.choices)
    description = models.CharField(_("description"), max_length=300)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}"


class OfficeHours(models.Model):
    """One opening period of a weekday; a weekday may have several (morning, afternoon)."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("office hours")
        verbose_name_plural = _("office hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="office_hours_order"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"
