#!/usr/bin/env bash
# Build the one-folder bundle dist/boxoffice/ from boxoffice.spec with the venv's
# PyInstaller, then run the built program's smoke test (offscreen, embedded PostgreSQL,
# upgrade, sell one seat, print its ticket). Exit status: the smoke test's.
#   scripts/build_bundle.sh            build + smoke test
#   scripts/build_bundle.sh --no-build smoke-test the existing dist/boxoffice
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
if [[ "${1:-}" != "--no-build" ]]; then
    if [[ ! -x "$VENV/bin/pyinstaller" ]]; then
        echo "PyInstaller is missing: $VENV/bin/pip install -e '.[bundle]'" >&2
        exit 2
    fi
    start=$(date +%s)
    "$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
        --distpath dist --workpath build/pyinstaller boxoffice.spec
    echo "built dist/boxoffice in $(( $(date +%s) - start )) s"
fi
echo "bundle size: $(du -sh dist/boxoffice | cut -f1) ($(find dist/boxoffice -type f | wc -l) files)"
# No Python from the environment may leak in: the bundle must carry its own.
env -u PYTHONPATH -u VIRTUAL_ENV -u BOXOFFICE_DATABASE_URL -u PGHOST -u PGSERVICE \
    -u PGDATABASE -u PGPORT -u PGUSER -u PGHOSTADDR \
    PATH=/usr/sbin:/usr/bin:/sbin:/bin QT_QPA_PLATFORM=offscreen \
    dist/boxoffice/boxoffice --smoke-test
