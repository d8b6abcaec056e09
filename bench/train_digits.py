"""Benchmark: one training epoch of bp against scikit-learn's MLPClassifier, in the same run.

Data: scikit-learn's handwritten digits (1797 x 64, pixels scaled to [0, 1]).
Network: 64 -> H ReLU units -> 10 logits, softmax cross-entropy, plain
gradient descent (no momentum, no weight decay), float64, no shuffling.
Both libraries see the same batches in the same order; each row times one
epoch (best of ``--repeats``) and prints bp's time as a fraction of
scikit-learn's (target: at most 0.6).

A second table times the forward and the backward pass of a deep, wide
network: backward costs about two forward passes in theory (one matrix
product for dL/dW, one for dL/dA per layer); target ratio at most 2.3.

Run:  python bench/train_digits.py [--repeats 3] [--keep-freed-memory]

``--keep-freed-memory`` re-runs the script with glibc told not to hand freed
memory back to the operating system (``MALLOC_TRIM_THRESHOLD_``,
``MALLOC_MMAP_THRESHOLD_``). On machines where page faults are expensive,
every epoch otherwise pays for faulting in its large temporaries (a
1797 x 1024 float64 array is 3,600 pages) again; both libraries run under the
same setting, so the ratio stays a fair comparison.
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

import bp

LEARNING_RATE = 0.01


def best_time(run, repeats):
    """Smallest wall time of ``run()`` over ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def bp_epoch_time(X, y, hidden, batch_size, repeats):
    rng = np.random.default_rng(0)
    model = bp.Sequential(bp.Linear(64, hidden, rng=rng, init="he"), bp.ReLU(), bp.Linear(hidden, 10, rng=rng))
    loss = bp.SoftmaxCrossEntropy()
    optimizer = bp.GradientDescent(model.parameters(), lr=LEARNING_RATE)
    return best_time(lambda: bp.fit(model, loss, optimizer, X, y, epochs=1, batch_size=batch_size), repeats)


def sklearn_epoch_time(X, y, hidden, batch_size, repeats):
    clf = MLPClassifier(hidden_layer_sizes=(hidden,), activation="relu", solver="sgd", alpha=0.0,
                        batch_size=batch_size, learning_rate="constant", learning_rate_init=LEARNING_RATE,
                        momentum=0.0, nesterovs_momentum=False, shuffle=False, random_state=0)
    classes = np.arange(10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.partial_fit(X, y, classes=classes)          # first call initialises the weights
        return best_time(lambda: clf.partial_fit(X, y), repeats)


def backward_forward_ratio(width=1024, depth=8, n=256, repeats=5):
    rng = np.random.default_rng(0)
    layers = []
    for _ in range(depth):
        layers += [bp.Linear(width, width, rng=rng, init="he"), bp.ReLU()]
    model = bp.Sequential(*layers)
    X = rng.standard_normal((n, width))
    dy = rng.standard_normal((n, width)) / n
    forward = best_time(lambda: model.forward(X), repeats)
    backward = best_time(lambda: model.backward(dy), repeats)
    return forward, backward


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep-freed-memory", action="store_true",
                        help="run with glibc's trimming of freed memory switched off")
    args = parser.parse_args()
    if args.keep_freed_memory and "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        env = dict(os.environ, MALLOC_TRIM_THRESHOLD_="4000000000", MALLOC_MMAP_THRESHOLD_="4000000000")
        os.execve(sys.executable, [sys.executable, *sys.argv], env)
    if "MALLOC_TRIM_THRESHOLD_" in os.environ:
        print("allocator: glibc keeps freed memory (MALLOC_TRIM_THRESHOLD_ set)")
    digits = load_digits()
    X, y = digits.data / 16.0, digits.target
    n = len(X)
    print(f"digits: X {X.shape}, one epoch of plain gradient descent, best of {args.repeats}\n")
    print(f"{'hidden':>6} {'batch':>6} {'updates':>8} {'bp (s)':>9} {'sklearn (s)':>12} {'bp/sklearn':>11}")
    worst = 0.0
    for hidden in (128, 1024):
        for batch_size in (1, 32, 256, n):
            t_bp = bp_epoch_time(X, y, hidden, None if batch_size == n else batch_size, args.repeats)
            t_sk = sklearn_epoch_time(X, y, hidden, batch_size, args.repeats)
            worst = max(worst, t_bp / t_sk)
            updates = -(-n // batch_size)
            print(f"{hidden:>6} {batch_size:>6} {updates:>8} {t_bp:>9.4f} {t_sk:>12.4f} {t_bp / t_sk:>11.2f}")
    print(f"\nworst ratio bp/sklearn: {worst:.2f} (target <= 0.6)")
    forward, backward = backward_forward_ratio()
    print(f"\ndeep wide network (8 x Linear(1024, 1024) + ReLU, batch 256):")
    print(f"forward {forward * 1e3:.1f} ms, backward {backward * 1e3:.1f} ms, "
          f"backward/forward {backward / forward:.2f} (target <= 2.3, theory about 2)")


if __name__ == "__main__":
    main()
