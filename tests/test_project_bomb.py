"""A well-formed 1 MB project whose weights member inflates to a gigabyte of zeros (a zip bomb) is refused with a
sentence, using memory bounded by what the project's own network needs, not by what the archive claims."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest

SPEC = {"input_size": 784, "layers": [{"units": 4, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        "loss": "cross_entropy", "seed": 0}
META = {"format": "mlp-studio-project", "version": 1, "spec": SPEC, "settings": {}, "dataset": "sample",
        "handwriting": None, "history": [], "trained": True, "has_weights": True, "dtype": "float32"}
GIGABYTE = 10**9          # under the old 1 GiB cap on the member's declared size
PEAK_LIMIT = 100 << 20


def npy_header(shape, descr="<f4") -> bytes:
    import io
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def write_bomb(path: Path) -> None:
    """project.json + weights.npz (deflated) whose W0.npy is a header and a gigabyte of zeros, written streaming."""
    zeros = bytes(10**6)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as outer:
        outer.writestr("project.json", json.dumps(META))
        with outer.open("weights.npz", "w", force_zip64=True) as member:
            with zipfile.ZipFile(member, "w", zipfile.ZIP_STORED) as inner:
                with inner.open("W0.npy", "w", force_zip64=True) as w0:
                    w0.write(npy_header((GIGABYTE // 4,)))
                    for _ in range(GIGABYTE // len(zeros)):
                        w0.write(zeros)


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "bomb.mlpstudio"
    write_bomb(path)
    return path


PROBE = textwrap.dedent("""
    import json, resource, sys, tracemalloc
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))   # a broken reader fails here, not the machine
    from app.project import load_project
    from engine.errors import ModelFileError
    tracemalloc.start()
    try:
        load_project(sys.argv[1])
        verdict = "accepted"
    except ModelFileError as e:
        verdict = str(e)
    except MemoryError:
        verdict = "MemoryError"
    print(json.dumps({"verdict": verdict, "peak": tracemalloc.get_traced_memory()[1]}))
""")


@pytest.mark.slow
def test_zip_bomb_project_is_refused_within_a_small_memory_budget(bomb):
    assert bomb.stat().st_size < 2 << 20
    with zipfile.ZipFile(bomb) as zf:
        assert GIGABYTE < zf.getinfo("weights.npz").file_size < 1 << 30
    out = subprocess.run([sys.executable, "-c", PROBE, str(bomb)], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["verdict"].startswith("Could not open bomb.mlpstudio: its weights"), got["verdict"]
    assert "Nothing was changed." in got["verdict"]
    assert got["peak"] < PEAK_LIMIT, f"{got['peak'] / 2**20:.0f} MB allocated to refuse a {bomb.stat().st_size}-byte file"


def test_weights_larger_than_the_network_needs_are_refused(tmp_path):
    """The same bound on a small file: a real network's weights plus one extra array too many bytes."""
    import io
    from app.project import load_project
    from engine.errors import ModelFileError
    from engine.network import Network
    net = Network.from_spec(SPEC)
    arrays = {f"{k}{i}": getattr(l, k) for i, l in enumerate(net.layers) for k in ("W", "b")}
    arrays["padding"] = np.zeros(1 << 20, np.float32)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    path = tmp_path / "padded.mlpstudio"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.json", json.dumps(META))
        zf.writestr("weights.npz", buf.getvalue())
    with pytest.raises(ModelFileError, match="its weights take .* bytes but its network needs at most"):
        load_project(path)
