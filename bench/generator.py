"""A city-scale data set for the benchmarks: Đà Nẵng after three years of dossiers.

`generate()` empties the portal's tables and fills them with:

* the demo catalog (`seed_demo --no-accounts`), scaled to ~2,000 procedures by
  cloning the 28 real ones under codes `9.NNNNNN`, with names made of the real
  name and qualifiers of its field, so that search meets realistic text;
* the city's agencies: the demo departments and wards, plus the other wards
  and communes of Đà Nẵng after the July 2025 merger (23 wards, 70 communes
  and the special zone of Hoàng Sa) and a police unit for each, every
  commune-level procedure being handled by every ward and commune;
* 200,000 citizens with valid-looking, unique citizen ID numbers (born in
  Đà Nẵng or Quảng Nam, the century and gender digit matching the birth date),
  common Vietnamese names, addresses in their ward and unusable passwords (no
  hashing cost); an officer or more for every agency, supervisors at the city;
* N dossiers over three years, in all five states and a few drafts, with the
  audit events of the transitions that led there, their documents (some
  reused from wallets), ratings, daily code sequences, and the results issued
  for completed dossiers (valid, delivered to the holder's wallet, but with
  no PDF or QR token: benches that verify results sign their own).

One ward, Hải Châu, the city centre, receives a fifth of all dossiers, so one
queue is deep enough for keyset pagination a thousand pages down.

Dates follow the working calendar of `procedures.calendar` (office hours,
holidays, calendar exceptions): officers act in office time, due dates are
what `calendar.due_at` gives, and every date agrees with the state (see
`Dossier.sort_at`). Rows are made in Python with `random.Random` streams
seeded from `seed`, so the same sizes, seed and `now` give the same data, and
written with binary COPY, one transaction per table, with every constraint
and index in place, as in production. Everything generated is marked: users
have addresses at `bench.example`, files are under `bench/` and do not exist.
"""

from __future__ import annotations

import bisect
import io
import json
import math
import random
import time
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from psycopg.types.json import set_json_dumps

from citizens.constants import Gender, MembershipRole, WalletItemKind
from citizens.models import Membership, User, WalletItem, WalletItemUse
from dossiers.constants import Channel, DeliveryMethod, DossierAction, DossierState
from dossiers.models import DailySequence, Dossier, DossierDocument, DossierEvent, DossierRating
from procedures.calendar import SAME_DAY_CUTOFF, WorkingCalendar
from procedures.constants import (
    AdministrativeLevel,
    AgencyKind,
    FormFieldType,
    PersonalDocumentType,
    PrefillSource,
    ServiceLevel,
    TimeUnit,
)
from procedures.models import (
    Agency,
    DocumentComponent,
    FormField,
    LegalBasis,
    Procedure,
    ResultType,
)
from procedures.search import fold
from results_store.constants import ResultAction, ResultStatus
from results_store.models import Result, ResultEvent, ResultSequence

DEFAULT_PROCEDURES = 2_000
DEFAULT_CITIZENS = 200_000
DEFAULT_SEED = 2025

# Every generated account has an address here (RFC 2606: never delivered).
BENCH_EMAIL_DOMAIN = "bench.example"
# Accounts the load scenarios create for themselves (bench/state.py).
BENCH_USERNAME_PREFIX = "bench-"
CLONE_CODE_PREFIX = "9."
CITY_CODE = "000.00.00.H15"
BIG_WARD_CODE = "000.01.00.H15"  # Hải Châu
DEMO_WARDS = 6

YEARS = 3
PROGRESS_EVERY = 250_000

# Where dossiers are filed: a fifth in the city centre, most in the other
# wards and communes, the rest at their police units and the departments.
BIG_WARD_SHARE = 0.20
OTHER_WARDS_SHARE = 0.52
WARD_POLICE_SHARE = 0.12
DEPARTMENTS_SHARE = 0.16
DEPARTMENT_SHARES = {
    "000.00.06.H15": 0.35,  # city police: judicial records, driving licences
    "000.00.05.H15": 0.25,  # agriculture and environment: land
    "000.00.04.H15": 0.20,  # finance: enterprise registration
    "000.00.03.H15": 0.10,  # construction
    "000.00.02.H15": 0.10,  # justice
}

# States of dossiers over three years: most closed, a working backlog, few
# drafts. The received share is high on purpose: with the big ward it makes
# the deep queue pages the load scenarios read (a thousand pages at 1M).
STATE_SHARES = [
    (DossierState.COMPLETED, 0.66),
    (DossierState.RECEIVED, 0.15),
    (DossierState.REJECTED, 0.07),
    (DossierState.SUBMITTED, 0.05),
    (DossierState.SUPPLEMENT_REQUESTED, 0.05),
    (DossierState.DRAFT, 0.02),
]
CHANNEL_SHARES = [(Channel.ONLINE, 0.72), (Channel.COUNTER, 0.25), (Channel.POST, 0.03)]
# Procedures the city handles most (the rest weigh DEFAULT_POPULARITY);
# each clone weighs CLONE_POPULARITY / rank of its real procedure's weight.
POPULARITY = {
    "2.000815": 100,  # certified copies
    "1.001193": 60,  # birth registration
    "3.000333": 60,  # judicial records
    "3.000347": 60,  # driving licence renewal
    "1.004222": 50,  # permanent residence
    "1.004194": 50,  # temporary residence
    "2.000884": 40,  # signature certification
    "1.004873": 35,  # marital status
    "2.000635": 30,  # civil record copies
    "1.001612": 30,  # household business
    "1.000894": 25,  # marriage
    "1.013978": 25,  # land registration
    "2.001583": 20,
    "1.013225": 20,
    "1.012783": 20,
    "2.001035": 20,
    "2.000986": 20,
}
DEFAULT_POPULARITY = 10
CLONE_POPULARITY = 0.25

WALLET_CITIZENS_SHARE = 0.30
WALLET_REUSE_SHARE = 0.70
RATED_SHARE = 0.20
LATE_SHARE = 0.12
RECEIVED_IN_TIME_SHARE = 0.8
DELIVERY_BY_POST_SHARE = 0.15

# Online filing by local hour and weekday (Monday = 0): acceptance weights.
HOUR_WEIGHTS = [
    0.05, 0.03, 0.02, 0.02, 0.03, 0.1, 0.3, 0.6, 0.9, 1.0, 1.0, 0.9,
    0.6, 0.7, 0.9, 1.0, 0.9, 0.8, 0.6, 0.6, 0.7, 0.6, 0.35, 0.15,
]  # fmt: skip
WEEKDAY_WEIGHTS = [1.0, 1.0, 0.95, 0.95, 0.9, 0.4, 0.3]

HOUR = 3600
DAY = 86400
VN_OFFSET = 7 * HOUR  # Asia/Ho_Chi_Minh, no daylight saving time since 1975
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
EPOCH_WEEKDAY = date(1970, 1, 1).weekday()
WORKING_DAY_SECONDS = 8 * HOUR


# --------------------------------------------------------------------------
# Reference data: places and names
# --------------------------------------------------------------------------

# The commune-level units of Đà Nẵng since July 2025 that the demo catalog
# lacks, as (kind, name, province code of the old province, weight). The six
# demo ones (Hải Châu, Hòa Cường, Thanh Khê, Sơn Trà, Hội An, Bà Nà) come
# first in the city; weights are relative populations, roughly.
DEMO_WARD_FACTS = {
    "000.01.00.H15": ("048", 5.0),
    "000.02.00.H15": ("048", 4.0),
    "000.03.00.H15": ("048", 4.5),
    "000.04.00.H15": ("048", 3.5),
    "000.05.00.H15": ("049", 2.5),
    "000.06.00.H15": ("048", 0.8),
}
WARD, COMMUNE, SPECIAL_ZONE = "phường", "xã", "đặc khu"
NEW_UNITS = [
    (WARD, "An Khê", "048", 4.0),
    (WARD, "An Hải", "048", 3.5),
    (WARD, "Ngũ Hành Sơn", "048", 3.5),
    (WARD, "Hòa Khánh", "048", 4.5),
    (WARD, "Hải Vân", "048", 2.5),
    (WARD, "Liên Chiểu", "048", 3.5),
    (WARD, "Cẩm Lệ", "048", 4.0),
    (WARD, "Hòa Xuân", "048", 3.0),
    (WARD, "Tam Kỳ", "049", 3.0),
    (WARD, "Quảng Phú", "049", 1.8),
    (WARD, "Hương Trà", "049", 1.8),
    (WARD, "Bàn Thạch", "049", 1.8),
    (WARD, "Điện Bàn", "049", 2.2),
    (WARD, "Điện Bàn Đông", "049", 2.0),
    (WARD, "An Thắng", "049", 1.8),
    (WARD, "Điện Bàn Bắc", "049", 1.8),
    (WARD, "Hội An Đông", "049", 1.6),
    (WARD, "Hội An Tây", "049", 1.6),
    (COMMUNE, "Hòa Vang", "048", 1.5),
    (COMMUNE, "Hòa Tiến", "048", 1.4),
    (COMMUNE, "Tân Hiệp", "049", 0.3),
    (COMMUNE, "Núi Thành", "049", 1.2),
    (COMMUNE, "Tam Mỹ", "049", 0.8),
    (COMMUNE, "Tam Anh", "049", 0.8),
    (COMMUNE, "Đức Phú", "049", 0.7),
    (COMMUNE, "Tam Xuân", "049", 0.8),
    (COMMUNE, "Tam Hải", "049", 0.5),
    (COMMUNE, "Tây Hồ", "049", 0.7),
    (COMMUNE, "Chiên Đàn", "049", 0.8),
    (COMMUNE, "Phú Ninh", "049", 0.8),
    (COMMUNE, "Lãnh Ngọc", "049", 0.6),
    (COMMUNE, "Tiên Phước", "049", 0.7),
    (COMMUNE, "Thạnh Bình", "049", 0.5),
    (COMMUNE, "Sơn Cẩm Hà", "049", 0.5),
    (COMMUNE, "Trà Liên", "049", 0.4),
    (COMMUNE, "Thăng Bình", "049", 1.0),
    (COMMUNE, "Thăng An", "049", 0.7),
    (COMMUNE, "Thăng Trường", "049", 0.7),
    (COMMUNE, "Thăng Điền", "049", 0.7),
    (COMMUNE, "Thăng Phú", "049", 0.7),
    (COMMUNE, "Đồng Dương", "049", 0.7),
    (COMMUNE, "Quế Sơn Trung", "049", 0.6),
    (COMMUNE, "Quế Sơn", "049", 0.7),
    (COMMUNE, "Xuân Phú", "049", 0.5),
    (COMMUNE, "Nông Sơn", "049", 0.4),
    (COMMUNE, "Quế Phước", "049", 0.4),
    (COMMUNE, "Duy Nghĩa", "049", 0.7),
    (COMMUNE, "Nam Phước", "049", 1.0),
    (COMMUNE, "Duy Xuyên", "049", 0.8),
    (COMMUNE, "Thu Bồn", "049", 0.6),
    (COMMUNE, "Điện Bàn Tây", "049", 0.8),
    (COMMUNE, "Gò Nổi", "049", 0.7),
    (COMMUNE, "Đại Lộc", "049", 0.9),
    (COMMUNE, "Hà Nha", "049", 0.6),
    (COMMUNE, "Thượng Đức", "049", 0.5),
    (COMMUNE, "Vu Gia", "049", 0.6),
    (COMMUNE, "Phú Thuận", "049", 0.6),
    (COMMUNE, "Hiệp Đức", "049", 0.5),
    (COMMUNE, "Việt An", "049", 0.4),
    (COMMUNE, "Phước Trà", "049", 0.3),
    (COMMUNE, "Khâm Đức", "049", 0.4),
    (COMMUNE, "Phước Năng", "049", 0.2),
    (COMMUNE, "Phước Chánh", "049", 0.2),
    (COMMUNE, "Phước Thành", "049", 0.2),
    (COMMUNE, "Phước Hiệp", "049", 0.2),
    (COMMUNE, "Tây Giang", "049", 0.2),
    (COMMUNE, "Avương", "049", 0.2),
    (COMMUNE, "Hùng Sơn", "049", 0.2),
    (COMMUNE, "Đông Giang", "049", 0.3),
    (COMMUNE, "Sông Kôn", "049", 0.2),
    (COMMUNE, "Sông Vàng", "049", 0.2),
    (COMMUNE, "Bến Hiên", "049", 0.2),
    (COMMUNE, "Bến Giằng", "049", 0.2),
    (COMMUNE, "La Êê", "049", 0.2),
    (COMMUNE, "Đắc Pring", "049", 0.2),
    (COMMUNE, "Nam Giang", "049", 0.3),
    (COMMUNE, "Thạnh Mỹ", "049", 0.3),
    (COMMUNE, "Nam Trà My", "049", 0.2),
    (COMMUNE, "Trà Linh", "049", 0.2),
    (COMMUNE, "Trà Tân", "049", 0.2),
    (COMMUNE, "Trà Leng", "049", 0.2),
    (COMMUNE, "Trà Tập", "049", 0.2),
    (COMMUNE, "Trà Vân", "049", 0.2),
    (COMMUNE, "Trà Đốc", "049", 0.2),
    (COMMUNE, "Bắc Trà My", "049", 0.3),
    (COMMUNE, "Trà Giáp", "049", 0.2),
    (COMMUNE, "Trà Kót", "049", 0.2),
]
# An uninhabited archipelago: an agency, but nobody files anything there.
SPECIAL_ZONE_NAME = "Hoàng Sa"
UNIT_EN = {WARD: "Ward", COMMUNE: "Commune", SPECIAL_ZONE: "Special Zone"}
PROVINCE_NAME = "Thành phố Đà Nẵng"

FAMILY_NAMES = [
    ("Nguyễn", 36), ("Trần", 11), ("Lê", 9.5), ("Phạm", 6), ("Huỳnh", 4), ("Võ", 4),
    ("Phan", 4.5), ("Hoàng", 2), ("Vũ", 1.5), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 1.4),
    ("Hồ", 1.8), ("Ngô", 1.3), ("Dương", 1), ("Trương", 1.2), ("Đinh", 0.6), ("Đoàn", 0.7),
    ("Lý", 0.5), ("Lương", 0.4), ("Mai", 0.5), ("Châu", 0.4), ("Cao", 0.4), ("Tô", 0.3),
    ("Hà", 0.3), ("Thái", 0.4), ("Lâm", 0.3), ("Nguyễn Phước", 0.1), ("Tôn Nữ", 0.1),
]  # fmt: skip
MIDDLE_NAMES = {
    Gender.MALE: [
        ("Văn", 40), ("Đức", 8), ("Minh", 8), ("Quốc", 6), ("Hữu", 6), ("Công", 5),
        ("Thanh", 5), ("Ngọc", 4), ("Xuân", 4), ("Đình", 4), ("Tấn", 5), ("Anh", 3),
        ("Hoàng", 3), ("Trung", 2), ("Phước", 2), ("Bá", 2), ("Thành", 2),
    ],
    Gender.FEMALE: [
        ("Thị", 45), ("Ngọc", 8), ("Thu", 6), ("Thanh", 5), ("Kim", 5), ("Minh", 4),
        ("Hoài", 3), ("Mỹ", 4), ("Phương", 3), ("Bảo", 3), ("Khánh", 2), ("Diễm", 2),
        ("Quỳnh", 2), ("Hồng", 4), ("Thị Thu", 2), ("Thị Kim", 2), ("Như", 2),
    ],
}  # fmt: skip
GIVEN_NAMES = {
    Gender.MALE: [
        "An", "Bảo", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Đức", "Hải", "Hiếu", "Hoàng",
        "Hùng", "Huy", "Khoa", "Khánh", "Kiên", "Long", "Minh", "Nam", "Nghĩa", "Nhân",
        "Phong", "Phúc", "Quang", "Quân", "Sơn", "Tài", "Tâm", "Thắng", "Thành", "Thịnh",
        "Trí", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Hưng", "Lộc", "Tín",
        "Thiện", "Nhật", "Toàn", "Hòa", "Phước", "Hậu", "Lợi", "Thuận", "Quý",
    ],
    Gender.FEMALE: [
        "Anh", "Châu", "Chi", "Diệp", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng",
        "Hiền", "Hoa", "Hồng", "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai",
        "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Quỳnh", "Sương",
        "Tâm", "Thảo", "Thu", "Thủy", "Trang", "Trâm", "Tuyết", "Uyên", "Vân", "Vy",
        "Xuân", "Yến", "Nhi", "Thư", "Ly", "Hoài", "Diễm", "Kiều", "Ánh", "Thúy",
    ],
}  # fmt: skip
STREETS = [
    "Trần Phú", "Bạch Đằng", "Lê Duẩn", "Nguyễn Văn Linh", "Hùng Vương", "Phan Châu Trinh",
    "Lê Lợi", "Quang Trung", "Nguyễn Chí Thanh", "Hoàng Diệu", "Ông Ích Khiêm",
    "Điện Biên Phủ", "Hàm Nghi", "Núi Thành", "2 Tháng 9", "Ngô Quyền", "Võ Nguyên Giáp",
    "Phạm Văn Đồng", "Tôn Đức Thắng", "Nguyễn Tất Thành", "Trưng Nữ Vương", "Lê Thanh Nghị",
    "Hải Phòng", "Nguyễn Hữu Thọ", "Cách Mạng Tháng 8", "Trường Chinh", "Âu Cơ",
    "Nguyễn Lương Bằng", "Hồ Nghinh", "Lê Văn Hiến", "Trần Hưng Đạo", "Phan Đăng Lưu",
    "Nguyễn Duy Trinh", "Huỳnh Thúc Kháng", "Phan Bội Châu", "Hai Bà Trưng", "Thái Phiên",
    "Lý Thường Kiệt", "Nguyễn Hoàng", "Tiểu La",
]  # fmt: skip
PHONE_PREFIXES = ["090", "093", "089", "070", "077", "079", "091", "094", "088", "098", "086"]
ETHNICITIES = ["Kinh"] * 18 + ["Cơ Tu", "Xơ Đăng"]
PLACES_OF_BIRTH = [
    "Bệnh viện Phụ sản - Nhi Đà Nẵng",
    "Bệnh viện Đà Nẵng",
    "Bệnh viện Đa khoa Trung ương Quảng Nam",
    "Trung tâm Y tế khu vực",
    "Bệnh viện Hoàn Mỹ Đà Nẵng",
]
FREE_TEXTS = [
    "Theo hồ sơ kèm theo",
    "Không có",
    "Đã nộp đủ lệ phí",
    "Nhận kết quả tại Bộ phận Một cửa",
    "Thửa đất số 125, tờ bản đồ số 12",
    "Kinh doanh dịch vụ ăn uống",
]

# Qualifiers that turn a real procedure's name into a plausible sibling's,
# by field, as (Vietnamese, English); a second, general one is added to half.
FIELD_QUALIFIERS = {
    "civil-status": [
        ("có yếu tố nước ngoài", "with a foreign element"),
        ("cho người Việt Nam định cư ở nước ngoài", "for overseas Vietnamese"),
        ("kết hợp nhận cha, mẹ, con", "combined with recognition of parentage"),
        ("lưu động", "by a mobile team"),
        ("cho trẻ em bị bỏ rơi", "for an abandoned child"),
        ("cho người đã có hồ sơ, giấy tờ cá nhân", "for a person with personal papers"),
        ("tại khu vực biên giới", "in a border area"),
        ("theo bản án, quyết định của Tòa án", "following a court decision"),
    ],
    "certification": [
        ("giấy tờ do cơ quan nước ngoài cấp", "papers issued by a foreign authority"),
        ("hợp đồng, giao dịch về nhà ở", "housing contracts and transactions"),
        ("chữ ký người dịch", "a translator's signature"),
        ("di chúc", "wills"),
        ("văn bản thỏa thuận phân chia di sản", "estate division agreements"),
        ("văn bản từ chối nhận di sản", "renunciations of an inheritance"),
        ("sửa đổi, bổ sung, hủy bỏ hợp đồng", "amending or cancelling contracts"),
        ("bản sao điện tử từ bản chính", "electronic copies from originals"),
    ],
    "residence": [
        ("tại chỗ ở hợp pháp do thuê, mượn, ở nhờ", "in rented or borrowed housing"),
        ("gia hạn", "extension"),
        ("xóa đăng ký", "deregistration"),
        ("điều chỉnh thông tin trong Cơ sở dữ liệu về cư trú", "correcting residence data"),
        ("tách hộ", "household split"),
        ("khai báo tạm vắng", "declaring a temporary absence"),
        ("cho người chưa thành niên", "for a minor"),
        ("tại cơ sở tín ngưỡng, tôn giáo", "at a religious establishment"),
    ],
    "judicial-records": [
        ("Phiếu số 1", "certificate No. 1"),
        ("Phiếu số 2", "certificate No. 2"),
        ("qua ủy quyền", "by proxy"),
        ("cho cơ quan, tổ chức", "for an authority or organisation"),
        ("cho người đã xuất cảnh", "for a person abroad"),
        ("trên ứng dụng VNeID", "through the VNeID app"),
    ],
    "driving-licences": [
        ("hạng A1", "class A1"),
        ("hạng A", "class A"),
        ("hạng B", "class B"),
        ("hạng C1", "class C1"),
        ("hạng D", "class D"),
        ("do nước ngoài cấp", "issued abroad"),
        ("cấp lại do bị mất", "replacement after loss"),
        ("quốc tế", "international permit"),
    ],
    "household-business": [
        ("ngành nghề kinh doanh có điều kiện", "conditional business lines"),
        ("chuyển địa điểm kinh doanh", "moving the business"),
        ("thay đổi chủ hộ kinh doanh", "change of owner"),
        ("bổ sung ngành nghề kinh doanh", "new business lines"),
        ("thay đổi vốn kinh doanh", "change of capital"),
        ("dịch vụ ăn uống", "food and drink"),
    ],
    "enterprise-registration": [
        ("công ty cổ phần", "joint-stock company"),
        ("công ty hợp danh", "partnership"),
        ("công ty TNHH hai thành viên trở lên", "multi-member LLC"),
        ("chi nhánh, văn phòng đại diện", "branch or representative office"),
        ("địa điểm kinh doanh", "business location"),
        ("thay đổi người đại diện theo pháp luật", "change of legal representative"),
        ("thay đổi vốn điều lệ", "change of charter capital"),
    ],
    "construction": [
        ("nhà ở riêng lẻ", "individual houses"),
        ("sửa chữa, cải tạo", "repair and renovation"),
        ("di dời công trình", "relocating a building"),
        ("có thời hạn", "temporary works"),
        ("công trình theo tuyến", "linear works"),
        ("công trình tín ngưỡng, tôn giáo", "religious buildings"),
        ("công trình quảng cáo", "advertising structures"),
    ],
    "land": [
        ("chuyển mục đích sử dụng đất", "change of land use"),
        ("tách thửa, hợp thửa", "splitting or merging plots"),
        ("đăng ký biến động", "registration of changes"),
        ("thừa kế quyền sử dụng đất", "inheritance of land-use rights"),
        ("đăng ký thế chấp", "mortgage registration"),
        ("tặng cho quyền sử dụng đất", "donation of land-use rights"),
        ("gia hạn sử dụng đất", "extension of land use"),
    ],
    "technical-infrastructure": [
        ("cây xanh đô thị", "urban trees"),
        ("chiếu sáng công cộng", "public lighting"),
        ("hệ thống thoát nước", "drainage"),
        ("công viên, vườn hoa", "parks and gardens"),
        ("nghĩa trang", "cemeteries"),
    ],
    "roads": [
        ("tổ chức sự kiện", "events"),
        ("trông giữ xe", "parking"),
        ("thi công công trình", "construction works"),
        ("lắp đặt biển quảng cáo", "billboards"),
        ("kinh doanh buôn bán", "street trading"),
        ("tập kết vật liệu xây dựng", "storing building materials"),
    ],
}
GENERAL_QUALIFIERS = [
    ("đối với cá nhân", "for individuals"),
    ("đối với tổ chức", "for organisations"),
    ("trường hợp ủy quyền", "by proxy"),
    ("nộp qua dịch vụ bưu chính", "filed by post"),
    ("thực hiện liên thông", "as a joint procedure"),
    ("đối với hộ gia đình", "for households"),
    ("cho người cao tuổi", "for the elderly"),
    ("cho người có công với cách mạng", "for people with meritorious service"),
    ("tại xã đặc biệt khó khăn", "in disadvantaged communes"),
    ("trường hợp cấp bách", "urgent cases"),
]
# Documents added to a clone whose real procedure has fewer than three.
GENERIC_COMPONENTS = [
    {
        "name": "Tờ khai theo mẫu",
        "name_en": "Application form",
        "is_required": True,
        "copies": "1 bản chính",
    },
    {
        "name": "Giấy tờ tùy thân (thẻ căn cước hoặc hộ chiếu)",
        "name_en": "Identity document",
        "is_required": True,
        "copies": "xuất trình bản chính",
        "document_types": [PersonalDocumentType.ID_CARD.value],
    },
    {
        "name": "Văn bản ủy quyền (nếu nộp thay)",
        "name_en": "Power of attorney (when filed by someone else)",
        "is_required": False,
        "copies": "1 bản chính",
    },
]

WALLET_DOCUMENTS = [
    # (type, share of wallet owners, title, issuer)
    (
        PersonalDocumentType.ID_CARD,
        1.0,
        "Thẻ căn cước",
        "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
    ),
    (
        PersonalDocumentType.HOUSEHOLD_REGISTRATION,
        0.5,
        "Giấy xác nhận thông tin về cư trú",
        "Công an phường",
    ),
    (
        PersonalDocumentType.BIRTH_CERTIFICATE,
        0.25,
        "Giấy khai sinh",
        "Ủy ban nhân dân phường",
    ),
    (
        PersonalDocumentType.LAND_USE_CERTIFICATE,
        0.15,
        "Giấy chứng nhận quyền sử dụng đất",
        "Sở Nông nghiệp và Môi trường",
    ),
    (
        PersonalDocumentType.BUSINESS_REGISTRATION,
        0.08,
        "Giấy chứng nhận đăng ký hộ kinh doanh",
        "Ủy ban nhân dân phường",
    ),
]
REJECTION_REASONS = [
    "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.",
    "Người nộp không đủ điều kiện theo quy định.",
    "Giấy tờ nộp kèm không hợp lệ.",
    "Người nộp đề nghị rút hồ sơ.",
]
SUPPLEMENT_REASONS = [
    "Đề nghị bổ sung bản chụp rõ nét của giấy tờ.",
    "Giấy tờ đã hết hạn, đề nghị nộp bản mới.",
    "Thiếu chữ ký của người yêu cầu trên tờ khai.",
]
OUTCOMES = [
    "Đã giải quyết xong, mời nhận kết quả.",
    "Hồ sơ đã được giải quyết theo đề nghị.",
    "Đã cấp kết quả điện tử vào kho dữ liệu của công dân.",
]
RATING_COMMENTS = [
    "",
    "",
    "",
    "Cán bộ hướng dẫn nhiệt tình.",
    "Giải quyết nhanh, đúng hẹn.",
    "Thủ tục trực tuyến thuận tiện.",
    "Phải bổ sung giấy tờ nhiều lần.",
]


# --------------------------------------------------------------------------
# The working calendar as a timeline
# --------------------------------------------------------------------------


class OfficeTimeline:
    """Office periods from the first day to the last as epoch seconds, for fast arithmetic.

    The periods come from `procedures.calendar.WorkingCalendar` (office hours,
    holidays, calendar exceptions), and every method follows the rule of its
    namesake there, so due dates are the ones the portal computes; but a
    million of them cost a bisection each instead of a walk over the days.
    Times are whole seconds since the epoch (UTC).
    """

    def __init__(self, calendar: WorkingCalendar, first_day: date, last_day: date):
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.offsets: list[int] = []  # office seconds before each period
        self.offset_ends: list[int] = []
        self.working_days: list[int] = []  # local date ordinals
        self.closing: dict[int, int] = {}
        total = 0
        day = first_day
        while day <= last_day:
            periods = calendar.periods_on(day)
            for opens, closes in periods:
                start, end = int(opens.timestamp()), int(closes.timestamp())
                self.starts.append(start)
                self.ends.append(end)
                self.offsets.append(total)
                total += end - start
                self.offset_ends.append(total)
            if periods:
                self.working_days.append(day.toordinal())
                self.closing[day.toordinal()] = int(periods[-1][1].timestamp())
            day += timedelta(days=1)
        self.first = self.starts[0]
        self.last = self.ends[-1]

    def position(self, moment: int) -> int:
        """Office seconds from the first period to `moment`."""
        index = bisect.bisect_right(self.starts, moment) - 1
        if index < 0:
            return 0
        return self.offsets[index] + min(moment, self.ends[index]) - self.starts[index]

    def moment(self, position: int) -> int:
        """When office time reaches `position`; running out at a closing time ends there."""
        index = bisect.bisect_left(self.offset_ends, position)
        return self.starts[index] + position - self.offsets[index]

    def next_office_moment(self, moment: int) -> int:
        index = bisect.bisect_right(self.ends, moment)
        return max(self.starts[index], moment)

    def add(self, moment: int, seconds: int) -> int:
        """`WorkingCalendar.add_working_hours`, in seconds."""
        if seconds <= 0:
            return self.next_office_moment(moment)
        return self.moment(self.position(moment) + seconds)

    def _working_day_from(self, ordinal: int) -> int:
        return self.working_days[bisect.bisect_left(self.working_days, ordinal)]

    def same_day_due(self, received: int) -> int:
        received = self.next_office_moment(received)
        local = received + VN_OFFSET
        ordinal = local // DAY + EPOCH_ORDINAL
        if local % DAY > _CUTOFF_SECONDS:
            ordinal = self._working_day_from(ordinal + 1)
        return self.closing[ordinal]

    def add_calendar_days(self, received: int, days: int) -> int:
        received_on = (self.next_office_moment(received) + VN_OFFSET) // DAY + EPOCH_ORDINAL
        return self.closing[self._working_day_from(received_on + days)]

    def due(self, received: int, rule: tuple[str, int]) -> int:
        """`WorkingCalendar.due_at` for a rule made by `due_rule`."""
        kind, amount = rule
        if kind == "working":
            return self.add(received, amount)
        if kind == "calendar":
            return self.add_calendar_days(received, amount)
        return self.same_day_due(received)


_CUTOFF_SECONDS = SAME_DAY_CUTOFF.hour * HOUR + SAME_DAY_CUTOFF.minute * 60


def due_rule(procedure: Procedure, *, online: bool) -> tuple[str, int]:
    """How `WorkingCalendar.due_at` counts a procedure's time: same day, calendar days
    or working seconds, decided once per procedure and channel."""
    if procedure.same_day or procedure.processing_time == 0:
        return ("same_day", 0)
    if procedure.time_unit == TimeUnit.CALENDAR_DAYS:
        days = (
            math.ceil(procedure.online_processing_time()) if online else procedure.processing_time
        )
        return ("calendar", days) if days else ("same_day", 0)
    hours = procedure.processing_working_hours(online=online)
    return ("working", hours * HOUR) if hours else ("same_day", 0)


# --------------------------------------------------------------------------
# Binary COPY
# --------------------------------------------------------------------------


class Copier:
    """Binary COPY of rows into a model's table, in a transaction of its own.

    Rows hold the given columns (attnames) in order; every other column gets
    its field's default, so a column added to a model later needs no change
    here unless it has no default. The column types are read from the
    database, as binary COPY needs them exactly.
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str]):
        meta = model._meta
        fields = {f.attname: f for f in meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise ValueError(f"{meta.label} has no columns {sorted(unknown)}")
        rest = [
            f
            for f in meta.concrete_fields
            if f.attname not in columns and not (f.primary_key and f.get_internal_type() in _AUTO)
        ]
        self.model = model
        self.defaults = tuple(_column_default(model, f) for f in rest)
        names = [fields[c].column for c in columns] + [f.column for f in rest]
        self.table = meta.db_table
        quote = connection.ops.quote_name
        self.sql = (
            f"COPY {quote(self.table)} ({', '.join(quote(n) for n in names)}) "
            "FROM STDIN (FORMAT BINARY)"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT attname, atttypid FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                [self.table],
            )
            oids = dict(cursor.fetchall())
        self.types = [oids[n] for n in names]

    def write(self, rows: Iterable[tuple], *, log: Callable[[str], None] | None = None) -> int:
        count = 0
        defaults = self.defaults
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.cursor.copy(self.sql) as copy,
        ):
            # JSON columns take Python values, written as jsonb keeps them.
            set_json_dumps(_json_dumps, cursor.cursor)
            copy.set_types(self.types)
            write_row = copy.write_row
            for row in rows:
                write_row(row + defaults if defaults else row)
                count += 1
                if log and count % PROGRESS_EVERY == 0:
                    log(f"  {self.table}: {count:,} rows")
        return count


_AUTO = {"AutoField", "BigAutoField", "SmallAutoField"}
_EMPTY: dict = {}


def _json_dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _column_default(model, f: models.Field):
    if f.has_default():
        if f.unique:
            raise ValueError(f"{model._meta.label}.{f.name} is unique: the generator must fill it")
        value = f.get_default()
        return value
    if f.null:
        return None
    if f.empty_strings_allowed:
        return ""
    raise ValueError(f"{model._meta.label}.{f.name} has no default: the generator must fill it")


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def ascii_name(text: str) -> str:
    """Vietnamese without diacritics, as written in English ("Hải Châu" -> "Hai Chau")."""
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return text.replace("đ", "d").replace("Đ", "D")


def _weighted(pairs):
    values = [value for value, _weight in pairs]
    cumulative = []
    total = 0.0
    for _value, weight in pairs:
        total += weight
        cumulative.append(total)
    return values, cumulative


def _pick(rng: random.Random, values, cumulative):
    return values[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _dt(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _local_date(seconds: int) -> date:
    return date.fromordinal((seconds + VN_OFFSET) // DAY + EPOCH_ORDINAL)


def bench_user_filter() -> models.Q:
    """The accounts this generator and the load scenarios make."""
    return models.Q(email__iendswith=f"@{BENCH_EMAIL_DOMAIN}") | models.Q(
        username__startswith=BENCH_USERNAME_PREFIX
    )


def foreign_users() -> int:
    """Accounts the generator did not make: their presence means a real database."""
    return User.objects.exclude(bench_user_filter()).count()


def portal_tables() -> list[str]:
    """Every table the generator empties: the portal's apps, sessions, the admin log."""
    tables = []
    # "portal" holds the audit chain's seals (ADR 10): ids restart, so must they.
    for label in ("portal", "procedures", "citizens", "results_store", "dossiers", "notifications"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                tables.append(model._meta.db_table)
    tables += ["django_session", "django_admin_log"]
    return list(dict.fromkeys(tables))


def database_empty() -> None:
    """TRUNCATE the portal's tables, restarting their ids; indexes stay as they are."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # Foreign keys are checked at commit; TRUNCATE refuses to run
            # while checks are pending, so run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            f"TRUNCATE {', '.join(quote(t) for t in portal_tables())} RESTART IDENTITY CASCADE"
        )


class RefusedError(Exception):
    """The database holds data the generator did not make."""


# --------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    total_seconds: float = 0.0


@dataclass(slots=True)
class ProcedureFacts:
    pk: int
    code: str
    name: str
    in_person: bool
    fee_counter: int | None
    fee_online: int | None
    due_online: tuple[str, int]
    due_counter: tuple[str, int]
    # (component id, personal document types it accepts, required)
    components: list[tuple[int, tuple[str, ...], bool]]
    # (key, label, how to fill it, choices)
    form: list[tuple[str, str, str, tuple[str, ...]]]
    result_type: int | None
    weight: float


# Dossier plan columns: one tuple per dossier, made once, read by every table.
(
    P_CREATED,
    P_STATE,
    P_PATH,
    P_AGENCY,
    P_PROCEDURE,
    P_APPLICANT,
    P_CHANNEL,
    P_OFFICER,
    P_E1,
    P_E2,
    P_E3,
    P_RECEIVED,
    P_DUE,
    P_CLOSED,
    P_SUPPLEMENT_DUE,
) = range(15)

A, S = DossierAction, DossierState
_SUBMIT = (A.SUBMIT, S.DRAFT, S.SUBMITTED)
_RECEIVE = (A.RECEIVE, S.SUBMITTED, S.RECEIVED)
# The transitions that led to each kind of dossier, in order (the audit trail).
# Filed dossiers start at their submission: the draft's "created" event is
# left out, which keeps events to one to three per dossier.
PATHS = [
    ((A.CREATE, S.DRAFT, S.DRAFT),),
    (_SUBMIT,),
    (
        _SUBMIT,
        (A.REQUEST_SUPPLEMENT, S.SUBMITTED, S.SUPPLEMENT_REQUESTED),
        (A.RESUBMIT, S.SUPPLEMENT_REQUESTED, S.SUBMITTED),
    ),
    (_SUBMIT, _RECEIVE),
    (_SUBMIT, (A.REQUEST_SUPPLEMENT, S.SUBMITTED, S.SUPPLEMENT_REQUESTED)),
    (_SUBMIT, _RECEIVE, (A.REQUEST_SUPPLEMENT, S.RECEIVED, S.SUPPLEMENT_REQUESTED)),
    (_SUBMIT, (A.REJECT, S.SUBMITTED, S.REJECTED)),
    (_SUBMIT, _RECEIVE, (A.REJECT, S.RECEIVED, S.REJECTED)),
    (_SUBMIT, _RECEIVE, (A.COMPLETE, S.RECEIVED, S.COMPLETED)),
]
(
    PATH_DRAFT,
    PATH_SUBMITTED,
    PATH_RESUBMITTED,
    PATH_RECEIVED,
    PATH_SUPPLEMENT_AT_RECEPTION,
    PATH_SUPPLEMENT_AFTER_RECEIPT,
    PATH_REJECTED_AT_RECEPTION,
    PATH_REJECTED_AFTER_RECEIPT,
    PATH_COMPLETED,
) = range(len(PATHS))
_APPLICANT_ACTIONS = {A.CREATE, A.SUBMIT, A.RESUBMIT}

STATES = [s for s, _share in STATE_SHARES]
CHANNELS = [c for c, _share in CHANNEL_SHARES]
_FILL_PREFILL = {
    PrefillSource.FULL_NAME: "name",
    PrefillSource.NATIONAL_ID: "national_id",
    PrefillSource.DATE_OF_BIRTH: "dob",
    PrefillSource.GENDER: "gender",
    PrefillSource.PHONE: "phone",
    PrefillSource.EMAIL: "email",
    PrefillSource.PERMANENT_ADDRESS: "address",
    PrefillSource.CURRENT_ADDRESS: "address",
}


def generate(
    *,
    dossiers: int,
    procedures: int = DEFAULT_PROCEDURES,
    citizens: int = DEFAULT_CITIZENS,
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
    force: bool = False,
    log: Callable[[str], None] = print,
) -> Report:
    """Empty the portal's tables and fill them with a city; see the module docstring.

    Refuses (RefusedError) when the database has accounts the generator did
    not make, unless `force`. Runs on the default connection, which must be
    PostgreSQL.
    """
    if connection.vendor != "postgresql":
        raise RefusedError("The generator writes with PostgreSQL's COPY.")
    if not force and foreign_users():
        raise RefusedError(
            f"The database has {foreign_users()} accounts that are not bench data; "
            "use a database of its own for the benchmarks."
        )
    return CityGenerator(
        dossiers=dossiers,
        procedures=procedures,
        citizens=citizens,
        seed=seed,
        now=now or timezone.now(),
        log=log,
    ).run()


class CityGenerator:
    def __init__(self, *, dossiers, procedures, citizens, seed, now, log):
        if dossiers < 0 or citizens < 1:
            raise ValueError("Sizes must be positive.")
        self.n_dossiers = dossiers
        self.n_procedures = procedures
        self.n_citizens = citizens
        self.seed = seed
        self.now = int(now.timestamp())
        self.start = self.now - YEARS * 365 * DAY
        self.log = log
        self.report = Report()

    def rng(self, purpose: str) -> random.Random:
        """An independent stream per purpose: changing one table leaves the others alike."""
        return random.Random(f"{self.seed}:{purpose}")

    # -- running ----------------------------------------------------------

    def run(self) -> Report:
        began = time.monotonic()
        self.log(
            f"Generating {self.n_dossiers:,} dossiers, {self.n_citizens:,} citizens, "
            f"~{self.n_procedures:,} procedures (seed {self.seed})"
        )
        steps = [
            ("empty the database", database_empty),
            ("catalog", self.make_catalog),
            ("plan", self.make_plan),
            ("users", self.write_users),
            ("memberships", self.write_memberships),
            ("wallet documents", self.write_wallet_documents),
            ("dossiers", self.write_dossiers),
            ("events", self.write_events),
            ("documents", self.write_documents),
            ("results", self.write_results),
            ("ratings", self.write_ratings),
            ("daily sequences", self.write_daily_sequences),
            ("sequences and statistics", self.finish),
        ]
        for name, step in steps:
            started = time.monotonic()
            self.log(f"- {name}")
            step()
            seconds = time.monotonic() - started
            self.report.timings[name] = round(seconds, 1)
            self.log(f"  done in {seconds:.1f} s")
        self.report.total_seconds = round(time.monotonic() - began, 1)
        counted = ", ".join(f"{k} {v:,}" for k, v in self.report.counts.items())
        self.log(f"Rows: {counted}")
        self.log(f"Total: {self.report.total_seconds:.1f} s")
        return self.report

    def _copy(self, name: str, model, columns, rows) -> int:
        started = time.monotonic()
        count = Copier(model, columns).write(rows, log=self.log)
        seconds = time.monotonic() - started
        self.report.counts[name] = self.report.counts.get(name, 0) + count
        self.log(f"  {model._meta.db_table}: {count:,} rows in {seconds:.1f} s")
        return count

    # -- the catalog ------------------------------------------------------

    def make_catalog(self) -> None:
        call_command("seed_demo", "--no-accounts", stdout=io.StringIO())
        self._make_agencies()
        self._make_procedures()
        self._procedure_facts()
        self.timeline = OfficeTimeline(
            WorkingCalendar(),
            _local_date(self.start) - timedelta(days=10),
            _local_date(self.now) + timedelta(days=400),
        )

    def _make_agencies(self) -> None:
        city = Agency.objects.get(code=CITY_CODE)
        police = Agency.objects.get(code="000.00.06.H15")
        # (agency, its police unit, province code, weight) for every ward and commune.
        wards: list[tuple[Agency, Agency, str, float]] = []
        for code, (province, weight) in DEMO_WARD_FACTS.items():
            ward = Agency.objects.get(code=code)
            unit = Agency.objects.get(code=code.replace(".00.H15", ".06.H15"))
            wards.append((ward, unit, province, weight))
        new_wards, new_units = [], []
        for number, (kind, name, province, weight) in enumerate(NEW_UNITS, start=DEMO_WARDS + 1):
            code = f"000.{number:02d}.00.H15"
            english = f"{ascii_name(name)} {UNIT_EN[kind]}"
            ward = Agency(
                code=code,
                name=f"Ủy ban nhân dân {kind} {name}",
                name_en=f"{english} People's Committee",
                short_name=f"UBND {kind} {name}",
                level=AdministrativeLevel.COMMUNE,
                kind=AgencyKind.PEOPLES_COMMITTEE,
                parent=city,
            )
            unit = Agency(
                code=code.replace(".00.H15", ".06.H15"),
                name=f"Công an {kind} {name}",
                name_en=f"{english} Police",
                short_name=f"Công an {kind} {name}",
                level=AdministrativeLevel.COMMUNE,
                kind=AgencyKind.DEPARTMENT,
                parent=police,
            )
            new_wards.append(ward)
            new_units.append(unit)
            wards.append((ward, unit, province, weight))
        zone = Agency(
            code=f"000.{DEMO_WARDS + len(NEW_UNITS) + 1:02d}.00.H15",
            name=f"Ủy ban nhân dân {SPECIAL_ZONE} {SPECIAL_ZONE_NAME}",
            name_en=f"{ascii_name(SPECIAL_ZONE_NAME)} Special Zone People's Committee",
            short_name=f"UBND {SPECIAL_ZONE} {SPECIAL_ZONE_NAME}",
            level=AdministrativeLevel.COMMUNE,
            kind=AgencyKind.PEOPLES_COMMITTEE,
            parent=city,
        )
        Agency.objects.bulk_create([*new_wards, *new_units, zone])
        self.wards = wards
        self.report.counts["agencies"] = Agency.objects.count()

    def _make_procedures(self) -> None:
        rng = self.rng("catalog")
        demo_wards = {w.pk for w, _u, _p, _w in self.wards[:DEMO_WARDS]}
        demo_units = {u.pk for _w, u, _p, _w in self.wards[:DEMO_WARDS]}
        all_wards = [w.pk for w, _u, _p, _w in self.wards]
        all_units = [u.pk for _w, u, _p, _w in self.wards]
        through = Procedure.agencies.through
        real = list(
            Procedure.objects.order_by("id").prefetch_related(
                "agencies",
                "result_types",
                "legal_bases",
                "form_fields",
                "components__satisfied_by",
            )
        )

        def handled_by(procedure: Procedure) -> list[int]:
            """The demo wards stand for every ward, their police units for every unit."""
            pks = [a.pk for a in procedure.agencies.all()]
            if demo_wards & set(pks):
                pks = [pk for pk in pks if pk not in demo_wards] + all_wards
            if demo_units & set(pks):
                pks = [pk for pk in pks if pk not in demo_units] + all_units
            return pks

        links = []
        for procedure in real:
            existing = {a.pk for a in procedure.agencies.all()}
            links += [(procedure.pk, pk) for pk in handled_by(procedure) if pk not in existing]

        clones: list[Procedure] = []
        bases: list[Procedure] = []
        ranks: list[int] = []
        for index in range(max(self.n_procedures - len(real), 0)):
            base = real[index % len(real)]
            qualifier, qualifier_en = rng.choice(FIELD_QUALIFIERS[base.field.code])
            name, name_en = f"{base.name} – {qualifier}", f"{base.name_en} – {qualifier_en}"
            if rng.random() < 0.5:
                extra, extra_en = rng.choice(GENERAL_QUALIFIERS)
                name, name_en = f"{name}, {extra}", f"{name_en}, {extra_en}"
            clone = Procedure(
                code=f"{CLONE_CODE_PREFIX}{index + 1:06d}",
                name=name,
                name_en=name_en,
                field_id=base.field_id,
                level=base.level,
                kind=base.kind,
                service_level=rng.choice(
                    [base.service_level] * 3 + [ServiceLevel.FULL_ONLINE, ServiceLevel.IN_PERSON]
                ),
                applicants=base.applicants,
                processing_time=base.processing_time,
                time_unit=base.time_unit,
                same_day=base.same_day,
                online_reduction_percent=base.online_reduction_percent,
                fee_vnd=base.fee_vnd,
                fee_online_vnd=base.fee_online_vnd,
                steps=base.steps,
                conditions=base.conditions,
            )
            # What save() would store; bulk_create does not call it.
            clone.search_text = fold(" ".join([clone.code, clone.name, clone.name_en]))
            clones.append(clone)
            bases.append(base)
            ranks.append(index // len(real))
        Procedure.objects.bulk_create(clones, batch_size=1000)

        result_links, bases_rows, components, form_fields = [], [], [], []
        satisfied: list[tuple[int, list[int]]] = []
        for clone, base in zip(clones, bases, strict=True):
            links += [(clone.pk, pk) for pk in handled_by(base)]
            result_links += [(clone.pk, rt.pk) for rt in base.result_types.all()]
            bases_rows += [
                LegalBasis(procedure=clone, number=b.number, title=b.title, position=i)
                for i, b in enumerate(list(base.legal_bases.all())[:2])
            ]
            chosen = self._clone_components(rng, base)
            for position, (values, satisfied_by) in enumerate(chosen):
                components.append(DocumentComponent(procedure=clone, position=position, **values))
                satisfied.append((len(components) - 1, satisfied_by))
            for position, f in enumerate(list(base.form_fields.all())[: rng.randint(2, 4)]):
                form_fields.append(
                    FormField(
                        procedure=clone,
                        key=f.key,
                        label=f.label,
                        label_en=f.label_en,
                        field_type=f.field_type,
                        is_required=f.is_required,
                        choices=f.choices,
                        help_text=f.help_text,
                        prefill_source=f.prefill_source,
                        position=position,
                    )
                )
        DocumentComponent.objects.bulk_create(components, batch_size=2000)
        FormField.objects.bulk_create(form_fields, batch_size=2000)
        LegalBasis.objects.bulk_create(bases_rows, batch_size=2000)
        self._copy("procedure agencies", through, ["procedure_id", "agency_id"], iter(links))
        self._copy(
            "procedure result types",
            Procedure.result_types.through,
            ["procedure_id", "resulttype_id"],
            iter(result_links),
        )
        self._copy(
            "component result types",
            DocumentComponent.satisfied_by.through,
            ["documentcomponent_id", "resulttype_id"],
            ((components[i].pk, rt) for i, result_types in satisfied for rt in result_types),
        )
        self.clone_ranks = {c.pk: rank for c, rank in zip(clones, ranks, strict=True)}
        self.clone_bases = {c.pk: b.code for c, b in zip(clones, bases, strict=True)}
        self.report.counts["procedures"] = Procedure.objects.count()
        self.report.counts["components"] = DocumentComponent.objects.count()
        self.report.counts["form fields"] = FormField.objects.count()

    @staticmethod
    def _clone_components(rng: random.Random, base: Procedure):
        """Three to six of the real procedure's documents, required ones first."""
        own = sorted(base.components.all(), key=lambda c: (not c.is_required, c.position))
        rows = [
            (
                {
                    "name": c.name,
                    "name_en": c.name_en,
                    "is_required": c.is_required,
                    "copies": c.copies,
                    "note": c.note,
                    "accepted_formats": c.accepted_formats,
                    "document_types": list(c.document_types),
                },
                [rt.pk for rt in c.satisfied_by.all()],
            )
            for c in own
        ]
        wanted = rng.randint(3, 6)
        names = {values["name"] for values, _rts in rows}
        for extra in GENERIC_COMPONENTS:
            if len(rows) >= 3:
                break
            if extra["name"] not in names:
                rows.append(({**extra, "document_types": extra.get("document_types", [])}, []))
        return rows[:wanted]

    def _procedure_facts(self) -> None:
        procedures = Procedure.objects.prefetch_related(
            "components", "form_fields", "result_types"
        ).order_by("id")
        self.procedures: dict[int, ProcedureFacts] = {}
        self.procedures_of: dict[int, list[int]] = defaultdict(list)
        links = Procedure.agencies.through.objects.order_by("procedure_id", "agency_id")
        for procedure_pk, agency_pk in links.values_list("procedure_id", "agency_id"):
            self.procedures_of[agency_pk].append(procedure_pk)
        for p in procedures:
            base_code = self.clone_bases.get(p.pk, p.code)
            weight = POPULARITY.get(base_code, DEFAULT_POPULARITY)
            if p.pk in self.clone_ranks:
                weight = weight * CLONE_POPULARITY / (self.clone_ranks[p.pk] + 1)
            result_types = sorted(p.result_types.all(), key=lambda rt: rt.pk)
            form = []
            for f in p.form_fields.all():
                how = _FILL_PREFILL.get(f.prefill_source) or _fill_for(f)
                form.append((f.key, f.label, how, tuple(f.choice_list)))
            self.procedures[p.pk] = ProcedureFacts(
                pk=p.pk,
                code=p.code,
                name=p.name,
                in_person=not p.is_online,
                fee_counter=p.fee_vnd,
                fee_online=p.effective_fee_online_vnd,
                due_online=due_rule(p, online=True),
                due_counter=due_rule(p, online=False),
                components=[
                    (c.pk, tuple(c.document_types or ()), c.is_required)
                    for c in sorted(p.components.all(), key=lambda c: (c.position, c.pk))
                ],
                form=form,
                result_type=result_types[0].pk if result_types else None,
                weight=weight,
            )
        self.agencies = {a.pk: a for a in Agency.objects.all()}

    # -- the plan ---------------------------------------------------------

    def make_plan(self) -> None:
        """People first, then every dossier's story, in the order they were created."""
        self._plan_people()
        self._plan_dossiers()

    def _plan_people(self) -> None:
        rng = self.rng("people")
        n_officers = self._plan_officers()
        total = self.n_citizens + n_officers
        if total > 1_000_000:
            raise ValueError("At most a million people: the ID numbers' tails are unique.")
        tails = rng.sample(range(1_000_000), total)
        families = _weighted(FAMILY_NAMES)
        middles = {g: _weighted(pairs) for g, pairs in MIDDLE_NAMES.items()}
        ward_choice = _weighted([(i, w[3]) for i, w in enumerate(self.wards)])
        ward_names = []
        for ward, *_rest in self.wards:
            name = ward.name.removeprefix("Ủy ban nhân dân ")
            ward_names.append(name[0].upper() + name[1:])  # "Phường Hải Châu"
        # Officers first (ids 1..), then citizens.
        self.people = []
        for index in range(total):
            gender = Gender.MALE if rng.random() < 0.49 else Gender.FEMALE
            birth = date(1945, 1, 1) + timedelta(days=rng.randrange(62 * 365))
            ward_index = _pick(rng, *ward_choice)
            home_province = self.wards[ward_index][2]
            province = home_province if rng.random() < 0.85 else _OTHER[home_province]
            century = (birth.year - 1900) // 100 * 2 + (1 if gender == Gender.FEMALE else 0)
            national_id = f"{province}{century}{birth.year % 100:02d}{tails[index]:06d}"
            family = _pick(rng, *families)
            middle = _pick(rng, *middles[gender])
            given = rng.choice(GIVEN_NAMES[gender])
            name = f"{family} {middle} {given}"
            street = f"{rng.randint(1, 420)} {rng.choice(STREETS)}"
            self.people.append(
                {
                    "name": name,
                    "national_id": national_id,
                    "dob": birth,
                    "gender": gender.value,
                    "phone": f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(10**7):07d}",
                    "street": street,
                    "ward": ward_names[ward_index],
                    "ward_index": ward_index,
                    "handle": ascii_name(f"{given}{family}").replace(" ", "").lower(),
                }
            )
        for index, person in enumerate(self.people):
            person["id"] = index + 1
            kind = "officer" if index < n_officers else "c"
            person["email"] = f"{person['handle']}.{kind}{index + 1}@{BENCH_EMAIL_DOMAIN}"
            person["address"] = f"{person['street']}, {person['ward']}, {PROVINCE_NAME}"
        self.citizen_offset = n_officers
        self.citizens_of_ward: dict[int, list[int]] = defaultdict(list)
        for person in self.people[n_officers:]:
            self.citizens_of_ward[person["ward_index"]].append(person["id"])
        self.folded_names = {}

    def _plan_officers(self) -> int:
        """Officers of each agency, more where more is filed; supervisors at the city."""
        self.officer_slots: list[tuple[int, str]] = []  # (agency pk, role), by user id - 1
        for index, (ward, unit, _province, weight) in enumerate(self.wards):
            count = 12 if index == 0 else 1 + round(weight)
            self.officer_slots += [(ward.pk, MembershipRole.OFFICER)] * count
            self.officer_slots.append((unit.pk, MembershipRole.OFFICER))
        for code in DEPARTMENT_SHARES:
            agency = Agency.objects.get(code=code)
            self.officer_slots += [(agency.pk, MembershipRole.OFFICER)] * 4
        city = Agency.objects.get(code=CITY_CODE)
        self.officer_slots += [(city.pk, MembershipRole.SUPERVISOR)] * 5
        self.officers_of: dict[int, list[int]] = defaultdict(list)
        for index, (agency_pk, role) in enumerate(self.officer_slots):
            if role == MembershipRole.OFFICER:
                self.officers_of[agency_pk].append(index + 1)
        return len(self.officer_slots)

    def _agency_choice(self):
        """Agencies that dossiers are filed at, with their share of all dossiers."""
        pairs = [(self.wards[0][0].pk, BIG_WARD_SHARE)]
        others = self.wards[1:]
        ward_total = sum(w[3] for w in others)
        pairs += [(w.pk, OTHER_WARDS_SHARE * weight / ward_total) for w, _u, _p, weight in others]
        all_total = sum(w[3] for w in self.wards)
        pairs += [
            (u.pk, WARD_POLICE_SHARE * weight / all_total) for _w, u, _p, weight in self.wards
        ]
        by_code = {a.code: a.pk for a in self.agencies.values()}
        pairs += [(by_code[code], DEPARTMENTS_SHARE * s) for code, s in DEPARTMENT_SHARES.items()]
        return [(pk, share) for pk, share in pairs if self.procedures_of.get(pk)]

    def _plan_dossiers(self) -> None:
        rng = self.rng("dossiers")
        n = self.n_dossiers
        agency_pairs = self._agency_choice()
        agency_values, agency_cumulative = _weighted(agency_pairs)
        agencies = rng.choices(agency_values, cum_weights=agency_cumulative, k=n)
        states = rng.choices(STATES, weights=[s for _x, s in STATE_SHARES], k=n)
        ward_of_agency = {}
        for index, (ward, unit, _province, _weight) in enumerate(self.wards):
            ward_of_agency[ward.pk] = index
            ward_of_agency[unit.pk] = index
        procedure_choice = {}
        for pk, _share in agency_pairs:
            pks = self.procedures_of[pk]
            procedure_choice[pk] = _weighted([(p, self.procedures[p].weight) for p in pks])
        first_citizen = self.citizen_offset + 1
        last_citizen = len(self.people)
        channel_values, channel_cumulative = _weighted(CHANNEL_SHARES)

        plans = []
        for agency, state in zip(agencies, states, strict=True):
            procedure = self.procedures[_pick(rng, *procedure_choice[agency])]
            ward = ward_of_agency.get(agency)
            if ward is not None and rng.random() < 0.9 and self.citizens_of_ward.get(ward):
                applicant = rng.choice(self.citizens_of_ward[ward])
            else:
                applicant = rng.randint(first_citizen, last_citizen)
            if procedure.in_person:
                channel = Channel.COUNTER
            else:
                channel = _pick(rng, channel_values, channel_cumulative)
            officer = rng.choice(self.officers_of[agency])
            plans.append(self._story(rng, state, agency, procedure, applicant, channel, officer))
        plans.sort(key=lambda plan: (plan[P_CREATED], plan[P_APPLICANT]))
        self.plans = plans
        self._plan_codes()

    def _story(self, rng, state, agency, procedure, applicant, channel, officer) -> tuple:
        """When each thing happened to one dossier, consistent with its final state.

        Closed dossiers spread over the three years; open ones are mostly
        recent, with a late tail. A story that would end after `now` is drawn
        again.
        """
        timeline, now = self.timeline, self.now
        if state == S.DRAFT:
            created = now - rng.randrange(365 * DAY)
            return (created, state, PATH_DRAFT, agency, procedure.pk, applicant, channel,
                    officer, created, None, None, None, None, None, None)  # fmt: skip
        rule = procedure.due_online if channel == Channel.ONLINE else procedure.due_counter
        for _attempt in range(100):
            e2 = e3 = received = due = closed = supplement_due = None
            if state == S.RECEIVED and rng.random() < RECEIVED_IN_TIME_SHARE:
                # Being processed in time: received a share of its processing
                # time ago, so that it is due after now.
                elapsed = int(rng.random() * _processing_office_seconds(rule))
                e2 = received = timeline.moment(max(1, timeline.position(now) - elapsed))
                submitted = received - self._filing_lead(rng, channel)
                due = timeline.due(received, rule)
                path = PATH_RECEIVED
                break
            earliest, latest = self._filing_window(rng, state)
            submitted = self._filing_time(rng, channel, earliest, latest)
            reception = timeline.add(submitted, self._reception_delay(rng, channel))
            if state == S.SUBMITTED:
                path = PATH_SUBMITTED
                if rng.random() < 0.1:
                    path = PATH_RESUBMITTED
                    e2 = reception
                    e3 = e2 + rng.randrange(HOUR, 5 * DAY)
            elif state == S.SUPPLEMENT_REQUESTED:
                if rng.random() < 0.6:
                    path = PATH_SUPPLEMENT_AT_RECEPTION
                    e2 = reception
                else:
                    path = PATH_SUPPLEMENT_AFTER_RECEIPT
                    e2 = received = reception
                    e3 = self._within(rng, received, timeline.due(received, rule))
                supplement_due = timeline.add(
                    e3 or e2, settings.SUPPLEMENT_WORKING_DAYS * WORKING_DAY_SECONDS
                )
            elif state == S.REJECTED and rng.random() < 0.6:
                path = PATH_REJECTED_AT_RECEPTION
                e2 = closed = reception
            else:
                e2 = received = reception
                due = timeline.due(received, rule)
                if state == S.RECEIVED:
                    path = PATH_RECEIVED
                elif state == S.REJECTED:
                    path = PATH_REJECTED_AFTER_RECEIPT
                    e3 = closed = self._within(rng, received, due)
                elif rng.random() < LATE_SHARE:
                    path = PATH_COMPLETED
                    e3 = closed = timeline.add(
                        due, rng.randrange(HOUR // 2, 5 * WORKING_DAY_SECONDS)
                    )
                else:
                    path = PATH_COMPLETED
                    e3 = closed = self._within(rng, received, due)
            if (e3 or e2 or submitted) <= now:
                break
        created = submitted - rng.randrange(120, 3 * DAY)
        return (created, state, path, agency, procedure.pk, applicant, channel, officer,
                submitted, e2, e3, received, due, closed, supplement_due)  # fmt: skip

    def _filing_window(self, rng, state) -> tuple[int, int]:
        """When a dossier that ends in `state` was filed, as (earliest, latest)."""
        now = self.now
        if state in (S.COMPLETED, S.REJECTED):
            return self.start, now - 2 * DAY
        if state == S.RECEIVED:
            # Late: a backlog of the last half year, past its due date.
            return now - 180 * DAY, now - 2 * DAY
        if state == S.SUBMITTED:
            # Mostly waiting since the last day or two; some forgotten.
            if rng.random() < 0.85:
                return now - 2 * DAY, now - 5 * 60
            return now - 30 * DAY, now - 2 * DAY
        # Supplement requested.
        if rng.random() < 0.8:
            return now - 30 * DAY, now - HOUR
        return self.start, now - 30 * DAY

    @staticmethod
    def _filing_lead(rng, channel) -> int:
        """Seconds from filing to reception, for a dossier placed by its reception."""
        if channel == Channel.COUNTER:
            return rng.randrange(5 * 60, 30 * 60)
        if channel == Channel.POST:
            return rng.randrange(DAY, 4 * DAY)
        return rng.randrange(HOUR // 2, DAY)

    def _filing_time(self, rng, channel, earliest: int, latest: int) -> int:
        """A moment of filing: online any time people are awake, else in office hours.

        Dossiers grow over the years (density rising linearly by a factor of
        about two from the first day to the last).
        """
        timeline = self.timeline
        if channel != Channel.ONLINE:
            first, last = timeline.position(earliest), timeline.position(latest)
            if last <= first:
                return timeline.next_office_moment(earliest)
            return timeline.moment(first + int(_growth(rng) * (last - first)))
        span = latest - earliest
        for _attempt in range(100):
            moment = earliest + int(_growth(rng) * span)
            local = moment + VN_OFFSET
            weekday = (local // DAY + EPOCH_WEEKDAY) % 7
            if rng.random() < HOUR_WEIGHTS[local % DAY // HOUR] * WEEKDAY_WEIGHTS[weekday]:
                return moment
        return moment

    @staticmethod
    def _reception_delay(rng, channel) -> int:
        """Office seconds from filing to the officer's first action."""
        if channel == Channel.COUNTER:
            return rng.randrange(5 * 60, 30 * 60)
        if channel == Channel.POST:
            return rng.randrange(WORKING_DAY_SECONDS, 3 * WORKING_DAY_SECONDS)
        if rng.random() < 0.7:
            return rng.randrange(HOUR // 2, 4 * HOUR)
        return rng.randrange(4 * HOUR, 16 * HOUR)

    def _within(self, rng, received: int, due: int) -> int:
        """An office moment between reception and the due date."""
        first, last = self.timeline.position(received), self.timeline.position(due)
        return self.timeline.moment(first + max(1, int((last - first) * rng.uniform(0.15, 1.0))))

    def _plan_codes(self) -> None:
        """Ids in order of creation; codes numbered per agency and day in order of filing."""
        self.codes: list[str | None] = [None] * len(self.plans)
        counters: dict[tuple[int, int], int] = defaultdict(int)
        folded_agency = {pk: fold(a.code) for pk, a in self.agencies.items()}
        self.folded_codes: list[str] = [""] * len(self.plans)
        filed = [i for i, plan in enumerate(self.plans) if plan[P_STATE] != S.DRAFT]
        filed.sort(key=lambda i: (self.plans[i][P_E1], i))
        day_text: dict[int, str] = {}
        for i in filed:
            plan = self.plans[i]
            agency = plan[P_AGENCY]
            day = (plan[P_E1] + VN_OFFSET) // DAY
            counters[(agency, day)] += 1
            number = counters[(agency, day)]
            if day not in day_text:
                day_text[day] = date.fromordinal(day + EPOCH_ORDINAL).strftime("%y%m%d")
            self.codes[i] = f"{self.agencies[agency].code}-{day_text[day]}-{number:04d}"
            self.folded_codes[i] = f"{folded_agency[agency]} {day_text[day]} {number:04d}"
        self.sequences = [
            (agency, date.fromordinal(day + EPOCH_ORDINAL), last)
            for (agency, day), last in sorted(counters.items())
        ]

    # -- accounts ---------------------------------------------------------

    def write_users(self) -> None:
        rng = self.rng("accounts")
        # Citizens join before their first dossier; officers before it all began.
        first_created: dict[int, int] = {}
        for plan in self.plans:
            first_created.setdefault(plan[P_APPLICANT], plan[P_CREATED])
        self.joined: dict[int, int] = {}
        for person in self.people:
            uid = person["id"]
            if uid <= self.citizen_offset:
                joined = self.start - rng.randrange(30 * DAY, 400 * DAY)
            elif uid in first_created:
                joined = first_created[uid] - rng.randrange(HOUR, 60 * DAY)
            else:
                joined = rng.randrange(self.start - 180 * DAY, self.now - DAY)
            self.joined[uid] = joined
        columns = [
            "id", "password", "username", "email", "is_active", "date_joined", "full_name",
            "national_id", "date_of_birth", "gender", "phone", "permanent_street",
            "permanent_ward", "permanent_province", "current_street", "current_ward",
            "current_province",
        ]  # fmt: skip

        def rows():
            for person in self.people:
                uid = person["id"]
                yield (
                    uid,
                    # Unusable, like set_unusable_password(), and costs no hashing.
                    f"!{rng.getrandbits(160):040x}",
                    person["email"] if uid > self.citizen_offset else f"bench.officer{uid:04d}",
                    person["email"],
                    True,
                    _dt(self.joined[uid]),
                    person["name"],
                    person["national_id"],
                    person["dob"],
                    person["gender"],
                    person["phone"],
                    person["street"],
                    person["ward"],
                    PROVINCE_NAME,
                    person["street"],
                    person["ward"],
                    PROVINCE_NAME,
                )

        self._copy("users", User, columns, rows())

    def write_memberships(self) -> None:
        rows = (
            (uid, agency, role, _dt(self.joined[uid]))
            for uid, (agency, role) in enumerate(self.officer_slots, start=1)
        )
        self._copy("memberships", Membership, ["user_id", "agency_id", "role", "created_at"], rows)

    def write_wallet_documents(self) -> None:
        rng = self.rng("wallet")
        self.wallet: dict[int, dict[str, int]] = {}
        self.wallet_created: dict[int, int] = {}
        first_created: dict[int, int] = {}
        for plan in self.plans:
            first_created.setdefault(plan[P_APPLICANT], plan[P_CREATED])
        columns = [
            "id", "owner_id", "kind", "document_type", "title", "number", "issuer", "issued_on",
            "file", "file_kind", "original_name", "file_size", "created_at",
        ]  # fmt: skip

        def rows():
            item_id = 0
            for person in self.people[self.citizen_offset :]:
                if rng.random() >= WALLET_CITIZENS_SHARE:
                    continue
                uid = person["id"]
                joined = self.joined[uid]
                limit = first_created.get(uid, joined + 2 * DAY)
                created = joined + rng.randrange(max(1, min(DAY, (limit - joined) // 2)))
                items = {}
                for kind, share, title, issuer in WALLET_DOCUMENTS:
                    if rng.random() >= share:
                        continue
                    item_id += 1
                    items[kind.value] = item_id
                    number = (
                        person["national_id"]
                        if kind == PersonalDocumentType.ID_CARD
                        else f"{rng.randrange(10**6):06d}"
                    )
                    yield (
                        item_id,
                        uid,
                        WalletItemKind.DOCUMENT,
                        kind.value,
                        title,
                        number,
                        issuer,
                        _local_date(joined - rng.randrange(30 * DAY, 3000 * DAY)),
                        f"wallet/bench/{uid}-{item_id}.pdf",
                        "pdf",
                        f"{ascii_name(title).lower().replace(' ', '-')}.pdf",
                        rng.randrange(80_000, 2_000_000),
                        _dt(created),
                    )
                self.wallet[uid] = items
                self.wallet_created[uid] = created
            self.wallet_items = item_id

        self._copy("wallet items", WalletItem, columns, rows())

    # -- dossiers ---------------------------------------------------------

    def _declaration(self, rng, procedure: ProcedureFacts, person: dict) -> dict:
        values = {}
        for key, _label, how, choices in procedure.form:
            if how == "name":
                value = person["name"]
            elif how == "national_id":
                value = person["national_id"]
            elif how == "dob":
                value = person["dob"].isoformat()
            elif how == "gender":
                value = "Nam" if person["gender"] == Gender.MALE else "Nữ"
            elif how in ("phone", "email", "address"):
                value = person[how]
            elif how == "person":
                value = self.people[rng.randrange(len(self.people))]["name"]
            elif how == "choice":
                value = choices[rng.randrange(len(choices))] if choices else ""
            elif how == "date":
                value = _local_date(self.now - rng.randrange(30 * 365 * DAY)).isoformat()
            elif how == "number":
                value = str(rng.randint(1, 500))
            elif how == "other_id":
                value = self.people[rng.randrange(len(self.people))]["national_id"]
            elif how == "other_address":
                value = self.people[rng.randrange(len(self.people))]["address"]
            elif how == "ethnicity":
                value = ETHNICITIES[rng.randrange(len(ETHNICITIES))]
            elif how == "place":
                value = PLACES_OF_BIRTH[rng.randrange(len(PLACES_OF_BIRTH))]
            else:
                value = FREE_TEXTS[rng.randrange(len(FREE_TEXTS))]
            values[key] = value
        return values

    def _folded_name(self, uid: int) -> str:
        folded = self.folded_names.get(uid)
        if folded is None:
            folded = self.folded_names[uid] = fold(self.people[uid - 1]["name"])
        return folded

    def write_dossiers(self) -> None:
        rng = self.rng("declarations")
        columns = [
            "id", "code", "procedure_id", "agency_id", "applicant_id", "state", "channel",
            "declaration", "applicant_name", "delivery_method", "delivery_address", "fee_vnd",
            "outcome", "supplement_due_at", "created_at", "submitted_at", "received_at",
            "due_at", "closed_at", "state_changed_at", "sort_at", "search_text",
        ]  # fmt: skip
        procedures = self.procedures
        people = self.people
        codes = self.codes
        folded_codes = self.folded_codes

        def rows():
            for index, plan in enumerate(self.plans):
                dossier_id = index + 1
                state = plan[P_STATE]
                path = plan[P_PATH]
                person = people[plan[P_APPLICANT] - 1]
                procedure = procedures[plan[P_PROCEDURE]]
                # The last event is when the dossier entered its state.
                changed = plan[P_E3] or plan[P_E2] or plan[P_E1]
                if state == S.DRAFT:
                    submitted = None
                    sort_at = plan[P_CREATED]
                else:
                    submitted = plan[P_E1]
                    sort_at = changed
                received = None if path == PATH_RESUBMITTED else plan[P_RECEIVED]
                due = plan[P_DUE]
                if state == S.RECEIVED:
                    sort_at = due
                by_post = rng.random() < DELIVERY_BY_POST_SHARE
                code = codes[index]
                name = person["name"]
                online = plan[P_CHANNEL] == Channel.ONLINE
                yield (
                    dossier_id,
                    code,
                    procedure.pk,
                    plan[P_AGENCY],
                    plan[P_APPLICANT],
                    state,
                    plan[P_CHANNEL],
                    self._declaration(rng, procedure, person),
                    name,
                    DeliveryMethod.POST if by_post else DeliveryMethod.COUNTER,
                    person["address"] if by_post else "",
                    procedure.fee_online if online else procedure.fee_counter,
                    OUTCOMES[dossier_id % len(OUTCOMES)] if state == S.COMPLETED else "",
                    _dt(plan[P_SUPPLEMENT_DUE]),
                    _dt(plan[P_CREATED]),
                    _dt(submitted),
                    _dt(received),
                    _dt(due),
                    _dt(plan[P_CLOSED]),
                    _dt(changed),
                    _dt(sort_at),
                    # Set on submission (Dossier.submit): a draft's is empty.
                    f"{folded_codes[index]} {self._folded_name(plan[P_APPLICANT])}" if code else "",
                )

        self._copy("dossiers", Dossier, columns, rows())

    def write_events(self) -> None:
        columns = [
            "id", "dossier_id", "action", "actor_id", "from_state", "to_state", "reason",
            "data", "created_at",
        ]  # fmt: skip
        procedures = self.procedures

        def rows():
            event_id = 0
            for index, plan in enumerate(self.plans):
                dossier_id = index + 1
                moments = (plan[P_E1], plan[P_E2], plan[P_E3])
                for step, (action, from_state, to_state) in enumerate(PATHS[plan[P_PATH]]):
                    event_id += 1
                    reason, data = "", _EMPTY
                    if action == A.REJECT:
                        reason = REJECTION_REASONS[dossier_id % len(REJECTION_REASONS)]
                    elif action == A.COMPLETE:
                        reason = OUTCOMES[dossier_id % len(OUTCOMES)]
                    elif action == A.REQUEST_SUPPLEMENT:
                        reason = SUPPLEMENT_REASONS[dossier_id % len(SUPPLEMENT_REASONS)]
                        components = procedures[plan[P_PROCEDURE]].components
                        asked = components[dossier_id % len(components)][0]
                        data = {"components": [asked]}
                    actor = plan[P_APPLICANT] if action in _APPLICANT_ACTIONS else plan[P_OFFICER]
                    yield (
                        event_id,
                        dossier_id,
                        action,
                        actor,
                        from_state,
                        to_state,
                        reason,
                        data,
                        _dt(moments[step]),
                    )

        self._copy("events", DossierEvent, columns, rows())

    def write_documents(self) -> None:
        """One to three documents per dossier, some reused from the wallet, and their uses."""
        rng = self.rng("documents")
        uses: list[tuple] = []
        columns = [
            "id", "dossier_id", "component_id", "wallet_item_id", "file", "file_kind",
            "original_name", "file_size", "round", "created_at",
        ]  # fmt: skip
        procedures = self.procedures
        wallet = self.wallet

        def rows():
            document_id = 0
            for index, plan in enumerate(self.plans):
                dossier_id = index + 1
                components = procedures[plan[P_PROCEDURE]].components
                if not components:
                    continue
                uid = plan[P_APPLICANT]
                items = wallet.get(uid, {})
                filed = plan[P_STATE] != S.DRAFT
                created = plan[P_CREATED] + rng.randrange(60, 600)
                if filed:
                    created = min(created, plan[P_E1])
                attached = set()
                count = min(len(components), 1 + rng.randrange(3))
                chosen = [(c, 0, created) for c in components[:count]]
                if plan[P_PATH] == PATH_RESUBMITTED:
                    asked = components[dossier_id % len(components)]
                    chosen = [*chosen[:2], (asked, 1, plan[P_E3])]
                for (component, types, _required), round_number, moment in chosen:
                    item = None
                    for kind in types:
                        if kind in items and rng.random() < WALLET_REUSE_SHARE:
                            item = items[kind]
                            break
                    document_id += 1
                    if item is not None:
                        yield (document_id, dossier_id, component, item, "", "", "", 0,
                               round_number, _dt(moment))  # fmt: skip
                        if filed and item not in attached:
                            attached.add(item)
                            uses.append(
                                (item, plan[P_AGENCY], self.codes[index],
                                 _dt(plan[P_E1] if round_number == 0 else moment),
                                 _dt(plan[P_CLOSED]))
                            )  # fmt: skip
                    else:
                        kind = "pdf" if rng.random() < 0.8 else "jpg"
                        yield (
                            document_id,
                            dossier_id,
                            component,
                            None,
                            f"dossiers/bench/{dossier_id}-{document_id}.{kind}",
                            kind,
                            f"giay-to-{document_id}.{kind}",
                            rng.randrange(60_000, 3_000_000),
                            round_number,
                            _dt(moment),
                        )

        self._copy("documents", DossierDocument, columns, rows())
        self._copy(
            "wallet item uses",
            WalletItemUse,
            ["item_id", "agency_id", "reference", "created_at", "released_at"],
            iter(uses),
        )

    # -- results ----------------------------------------------------------

    def write_results(self) -> None:
        """A valid result for each completed dossier of a procedure that issues one.

        Numbered 1, 2, ... per agency, result type and year in order of issue,
        as `result_number_next` continues them; delivered to the holder's
        wallet; without PDF, QR token or signing key.
        """
        rng = self.rng("results")
        result_types = {rt.pk: rt for rt in ResultType.objects.all()}
        issued = [
            i
            for i, plan in enumerate(self.plans)
            if plan[P_STATE] == S.COMPLETED and self.procedures[plan[P_PROCEDURE]].result_type
        ]
        issued.sort(key=lambda i: (self.plans[i][P_CLOSED], i))
        counters: dict[tuple[int, int, int], int] = defaultdict(int)
        results = []
        for result_id, index in enumerate(issued, start=1):
            plan = self.plans[index]
            procedure = self.procedures[plan[P_PROCEDURE]]
            result_type = result_types[procedure.result_type]
            issued_on = _local_date(plan[P_CLOSED])
            key = (plan[P_AGENCY], result_type.pk, issued_on.year)
            counters[key] += 1
            number = f"{counters[key]}/{issued_on.year}/{result_type.code.rsplit('.', 1)[-1]}"
            public_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            results.append((result_id, index, result_type, issued_on, number, public_id))

        columns = [
            "id", "public_id", "number", "result_type_id", "agency_id", "holder_id",
            "holder_national_id", "holder_name", "issued_on", "valid_until", "data",
            "source_reference", "status", "status_changed_at", "issued_by_id", "created_at",
        ]  # fmt: skip

        def rows():
            for result_id, index, result_type, issued_on, number, public_id in results:
                plan = self.plans[index]
                person = self.people[plan[P_APPLICANT] - 1]
                procedure = self.procedures[plan[P_PROCEDURE]]
                data = [
                    ["Họ, chữ đệm và tên", person["name"]],
                    ["Số định danh cá nhân", person["national_id"]],
                    ["Ngày sinh", person["dob"].strftime("%d/%m/%Y")],
                    ["Thủ tục", procedure.name],
                ]
                valid_until = (
                    _add_months(issued_on, result_type.validity_months)
                    if result_type.validity_months
                    else None
                )
                yield (
                    result_id,
                    public_id,
                    number,
                    result_type.pk,
                    plan[P_AGENCY],
                    plan[P_APPLICANT],
                    person["national_id"],
                    person["name"],
                    issued_on,
                    valid_until,
                    data,
                    f"dossier:{self.codes[index]}",
                    ResultStatus.VALID,
                    _dt(plan[P_CLOSED]),
                    plan[P_OFFICER],
                    _dt(plan[P_CLOSED]),
                )

        self._copy("results", Result, columns, rows())
        # Automatic numbers continue after the generated ones, as after a migration.
        self._copy(
            "result sequences",
            ResultSequence,
            ["agency_id", "result_type_id", "year", "last_number"],
            (
                (agency, result_type, year, last)
                for (agency, result_type, year), last in counters.items()
            ),
        )
        self._copy(
            "result events",
            ResultEvent,
            ["result_id", "action", "actor_id", "created_at"],
            (
                (
                    result_id,
                    ResultAction.ISSUE,
                    self.plans[index][P_OFFICER],
                    _dt(self.plans[index][P_CLOSED]),
                )
                for result_id, index, *_rest in results
            ),
        )
        first_item = self.wallet_items
        wallet_columns = [
            "id", "owner_id", "kind", "result_type_id", "title", "number", "issuer",
            "issued_on", "source_reference", "created_at",
        ]  # fmt: skip
        self._copy(
            "wallet items",
            WalletItem,
            wallet_columns,
            (
                (
                    first_item + result_id,
                    self.plans[index][P_APPLICANT],
                    WalletItemKind.RESULT,
                    result_type.pk,
                    _title(result_type.name),
                    number,
                    self.agencies[self.plans[index][P_AGENCY]].name,
                    issued_on,
                    f"result:{public_id}",
                    _dt(self.plans[index][P_CLOSED]),
                )
                for result_id, index, result_type, issued_on, number, public_id in results
            ),
        )

    def write_ratings(self) -> None:
        rng = self.rng("ratings")
        scores = ([5] * 55) + ([4] * 25) + ([3] * 10) + ([2] * 5) + ([1] * 5)

        def rows():
            for index, plan in enumerate(self.plans):
                if plan[P_STATE] != S.COMPLETED or rng.random() >= RATED_SHARE:
                    continue
                rated = min(plan[P_CLOSED] + rng.randrange(HOUR, 5 * DAY), self.now)
                yield (
                    index + 1,
                    rng.choice(scores),
                    RATING_COMMENTS[rng.randrange(len(RATING_COMMENTS))],
                    _dt(rated),
                )

        self._copy(
            "ratings", DossierRating, ["dossier_id", "score", "comment", "created_at"], rows()
        )

    def write_daily_sequences(self) -> None:
        self._copy(
            "daily sequences",
            DailySequence,
            ["agency_id", "day", "last_number"],
            iter(self.sequences),
        )

    # -- the end ----------------------------------------------------------

    def finish(self) -> None:
        """Move the id sequences past the copied ids, and give the planner statistics.

        VACUUM also sets the visibility map (index-only scans) and merges the
        trigram indexes' pending lists; inside a transaction (tests) only
        ANALYZE is possible.
        """
        written = [
            User, Membership, WalletItem, WalletItemUse, Dossier, DossierEvent,
            DossierDocument, DossierRating, DailySequence, Result, ResultEvent, ResultSequence,
            Procedure, DocumentComponent, FormField, LegalBasis, Agency,
        ]  # fmt: skip
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), written):
                cursor.execute(statement)
            if connection.in_atomic_block:
                cursor.execute("ANALYZE")
            else:
                cursor.execute("VACUUM (ANALYZE)")


_OTHER = {"048": "049", "049": "048"}


def _processing_office_seconds(rule: tuple[str, int]) -> int:
    """Roughly how much office time a procedure's processing time lasts."""
    kind, amount = rule
    if kind == "working":
        return amount
    if kind == "calendar":
        return amount * WORKING_DAY_SECONDS * 5 // 7
    return WORKING_DAY_SECONDS // 2


def _title(name: str) -> str:
    """A wallet item's title: the result type's name, cut to the column's 200 characters.

    Result type names reach 500 characters (some national ones are longer
    than 200), and `WalletItem.title` holds 200.
    """
    limit = WalletItem._meta.get_field("title").max_length
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _growth(rng: random.Random) -> float:
    """A number in [0, 1) whose density rises linearly from 0.6 to 1.4."""
    a, b = 0.6, 0.8
    u = rng.random() * (a + b / 2)
    return (-a + math.sqrt(a * a + 2 * b * u)) / b


def _fill_for(form_field: FormField) -> str:
    """How to fill a form field that is not prefilled from the profile."""
    kind, key = form_field.field_type, form_field.key
    if kind == FormFieldType.CHOICE:
        return "choice"
    if kind == FormFieldType.DATE:
        return "date"
    if kind == FormFieldType.NUMBER:
        return "number"
    if kind == FormFieldType.NATIONAL_ID:
        return "other_id"
    if kind == FormFieldType.ADDRESS:
        return "other_address"
    if key.endswith("ethnicity"):
        return "ethnicity"
    if "place" in key:
        return "place"
    if key.endswith("name"):
        return "person"
    return "text"
