"""Issue 13 item 10: on a fresh Debian Qt said only "Could not load the Qt platform plugin
xcb" (naming libxcb-cursor0) and aborted; BoxOffice names every missing library first."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from boxoffice.ui import platform_check

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("ldd") is None,
                                reason="the xcb plugin and ldd are Linux things")


def _plugin_needing(tmp_path: Path, gone: dict[str, str]) -> Path:
    """A copy of the real xcb plugin whose dependencies ``gone`` are renamed to names no
    system has (same length, so the ELF stays valid): as if they were not installed."""
    real = platform_check.xcb_plugin()
    if real is None:
        pytest.skip("this PySide6 has no xcb plugin")
    data = real.read_bytes()
    for name, fake in gone.items():
        assert len(name) == len(fake) and name.encode() in data
        data = data.replace(name.encode() + b"\0", fake.encode() + b"\0")
    copy = tmp_path / "libqxcb.so"
    copy.write_bytes(data)
    return copy


def test_every_missing_library_is_named_with_the_packages_to_install(tmp_path: Path) -> None:
    real = platform_check.xcb_plugin()
    assert real is not None and real.name == "libqxcb.so"
    # the plugin links libQt6XcbQpa, which links the xcb libraries: rename those it names
    qpa = real.parents[2] / "lib" / "libQt6XcbQpa.so.6"
    data = qpa.read_bytes()
    for name, fake in {"libxcb-icccm.so.4": "libxcb-iccxx.so.4",
                       "libxcb-keysyms.so.1": "libxcb-keysxxx.so.1"}.items():
        assert len(name) == len(fake) and name.encode() in data
        data = data.replace(name.encode() + b"\0", fake.encode() + b"\0")
    lib = tmp_path / "lib"
    lib.mkdir()
    for other in qpa.parent.glob("lib*.so*"):  # the rest of Qt and its ICU, as they are
        (lib / other.name).symlink_to(other)
    (lib / qpa.name).unlink()
    (lib / qpa.name).write_bytes(data)
    plugin = tmp_path / "plugins" / "platforms" / "libqxcb.so"
    plugin.parent.mkdir(parents=True)
    shutil.copy(real, plugin)  # its RUNPATH ($ORIGIN/../../lib) now finds the copy
    missing = platform_check.missing_libraries(plugin)
    assert set(missing) == {"libxcb-iccxx.so.4", "libxcb-keysxxx.so.1"}, missing
    told = platform_check.xcb_problem(plugin)
    assert told is not None
    assert "libxcb-iccxx.so.4" in told and "libxcb-keysxxx.so.1" in told
    assert "sudo apt-get install" in told and "README" in told


def test_known_libraries_map_to_their_debian_packages(tmp_path: Path) -> None:
    plugin = _plugin_needing(tmp_path, {"libQt6XcbQpa.so.6": "libQt6XcbQpX.so.6"})
    assert "libQt6XcbQpX.so.6" in platform_check.missing_libraries(plugin)
    assert platform_check.DEBIAN_PACKAGES["libxcb-icccm.so.4"] == "libxcb-icccm4"
    assert platform_check.DEBIAN_PACKAGES["libxcb-keysyms.so.1"] == "libxcb-keysyms1"


def test_a_complete_system_has_nothing_to_say() -> None:
    if platform_check.missing_libraries(platform_check.xcb_plugin() or Path("/")):
        pytest.skip("this machine lacks xcb libraries itself")
    assert platform_check.xcb_problem() is None


@pytest.mark.parametrize(("env", "xcb"), [
    ({}, True), ({"QT_QPA_PLATFORM": "offscreen"}, False), ({"QT_QPA_PLATFORM": "xcb"}, True),
    ({"WAYLAND_DISPLAY": "wayland-0"}, False), ({"QT_QPA_PLATFORM": "wayland;xcb"}, False),
])
def test_only_an_xcb_start_is_checked(env: dict[str, str], xcb: bool) -> None:
    assert platform_check.wants_xcb(env) is xcb
