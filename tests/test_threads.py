"""BLAS thread control: the limit is really applied (seen by an independent threadpoolctl query), persists,
holds on other threads (the app's training worker), and bad counts give a sentence."""
import gc
import threading

import pytest
from threadpoolctl import threadpool_info

from engine import threads
from engine.errors import SpecError


@pytest.fixture(autouse=True)
def restore_threads():
    before = threads.blas_threads()
    yield
    threads.set_blas_threads(before)


def numpy_blas_threads():
    """What a fresh threadpoolctl query sees (not our own cached controller)."""
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_set_one_then_read_back_one():
    assert threads.set_blas_threads(1) == 1
    assert threads.blas_threads() == 1
    assert numpy_blas_threads() and all(n == 1 for n in numpy_blas_threads())


def test_limit_persists_after_garbage_collection_and_can_be_raised_again():
    # In a fresh process: OpenBLAS refuses to raise its count while another thread that lowered it is alive
    # (e.g. a Qt pool thread kept from an earlier test), which says nothing about our own code.
    import subprocess
    import sys
    code = (
        "import gc\n"
        "from threadpoolctl import threadpool_info\n"
        "from engine import threads\n"
        "threads.set_blas_threads(1); gc.collect()\n"
        "assert threads.blas_threads() == 1\n"
        "want = min(2, threads.cpu_count())\n"
        "threads.set_blas_threads(want)\n"
        "assert threads.blas_threads() == want\n"
        "assert all(l['num_threads'] == want for l in threadpool_info() if l['user_api'] == 'blas')\n"
        "print('ok')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         cwd=str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_limit_holds_on_a_worker_thread():
    threads.set_blas_threads(1)
    seen = []
    t = threading.Thread(target=lambda: seen.append(threads.blas_threads()))
    t.start()
    t.join()
    assert seen == [1]


def test_default_threads_cli_uses_every_core_app_leaves_one():
    cores = threads.cpu_count()
    assert threads.default_threads("cli") == cores
    assert threads.default_threads("app") == max(1, cores - 1)
    with pytest.raises(ValueError):
        threads.default_threads("gui")


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True, None, 10_000])
def test_bad_counts_raise_a_sentence(bad):
    with pytest.raises(SpecError, match="number of BLAS threads"):
        threads.set_blas_threads(bad)


def test_blas_info_describes_numpys_blas():
    info = threads.blas_info()
    assert info, "NumPy's BLAS library should be visible to threadpoolctl"
    assert {"internal_api", "num_threads", "version"} <= set(info[0])
    threads.set_blas_threads(1)
    assert threads.blas_info()[0]["num_threads"] == 1
