"""Money at the counter: prices, ticket types, payments, refunds and the cash-up.

Qt-free like the rest of the core. Payment stays off the seat-locking path: seats are
held by the locked transaction, money is taken on the booking's row lock.
"""

from boxoffice.money.amounts import Currency
from boxoffice.money.cashup import (
    CashUp,
    cash_up,
    cash_up_csv,
    record_cash_count,
    tills_of_day,
)
from boxoffice.money.prices import (
    PAYMENT_METHODS,
    PriceCategory,
    PricePlan,
    TicketType,
    add_ticket_type,
    copy_price_plan,
    get_currency,
    list_ticket_types,
    price_plan,
    retire_ticket_type,
    set_currency,
    set_price_plan,
)
from boxoffice.money.refunds import Refund, cancel_seats
from boxoffice.money.sale import (
    BookingMoney,
    PaidSale,
    Payment,
    PayRequest,
    Quote,
    SaleRequest,
    TicketLine,
    booking_money,
    paid_sale,
    pay,
    pay_checked,
    pay_request,
    price_tickets,
    quote,
    sale_request,
    sell,
    sell_checked,
)
from boxoffice.money.tender import change_due, short_by, too_little

__all__ = [
    "PAYMENT_METHODS", "BookingMoney", "CashUp", "Currency", "PaidSale", "PayRequest",
    "Payment", "PriceCategory", "PricePlan", "Quote", "Refund", "SaleRequest", "TicketLine",
    "TicketType", "add_ticket_type", "booking_money", "cancel_seats", "cash_up", "cash_up_csv",
    "change_due", "copy_price_plan", "get_currency", "list_ticket_types", "paid_sale", "pay",
    "pay_checked", "pay_request", "price_plan", "price_tickets", "quote", "record_cash_count",
    "retire_ticket_type", "sale_request", "sell", "sell_checked", "set_currency",
    "set_price_plan", "short_by", "tills_of_day", "too_little",
]
