"""The wall view: a hall filling up on a big screen, for front-of-house staff.

May import the core, Qt, `ui.common` and the counter's seat grid (`ui.counter`), which it
shows read-only.
"""
