#!/usr/bin/env python3
"""Convert the national procedure records into the portal's demo catalog.

    python scripts/convert_national_records.py SOURCE_JSON OUTPUT_JSON

SOURCE_JSON is the shared `procedures.json` (28 procedures read from the
national procedure database, see its README); OUTPUT_JSON is normally
`procedures/demo/catalog.json`, which `manage.py seed_demo` loads. The portal
never reads the source at run time: this one-off developer tool is run again
only when the source changes, and its output is committed.

The source describes procedures only. What it lacks is written here, so that
running the tool again reproduces the catalog exactly:

* the demo agency tree of Da Nang and which agency handles which procedure;
* slug codes for the fields, English names of the result types;
* the declaration form (tờ khai) fields of each procedure;
* which document components an earlier result can satisfy (`satisfied_by`);
* the announced calendar exceptions;
* English for what citizens read (see "English texts" below): who may apply
  and every copies wording, form help texts and choices, and the documents and
  main laws of a few procedures only, so that the demo also shows English
  pages falling back to the Vietnamese text.

The output format is described in `portal/management/commands/seed_demo.py`.
Only the standard library is used, so the tool runs without Django.
"""

import argparse
import json
import sys
import unicodedata
from pathlib import Path

FORMAT = "portal-catalog/1"

# --------------------------------------------------------------------------
# Agencies
# --------------------------------------------------------------------------

CITY = "000.00.00.H15"
SERVICE_CENTRE = "000.00.01.H15"
JUSTICE = "000.00.02.H15"
CONSTRUCTION = "000.00.03.H15"
FINANCE = "000.00.04.H15"
AGRICULTURE_ENVIRONMENT = "000.00.05.H15"
CITY_POLICE = "000.00.06.H15"

AGENCY_CODE_NOTE = (
    "Agency codes are illustrative. Only the city People's Committee's "
    "000.00.00.H15 follows the real pattern (H15 for Da Nang is derived, not "
    "verified); the real electronic IDs of the other agencies were not checked. "
    "The scheme is positional, one group per level, like the city's code: bodies "
    "directly under the city use the third group (000.00.NN.H15), wards and "
    "communes the second group (000.NN.00.H15, so their numbers never collide "
    "with the city's departments), and a unit under a city body carries both "
    "(000.NN.MM.H15: the police of ward NN under the city police MM)."
)

# The demo's wards and communes after the 1 July 2025 reform (Da Nang merged
# with Quang Nam: Hội An and Bà Nà are now in the city).
WARDS = [
    # number, Vietnamese name, English name
    ("01", "phường Hải Châu", "Hai Chau Ward"),
    ("02", "phường Hòa Cường", "Hoa Cuong Ward"),
    ("03", "phường Thanh Khê", "Thanh Khe Ward"),
    ("04", "phường Sơn Trà", "Son Tra Ward"),
    ("05", "phường Hội An", "Hoi An Ward"),
    ("06", "xã Bà Nà", "Ba Na Commune"),
]


def ward_code(number: str) -> str:
    return f"000.{number}.00.H15"


def ward_police_code(number: str) -> str:
    return f"000.{number}.06.H15"


WARD_CODES = [ward_code(number) for number, _, _ in WARDS]
WARD_POLICE_CODES = [ward_police_code(number) for number, _, _ in WARDS]


def agencies() -> list[dict]:
    def agency(code, name, name_en, short_name, level, kind, parent):
        return {
            "code": code,
            "name": name,
            "name_en": name_en,
            "short_name": short_name,
            "level": level,
            "kind": kind,
            "parent": parent,
        }

    rows = [
        agency(
            CITY,
            "Ủy ban nhân dân thành phố Đà Nẵng",
            "Da Nang City People's Committee",
            "UBND thành phố Đà Nẵng",
            "province",
            "peoples_committee",
            None,
        ),
        agency(
            SERVICE_CENTRE,
            "Trung tâm Phục vụ hành chính công thành phố Đà Nẵng",
            "Da Nang Public Administrative Service Centre",
            "Trung tâm PVHCC thành phố",
            "province",
            "service_centre",
            CITY,
        ),
        agency(
            JUSTICE,
            "Sở Tư pháp thành phố Đà Nẵng",
            "Da Nang Department of Justice",
            "Sở Tư pháp",
            "province",
            "department",
            CITY,
        ),
        agency(
            CONSTRUCTION,
            "Sở Xây dựng thành phố Đà Nẵng",
            "Da Nang Department of Construction",
            "Sở Xây dựng",
            "province",
            "department",
            CITY,
        ),
        agency(
            FINANCE,
            "Sở Tài chính thành phố Đà Nẵng",
            "Da Nang Department of Finance",
            "Sở Tài chính",
            "province",
            "department",
            CITY,
        ),
        agency(
            AGRICULTURE_ENVIRONMENT,
            "Sở Nông nghiệp và Môi trường thành phố Đà Nẵng",
            "Da Nang Department of Agriculture and Environment",
            "Sở Nông nghiệp và Môi trường",
            "province",
            "department",
            CITY,
        ),
        # The police answer to the Ministry of Public Security, not to the city;
        # they sit under the city here because the tree is the city's one-stop
        # map, and `department` is the nearest kind the model offers.
        agency(
            CITY_POLICE,
            "Công an thành phố Đà Nẵng",
            "Da Nang City Police",
            "Công an thành phố",
            "province",
            "department",
            CITY,
        ),
    ]
    for number, name, name_en in WARDS:
        rows.append(
            agency(
                ward_code(number),
                f"Ủy ban nhân dân {name}",
                f"{name_en} People's Committee",
                f"UBND {name}",
                "commune",
                "peoples_committee",
                CITY,
            )
        )
    for number, name, name_en in WARDS:
        rows.append(
            agency(
                ward_police_code(number),
                f"Công an {name}",
                f"{name_en} Police",
                f"Công an {name}",
                "commune",
                "department",
                CITY_POLICE,
            )
        )
    return rows


# --------------------------------------------------------------------------
# Fields: the source's Vietnamese name -> slug code, and the city body that
# handles the field's province-level procedures.
# --------------------------------------------------------------------------

FIELDS = {
    "Hộ tịch": ("civil-status", JUSTICE),
    "Chứng thực": ("certification", JUSTICE),
    "Đăng ký, quản lý cư trú": ("residence", CITY_POLICE),
    "Lý lịch tư pháp": ("judicial-records", CITY_POLICE),
    "Sát hạch, cấp giấy phép lái xe": ("driving-licences", CITY_POLICE),
    "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)": ("household-business", FINANCE),
    "Thành lập và hoạt động của doanh nghiệp": ("enterprise-registration", FINANCE),
    "Hoạt động xây dựng": ("construction", CONSTRUCTION),
    "Đất đai": ("land", AGRICULTURE_ENVIRONMENT),
    "Hạ tầng kỹ thuật": ("technical-infrastructure", CONSTRUCTION),
    "Đường bộ": ("roads", CONSTRUCTION),
}

# At commune level these fields are handled by the commune police (the record's
# handling agency is "Công an cấp xã"), the others by the People's Committee.
POLICE_FIELDS = {"residence", "judicial-records", "driving-licences"}

# --------------------------------------------------------------------------
# Result types: English names (ours) and validity where the law sets one.
# --------------------------------------------------------------------------

RESULT_TYPE_EN = {
    "KQ.G01.000064": "Update of the National Population Database",
    "KQ.G01.000065": "Notice of the outcome or cancellation of a residence procedure",
    "KQ.G01.000066": "Update of the Residence Database",
    "KQ.G01.000067": "Refusal to receive or process a dossier (residence)",
    "KQ.G01.000185": "Driving licence",
    "KQ.G01.000199": "Judicial record certificate No. 2 (provincial)",
    "KQ.G01.000200": "Judicial record certificate No. 1 (provincial)",
    "KQ.G04.000509": "Permit for temporary use of the roadway or sidewalk for other purposes",
    "KQ.G10.000921": "Notice confirming the land registration",
    "KQ.G10.001147": (
        "Land-use right certificate, or certificate of ownership of a house or "
        "construction works, in any of its successive forms"
    ),
    "KQ.G10.001148": "Certificate of land-use rights and ownership of assets attached to land",
    "KQ.G12.001009": (
        "Written notice of required corrections from the commune business registration office"
    ),
    "KQ.G12.001017": "Written refusal with reasons from the commune business registration office",
    "KQ.G12.001040": "Written refusal with reasons from the business registration office",
    "KQ.G12.001041": "Household business registration certificate",
    "KQ.G12.001044": "Enterprise registration certificate – sole proprietorship",
    "KQ.G12.001046": (
        "Enterprise registration certificate – single-member limited liability company"
    ),
    "KQ.G12.001049": "Confirmation of a household business's temporary suspension",
    "KQ.G12.001051": "Notice of corrections to an enterprise registration dossier",
    "KQ.G12.001154": "Confirmation of a household business's early resumption",
    "KQ.G12.001347": (
        "Update of a household business's changed details in the household business database"
    ),
    "KQ.G12.001348": (
        "Update of a household business's legal status to suspended in the household "
        "business database"
    ),
    "KQ.G12.001349": (
        "Update of a household business's legal status to terminated in the household "
        "business database, with public notice on the National Business Registration Portal"
    ),
    "KQ.G15.000021": "Copy certified from the original",
    "KQ.G15.000022": "Document with a certified signature or fingerprint",
    "KQ.G15.000023": "Certified transaction",
    "KQ.G15.000031": "Birth certificate",
    "KQ.G15.000032": "Marriage certificate",
    "KQ.G15.000034": "Death registration extract",
    "KQ.G15.000037": (
        "Extract of a change, correction or supplement of civil-status information, "
        "or re-determination of ethnicity"
    ),
    "KQ.G15.000038": "Certificate of marital status",
    "KQ.G15.000342": "Copy of a civil-status extract or of a birth certificate",
    "KQ.G17.000311": "Construction permit with the stamped design drawings",
    "KQ.G17.000315": "Extended construction permit",
    "KQ.G18.000047": "Health insurance card",
    "KQ.H17.000039": "Permit to fell or relocate trees",
}

# Decree 123/2015/NĐ-CP Art. 23: a marital-status certificate is valid 6 months.
RESULT_TYPE_VALIDITY_MONTHS = {"KQ.G15.000038": 6}

# --------------------------------------------------------------------------
# Components an earlier result satisfies: (procedure, start of the component
# name) -> result type codes. Only where the match is clear.
# --------------------------------------------------------------------------

LAND_CERTIFICATES = ["KQ.G10.001148", "KQ.G10.001147"]

SATISFIED_BY = {
    ("1.004884", "Bản sao Giấy khai sinh cũ"): ["KQ.G15.000031", "KQ.G15.000342"],
    ("1.004873", "Giấy xác nhận tình trạng hôn nhân đã được cấp"): ["KQ.G15.000038"],
    ("1.004222", "Thông tin chứng minh quan hệ nhân thân"): ["KQ.G15.000031", "KQ.G15.000032"],
    ("2.001035", "Giấy chứng nhận quyền sở hữu, quyền sử dụng"): LAND_CERTIFICATES,
    ("1.013225", "Một trong các giấy tờ hợp pháp về đất đai"): LAND_CERTIFICATES,
    ("1.012783", "Bản gốc Giấy chứng nhận đã cấp"): LAND_CERTIFICATES,
    # A permit may be extended twice, so an extended one can be extended again.
    ("1.013227", "Bản chính giấy phép xây dựng"): ["KQ.G17.000311", "KQ.G17.000315"],
    ("2.001610", "Bản sao Giấy chứng nhận đăng ký hộ kinh doanh"): ["KQ.G12.001041"],
    ("2.000720", "Bản sao giấy chứng tử"): ["KQ.G15.000034"],
    ("3.000347", "Bản sao (hoặc bản sao điện tử có chứng thực) giấy phép lái xe"): [
        "KQ.G01.000185"
    ],
}

# Components a personal document from the wallet satisfies, by the start of
# the component name (any procedure) -> citizens' document types.
DOCUMENT_TYPES = {
    "Giấy tờ tùy thân": ["id_card"],
    "Căn cước điện tử hoặc bản chính/bản sao thẻ căn cước": ["id_card"],
    "Bản sao thẻ căn cước": ["id_card"],
    "Giấy tờ tùy thân của người yêu cầu": ["id_card"],
    "Giấy tờ chứng minh nơi cư trú": ["household_registration"],
    "Bản sao Giấy chứng nhận đăng ký hộ kinh doanh": ["business_registration"],
    "Giấy chứng nhận quyền sở hữu, quyền sử dụng": ["land_use_certificate"],
    "Một trong các giấy tờ hợp pháp về đất đai": ["land_use_certificate"],
    "Một trong các giấy tờ về quyền sử dụng đất": ["land_use_certificate"],
    "Bản gốc Giấy chứng nhận đã cấp": ["land_use_certificate"],
    "Bản sao Giấy khai sinh cũ": ["birth_certificate"],
}


def document_types(name: str) -> list[str]:
    matching = [kinds for prefix, kinds in DOCUMENT_TYPES.items() if name.startswith(prefix)]
    return sorted({kind for kinds in matching for kind in kinds})


# --------------------------------------------------------------------------
# Declaration form fields
# --------------------------------------------------------------------------


def field(
    key,
    label,
    label_en,
    field_type="text",
    *,
    required=True,
    choices=(),
    choices_en=(),
    help_text="",
    help_text_en="",
    prefill="",
):
    # Labels are matched to the stored values by position (FormField.clean checks it too).
    if choices_en and len(choices_en) != len(choices):
        raise ValueError(f"form field {key}: {len(choices_en)} English choices for {len(choices)}")
    return {
        "key": key,
        "label": label,
        "label_en": label_en,
        "field_type": field_type,
        "is_required": required,
        "choices": list(choices),
        "choices_en": list(choices_en),
        "help_text": help_text,
        "help_text_en": help_text_en,
        "prefill_source": prefill,
    }


# Tables of form fields read best one call per field, so the formatter leaves them.
# fmt: off
APPLICANT_FIELDS = [
    field("full_name", "Họ, chữ đệm và tên người yêu cầu", "Applicant's full name",
          prefill="full_name"),
    field("national_id", "Số định danh cá nhân", "Personal identification number",
          "national_id", prefill="national_id",
          help_text="12 chữ số, in trên thẻ căn cước.",
          help_text_en="12 digits, printed on the citizen ID card."),
    field("date_of_birth", "Ngày, tháng, năm sinh", "Date of birth", "date",
          prefill="date_of_birth"),
    field("phone", "Số điện thoại", "Phone number", prefill="phone"),
    field("email", "Thư điện tử", "Email", required=False, prefill="email"),
    field("permanent_address", "Nơi thường trú", "Permanent residence", "address",
          prefill="permanent_address"),
]

CURRENT_ADDRESS = field(
    "current_address", "Nơi ở hiện tại", "Current residence", "address", prefill="current_address"
)

GENDERS = ["Nam", "Nữ"]
GENDERS_EN = ["Male", "Female"]

CHILD_FIELDS = [
    field("relationship", "Quan hệ với người được khai sinh", "Relationship to the child",
          "choice", choices=["Cha", "Mẹ", "Ông, bà", "Người thân thích khác"],
          choices_en=["Father", "Mother", "Grandparent", "Other relative"]),
    field("child_full_name", "Họ, chữ đệm và tên của trẻ", "Child's full name"),
    field("child_date_of_birth", "Ngày, tháng, năm sinh của trẻ", "Child's date of birth", "date"),
    field("child_gender", "Giới tính của trẻ", "Child's gender", "choice", choices=GENDERS,
          choices_en=GENDERS_EN),
    field("child_ethnicity", "Dân tộc của trẻ", "Child's ethnicity"),
    field("child_place_of_birth", "Nơi sinh của trẻ", "Child's place of birth",
          help_text="Tên cơ sở y tế hoặc địa chỉ nơi trẻ được sinh ra.",
          help_text_en="The name of the health facility, or the address where the child "
                       "was born."),
    field("father_full_name", "Họ, chữ đệm và tên người cha", "Father's full name",
          required=False, help_text="Để trống nếu chưa xác định được cha.",
          help_text_en="Leave empty if the father has not been established."),
    field("mother_full_name", "Họ, chữ đệm và tên người mẹ", "Mother's full name",
          required=False, help_text="Để trống nếu chưa xác định được mẹ.",
          help_text_en="Leave empty if the mother has not been established."),
]

HOUSEHOLD_BUSINESS_NUMBER = field(
    "business_registration_number", "Mã số hộ kinh doanh", "Household business registration number"
)

LAND_PARCEL = field(
    "land_parcel", "Thửa đất số, tờ bản đồ số", "Land parcel and map sheet numbers"
)

CERTIFICATE_NUMBER = field(
    "certificate_number", "Số phát hành Giấy chứng nhận", "Certificate serial number"
)

EXTRA_FIELDS = {
    # Birth registration
    "1.001193": CHILD_FIELDS,
    "2.000986": CHILD_FIELDS,
    # Marriage registration
    "1.000894": [
        field("spouse_full_name", "Họ, chữ đệm và tên người cùng đăng ký kết hôn",
              "Full name of the person you are marrying"),
        field("spouse_national_id", "Số định danh cá nhân của người cùng đăng ký kết hôn",
              "Their personal identification number", "national_id"),
        field("spouse_date_of_birth", "Ngày, tháng, năm sinh của người cùng đăng ký kết hôn",
              "Their date of birth", "date"),
        field("spouse_address", "Nơi cư trú của người cùng đăng ký kết hôn",
              "Their place of residence", "address"),
    ],
    # Death registration
    "1.000656": [
        field("deceased_full_name", "Họ, chữ đệm và tên người đã chết",
              "Full name of the deceased"),
        field("deceased_national_id", "Số định danh cá nhân của người đã chết",
              "Personal identification number of the deceased", "national_id",
              required=False),
        field("date_of_death", "Ngày chết", "Date of death", "date"),
        field("place_of_death", "Nơi chết", "Place of death"),
        field("relationship", "Quan hệ với người đã chết", "Relationship to the deceased"),
    ],
    # Certificate of marital status
    "1.004873": [
        field("marital_status", "Tình trạng hôn nhân hiện tại", "Current marital status",
              "choice",
              choices=["Chưa kết hôn", "Đang có vợ/chồng", "Đã ly hôn", "Vợ/chồng đã chết"],
              choices_en=["Never married", "Married", "Divorced", "Widowed"]),
        field("purpose", "Mục đích sử dụng", "Purpose of use",
              help_text="Ví dụ: để đăng ký kết hôn, để vay vốn ngân hàng.",
              help_text_en="For example: to register a marriage, to take out a bank loan."),
    ],
    # Copy of a civil-status extract / birth certificate
    "2.000635": [
        field("document_type", "Loại giấy tờ cần cấp bản sao", "Document to copy", "choice",
              choices=["Giấy khai sinh", "Giấy chứng nhận kết hôn", "Trích lục khai tử",
                       "Trích lục hộ tịch khác"],
              choices_en=["Birth certificate", "Marriage certificate", "Death extract",
                          "Other civil-status extract"]),
        field("subject_full_name", "Họ, chữ đệm và tên người được đăng ký hộ tịch",
              "Full name of the person registered"),
        field("copies", "Số bản sao", "Number of copies", "number"),
    ],
    # Change or correction of civil-status information
    "1.004859": [
        field("change_details", "Nội dung đề nghị thay đổi, cải chính, bổ sung",
              "What to change, correct or add", "long_text"),
    ],
    # Certification of copies
    "2.000815": [
        field("copies", "Số bản sao cần chứng thực", "Number of copies to certify", "number"),
    ],
    # Permanent residence registration
    "1.004222": [
        CURRENT_ADDRESS,
        field("registration_address", "Địa chỉ đăng ký thường trú",
              "Address to register as permanent residence", "address"),
        field("head_of_household", "Họ, chữ đệm và tên chủ hộ", "Head of household's full name",
              required=False),
        field("relationship_to_head", "Quan hệ với chủ hộ", "Relationship to the head of household",
              required=False),
    ],
    # Temporary residence registration
    "1.004194": [
        CURRENT_ADDRESS,
        field("registration_address", "Địa chỉ đăng ký tạm trú", "Temporary residence address",
              "address"),
        field("stay_until", "Tạm trú đến ngày", "Staying until", "date"),
    ],
    # Judicial record certificate
    "3.000333": [
        field("request_type", "Loại Phiếu lý lịch tư pháp", "Type of certificate", "choice",
              choices=["Phiếu số 1", "Phiếu số 2"],
              choices_en=["Certificate no. 1", "Certificate no. 2"]),
        field("purpose", "Mục đích sử dụng Phiếu", "Purpose of the certificate"),
        field("copies", "Số lượng Phiếu yêu cầu cấp", "Number of certificates", "number"),
    ],
    # Driving licence exchange
    "3.000347": [
        field("licence_number", "Số giấy phép lái xe", "Driving licence number"),
        field("licence_class", "Hạng giấy phép lái xe", "Licence class",
              help_text="Ví dụ: A1, B.", help_text_en="For example: A1, B."),
    ],
    # Household business
    "1.001612": [
        field("business_name", "Tên hộ kinh doanh", "Business name"),
        field("business_address", "Địa chỉ trụ sở hộ kinh doanh", "Business address", "address"),
        field("business_lines", "Ngành, nghề kinh doanh", "Lines of business", "long_text"),
        field("capital", "Vốn kinh doanh (đồng)", "Capital (VND)", "number"),
        field("employees", "Số lượng lao động", "Number of employees", "number",
              required=False),
    ],
    "2.000720": [
        HOUSEHOLD_BUSINESS_NUMBER,
        field("change_details", "Nội dung đăng ký thay đổi", "Changes to register", "long_text"),
    ],
    "1.001570": [
        HOUSEHOLD_BUSINESS_NUMBER,
        field("request", "Nội dung đăng ký", "Request", "choice",
              choices=["Tạm ngừng kinh doanh", "Tiếp tục kinh doanh trước thời hạn"],
              choices_en=["Temporary suspension", "Early resumption"]),
        field("start_date", "Từ ngày", "From", "date"),
        field("end_date", "Đến ngày", "Until", "date", required=False),
    ],
    "1.001266": [
        HOUSEHOLD_BUSINESS_NUMBER,
        field("termination_date", "Ngày chấm dứt hoạt động", "Date of termination", "date"),
    ],
    # Enterprises
    "2.001610": [
        field("enterprise_name", "Tên doanh nghiệp", "Enterprise name"),
        field("head_office", "Địa chỉ trụ sở chính", "Head office address", "address"),
        field("business_lines", "Ngành, nghề kinh doanh", "Lines of business", "long_text"),
        field("capital", "Vốn đầu tư của chủ doanh nghiệp (đồng)",
              "Owner's investment capital (VND)", "number"),
    ],
    "2.001583": [
        field("enterprise_name", "Tên doanh nghiệp", "Enterprise name"),
        field("head_office", "Địa chỉ trụ sở chính", "Head office address", "address"),
        field("business_lines", "Ngành, nghề kinh doanh", "Lines of business", "long_text"),
        field("capital", "Vốn điều lệ (đồng)", "Charter capital (VND)", "number"),
    ],
    # Construction permits
    "1.013225": [
        field("building_type", "Loại công trình", "Type of works", "choice",
              choices=["Nhà ở riêng lẻ", "Công trình cấp III", "Công trình cấp IV"]),
        field("plot_address", "Địa điểm xây dựng", "Construction site address", "address"),
        LAND_PARCEL,
        field("floor_area", "Tổng diện tích sàn (m²)", "Total floor area (m²)", "number"),
        field("floors", "Số tầng", "Number of floors", "number"),
    ],
    "1.013227": [
        field("permit_number", "Số giấy phép xây dựng", "Construction permit number"),
        field("permit_date", "Ngày cấp giấy phép xây dựng", "Date the permit was issued", "date"),
        field("reason", "Lý do đề nghị gia hạn", "Reason for the extension", "long_text"),
    ],
    # Land
    "1.013978": [
        field("plot_address", "Địa chỉ thửa đất", "Address of the land parcel", "address"),
        LAND_PARCEL,
        field("area", "Diện tích (m²)", "Area (m²)", "number"),
        field("land_use", "Mục đích sử dụng đất", "Land use"),
    ],
    "1.012783": [
        CERTIFICATE_NUMBER,
        field("reason", "Lý do cấp đổi", "Reason for the exchange", "long_text"),
    ],
    "1.012786": [
        CERTIFICATE_NUMBER,
        field("plot_address", "Địa chỉ thửa đất", "Address of the land parcel", "address"),
        field("loss_details", "Hoàn cảnh bị mất", "How it was lost", "long_text"),
    ],
    # Trees
    "1.002693": [
        field("request", "Nội dung đề nghị", "Request", "choice",
              choices=["Chặt hạ", "Dịch chuyển"]),
        field("location", "Vị trí cây xanh", "Location of the trees", "address"),
        field("species", "Loài cây", "Species"),
        field("tree_count", "Số lượng cây", "Number of trees", "number"),
        field("reason", "Lý do", "Reason", "long_text"),
    ],
    # Sidewalks
    "1.013274": [
        field("location", "Vị trí lòng đường, vỉa hè đề nghị sử dụng",
              "Location of the roadway or sidewalk", "address"),
        field("purpose", "Mục đích sử dụng", "Purpose", "long_text"),
        field("area", "Diện tích sử dụng (m²)", "Area used (m²)", "number"),
        field("start_date", "Sử dụng từ ngày", "From", "date"),
        field("end_date", "Đến ngày", "Until", "date"),
    ],
}
# fmt: on

# --------------------------------------------------------------------------
# English texts
# --------------------------------------------------------------------------
# The national records are in Vietnamese. What citizens read on English pages
# is translated here; what is not stays Vietnamese there, marked lang="vi".
# Who may apply and the copies are translated everywhere; documents and laws
# only for birth and marriage registration and the judicial record
# certificate, so that the demo shows both. Keys are the exact Vietnamese
# texts, so a changed record drops its translation instead of mistranslating.

# Who may apply is a list of the national database's applicant kinds.
APPLICANT_KINDS_EN = {
    "Công dân Việt Nam": "Vietnamese citizens",
    "Người Việt Nam định cư ở nước ngoài": "Vietnamese people residing abroad",
    "Người nước ngoài cư trú tại Việt Nam": "Foreigners residing in Vietnam",
    "Người nước ngoài": "Foreigners",
    "Tổ chức (không bao gồm doanh nghiệp, HTX)": (
        "Organisations (other than enterprises and cooperatives)"
    ),
    "Tổ chức nước ngoài": "Foreign organisations",
    "Doanh nghiệp có vốn đầu tư nước ngoài": "Foreign-invested enterprises",
    "Doanh nghiệp": "Enterprises",
    "Hợp tác xã": "Cooperatives",
    "Cán bộ, công chức, viên chức": "Public officials and employees",
}

COPIES_EN = {
    "1 bản chính": "1 original",
    "1 bản": "1 copy",
    "1 bản sao": "1 copy",
    "bản sao": "a copy",
    "xuất trình bản chính": "show the original",
    "xuất trình": "to be shown",
    "02 bộ": "2 sets",
    "1 bản chính hoặc bản sao có chứng thực": "1 original or certified copy",
}

_ID_DOCUMENT = (
    "Giấy tờ tùy thân (hộ chiếu / thẻ căn cước / căn cước điện tử / giấy chứng nhận căn "
    "cước) – xuất trình khi nộp trực tiếp"
)
_RESIDENCE_PROOF = (
    "Giấy tờ chứng minh nơi cư trú – chỉ khi cơ quan đăng ký không khai thác được thông "
    "tin cư trú từ CSDL quốc gia về dân cư"
)

COMPONENT_NAMES_EN = {
    # Birth registration
    "Tờ khai đăng ký khai sinh theo mẫu (nộp trực tiếp/bưu chính) hoặc mẫu hộ tịch điện tử "
    "tương tác (nộp trực tuyến)": (
        "Birth registration form (in person or by post), or the interactive electronic "
        "civil-status form (online)"
    ),
    "Giấy chứng sinh; nếu không có: văn bản của người làm chứng, hoặc giấy cam đoan về việc sinh": (
        "Birth notification; failing that, a witness's statement or a sworn statement of the birth"
    ),
    "Biên bản về việc trẻ bị bỏ rơi do cơ quan có thẩm quyền lập": (
        "Record of the child's abandonment, drawn up by the competent authority"
    ),
    "Văn bản xác nhận của cơ sở y tế đã thực hiện kỹ thuật hỗ trợ sinh sản cho việc mang thai hộ": (
        "Confirmation from the health facility that performed assisted reproduction for the "
        "surrogacy"
    ),
    "Văn bản ủy quyền (nếu ủy quyền); không cần chứng thực nếu người được ủy quyền là ông, "
    "bà, cha, mẹ, con, vợ, chồng, anh, chị, em ruột – phải được chứng thực trong các trường "
    "hợp khác": (
        "Letter of authorisation (if someone files for you); it needs no certification if "
        "that person is your grandparent, parent, child, spouse or sibling, and must be "
        "certified otherwise"
    ),
    _ID_DOCUMENT: (
        "Identity document (passport / ID card / electronic ID / identity certificate), "
        "shown when filing in person"
    ),
    _RESIDENCE_PROOF: (
        "Proof of residence, only when the registering office cannot read it from the "
        "national population database"
    ),
    # Marriage registration
    "Tờ khai đăng ký kết hôn theo mẫu, đủ thông tin hai bên (có thể khai chung một tờ khai) "
    "– nộp trực tiếp; hoặc mẫu hộ tịch điện tử tương tác – nộp trực tuyến": (
        "Marriage registration form with both partners' details (one joint form is allowed), "
        "in person; or the interactive electronic civil-status form, online"
    ),
    # Judicial record certificate
    "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (Mẫu 01/2025/LLTP; bản điện tử tương tác Mẫu "
    "04/2025/LLTP)": (
        "Application form for a judicial record certificate (Form 01/2025/LLTP; interactive "
        "electronic Form 04/2025/LLTP)"
    ),
    "Tờ khai dùng cho trường hợp ủy quyền / cha, mẹ của người chưa thành niên (Mẫu "
    "02/2025/LLTP; điện tử Mẫu 05/2025/LLTP)": (
        "Application form for an authorised person or the parent of a minor (Form "
        "02/2025/LLTP; electronic Form 05/2025/LLTP)"
    ),
    "Bản sao thẻ căn cước / căn cước công dân / giấy xác nhận căn cước / hộ chiếu của người "
    "được cấp phiếu (xuất trình bản chính để đối chiếu)": (
        "Copy of the ID card / citizen ID card / identity confirmation / passport of the "
        "person the certificate is for (show the original for comparison)"
    ),
    "Văn bản ủy quyền yêu cầu cấp Phiếu lý lịch tư pháp số 1": (
        "Letter of authorisation to request judicial record certificate no. 1"
    ),
    "Giấy tờ chứng minh thuộc đối tượng miễn, giảm phí": (
        "Proof of entitlement to a fee exemption or reduction"
    ),
}

COMPONENT_NOTES_EN = {
    "Không nộp bản giấy nếu đã nộp bản điện tử hoặc cơ quan đã khai thác được dữ liệu Giấy "
    "chứng sinh điện tử có ký số": (
        "Not needed on paper if you sent the electronic one, or the office can read the "
        "digitally signed electronic birth notification"
    ),
    "Chỉ khi trẻ bị bỏ rơi": "Only if the child was abandoned",
    "Chỉ khi sinh ra do mang thai hộ": "Only if the child was born through surrogacy",
    "Văn bản ủy quyền phải công chứng/chứng thực; không cần nếu người được ủy quyền là cha, "
    "mẹ, vợ, chồng, con. Phiếu số 2 không được ủy quyền, trừ người chưa thành niên ủy quyền "
    "cho cha, mẹ": (
        "The letter must be notarised or certified, except when the authorised person is "
        "your parent, spouse or child. Certificate no. 2 cannot be requested through someone "
        "else, except by a minor through a parent"
    ),
}

# number: (Vietnamese title it translates, English title)
LEGAL_BASIS_EN = {
    "60/2014/QH13": ("Luật Hộ tịch", "Law on Civil Status"),
    "52/2014/QH13": ("Luật Hôn nhân và gia đình", "Law on Marriage and Family"),
    "28/2009/QH12": ("Luật Lý lịch tư pháp", "Law on Judicial Records"),
    "123/2015/NĐ-CP": (
        "Nghị định quy định chi tiết một số điều và biện pháp thi hành Luật Hộ tịch",
        "Decree detailing some articles of the Law on Civil Status and measures to implement it",
    ),
    "87/2020/NĐ-CP": (
        "Nghị định về Cơ sở dữ liệu hộ tịch điện tử, đăng ký hộ tịch trực tuyến",
        "Decree on the electronic civil-status database and online civil-status registration",
    ),
    "04/2020/TT-BTP": (
        "Thông tư quy định chi tiết thi hành một số điều của Luật Hộ tịch và Nghị định "
        "123/2015/NĐ-CP",
        "Circular detailing some articles of the Law on Civil Status and Decree 123/2015/NĐ-CP",
    ),
}


def applicants_en(text: str) -> str:
    """Who may apply in English: each listed kind, in the record's order."""
    kinds = sorted(APPLICANT_KINDS_EN, key=len, reverse=True)  # longest first: prefixes
    rest, parts = text, []
    while rest:
        kind = next((kind for kind in kinds if rest.startswith(kind)), None)
        if kind is None:
            raise ConversionError(f"no English for the applicants {rest!r}")
        parts.append(APPLICANT_KINDS_EN[kind])
        rest = rest[len(kind) :].removeprefix(", ")
    return ", ".join(parts)


def legal_basis_title_en(number: str, title: str) -> str:
    vietnamese, english = LEGAL_BASIS_EN.get(number, (None, ""))
    return english if vietnamese == title else ""


# --------------------------------------------------------------------------
# Calendar exceptions beyond what the `holidays` package knows
# --------------------------------------------------------------------------

CALENDAR_EXCEPTIONS = [
    {
        "date": "2026-01-02",
        "kind": "day_off",
        "description": (
            "Nghỉ Tết Dương lịch 2026, hoán đổi với ngày thứ Bảy 10/01/2026 "
            "(Văn bản số 12729/VPCP-KGVX ngày 25/12/2025)"
        ),
    },
    {
        "date": "2026-01-10",
        "kind": "working_day",
        "description": (
            "Làm bù cho ngày nghỉ thứ Sáu 02/01/2026 (Văn bản số 12729/VPCP-KGVX ngày 25/12/2025)"
        ),
    },
]

CALENDAR_NOTE = (
    "Only the New Year 2026 swap is listed: the Government Office's letter "
    "12729/VPCP-KGVX of 25/12/2025 moved Friday 2 January to Saturday 10 January, "
    "which the holidays package does not know. Tết 2026 (14-22 February) needs no "
    "swap: its five weekdays are the statutory days off. Other years are not listed."
)

# --------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------

ONLINE_LEVELS = {
    "toàn trình": "full_online",
    "một phần": "partial_online",
    "không (chỉ trực tiếp)": "in_person",
}

SERVICE_LEVEL_NOTE = (
    "service_level maps the record's online level: toàn trình -> full_online, "
    "một phần -> partial_online, không (chỉ trực tiếp) -> in_person. Where the "
    "level is unknown it is partial_online if the national record lists an online "
    "channel and in_person otherwise; Da Nang's own classification was not found "
    "for most procedures (see each procedure's source.online_level_verified)."
)


class ConversionError(Exception):
    pass


def nfc(value):
    """Vietnamese text in one Unicode form, so equal names compare equal."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(item) for item in value]
    if isinstance(value, dict):
        return {key: nfc(item) for key, item in value.items()}
    return value


def service_level(record: dict) -> str:
    value = record["online_level"]["value"]
    if value is None:
        return (
            "partial_online" if "online" in record["channels_in_national_record"] else "in_person"
        )
    try:
        return ONLINE_LEVELS[value]
    except KeyError:
        raise ConversionError(f"{record['code']}: unknown online level {value!r}") from None


def processing(record: dict) -> dict:
    time = record["processing_time"]
    if time.get("working_days") is not None:
        amount, unit = time["working_days"], "working_days"
    elif time.get("calendar_days") is not None:
        amount, unit = time["calendar_days"], "calendar_days"
    else:
        raise ConversionError(f"{record['code']}: no processing time")
    return {
        "processing_time": amount,
        "time_unit": unit,
        "same_day": bool(time.get("same_day")),
        "time_note": time.get("note") or "",
    }


def fee(record: dict) -> dict:
    source = record["fee"]
    note = source.get("note") or ""
    if source.get("unit"):
        note = f"{note} Unit: {source['unit']}.".strip()
    return {
        "fee_vnd": source.get("amount_vnd"),
        "fee_online_vnd": source.get("online_amount_vnd"),
        "fee_note": note,
    }


def handling_agencies(record: dict, field_code: str, department: str) -> list[str]:
    codes = []
    for level in record["levels"]:
        if level == "commune":
            codes += WARD_POLICE_CODES if field_code in POLICE_FIELDS else WARD_CODES
        elif level == "province":
            codes.append(department)
        else:
            raise ConversionError(f"{record['code']}: unknown level {level!r}")
    return codes


def components(record: dict) -> list[dict]:
    wanted = {
        prefix: codes for (code, prefix), codes in SATISFIED_BY.items() if code == record["code"]
    }
    rows = []
    for component in record["components"]:
        matches = [prefix for prefix in wanted if component["name"].startswith(prefix)]
        if len(matches) > 1:
            raise ConversionError(f"{record['code']}: {matches} all match one component")
        copies = component.get("copies") or ""
        note = component.get("note") or ""
        if copies and copies not in COPIES_EN:
            raise ConversionError(f"{record['code']}: no English for the copies {copies!r}")
        rows.append(
            {
                "name": component["name"],
                "name_en": COMPONENT_NAMES_EN.get(component["name"], ""),
                "is_required": component["required"],
                "copies": copies,
                "copies_en": COPIES_EN.get(copies, ""),
                "note": note,
                "note_en": COMPONENT_NOTES_EN.get(note, ""),
                "accepted_formats": "pdf,jpg,png",
                "document_types": document_types(component["name"]),
                "satisfied_by": wanted.pop(matches[0]) if matches else [],
            }
        )
    if wanted:
        raise ConversionError(f"{record['code']}: no component starts with {sorted(wanted)}")
    return rows


def form_fields(record: dict) -> list[dict]:
    rows = [*APPLICANT_FIELDS, *EXTRA_FIELDS.get(record["code"], [])]
    keys = [row["key"] for row in rows]
    if len(keys) != len(set(keys)):
        raise ConversionError(f"{record['code']}: duplicate form field keys {keys}")
    return rows


def procedure(record: dict) -> dict:
    field_vi = record["field"]["vi"]
    if field_vi not in FIELDS:
        raise ConversionError(f"{record['code']}: no slug for field {field_vi!r}")
    field_code, department = FIELDS[field_vi]
    return {
        "code": record["code"],
        "name": record["name_vi"],
        "name_en": record["name_en"],
        "field": field_code,
        "level": record["level"],
        "agencies": handling_agencies(record, field_code, department),
        "kind": "administrative",
        "service_level": service_level(record),
        "applicants": record.get("applicants_vi") or "",
        "applicants_en": applicants_en(record.get("applicants_vi") or ""),
        **processing(record),
        **fee(record),
        "result_types": [result["result_type_code"] for result in record["results"]],
        "legal_bases": [
            {
                "number": basis["number"],
                "title": basis.get("title_vi") or "",
                "title_en": legal_basis_title_en(basis["number"], basis.get("title_vi") or ""),
            }
            for basis in record["legal_basis"]
        ],
        "components": components(record),
        "form_fields": form_fields(record),
        # Provenance, for people: seed_demo does not load it.
        "source": {
            "national_record": next(
                (s["url"] for s in record["sources"] if "dichvucong.gov.vn" in s["url"]), ""
            ),
            "announcing_decision": record.get("announcing_decision") or "",
            "handling_agency_vi": record["handling_agency"]["type_vi"],
            "online_level_vi": record["online_level"]["value"],
            "online_level_verified": record["online_level"]["verified"],
            "online_level_basis": record["online_level"].get("basis") or "",
            "unverified_note": record.get("unverified_note") or "",
        },
    }


def fields(records: list[dict]) -> list[dict]:
    rows = {}
    for record in records:
        code, _ = FIELDS[record["field"]["vi"]]
        rows.setdefault(
            code, {"code": code, "name": record["field"]["vi"], "name_en": record["field"]["en"]}
        )
    return list(rows.values())


def result_types(records: list[dict]) -> list[dict]:
    rows: dict[str, dict] = {}
    for record in records:
        for result in record["results"]:
            code = result["result_type_code"]
            if code in rows and rows[code]["name"] != result["name_vi"]:
                raise ConversionError(f"{code} has two names: {rows[code]['name']!r}, ...")
            if code not in RESULT_TYPE_EN:
                raise ConversionError(f"{code}: no English name")
            rows[code] = {
                "code": code,
                "name": result["name_vi"],
                "name_en": RESULT_TYPE_EN[code],
                "validity_months": RESULT_TYPE_VALIDITY_MONTHS.get(code),
            }
    return sorted(rows.values(), key=lambda row: row["code"])


def convert(source: dict) -> dict:
    records = nfc(source["procedures"])
    return {
        "format": FORMAT,
        "notes": {
            "purpose": (
                "Demo catalog of the citizen portal, loaded by `manage.py seed_demo`. "
                "Generated by scripts/convert_national_records.py; edit the script, "
                "not this file."
            ),
            "source": (
                "Procedures: the shared national records (procedures.json, generated "
                f"{source.get('generated')}, national records read "
                f"{source.get('snapshot_date_of_national_records')}). Not a legal "
                "reference: check each procedure's source.national_record."
            ),
            "agency_codes": AGENCY_CODE_NOTE,
            "agencies": (
                "Commune-level procedures are handled by every demo ward and commune "
                "(their police for residence), province-level ones by the city body of "
                "their field; procedures at both levels by both."
            ),
            "service_level": SERVICE_LEVEL_NOTE,
            "calendar_exceptions": CALENDAR_NOTE,
        },
        "agencies": agencies(),
        "fields": fields(records),
        "result_types": result_types(records),
        "calendar_exceptions": CALENDAR_EXCEPTIONS,
        "procedures": [procedure(record) for record in records],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the shared procedures.json")
    parser.add_argument("output", type=Path, help="where to write the catalog")
    args = parser.parse_args(argv)
    try:
        catalog = convert(json.loads(args.source.read_text(encoding="utf-8")))
    except ConversionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(catalog, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"{len(catalog['procedures'])} procedures written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
