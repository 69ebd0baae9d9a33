"""The benchmark's results as text: the speed and memory targets judged, the table, the Markdown table for the README,
and reading a saved --json result back.
"""
from __future__ import annotations

import json
from pathlib import Path

from engine.errors import EngineError

from .runners import IMPLS, LR, MU

BATCHES = (32, 128, 512)


def memory_budget_mb(probe) -> float:
    """The memory target in MiB: the float32 data set + 3x the parameters + 100 MB (10^8 bytes)."""
    return round(probe["data_mb"] + (3 * probe["params"] * 4 + 100e6) / 2**20, 1)


def targets(out) -> list:
    """The speed and memory targets, each {"target", "value", "met"} (met None when it could not be measured)."""
    rows = {(r["arch"], r["batch"]): r for r in out["results"]}
    got = []

    def ratio(arch, batch, key, limit, text):
        r = rows.get((arch, batch), {}).get("ratios", {}).get(key)
        got.append({"target": text, "value": None if r is None else round(r, 3),
                    "met": None if r is None else r <= limit})

    for arch in ("784-128-10", "784-256-128-10"):
        ratio(arch, 128, "ours/torch", 0.8, f"{arch} batch 128: ours/torch <= 0.8")
        ratio(arch, 128, "ours/sklearn", 0.8, f"{arch} batch 128: ours/sklearn <= 0.8")
        ratio(arch, 32, "ours/torch", 0.6, f"{arch} batch 32: ours/torch <= 0.6")
    for batch in BATCHES:
        ratio("784-800-10", batch, "ours/torch", 1.0, f"784-800-10 batch {batch}: ours/torch <= 1.0")
    for arch in ("784-256-128-10", "784-800-10"):
        pct = rows.get((arch, 512), {}).get("impl", {}).get("ours", {}).get("pct_peak")
        best = rows.get((arch, 512), {}).get("impl", {}).get("ours", {}).get("pct_best")
        got.append({"target": f"{arch} batch 512: >= 50% of the GEMM peak (measured beside the epochs)",
                    "value": None if pct is None else f"{pct:.1f} ({best:.1f} of the best single GEMM run)",
                    "met": None if pct is None else pct >= 50})
    ours = next((m for m in out["memory"] if m.get("impl") == "ours" and "error" not in m), None)
    if ours is not None:
        per_batch = ours["loop_transient_bytes"] / max(ours["loop_batches"], 1)
        got.append({"target": "steady-state loop: no allocation beyond O(1) small objects per batch "
                              "(transient peak over the loop <= 64 KiB)",
                    "value": f"{ours['loop_transient_bytes']:,} B peak over {ours['loop_batches']} batches "
                             f"({per_batch:.0f} B/batch), {ours['loop_retained_bytes']:,} B retained",
                    "met": ours["loop_transient_bytes"] <= 64 * 1024})
        budget = memory_budget_mb(ours)
        got.append({"target": f"peak memory training {ours['arch']} batch {ours['batch']} <= data + 3x params "
                              f"+ 100 MB = {budget} MiB", "value": ours["peak_rss_mb"],
                    "met": ours["peak_rss_mb"] <= budget})
    return got


def _row_text(row, impls) -> str:
    cells = [f"{row['arch']:<15}{row['batch']:>6}{row['flops'] / 1e9:>7.1f}"]
    cells += [f"{row['impl'][n]['seconds']:>10.3f}" if n in row["impl"] else f"{'-':>10}" for n in IMPLS]
    r = row["ratios"]
    cells += [f"{r[k]:>9.2f}" if k in r else f"{'-':>9}" for k in ("ours/torch", "ours/sklearn", "naive/ours")]
    cells += [f"{row['impl'][n]['gflops']:>7.1f} ({row['impl'][n]['pct_peak']:>3.0f}%)" if n in row["impl"]
              else f"{'-':>14}" for n in ("ours", "torch", "sklearn")]
    return "".join(cells)


HEADER = (f"{'arch':<15}{'batch':>6}{'GFLOP':>7}" + "".join(f"{n + ' s':>10}" for n in IMPLS)
          + f"{'o/torch':>9}{'o/sklrn':>9}{'naive/o':>9}"
          + "".join(f"{n + ' GF/s':>14}" for n in ("ours", "torch", "sklearn")))


def report(out) -> str:
    m, lines = out["machine"], []
    lines.append(f"MLP Studio bench: {out['data']['samples']:,} samples ({out['data']['source']}), "
                 f"{m['threads']} thread(s) on {m['cores']} cores, median of {out['epochs']} epoch(s) "
                 f"after {out['warmup']} warm-up, SGD momentum lr {LR} mu {MU}, float32 (naive: float64)")
    g = out["gemm"]
    how = (f"median of {len(g['beside'])} runs timed between the epochs; best single run {g['best']:.1f}, "
           if "beside" in g else "the better of ")         # a file from before the GEMM rate was timed beside
    lines.append(f"load average before {_load(m['load_before'])}, after {_load(m['load_after'])}; "
                 f"float32 GEMM {g['n']}^3: {g['gflops']:.1f} GFLOP/s ({how}"
                 f"before {g['before']:.1f}, after {g['after']:.1f})")
    for name, why in out["missing"].items():
        lines.append(f"{name}: skipped, {why}")
    lines += ["", HEADER] + [_row_text(row, list(row["impl"])) for row in out["results"]]
    lat = out["latency_us"]
    lines += ["", f"single-sample forward {lat['arch']}: " + ", ".join(
        f"{k} {v:.0f} us" for k, v in lat.items() if k != "arch")]
    for p in out["memory"]:
        if "error" in p:
            lines.append(f"peak memory {p['impl']}: {p['error']}")
            continue
        lines.append(f"peak memory {p['impl']} training {p['arch']} batch {p['batch']}: {p['peak_rss_mb']:.0f} MiB "
                     f"(loading {p['load_peak_rss_mb']:.0f} MiB; data {p['data_mb']:.0f} MiB)")
    lines += ["", "speed and memory targets:"]
    for t in out["targets"]:
        mark = "n/a    " if t["met"] is None else "met    " if t["met"] else "NOT met"
        lines.append(f"  [{mark}] {t['target']}: {t['value']}")
    return "\n".join(lines)


def markdown(out) -> str:
    """The epoch-time table as Markdown (for the README)."""
    impls = [n for n in IMPLS if any(n in r["impl"] for r in out["results"])]
    head = ["network", "batch", "GFLOP/epoch"] + [f"{n} s" for n in impls] + ["ours/torch", "ours/sklearn",
                                                                               "naive/ours", "ours % of GEMM peak (of best run)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in out["results"]:
        cells = [r["arch"], str(r["batch"]), f"{r['flops'] / 1e9:.1f}"]
        cells += [f"{r['impl'][n]['seconds']:.3f}" if n in r["impl"] else "-" for n in impls]
        cells += [f"{r['ratios'][k]:.2f}" if k in r["ratios"] else "-" for k in ("ours/torch", "ours/sklearn",
                                                                                 "naive/ours")]
        ours = r["impl"].get("ours")
        cells.append("-" if ours is None else f"{ours['pct_peak']:.0f}%" + (f" ({ours['pct_best']:.0f}%)"
                                                                          if "pct_best" in ours else ""))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _load(avg) -> str:
    return "n/a" if avg is None else "/".join(f"{x:.2f}" for x in avg)


def _read_results(path) -> dict:
    try:
        out = json.loads(Path(path).read_text())
        out["results"], out["targets"]
        return out
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EngineError(f"{path} is not a result file of python -m engine bench --json ({exc}).") from exc
