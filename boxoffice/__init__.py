"""BoxOffice: box-office counter software over one shared PostgreSQL.

Everything in this package except ``boxoffice.ui`` is free of Qt, so scripts,
the CLI, the headless expiry worker and tests all run the same booking code.
"""

from __future__ import annotations

__version__ = "0.1.0"
