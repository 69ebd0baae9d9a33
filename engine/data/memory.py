"""Whether a data set fits: its 32-bit float pixels plus the copies loading and training make, against the memory
this machine has available now (and the process's address-space limit, if one is set)."""
from __future__ import annotations

import os
import sys

from ..errors import DataError

# the float32 pixels once, plus half again: the held-out test part a split copies out, the trainer's validation part
COPIES = 1.5
GB = 1 << 30


def _meminfo(field: str, path: str = "/proc/meminfo") -> int | None:
    """A '<field>: N kB' line of a Linux /proc file, in bytes."""
    try:
        with open(path, encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _physical_available() -> int | None:
    """Memory available without swapping: Linux's MemAvailable, else POSIX free pages, else (macOS, which has no
    such count) the installed total, else Windows' available physical memory."""
    found = _meminfo("MemAvailable")
    if found is not None:
        return found
    for pages in ("SC_AVPHYS_PAGES", "SC_PHYS_PAGES"):
        try:
            return os.sysconf(pages) * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            continue
    if sys.platform == "win32":
        return _windows_available()
    return None


def _windows_available() -> int | None:
    import ctypes

    class MemoryStatus(ctypes.Structure):
        _fields_ = [("dwLength", ctypes.c_ulong), ("dwMemoryLoad", ctypes.c_ulong),
                    ("ullTotalPhys", ctypes.c_ulonglong), ("ullAvailPhys", ctypes.c_ulonglong),
                    ("ullTotalPageFile", ctypes.c_ulonglong), ("ullAvailPageFile", ctypes.c_ulonglong),
                    ("ullTotalVirtual", ctypes.c_ulonglong), ("ullAvailVirtual", ctypes.c_ulonglong),
                    ("ullAvailExtendedVirtual", ctypes.c_ulonglong)]
    status = MemoryStatus()
    status.dwLength = ctypes.sizeof(MemoryStatus)
    if not ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
        return None
    return int(status.ullAvailPhys)


def _address_space_left() -> int | None:
    """What an address-space limit (ulimit -v) leaves this process, or None without one."""
    try:
        import resource
    except ImportError:         # Windows has no rlimits
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    return max(soft - (_meminfo("VmSize", "/proc/self/status") or 0), 0)


def available_memory() -> int | None:
    """Bytes this process can still allocate without swapping, or None when the system does not say."""
    known = [m for m in (_physical_available(), _address_space_left()) if m is not None]
    return min(known) if known else None


def check_fits(float_bytes: int, what: str) -> None:
    """Raise DataError when `what`, float_bytes of 32-bit pixels, cannot be loaded and trained on here."""
    need, have = int(float_bytes * COPIES), available_memory()
    if have is not None and need > have:
        raise DataError(f"{what} needs about {need / GB:.1f} GB of memory to load and train on "
                        f"({float_bytes / GB:.1f} GB of pixels as 32-bit floats), but only {have / GB:.1f} GB "
                        "is available; close other programs or use a smaller set.")
