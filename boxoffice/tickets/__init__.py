"""Printed tickets, Qt-free: the signed QR payload, the layout as data, the print log.

The drawing lives in ``boxoffice.ui.printing.tickets``; everything a script, the door check-in or
a test needs without Qt is here.
"""
