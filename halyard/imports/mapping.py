"""The fields a column can map to, and suggestions from header names in our languages and CRMs."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

from halyard.customfields.models import CustomField

CUSTOM_PREFIX = "custom."

# Field key -> label, per record type. "full_name" is split into first/middle/last names.
CONTACT_FIELDS = {
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "middle_name": _("Middle name"),
    "full_name": _("Full name"),
    "prefix": _("Salutation"),
    "email": _("Email"),
    "phone": _("Phone"),
    "title": _("Job title"),
    "department": _("Department"),
    "company": _("Company"),
    "street": _("Street"),
    "city": _("City"),
    "region": _("Region"),
    "postal_code": _("Postal code"),
    "country": _("Country (two-letter code)"),
}
COMPANY_FIELDS = {
    "name": _("Name"),
    "domain": _("Domain"),
    "website": _("Website"),
    "phone": _("Phone"),
    "industry": _("Industry"),
    "annual_revenue": _("Annual revenue"),
    "street": _("Street"),
    "city": _("City"),
    "region": _("Region"),
    "postal_code": _("Postal code"),
    "country": _("Country"),
}
FIELDS = {"contacts": CONTACT_FIELDS, "companies": COMPANY_FIELDS}

_SHARED = {
    "phone": [
        "phone",
        "phone number",
        "telephone",
        "tel",
        "mobile",
        "mobile phone",
        "mobile number",
        "cell",
        "cell phone",
        "work phone",
        "business phone",
        "primary phone",
        "phone 1",
        "điện thoại",
        "số điện thoại",
        "sđt",
        "sdt",
        "di động",
        "số di động",
        "电话",
        "手机",
        "手机号",
        "手机号码",
        "联系电话",
        "電話",
        "手機",
        "手機號碼",
        "聯絡電話",
        "تلفن",
        "تلفن همراه",
        "موبایل",
        "شماره تماس",
        "شماره تلفن",
    ],
    "street": [
        "street",
        "street address",
        "address",
        "address 1",
        "address line 1",
        "mailing street",
        "billing street",
        "billing address",
        "địa chỉ",
        "地址",
        "通讯地址",
        "通訊地址",
        "آدرس",
        "نشانی",
    ],
    "city": [
        "city",
        "town",
        "mailing city",
        "billing city",
        "thành phố",
        "tỉnh/thành phố",
        "tỉnh thành",
        "城市",
        "市",
        "شهر",
    ],
    "region": [
        "region",
        "state",
        "province",
        "state/region",
        "state/province",
        "mailing state",
        "billing state",
        "mailing state/province",
        "billing state/province",
        "county",
        "tỉnh",
        "quận/huyện",
        "省",
        "省份",
        "地区",
        "地區",
        "استان",
    ],
    "postal_code": [
        "postal code",
        "postcode",
        "zip",
        "zip code",
        "zip/postal code",
        "mailing zip/postal code",
        "billing zip/postal code",
        "mailing zip",
        "billing zip",
        "mã bưu điện",
        "mã bưu chính",
        "邮编",
        "邮政编码",
        "郵遞區號",
        "郵政編碼",
        "کد پستی",
    ],
    "country": [
        "country",
        "country/region",
        "mailing country",
        "billing country",
        "country code",
        "quốc gia",
        "国家",
        "國家",
        "国家/地区",
        "國家/地區",
        "کشور",
    ],
}
SYNONYMS: dict[str, dict[str, list[str]]] = {
    "contacts": {
        **_SHARED,
        "first_name": [
            "first name",
            "firstname",
            "first",
            "given name",
            "forename",
            "tên",
            "tên gọi",
            "名",
            "名字",
            "نام",
            "نام کوچک",
        ],
        "last_name": [
            "last name",
            "lastname",
            "last",
            "surname",
            "family name",
            "họ",
            "姓",
            "姓氏",
            "نام خانوادگی",
            "فامیلی",
        ],
        "middle_name": ["middle name", "middle", "tên đệm", "tên lót", "中间名", "中間名"],
        "full_name": [
            "full name",
            "name",
            "contact name",
            "contact",
            "display name",
            "họ và tên",
            "họ tên",
            "tên đầy đủ",
            "姓名",
            "全名",
            "联系人",
            "聯絡人",
            "نام کامل",
            "نام و نام خانوادگی",
        ],
        "prefix": ["salutation", "prefix", "title prefix", "danh xưng", "称呼", "稱謂", "عنوان"],
        "email": [
            "email",
            "e-mail",
            "email address",
            "e-mail address",
            "primary email",
            "work email",
            "email 1",
            "mail",
            "thư điện tử",
            "địa chỉ email",
            "电子邮件",
            "电子邮箱",
            "邮箱",
            "邮件",
            "電子郵件",
            "郵箱",
            "電郵",
            "ایمیل",
            "پست الکترونیک",
            "رایانامه",
        ],
        "title": [
            "job title",
            "title",
            "position",
            "job position",
            "role",
            "designation",
            "chức vụ",
            "chức danh",
            "职位",
            "职务",
            "職位",
            "職稱",
            "職務",
            "سمت",
            "عنوان شغلی",
        ],
        "department": ["department", "phòng ban", "bộ phận", "部门", "部門", "بخش", "دپارتمان"],
        "company": [
            "company",
            "company name",
            "account name",
            "account",
            "organization",
            "organisation",
            "organization name",
            "associated company",
            "employer",
            "công ty",
            "tên công ty",
            "公司",
            "公司名称",
            "公司名稱",
            "单位",
            "شرکت",
            "نام شرکت",
        ],
    },
    "companies": {
        **_SHARED,
        "name": [
            "name",
            "company",
            "company name",
            "account name",
            "account",
            "organization",
            "organisation",
            "organization name",
            "công ty",
            "tên công ty",
            "公司",
            "公司名称",
            "公司名稱",
            "名称",
            "名稱",
            "شرکت",
            "نام شرکت",
            "نام",
        ],
        "domain": [
            "domain",
            "company domain name",
            "company domain",
            "website domain",
            "email domain",
            "tên miền",
            "域名",
            "網域",
            "دامنه",
        ],
        "website": [
            "website",
            "website url",
            "web site",
            "url",
            "homepage",
            "trang web",
            "网站",
            "網站",
            "官网",
            "وب سایت",
            "وبسایت",
        ],
        "industry": ["industry", "sector", "ngành", "ngành nghề", "行业", "行業", "صنعت"],
        "annual_revenue": [
            "annual revenue",
            "revenue",
            "doanh thu",
            "年收入",
            "年营收",
            "營收",
            "درآمد سالانه",
        ],
    },
}


def header_key(text: str) -> str:
    """Normalise a header for matching: case, spacing, punctuation, Arabic letter variants."""
    text = unicodedata.normalize("NFC", text or "").casefold()
    text = text.replace("\u200c", " ").replace("ي", "ی").replace("ك", "ک")
    text = re.sub(r"[\s_\-.:*]+", " ", text)
    return text.strip()


_INDEX: dict[str, dict[str, str]] = {
    record_type: {header_key(word): key for key, words in fields.items() for word in words}
    for record_type, fields in SYNONYMS.items()
}


def field_choices(record_type: str, custom: list[CustomField]) -> list[tuple[str, str]]:
    """Return (key, label) for every field a column can map to, custom fields last."""
    choices = [(k, str(v)) for k, v in FIELDS[record_type].items()]
    choices += [(f"{CUSTOM_PREFIX}{d.key}", d.label) for d in custom]
    return choices


def suggest(
    record_type: str,
    headers: list[str],
    custom: list[CustomField],
    template: dict[str, str] | None = None,
) -> dict[str, str]:
    """Return {column index: field key} guessed from the headers; each field is used once."""
    index = dict(_INDEX[record_type])
    for definition in custom:
        for word in (definition.label, definition.key):
            index.setdefault(header_key(word), f"{CUSTOM_PREFIX}{definition.key}")
    known = {k for k, _label in field_choices(record_type, custom)}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for position, header in enumerate(headers):
        key = header_key(header)
        field = (template or {}).get(key) or index.get(key, "")
        if field and field in known and field not in used:
            mapping[str(position)] = field
            used.add(field)
    return mapping
