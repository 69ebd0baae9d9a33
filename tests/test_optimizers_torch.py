"""Each update rule against torch.optim in float32, with weight decay and a learning rate that changes (pytest -m
export: needs torch). The engine's steps take g folded with grad_scale(lr), as the trainer gives it."""
import numpy as np
import pytest

from engine.optimizers import OPTIMIZERS

pytestmark = pytest.mark.export
MU, WD = 0.9, 0.01


def _torch_optimizer(torch, name, p, lr):
    if name in ("sgd", "minibatch", "bgd"):
        return torch.optim.SGD([p], lr=lr, weight_decay=WD)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD([p], lr=lr, momentum=MU, nesterov=name == "nesterov", weight_decay=WD)
    if name == "rmsprop":
        return torch.optim.RMSprop([p], lr=lr, alpha=0.9, eps=1e-8, weight_decay=WD)
    return torch.optim.Adam([p], lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=WD)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_steps_match_torch_optim_in_float32(name):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    n, steps = 5000, 200
    w0 = rng.normal(size=n).astype(np.float32)
    grads = [(rng.normal(size=n) * 10.0 ** rng.uniform(-3, 0, size=n)).astype(np.float32) for _ in range(steps)]
    lrs = [0.003 * (1 + np.cos(np.pi * t / steps)) / 2 + 1e-4 for t in range(steps)]
    p = torch.nn.Parameter(torch.from_numpy(w0.copy()))
    topt = _torch_optimizer(torch, name, p, lrs[0])
    opt, w = OPTIMIZERS[name](n, np.float32, momentum=MU), w0.copy()
    for g, lr in zip(grads, lrs):
        for group in topt.param_groups:
            group["lr"] = lr
        p.grad = torch.from_numpy(g.copy())
        topt.step()
        opt.step(w, opt.grad_scale(lr) * g, lr, weight_decay=WD, scaled=True)
    ours, theirs = w.astype(np.float64), p.detach().numpy().astype(np.float64)
    moved, eps32 = np.abs(theirs - w0), np.finfo(np.float32).eps
    # float32 rounding of w over 200 steps (both sides) is a few dozen ulps at most; a wrong rule is far more
    assert np.all(np.abs(ours - theirs) <= 1e-4 * moved + 50 * eps32 * np.abs(theirs))
    for key, tkey in {"m": "exp_avg", "v": "exp_avg_sq" if name == "adam" else "momentum_buffer",
                      "s": "square_avg"}.items():
        if key in opt.state:
            want = topt.state[p][tkey].numpy()
            assert np.allclose(getattr(opt, key), want, rtol=1e-4, atol=1e-6 * np.abs(want).max())
