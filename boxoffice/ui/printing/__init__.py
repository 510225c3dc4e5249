"""Printing tickets: the page layout painted with Qt, to a printer or a PDF file.

May import the core, Qt and `ui.common`.
"""
