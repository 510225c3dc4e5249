"""The counter window: show list, seat grid, booking panel and its cards (hold, sale, payment).

May import the core, Qt and `ui.common`, and opens the other windows (`ui.bookings`,
`ui.cashup`, `ui.door`, `ui.manager`, `ui.operations`, `ui.printing`, `ui.wall`) by
importing their public window classes only.
"""
