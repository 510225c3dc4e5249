"""Before Qt starts on Linux: can its xcb (X11) plugin load, and if not, which system
libraries are missing.

Qt's own message on a fresh Debian names ``libxcb-cursor0`` only, then aborts; the real
gaps are usually several (``libxcb-icccm4``, ``libxcb-keysyms1``, ...). ``ldd`` on the
plugin in the PySide6 wheel lists every library that is not found, so the clerk's IT
can install them with one command. Runs without importing Qt (a failed plugin load
aborts the process: there is nothing to catch afterwards).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

# Library file → the Debian package that ships it (the Fedora names are in README).
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
}


def xcb_plugin() -> Path | None:
    """The xcb platform plugin inside the installed PySide6 wheel, if there is one."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        plugin = Path(folder) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.exists():
            return plugin
    return None


def missing_libraries(library: Path) -> list[str]:
    """The shared libraries ``library`` needs that the system does not have (by ldd);
    empty when all are there or ldd is not available."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    try:
        out = subprocess.run([ldd, str(library)], capture_output=True, text=True,
                             timeout=20, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    missing = []
    for line in out.splitlines():
        name, _, where = line.strip().partition("=>")
        if "not found" in where and name.strip() not in missing:
            missing.append(name.strip())
    return missing


def xcb_problem(plugin: Path | None = None) -> str | None:
    """What to tell the user when the xcb plugin cannot load; None when it can."""
    plugin = plugin or xcb_plugin()
    if plugin is None:
        return None
    missing = missing_libraries(plugin)
    if not missing:
        return None
    packages = sorted({DEBIAN_PACKAGES.get(lib, lib) for lib in missing})
    return (
        "BoxOffice cannot open a window: Qt's xcb (X11) plugin needs system libraries "
        f"that are not installed:\n  {', '.join(missing)}\n"
        f"On Debian or Ubuntu:  sudo apt-get install {' '.join(packages)}\n"
        "On Fedora, and for everything Qt needs, see the first section of README.md.\n"
        f"(Found with: ldd {plugin})")


def wants_xcb(env: dict[str, str] | os._Environ[str] | None = None) -> bool:
    """Whether Qt will try the xcb plugin: Linux, and no other platform chosen."""
    env = os.environ if env is None else env
    if not sys.platform.startswith("linux"):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(":")[0].split(";")[0] == "xcb"
    return not env.get("WAYLAND_DISPLAY")
