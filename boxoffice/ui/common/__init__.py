"""What several screens share: the operation runner (every database call off the GUI thread),
the look (style), banners, the live-change bridge, table models, dialogs and settings.

May import the core (`boxoffice.*` outside `ui`) and Qt; never another `ui/` folder.
"""
