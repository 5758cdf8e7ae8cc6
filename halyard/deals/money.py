"""Money rules: how many decimals a currency has, and converting amounts to the default currency."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from babel.numbers import get_currency_precision
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CENT = Decimal("0.01")


def currency_decimals(currency: str) -> int:
    """Return how many decimals an amount in this ISO 4217 currency may have (VND 0, USD 2)."""
    return int(get_currency_precision(currency))


def amount_check(amount: Decimal | None, currency: str) -> None:
    """Refuse a negative amount, or one with more decimals than its currency allows."""
    if amount is None:
        return
    amount = Decimal(str(amount))
    if amount < 0:
        raise ValidationError(
            {"amount": ValidationError(_("An amount cannot be negative."), code="negative")}
        )
    decimals = currency_decimals(currency)
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > decimals:
        if decimals == 0:
            message = _("Amounts in %(currency)s have no decimals.") % {"currency": currency}
        else:
            message = _("Amounts in %(currency)s have at most %(n)s decimals.") % {
                "currency": currency,
                "n": decimals,
            }
        raise ValidationError({"amount": ValidationError(message, code="too_many_decimals")})


@dataclass
class Converted:
    """A sum of amounts in the default currency, and what could not be converted."""

    total: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)
    # Currencies without an exchange rate -> number of deals left out of the sum.
    missing: dict[str, int] = field(default_factory=dict)

    @property
    def missing_count(self) -> int:
        return sum(self.missing.values())


def convert_rows(
    rows: Iterable[dict[str, object]], rates: dict[str, Decimal], default: str
) -> Converted:
    """Add up rows of {currency, n, total, weighted} in the default currency.

    Rows in a currency without a rate are counted in `missing`, not in the sums.
    """
    result = Converted()
    for row in rows:
        currency = str(row["currency"])
        total = Decimal(str(row.get("total") or 0))
        weighted = Decimal(str(row.get("weighted") or 0))
        if currency == default:
            rate = Decimal(1)
        elif currency in rates:
            rate = rates[currency]
        else:
            if row.get("total") is not None:
                result.missing[currency] = result.missing.get(currency, 0) + int(
                    str(row.get("n") or 0)
                )
            continue
        result.total += total * rate
        result.weighted += weighted * rate
    decimals = Decimal(1).scaleb(-currency_decimals(default))
    result.total = result.total.quantize(decimals)
    result.weighted = result.weighted.quantize(decimals)
    return result
