"""Countries by ISO 3166 alpha-2 code, named in the active language (CLDR through Babel)."""

from __future__ import annotations

from babel import Locale

from halyard.core.formatting import current_locale


def _territories() -> dict[str, str]:
    names = Locale.parse(current_locale()).territories
    return {code: name for code, name in names.items() if len(code) == 2 and code.isalpha()}


def country_choices() -> list[tuple[str, str]]:
    """Return (code, name) for every country, sorted by name in the active language."""
    return sorted(_territories().items(), key=lambda item: item[1])


def country_name(code: str) -> str:
    """Return the country's name in the active language, or the code when unknown."""
    return _territories().get((code or "").upper(), code)


def is_country(code: str) -> bool:
    """Tell whether `code` is a known ISO 3166 alpha-2 country code."""
    return (code or "").upper() in Locale.parse("en_US").territories
