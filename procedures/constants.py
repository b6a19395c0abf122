"""Enumerations of the procedure catalog."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AdministrativeLevel(models.TextChoices):
    # Since 1 July 2025 Vietnam has two levels (province and commune); the
    # district level stays for older data and other provinces' records.
    PROVINCE = "province", _("Province / city")
    DISTRICT = "district", _("District (before July 2025)")
    COMMUNE = "commune", _("Ward / commune")


class AgencyKind(models.TextChoices):
    PEOPLES_COMMITTEE = "peoples_committee", _("People's Committee")
    DEPARTMENT = "department", _("Department")
    SERVICE_CENTRE = "service_centre", _("Public administrative service centre")
    PUBLIC_SERVICE_UNIT = "public_service_unit", _("Public service unit")


class ProcedureKind(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("Administrative procedure")
    PUBLIC_SERVICE = "public_service", _("Public service unit procedure")


class ServiceLevel(models.TextChoices):
    # Decree 42/2022/NĐ-CP: "toàn trình" is filed and resolved entirely online.
    FULL_ONLINE = "full_online", _("Fully online")
    PARTIAL_ONLINE = "partial_online", _("Partly online")
    IN_PERSON = "in_person", _("In person only")


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("days")


class FormFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    NATIONAL_ID = "national_id", _("National ID number")
    ADDRESS = "address", _("Address")


class PrefillSource(models.TextChoices):
    """Profile attributes a declaration field can be prefilled from."""

    NONE = "", _("None")
    FULL_NAME = "full_name", _("Full name")
    NATIONAL_ID = "national_id", _("National ID number")
    DATE_OF_BIRTH = "date_of_birth", _("Date of birth")
    GENDER = "gender", _("Gender")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    PERMANENT_ADDRESS = "permanent_address", _("Permanent address")
    CURRENT_ADDRESS = "current_address", _("Current address")


class CalendarExceptionKind(models.TextChoices):
    DAY_OFF = "day_off", _("Extra day off")
    WORKING_DAY = "working_day", _("Make-up working day")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


DEFAULT_ACCEPTED_FORMATS = "pdf,jpg,png"
DEFAULT_MAX_UPLOAD_MB = 10
DEFAULT_ONLINE_REDUCTION_PERCENT = 50
WORKING_DAY_HOURS = 8


class PersonalDocumentType(models.TextChoices):
    """Kinds of personal documents a citizen keeps in the wallet.

    The catalog names which of them satisfy a document component, so the
    intake form can offer a wallet item instead of a new upload.
    """

    ID_CARD = "id_card", _("Citizen ID card")
    HOUSEHOLD_REGISTRATION = "household_registration", _("Household registration")
    BUSINESS_REGISTRATION = "business_registration", _("Business registration certificate")
    LAND_USE_CERTIFICATE = "land_use_certificate", _("Land-use right certificate")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    OTHER = "other", _("Other document")
