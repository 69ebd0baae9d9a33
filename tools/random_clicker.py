"""Random clicker: seeded random user actions on the real MLP Studio window, to find the defects no test names.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/random_clicker.py --seed 8675309 --minutes 5 [--actions K]
        [--log FILE] [--keep-going --finds DIR]
    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/random_clicker.py --replay FILE    # a logged run again
    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/random_clicker.py --shrink FILE --out FILE

It builds app.main_window.MainWindow with a temporary settings file and data folder (MLP_STUDIO_SETTINGS,
MLP_STUDIO_DATA_DIR), installs the app's excepthook as app/__main__.py does, and performs one seeded random action
at a time through Qt's input events on whatever a user could reach at that moment (tools/clicker_actions.py
proposes, tools/clicker_perform.py performs); waiting is one of the actions. The window's questions (app/dialogs.py
Prompts, Save as PNG) get seeded random answers: cancel, a path in the temporary folder, save / discard / cancel.
Each action and answer is one JSON line of the log, which --replay performs again in order and at the logged
times. The same seed repeats the same actions for as long as the app's timing (how far a run has trained, when a
worker answers) leaves the same widgets on screen; a defect that needs a race may take a few replays.

It FAILS (exit 1, printing the last 30 actions and what happened) on: an exception reaching the app's bug report
(sys.excepthook, a thread's excepthook, the session's and loader's error paths: app/excepthook.report_bug), any
text written to stderr (Python warnings included), a Qt message not listed in HARMLESS_QT, the GUI thread not
answering for --stall seconds (a watchdog thread watches a heartbeat set by a QTimer on the GUI thread), or
resident memory growing by more than --memory MB after the warm-up (tools/clicker_watch.py watches). The app's
Qt event handlers are guarded so that an exception in one is a recorded bug rather than the segfault PySide6 6.11
gives under a Python caller; a crash that happens anyway kills the process, and faulthandler prints its stacks.
--keep-going records each distinct defect, saves the log up to it under --finds, and goes on. --shrink replays a
failing log with fewer and fewer actions (tools/clicker_shrink.py) and writes the shortest that still fails so.
"""
from __future__ import annotations

import argparse
import faulthandler
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from PySide6.QtCore import QCoreApplication, Qt, QTimer, qInstallMessageHandler  # noqa: E402
from PySide6.QtWidgets import QApplication                                 # noqa: E402

from clicker_actions import locate, propose, scope                         # noqa: E402
from clicker_perform import perform                                        # noqa: E402
from clicker_watch import (Finding, Memory, Monitor, StderrTap, Watchdog,  # noqa: E402
                           guard_overrides, main_thread_stack)
HISTORY = 30                  # actions printed with a failure
MEMORY_EVERY = 25             # actions between two memory samples
RESULT = "CLICKER-RESULT "     # the last line of the output: JSON for the shrinker and the test


def setup_folder(seed: int) -> Path:
    """The run's temporary settings, data folder and files to open (garbage, empty, a folder)."""
    tmp = Path(tempfile.mkdtemp(prefix=f"mlp-clicker-{seed}-"))
    os.environ["MLP_STUDIO_SETTINGS"] = str(tmp / "settings.ini")      # before the app reads any setting
    os.environ["MLP_STUDIO_DATA_DIR"] = str(tmp / "data")
    files = tmp / "files"
    (files / "empty").mkdir(parents=True)
    noise = random.Random(seed).randbytes(3000)
    for name in ("garbage.mlpstudio", "garbage.npz", "train-images-idx3-ubyte"):
        (files / name).write_bytes(noise)
    for name in ("empty.mlpstudio", "empty.npz"):
        (files / name).write_bytes(b"")
    return tmp


def describe(a: dict) -> str:
    w = a.get("w") or {}
    leaf = w.get("path", "").rsplit("/", 1)[-1]
    text = f' "{w["text"]}"' if w.get("text") else ""
    extra = {k: v for k, v in a.items() if k not in ("do", "w", "i", "t", "d")}
    nested = " " * 2 * a.get("d", 0)
    return (f"#{a.get('i', '?')} +{a.get('t', 0):.1f}s {nested}{a['do']} {leaf}{text} "
            f"{json.dumps(extra, ensure_ascii=False)}")


class Clicker:
    """Drives the window: one action a tick, the next tick scheduled before the action is done, so an action that
    opens a modal dialog (a nested event loop) is followed by actions inside that dialog, as a user's would be."""

    def __init__(self, app, window, args, tmp: Path, monitor, log, replay=None, answers=None):
        self.app, self.main, self.args, self.tmp = app, window, args, str(tmp)
        self.monitor, self.log = monitor, log
        self.rng = random.Random(args.seed)
        self.replay, self.answers = replay, answers or {}
        self.history: deque = deque(maxlen=HISTORY)
        self.n, self.depth, self.t0 = 0, 0, time.monotonic()
        self.finishing = self.stopped = False
        self.seen: dict[str, int] = {}
        self.findings: list = []
        self.skipped = 0
        self.memory = Memory(args.warmup, args.memory)
        self.watchdog = Watchdog(args.stall, max(60.0, args.stall * 4), self.stalled)

    # ---- the loop --------------------------------------------------------------------------------------------
    def tick(self) -> None:
        if self.stopped:
            return
        self.watchdog.acted = time.monotonic()
        try:
            action = self.next_action()
        except Exception:                 # the clicker's own mistake: said, and the chain of ticks goes on
            self.clicker_error()
            action = {"do": "wait", "then": 100}
        if action is None:
            self.finish()
            return
        early = action.get("t", 0) - self.elapsed()
        if self.replay is not None and early > 0.005 and not self.finishing:   # at the logged pace
            self.replay.insert(0, action)
            QTimer.singleShot(int(early * 1000), self.tick)
            return
        QTimer.singleShot(int(action.get("then", 0)), self.tick)
        self.record(action)
        self.depth += 1
        try:
            if not perform(action, self):
                self.skipped += 1
                self.history.append("   (not there now: skipped)")
                if self.args.verbose:
                    self.say("   (not there now: skipped)")
        except Exception:                 # the clicker's own mistake, reported apart from the app's defects
            self.clicker_error()
        finally:
            self.depth -= 1
        self.check()
        if self.n % MEMORY_EVERY == 0:
            grown = self.memory.sample(self.elapsed(), self.n)
            if grown:
                self.fail(Finding("memory", "memory grew without bound", grown, self.n))

    def clicker_error(self) -> None:
        exc = sys.exc_info()[1]
        self.monitor.pending.append(Finding("clicker", f"clicker: {type(exc).__name__}: {exc}",
                                            traceback.format_exc(), self.n))

    def next_action(self) -> dict | None:
        where, root = scope()
        if self.finishing:            # close what is open, then end
            if root is None:
                return None
            if where == "popup":
                return {"do": "key", "w": locate(root), "key": "Escape"}
            return {"do": "close", "w": locate(root), "how": "x"}
        if self.replay is not None:
            return self.replay.pop(0) if self.replay else self._stop()
        if self.elapsed() > self.args.minutes * 60 or (self.args.actions and self.n >= self.args.actions):
            return self._stop()
        return propose(self.rng, self.main, self.depth)

    def _stop(self):
        self.finishing = True
        return self.next_action()

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def record(self, action: dict) -> None:
        self.n += 1
        self.monitor.current = self.n
        action = {"i": self.n, "t": round(self.elapsed(), 2), **{k: v for k, v in action.items() if k not in "itd"}}
        if self.depth:
            action["d"] = self.depth           # inside a nested event loop (a modal dialog) opened by an action
        self.history.append(describe(action))
        if self.args.verbose:
            self.say(describe(action))
        self.log.write(json.dumps(action, ensure_ascii=False) + "\n")
        self.log.flush()

    # ---- the window's questions --------------------------------------------------------------------------------
    def answer(self, question: str, options: list):
        """A seeded random answer (logged), or the logged one on a replay; {tmp} stands for the run's folder."""
        if self.finishing:
            value = "discard" if question == "unsaved" else options[0]
        elif self.replay is not None:
            queue = self.answers.get(question) or [options[0]]
            value = queue.pop(0)
        else:
            value = self.rng.choice(options)
            self.log.write(json.dumps({"do": "answer", "q": question, "a": value}, ensure_ascii=False) + "\n")
            self.log.flush()
        self.history.append(f"   answer {question}: {value!r}")
        return value.replace("{tmp}", self.tmp) if isinstance(value, str) else value

    def install_answers(self) -> None:
        import app.widgets.export_image as export_image
        p, files = self.main.prompts, "{tmp}/files/"
        p.ask_open_path = lambda file_filter: self.answer("open", [
            "", "", files + "saved.mlpstudio", files + "garbage.mlpstudio", files + "empty.mlpstudio",
            files + "empty", "{tmp}/missing.mlpstudio"])
        p.ask_save_path = lambda title, name, file_filter: self.answer("save", [
            "", files + name, files + "saved.mlpstudio", files + "ünï cödé 🙂 " + name, "{tmp}/missing/" + name,
            files + "empty"])
        p.ask_unsaved = lambda what: self.answer("unsaved", ["cancel", "save", "discard", "discard"])
        p.ask_discard_trained = lambda why: self.answer("discard_trained", [False, True, True])
        export_image.ask_png_path = lambda parent, name: self.answer("png", [
            "", files + name + ".png", files + name, "{tmp}/missing/x.png"])

    # ---- defects -----------------------------------------------------------------------------------------------
    def check(self, settle: float = 0.3) -> None:
        for f in self.monitor.collect(settle):
            if self.args.until and self.args.until in f.signature:
                self.fail(f)
            first = f.signature not in self.seen
            self.seen[f.signature] = self.seen.get(f.signature, 0) + 1
            if not self.args.keep_going:
                self.fail(f)
            if first:
                self.findings.append(f)
                self.say(f"\n*** found ({f.kind}) after action #{f.action}: {f.signature}\n{f.detail.rstrip()}")
                self.save_find(f)

    def save_find(self, f) -> None:
        """The log up to this defect, to replay it (with --keep-going)."""
        if not self.args.finds:
            return
        folder = Path(self.args.finds)
        folder.mkdir(parents=True, exist_ok=True)
        name = "".join(c if c.isalnum() else "-" for c in f.signature)[:70].strip("-")
        path = folder / f"seed{self.args.seed}-{len(self.findings):02d}-{name}.jsonl"
        lines = Path(self.log.name).read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(l for l in lines if json.loads(l).get("i", 0) <= f.action), encoding="utf-8")
        self.say(f"    replay: {path}")

    def say(self, text: str) -> None:
        print(text, flush=True)

    def report(self, ok: bool, why: str = "") -> None:
        state = "passed" if ok else "FAILED"
        self.say(f"\nrandom clicker {state}: {self.n} actions in {self.elapsed():.0f} s, seed {self.args.seed}, "
                 f"{self.skipped} skipped (widget gone){'; ' + why if why else ''}")
        if not ok:
            self.say(f"last {len(self.history)} actions:\n  " + "\n  ".join(self.history))
        for f in self.findings:
            self.say(f"  defect ({f.kind}, first after #{f.action}, seen {self.seen[f.signature]}x): {f.signature}")
        if self.monitor.harmless:
            counts = ", ".join(f"{k} x{v}" for k, v in self.monitor.harmless.items())
            self.say(f"  harmless Qt messages ignored: {counts}")
        self.say("  " + self.memory.trend())
        self.say(f"  log (replay with --replay): {self.log.name}"
                 + ("" if not ok or self.args.keep_folder or not self.log.name.startswith(self.tmp) else
                    " (removed with the run's folder: the run passed; --keep-folder keeps it)"))
        self.say(RESULT + json.dumps({"ok": ok, "actions": self.n, "findings": [f.as_dict() for f in self.findings]}))

    def fail(self, f) -> None:
        """Stop at once: what happened, the last actions, the log to replay."""
        self.findings.append(f)
        self.seen.setdefault(f.signature, 1)
        try:
            self.say(f"\n*** {f.kind} after action #{f.action}: {f.signature}\n{f.detail.rstrip()}")
            self.report(False)
        finally:
            sys.stdout.flush()
            os._exit(1)

    def stalled(self, why: str) -> None:
        """Called on the watchdog's thread: the GUI thread is stuck, so report from here and end the process."""
        self.fail(Finding("stall", "stall: " + why.split(" for ")[0], f"{why}\nthe GUI thread is in:\n"
                          f"{main_thread_stack()}", self.n))

    # ---- the end -----------------------------------------------------------------------------------------------
    def finish(self) -> None:
        """Close the window as a user would (any question answered 'discard'), then look once more."""
        if self.stopped:
            return
        self.stopped = True
        self.watchdog.acted = time.monotonic()
        self.main.close()
        QTimer.singleShot(1500, self.final)

    def final(self) -> None:
        self.watchdog.acted = time.monotonic()
        self.check()
        self.app.quit()


def parse(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: a random one, printed)")
    ap.add_argument("--minutes", type=float, default=2.0, help="time budget")
    ap.add_argument("--actions", type=int, default=0, help="stop after this many actions (0: no limit)")
    ap.add_argument("--log", help="the action log, one JSON line each (default: a temporary file)")
    ap.add_argument("--replay", help="perform the actions of this log instead of random ones")
    ap.add_argument("--keep-going", action="store_true", help="record each distinct defect and go on")
    ap.add_argument("--finds", help="with --keep-going: folder for the log up to each defect found")
    ap.add_argument("--stall", type=float, default=5.0, help="seconds the GUI thread may not answer")
    ap.add_argument("--memory", type=float, default=400.0, help="MB resident memory may grow after the warm-up")
    ap.add_argument("--warmup", type=float, default=None, help="seconds before the memory baseline "
                                                                 "(default: a quarter of the budget, at most 120)")
    ap.add_argument("--no-guard", action="store_true", help="leave the app's Qt event handlers unguarded, as the "
                    "app runs them (PySide6 6.11 may crash where a guarded run reports a bug)")
    ap.add_argument("--keep-folder", action="store_true", help="keep the run's temporary folder (settings, data, "
                    "files written, the log if --log is not given) when the run passes; a failing run always keeps it")
    ap.add_argument("--verbose", action="store_true", help="print every action as it is done")
    ap.add_argument("--until", help="with --replay: stop at the first defect with this signature")
    ap.add_argument("--shrink", help="a failing log: write the shortest replay that fails the same way to --out")
    ap.add_argument("--out", help="with --shrink: where the shortest log goes")
    ap.add_argument("--target", help="with --shrink: the defect's signature (default: the first the log replays)")
    ap.add_argument("--tries", type=int, default=1, help="with --shrink: replays of a candidate before it passes")
    ap.add_argument("--shrink-minutes", type=float, default=30, help="with --shrink: time for delta debugging")
    args = ap.parse_args(argv)
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(2**31)
    for name in ("log", "replay", "finds", "shrink", "out"):     # the run works in its own folder: absolute paths
        if getattr(args, name):
            setattr(args, name, os.path.abspath(getattr(args, name)))
    if args.warmup is None:
        args.warmup = min(args.minutes * 60 / 4, 120.0)
    return args


def read_log(path: str) -> tuple[dict, list, dict]:
    """(header, actions, answers by question) of a log."""
    header, actions, answers = {}, [], {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        if "clicker" in item:
            header = item
        elif item["do"] == "answer":
            answers.setdefault(item["q"], []).append(item["a"])
        else:
            actions.append(item)
    return header, actions, answers


def start_app():
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs)   # file dialogs we can answer
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("MLP Studio")
    app.setOrganizationName("MLP Studio")
    return app


def hook_everything(monitor, window) -> None:
    """The app's own excepthook (as app/__main__ installs it), and every bug it reports told to the monitor."""
    from app import excepthook                     # the app's modules only once the environment is set
    excepthook.install(window)
    excepthook.listeners.append(monitor.on_bug)
    app_hook, app_thread_hook = sys.excepthook, threading.excepthook

    def hook(t, exc, tb):
        monitor.on_bug(exc if exc.__traceback__ else exc.with_traceback(tb), "sys.excepthook")
        app_hook(t, exc, tb)

    def thread_hook(args):
        if args.exc_value is not None:
            monitor.on_bug(args.exc_value, f"thread {getattr(args.thread, 'name', '?')}")
        app_thread_hook(args)
    sys.excepthook, threading.excepthook = hook, thread_hook


def run(args) -> int:
    header, replay, answers = read_log(args.replay) if args.replay else ({}, None, {})
    if args.replay:
        args.seed = header.get("seed", args.seed)
    tmp = setup_folder(args.seed)
    os.chdir(tmp)                # a dialog's relative default name ('training-curves.png') lands in the run's folder
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    monitor = Monitor(StderrTap())
    crash_file = os.fdopen(os.dup(monitor.tap.real), "w")      # a crash's stacks go straight to the real stderr
    faulthandler.enable(file=crash_file, all_threads=True)
    app = start_app()
    qInstallMessageHandler(monitor.on_qt)
    from app.main_window import MainWindow
    if not args.no_guard:
        guard_overrides(monitor.on_bug)
    window = MainWindow()
    hook_everything(monitor, window)
    log_path = args.log or str(tmp / "actions.jsonl")
    log = open(log_path, "w", encoding="utf-8")
    log.write(json.dumps({"clicker": 1, "seed": args.seed, "replay_of": args.replay}) + "\n")
    clicker = Clicker(app, window, args, tmp, monitor, log, replay, answers)
    clicker.install_answers()
    window.show()
    window.activateWindow()
    beat = QTimer(interval=100)
    beat.timeout.connect(lambda: setattr(clicker.watchdog, "beat", time.monotonic()))
    beat.start()
    clicker.watchdog.start()
    print(f"random clicker: seed {args.seed}, {'replay of ' + args.replay if args.replay else f'{args.minutes:g} min'}"
          f", log {log_path}, folder {tmp}", flush=True)
    QTimer.singleShot(300, clicker.tick)
    app.exec()
    time.sleep(0.5)
    clicker.check(settle=0)
    clicker.report(not clicker.findings)
    log.close()
    if not clicker.findings and not args.keep_folder:     # a passing run leaves nothing behind (its log too)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if not clicker.findings else 1


def main(argv=None) -> int:
    args = parse(argv)
    if args.shrink:
        from clicker_shrink import shrink
        return shrink(args.shrink, args.out or args.shrink.replace(".jsonl", "") + "-short.jsonl", args.tries,
                      args.shrink_minutes, args.target)
    code = run(args)
    sys.stdout.flush()
    os._exit(code)      # no teardown of a window mid-run: its threads have been told to stop


if __name__ == "__main__":
    main()
