"""``python -m boxoffice.bench ARGS``: the same as ``boxoffice bench -- ARGS``."""

from __future__ import annotations

import logging
import sys

from boxoffice.bench import main

if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.exit(main(sys.argv[1:]))
