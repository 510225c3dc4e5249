"""The bookings window: find a booking, its history and money, cancel and refund.

May import the core, Qt and `ui.common`.
"""
