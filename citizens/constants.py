"""Enumerations and reference data of accounts, profiles and the wallet."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MembershipRole(models.TextChoices):
    OFFICER = "officer", _("One-stop officer")
    SUPERVISOR = "supervisor", _("Supervisor")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class IdentityLevel(models.TextChoices):
    """How far the portal trusts that an account's citizen ID is its holder's (ADR 8)."""

    DECLARED = "declared", _("Not verified (typed by the account holder)")
    IN_PERSON = "in_person", _("Verified in person at a one-stop desk")
    NATIONAL_IDP = "national_idp", _("Verified with the national identity provider (VNeID)")


# Levels that bind an account to its citizen ID: results issued to the ID,
# reuse of results and ID-bound prefill are theirs only.
VERIFIED_IDENTITY_LEVELS = (IdentityLevel.IN_PERSON, IdentityLevel.NATIONAL_IDP)


class IdentityDocumentType(models.TextChoices):
    """What a one-stop officer may check when verifying an identity in person."""

    CITIZEN_ID_CARD = "citizen_id_card", _("Citizen identity card (căn cước / CCCD)")
    ELECTRONIC_ID = "electronic_id", _("Electronic identity in the VNeID app (level 2)")
    PASSPORT = "passport", _("Vietnamese passport")


class AccountAction(models.TextChoices):
    REGISTERED = "registered", _("Account registered")
    IDENTITY_VERIFIED = "identity_verified", _("Identity verified")
    IDENTITY_CLAIM_REMOVED = "identity_claim_removed", _("Unverified citizen ID removed")
    IDENTITY_VIEWED = "identity_viewed", _("Account opened for verification by an officer")
    NATIONAL_ID_LINKED = "national_id_linked", _("National identity account linked")
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled", _("Second factor enrolled")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("Recovery codes renewed")
    SECOND_FACTOR_RESET = "second_factor_reset", _("Second factor reset by an administrator")
    LOCKED_OUT = "locked_out", _("Sign-in locked after failed attempts")
    LOCKOUT_CLEARED = "lockout_cleared", _("Sign-in lockout cleared")


class WalletItemKind(models.TextChoices):
    DOCUMENT = "document", _("Personal document")
    RESULT = "result", _("Digital result")


# Provinces and cities after the 2025 merger (Resolution 202/2025/QH15), for
# addresses. Older addresses may still name a pre-merger province or a district.
PROVINCES = [
    "Thành phố Hà Nội",
    "Thành phố Huế",
    "Thành phố Hải Phòng",
    "Thành phố Đà Nẵng",
    "Thành phố Hồ Chí Minh",
    "Thành phố Cần Thơ",
    "Tỉnh An Giang",
    "Tỉnh Bắc Ninh",
    "Tỉnh Cà Mau",
    "Tỉnh Cao Bằng",
    "Tỉnh Đắk Lắk",
    "Tỉnh Điện Biên",
    "Tỉnh Đồng Nai",
    "Tỉnh Đồng Tháp",
    "Tỉnh Gia Lai",
    "Tỉnh Hà Tĩnh",
    "Tỉnh Hưng Yên",
    "Tỉnh Khánh Hòa",
    "Tỉnh Lai Châu",
    "Tỉnh Lạng Sơn",
    "Tỉnh Lào Cai",
    "Tỉnh Lâm Đồng",
    "Tỉnh Nghệ An",
    "Tỉnh Ninh Bình",
    "Tỉnh Phú Thọ",
    "Tỉnh Quảng Ngãi",
    "Tỉnh Quảng Ninh",
    "Tỉnh Quảng Trị",
    "Tỉnh Sơn La",
    "Tỉnh Tây Ninh",
    "Tỉnh Thái Nguyên",
    "Tỉnh Thanh Hóa",
    "Tỉnh Tuyên Quang",
    "Tỉnh Vĩnh Long",
]

# Province codes that open a 12-digit citizen ID number (the place of birth
# registration), from the 63 provinces that issued them (Circular 07/2016/TT-BCA).
# Numbers already issued keep these codes after the 2025 merger.
NATIONAL_ID_PROVINCE_CODES = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang",
    "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip

# Sign-in lockout (django-axes, citizens/lockout.py): this many failures for
# one account from one address pause that address's attempts for the account;
# this many for the account from anywhere pause password sign-in to it.
LOGIN_MAX_FAILURES_PER_ADDRESS = 5
LOGIN_MAX_FAILURES_PER_ACCOUNT = 20
LOGIN_LOCKOUT_MINUTES = 15
