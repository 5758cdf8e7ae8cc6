"""Text as the search index stores it: lower case, no diacritics, one spelling per letter."""

from __future__ import annotations

import re
import unicodedata

# Letters that decomposition does not reduce to a base letter, and Arabic letters that
# Persian writes differently (the index must find "علی" whether typed with ي or ی).
_FOLD = str.maketrans(
    {
        "đ": "d",
        "Đ": "d",
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "ß": "ss",
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "\u200c": "",  # zero-width non-joiner: Persian words are typed with and without it
        "\u200d": "",
        "ـ": "",  # tatweel, a stretching stroke
    }
)
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_SPACES = re.compile(r"\s+")
_PHONE_CHARS = re.compile(r"[\s\-().+/]")


def normalise(text: str) -> str:
    """Fold case, diacritics (Vietnamese tones included), Persian letter forms and digits."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_FOLD).translate(_DIGITS).casefold()
    return _SPACES.sub(" ", text).strip()


def phone_digits(text: str) -> str:
    """Return the digits of something typed like a phone number, or "" if it is not one."""
    stripped = _PHONE_CHARS.sub("", text.translate(_DIGITS))
    return stripped if len(stripped) >= 3 and stripped.isdigit() else ""


def is_cjk(text: str) -> bool:
    return any("\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" for ch in text)


def words(text: str) -> list[str]:
    """Split normalised text into words (e-mail and domain parts become words too)."""
    return [w for w in re.split(r"[^\w]+", text) if w]


def phone_terms(value: str) -> list[str]:
    """Return a stored phone number as the digit strings people type: international, national."""
    if not value:
        return []
    digits = phone_digits(value)
    terms = [digits] if digits else [value]
    if value.startswith("+"):
        import phonenumbers

        try:
            number = phonenumbers.parse(value, None)
        except phonenumbers.NumberParseException:
            return terms
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        national_digits = phone_digits(national)
        if national_digits and national_digits not in terms:
            terms.append(national_digits)
    return terms
