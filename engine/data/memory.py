"""Whether a data set fits: its 32-bit float pixels plus the copies loading and training make, against the memory
this machine has available now (and the process's address-space limit, if one is set); and whether a compressed
member claims more than real image data ever compresses to (a decompression bomb)."""
from __future__ import annotations

import os
import sys

from ..errors import DataError

# the float32 pixels once, plus half again: the held-out test part a split copies out, the trainer's validation part
COPIES = 1.5
GB = 1 << 30
MAX_RATIO = 100            # real image sets compress 3 to 10 to 1; a member claiming more is a bomb or damage
RATIO_FLOOR = 16 << 20     # below this a member is harmless whatever its ratio (a few blank test images)


def check_ratio(name: str, claimed: int, packed: int) -> None:
    """Refuse `name`, a compressed member of `packed` bytes whose header claims `claimed` bytes, from those sizes."""
    if claimed > max(MAX_RATIO * packed, RATIO_FLOOR):
        raise DataError(f"{name} claims {claimed:,} bytes of data packed into {packed:,} bytes, "
                        f"{claimed // max(packed, 1):,} to 1 where real image sets compress 3 to 10 to 1, so it is "
                        "damaged or made to exhaust memory.")


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
        raise DataError(f"{what} needs about {_size(need)} of memory to load and train on "
                        f"({_size(float_bytes)} of pixels as 32-bit floats), but only {_size(have)} "
                        "is available; close other programs or use a smaller set.")


def _size(n: int) -> str:
    if n >= GB // 10:
        return f"{n / GB:.1f} GB"
    return f"{n / (1 << 20):.0f} MB" if n >= 1 << 20 else f"{n / 1024:.0f} KB"
