"""A new layer (LeakyReLU) and a new loss (Huber) for bp, each checked against finite differences.

Needs numpy and bp only:  python new_layer.py
"""
import numpy as np

import bp


class LeakyReLU(bp.Layer):
    """Leaky rectified linear unit ``a = z`` where ``z > 0``, else ``slope * z``, element-wise."""

    def __init__(self, slope: float = 0.01):
        self.slope = slope
        self.active = None                             # where the last forward pass was positive

    def forward(self, z):                              # (N, D) -> (N, D)
        self.active = z > 0                            # kept: backward needs it
        return np.where(self.active, z, self.slope * z)

    def backward(self, da):                            # dL/da (N, D) -> dL/dz (N, D)
        if self.active is None:
            raise ValueError("backward() was called before forward()")
        return da * np.where(self.active, 1.0, self.slope)    # a'(z) = 1 if z > 0 else slope

    # No parameters: Layer.parameters() returns [] and Layer.backward_parameters calls backward.


class Huber(bp.Loss):
    """Huber loss: ``ell_i = sum_k h(y_hat_ik - y_ik)``, ``h(d) = d^2 / 2`` for ``|d| <= delta``, else linear."""

    def __init__(self, delta: float = 1.0):
        self.delta = delta
        self.diff = None                               # Y_hat - Y of the last forward pass

    def prepare_target(self, target, n_outputs):       # the same targets as MSE: (N, K), or (N,) if K = 1
        return bp.MSE().prepare_target(target, n_outputs)

    def forward(self, output, target):                 # output, target (N, K) -> L, the mean over examples
        self.diff = output - target
        return float(self.h(self.diff).sum() / len(output))

    def backward(self):                                # dL/dY_hat (N, K): h'(d) = d, clipped to [-delta, delta]
        if self.diff is None:
            raise ValueError("backward() was called before forward()")
        return np.clip(self.diff, -self.delta, self.delta) / len(self.diff)

    def h(self, d):                                    # h(d), element-wise
        return np.where(np.abs(d) <= self.delta, d ** 2 / 2, self.delta * (np.abs(d) - self.delta / 2))

    def baseline_loss(self, target):                   # fit's yardstick: the loss of predicting each column's median
        return float(self.h(target - np.median(target, axis=0)).sum() / len(target))

rng = np.random.default_rng(0)
X, y = bp.make_spirals(20, noise=0.1, rng=rng)         # a few examples are enough for a check
model = bp.Sequential(bp.Linear(2, 8, rng=rng), LeakyReLU(0.1), bp.Linear(8, 3, rng=rng))
errors = bp.check_gradients(model, bp.SoftmaxCrossEntropy(), X, y)
print(f"LeakyReLU: largest relative error {max(errors.values()):.0e}")

X_reg, y_reg = bp.make_line(20, slope=2.0, intercept=1.0, noise=1.0, rng=rng)
regression = bp.Sequential(bp.Linear(1, 8, rng=rng), bp.Tanh(), bp.Linear(8, 1, rng=rng))
huber_errors = bp.check_gradients(regression, Huber(delta=0.5), X_reg, y_reg)
print(f"Huber: largest relative error {max(huber_errors.values()):.0e}")

assert max(errors.values()) < 1e-7 and max(huber_errors.values()) < 1e-7, "a backward pass is wrong"
