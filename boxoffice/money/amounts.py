"""Money as the box office counts it: integer minor units in the venue's currency.

Floats never hold money here: ``12.10`` is ``1210`` cents from the moment a clerk types
it to the cash-up. Parsing accepts what people type at a till ("12", "12.5", "12,50",
"€ 12.50"); formatting shows the currency code, which every report also carries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from boxoffice.errors import InvalidRequest

# The upper bound of a money column (integer minor units: cents, pence; never floats):
# every sum of a day's takings stays inside a bigint with room to spare. The tables'
# check constraints (boxoffice.models) use it too.
MAX_AMOUNT = 100_000_000

_TYPED = re.compile(r"^[^\d\-+.,]*([+-]?\d[\d ]*(?:[.,]\d*)?|[+-]?[.,]\d+)[^\d]*$")


@dataclass(frozen=True, slots=True)
class Currency:
    """ISO 4217 code and the number of digits after the decimal point."""

    code: str = "EUR"
    minor_units: int = 2

    def format(self, amount: int, *, code: bool = True) -> str:
        """``1250`` → ``"EUR 12.50"`` (``"12.50"`` without the code); negatives keep a sign."""
        sign = "-" if amount < 0 else ""
        whole, part = divmod(abs(amount), 10**self.minor_units)
        number = f"{whole:,}" if self.minor_units == 0 else (
            f"{whole:,}.{part:0{self.minor_units}d}")
        return f"{self.code} {sign}{number}" if code else f"{sign}{number}"

    def plain(self, amount: int) -> str:
        """``1250`` → ``"12.50"``: for CSV files and spreadsheets (no grouping)."""
        sign = "-" if amount < 0 else ""
        whole, part = divmod(abs(amount), 10**self.minor_units)
        return f"{sign}{whole}" if self.minor_units == 0 else (
            f"{sign}{whole}.{part:0{self.minor_units}d}")

    def parse(self, typed: object, what: str = "amount") -> int:
        """What a clerk typed → minor units; refuses more decimals than the currency has,
        negatives and absurd amounts with a message that says so."""
        if isinstance(typed, bool) or not isinstance(typed, str | int | Decimal):
            raise InvalidRequest(f"The {what} must be a number such as 12.50.", field=what)
        text = str(typed).strip()
        m = _TYPED.match(text)
        if not m:
            raise InvalidRequest(f"{text!r} is not an amount; type it like 12.50.", field=what)
        number = m.group(1).replace(" ", "").replace(",", ".")
        try:
            value = Decimal(number)
        except InvalidOperation:
            raise InvalidRequest(f"{text!r} is not an amount; type it like 12.50.",
                                 field=what) from None
        if value < 0:
            raise InvalidRequest(f"The {what} cannot be negative.", field=what)
        minor = value * (10**self.minor_units)
        if minor != minor.to_integral_value():
            raise InvalidRequest(
                f"{self.code} amounts have {self.minor_units} decimal places; {text!r} has more.",
                field=what)
        result = int(minor)
        if result > MAX_AMOUNT * 20:
            raise InvalidRequest(f"The {what} {text} is too large.", field=what)
        return result


def amount(value: object, what: str = "amount", *, limit: int = MAX_AMOUNT) -> int:
    """An amount already in minor units, as the API takes it: a whole number in range."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
        raise InvalidRequest(f"The {what} must be a whole number of minor units "
                             f"from 0 to {limit}.", field=what)
    return value
