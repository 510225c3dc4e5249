"""The counter window: show list, seat grid, booking panel and its cards (hold, sale, payment).

May import the core, Qt and `ui.common`; opens the other windows (bookings, cash-up, door,
wall, operations, printing) by importing their public window classes only.
"""
