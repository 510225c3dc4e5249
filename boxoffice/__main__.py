"""``python -m boxoffice``: the same as the ``boxoffice`` command (and the bundle's entry)."""

import sys

from boxoffice.cli import main

sys.exit(main())
