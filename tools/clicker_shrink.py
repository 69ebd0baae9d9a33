"""Shrink a random clicker log (tools/random_clicker.py --shrink FILE --out FILE): the shortest replay found that
still fails with the same defect (same signature: exception type and innermost frame of our code, or message).

Each candidate is replayed in a fresh process (`--replay FILE --until SIGNATURE`). First the shortest tail of the
log that still fails (the last 1, 2, 4, ... actions), then delta debugging (drop chunks of halving size); both
without the logged pacing (each action only its own pause after the one before) when the whole log fails so.
Answers to the window's questions travel with the action before them. A defect that needs a race may not fail on
every replay: --tries replays a candidate up to that many times. --target names the defect by a part of its
signature (e.g. 'crash SIGSEGV' or 'IndexError at app/widgets/network_view.py').
"""
from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOOL = Path(__file__).resolve().parent / "random_clicker.py"
ROOT = TOOL.parents[1]
RESULT = "CLICKER-RESULT "


def load(path: str) -> tuple[dict, list[list[dict]]]:
    """(header, groups): each group an action and the answers logged after it."""
    header, groups = {}, []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        if "clicker" in item:
            header = item
        elif item["do"] == "answer" and groups:
            groups[-1].append(item)
        else:
            groups.append([item])
    return header, groups


def write(path: Path, header: dict, groups: list[list[dict]], paced: bool = True) -> None:
    start = groups[0][0].get("t", 0) - 0.5 if groups else 0
    lines = [json.dumps(header)]
    for n, group in enumerate(groups, 1):
        for item in group:
            item = dict(item)
            if item["do"] != "answer":
                item["i"] = n
                item["t"] = round(max(item.get("t", 0) - start, 0), 2) if paced else 0
            lines.append(json.dumps(item, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def crash_signature(code: int, stderr: str) -> str:
    """'crash SIGSEGV at app/widgets/network_view.py:event': the signal and the innermost frame faulthandler printed
    for the thread that crashed."""
    name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else f"exit {code}"
    block = stderr.split("Current thread", 1)[1] if "Current thread" in stderr else ""
    frame = re.search(r'File "([^"]+)", line \d+ in (\S+)', block)
    where = ""
    if frame:
        path = Path(frame.group(1))
        where = f" at {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}:{frame.group(2)}"
    return f"crash {name}{where}"


def replay(path: Path, until: str | None, timeout: float = 900) -> list[str]:
    """The signatures of the defects one replay found (a crash of the process is one)."""
    cmd = [sys.executable, str(TOOL), "--replay", str(path), "--keep-going"] + (["--until", until] if until else [])
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return []
    line = next((l for l in reversed(done.stdout.splitlines()) if l.startswith(RESULT)), None)
    found = [f["signature"] for f in json.loads(line[len(RESULT):])["findings"]] if line else []
    return found + ([crash_signature(done.returncode, done.stderr)] if done.returncode < 0 else [])


class Shrinker:
    def __init__(self, header, target: str, tries: int, work: Path):
        self.header, self.target, self.tries, self.work = header, target, tries, work
        self.runs = 0
        self.paced = True           # replay at the logged times (off when the defect does not need them: faster)

    def fails(self, groups, paced: bool | None = None) -> bool:
        path = self.work / f"try{self.runs}.jsonl"
        write(path, self.header, groups, self.paced if paced is None else paced)
        for _ in range(self.tries):
            self.runs += 1
            if any(self.target in found for found in replay(path, self.target)):
                print(f"  {len(groups)} actions: fails", flush=True)
                return True
        print(f"  {len(groups)} actions: passes", flush=True)
        return False

    def tail(self, groups):
        k = 1
        while k < len(groups):
            if self.fails(groups[-k:]):
                return groups[-k:]
            k *= 2
        return groups

    def ddmin(self, groups, deadline: float):
        n = 2
        while len(groups) >= 2 and time.monotonic() < deadline:
            size = -(-len(groups) // n)
            for i in range(n):
                candidate = groups[:i * size] + groups[(i + 1) * size:]
                if candidate and self.fails(candidate):
                    groups, n = candidate, max(n - 1, 2)
                    break
            else:
                if n >= len(groups):
                    break
                n = min(2 * n, len(groups))
        return groups


def shrink(path: str, out: str, tries: int = 1, minutes: float = 30, target: str | None = None) -> int:
    header, groups = load(path)
    work = Path(tempfile.mkdtemp(prefix="clicker-shrink-"))
    for _ in range(tries if target is None else 0):
        found = replay(Path(path), None)
        if found:
            target = found[0]
            break
    if target is None:
        print(f"{path} does not fail on replay: nothing to shrink")
        shutil.rmtree(work, ignore_errors=True)
        return 2
    print(f"shrinking {len(groups)} actions of {path}, defect: {target}", flush=True)
    s = Shrinker(header, target, tries, work)
    s.paced = not s.fails(groups, paced=False)
    if s.paced and not s.fails(groups):
        print("the log does not fail the same way on replay: nothing to shrink")
        shutil.rmtree(work, ignore_errors=True)
        return 2
    groups = s.ddmin(s.tail(groups), time.monotonic() + minutes * 60)
    write(Path(out), header, groups, s.paced)
    shutil.rmtree(work, ignore_errors=True)
    print(f"shortest: {len(groups)} actions ({'paced as logged' if s.paced else 'unpaced'}) after {s.runs} replays: "
          f"{out}")
    return 0
