"""The cash-up's words: how a payment method, a till and a filter read in every report.

One source for the window's tables and charts, the PDF and ``boxoffice cashup``, so a
till reads "Counter 1 · ann" wherever it appears.
"""

from __future__ import annotations

from boxoffice.money.cashup import NO_METHOD, CashUp

METHOD_NAMES = {"cash": "Cash", "card": "Card", "voucher": "Voucher", "invoice": "Invoice",
                NO_METHOD: "Free tickets"}


def method_name(method: str) -> str:
    return METHOD_NAMES.get(method, method.capitalize())


def till_name(counter: str | None, clerk: str) -> str:
    return f"{counter or 'no counter'} · {clerk}"


def filters_text(cu: CashUp) -> str:
    return f"counter: {cu.counter or 'all'} · clerk: {cu.clerk or 'all'}"
