"""The cash-up window: takings by method and till, counting a till, and the A4 PDF report.

May import the core, Qt and `ui.common`.
"""
