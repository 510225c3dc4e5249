"""What the customer hands over for cash: too little is refused, more gives change.

The one Python copy of ``boxoffice_pay``'s rule (migration 0005): an amount given below
the total is refused, and the change is what was given less the total. The payment box
and the sale card ask these for what they show, and ``money.sell`` asks them before any
seat is held; ``tests/money/test_money.py`` pins them to ``boxoffice_pay``'s answers.
"""

from __future__ import annotations

from boxoffice.money.amounts import Currency


def short_by(total: int, tendered: int | None) -> int:
    """How much the customer's cash falls short of ``total`` (0: enough, or no amount
    given, which means the exact amount)."""
    if tendered is None:
        return 0
    return max(0, total - tendered)


def change_due(total: int, tendered: int | None) -> int | None:
    """The change to give back (None: no amount given, or too little)."""
    if tendered is None or short_by(total, tendered):
        return None
    return tendered - total


def too_little(currency: Currency, total: int, tendered: int | None) -> str | None:
    """The clerk's message when the amount given is short (None: it is not)."""
    missing = short_by(total, tendered)
    if not missing or tendered is None:
        return None
    return (f"The customer gave {currency.format(tendered)}; the tickets cost "
            f"{currency.format(total)}. {currency.format(missing)} is missing.")
