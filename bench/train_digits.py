"""Benchmark: one training epoch of bp against scikit-learn and against the machine's limit.

Data: scikit-learn's handwritten digits (1797 x 64, pixels scaled to [0, 1]).
Network: 64 -> H ReLU units -> 10 logits, softmax cross-entropy, plain
gradient descent (no momentum, no weight decay), float64, no shuffling, so
every contestant sees the same batches in the same order.

Each row (H hidden units, batch size B) times one epoch five ways, in turn,
round after round; the table shows each one's best (smallest) time:

``fit``       ``bp.fit(..., epochs=1)``: one call per epoch, so every call's
              checks and set-up are paid once per epoch;
``fit x20``   ``bp.fit(..., epochs=20)``, per epoch: the checks paid once;
``bare``      the loop a student writes with bp's own calls, and nothing
              else: ``loss.forward(model.forward(X_b), y_b)``,
              ``model.backward_parameters(loss.backward())``,
              ``optimizer.step()``;
``floor``     the five matrix products an epoch must do, alone, with the same
              shapes and the same BLAS, into arrays allocated once: per batch
              X W1 and A W2 (forward), delta2 W2^T, A^T delta2 and X^T delta1
              (backward; X^T delta1 is dL/dW1, and dL/dX is never needed);
``sklearn``   ``MLPClassifier.partial_fit`` with the same network, batches
              and learning rate.

It prints ``bp / sklearn`` (target at most 0.6 in every row), ``bp / floor``
(at most 1.5 in every row with 1,024 hidden units) and ``fit / bare`` (at most
1.1 in every row, for one-epoch and for 20-epoch calls), where ``bp`` is the
one-epoch ``fit``. A second table times the forward and the backward pass of a
deep, wide network: backward costs about two forward passes in theory (one
matrix product for dL/dW, one for dL/dA per layer); target at most 2.3.

Each ratio is the median, over the rounds, of the two times measured in the
same round, so it holds when the machine's speed drifts; the absolute times
do not carry over to another machine. The first
lines name the BLAS library and kernel (threadpoolctl) and whether
``OPENBLAS_CORETYPE`` is set.

Run:  python bench/train_digits.py [--rounds 7] [--keep-freed-memory]

``--keep-freed-memory`` re-runs the script with glibc told not to hand freed
memory back to the operating system (``MALLOC_TRIM_THRESHOLD_``,
``MALLOC_MMAP_THRESHOLD_``), for comparison: large temporaries then cost no
page faults.
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
from threadpoolctl import threadpool_info

import bp

LEARNING_RATE = 0.01
LONG_CALL = 20                                         # epochs in the "fit x20" call
TARGETS = {"bp/sklearn": 0.6, "bp/floor": 1.5, "fit/bare": 1.1, "backward/forward": 2.3}


def seconds(run):
    """Wall time of one call of ``run()``."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def round_times(runners, rounds):
    """Per-epoch times of each runner, one per round; every round calls every runner once, in turn.

    ``runners`` maps a name to ``(run, epochs)``. Timing the runners in turn,
    round after round, lets a ratio be taken within each round: a slow spell
    of the machine then slows both sides of it.
    """
    times = {name: [] for name in runners}
    for _ in range(rounds):
        for name, (run, epochs) in runners.items():
            times[name].append(seconds(run) / epochs)
    return {name: np.array(values) for name, values in times.items()}


def paired_ratio(times, a, b):
    """The median over rounds of ``a``'s time divided by ``b``'s in the same round."""
    return float(np.median(times[a] / times[b]))


def bp_model(hidden):
    rng = np.random.default_rng(0)
    model = bp.Sequential(bp.Linear(64, hidden, rng=rng, init="he"), bp.ReLU(), bp.Linear(hidden, 10, rng=rng))
    return model, bp.SoftmaxCrossEntropy(), bp.GradientDescent(model.parameters(), lr=LEARNING_RATE)


def fit_runner(X, y, hidden, batch_size, epochs):
    model, loss, optimizer = bp_model(hidden)
    return lambda: bp.fit(model, loss, optimizer, X, y, epochs=epochs, batch_size=batch_size)


def bare_runner(X, y, hidden, batch_size):
    model, loss, optimizer = bp_model(hidden)

    def epoch():
        for start in range(0, len(X), batch_size):
            X_batch, y_batch = X[start:start + batch_size], y[start:start + batch_size]
            loss.forward(model.forward(X_batch), y_batch)
            model.backward_parameters(loss.backward())
            optimizer.step()
    return epoch


def floor_runner(X, hidden, batch_size):
    """One epoch of the five matrix products alone, into outputs allocated here, once."""
    rng = np.random.default_rng(0)
    W1, W2 = rng.standard_normal((64, hidden)) / 8, rng.standard_normal((hidden, 10)) / 32
    A = np.empty((batch_size, hidden))                 # stands for Z1 and A1
    Z2 = np.empty((batch_size, 10))                    # stands for Z2 and delta2
    D1 = np.empty((batch_size, hidden))                # stands for dL/dA1 and delta1
    G1, G2 = np.empty((64, hidden)), np.empty((hidden, 10))

    def epoch():
        for start in range(0, len(X), batch_size):
            x = X[start:start + batch_size]
            m = len(x)
            np.matmul(x, W1, out=A[:m])                # X W1:          (m, 64) @ (64, H) -> (m, H)
            np.matmul(A[:m], W2, out=Z2[:m])           # A W2:          (m, H) @ (H, 10) -> (m, 10)
            np.matmul(Z2[:m], W2.T, out=D1[:m])        # delta2 W2^T:   (m, 10) @ (10, H) -> (m, H)
            np.matmul(A[:m].T, Z2[:m], out=G2)         # A^T delta2:    (H, m) @ (m, 10) -> (H, 10)
            np.matmul(x.T, D1[:m], out=G1)             # X^T delta1:    (64, m) @ (m, H) -> (64, H)
    return epoch


def sklearn_runner(X, y, hidden, batch_size):
    clf = MLPClassifier(hidden_layer_sizes=(hidden,), activation="relu", solver="sgd", alpha=0.0,
                        batch_size=batch_size, learning_rate="constant", learning_rate_init=LEARNING_RATE,
                        momentum=0.0, nesterovs_momentum=False, shuffle=False, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.partial_fit(X, y, classes=np.arange(10))   # the first call initialises the weights

    def epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.partial_fit(X, y)
    return epoch


def time_row(X, y, hidden, batch_size, rounds):
    """Per-epoch times of the five contestants for one row, one per round."""
    runners = {
        "fit": (fit_runner(X, y, hidden, batch_size, 1), 1),
        f"fit x{LONG_CALL}": (fit_runner(X, y, hidden, batch_size, LONG_CALL), LONG_CALL),
        "bare": (bare_runner(X, y, hidden, batch_size), 1),
        "floor": (floor_runner(X, hidden, batch_size), 1),
        "sklearn": (sklearn_runner(X, y, hidden, batch_size), 1),
    }
    return round_times(runners, rounds)


def backward_forward_ratio(width=1024, depth=8, n=256, rounds=5):
    rng = np.random.default_rng(0)
    layers = []
    for _ in range(depth):
        layers += [bp.Linear(width, width, rng=rng, init="he"), bp.ReLU()]
    model = bp.Sequential(*layers)
    X = rng.standard_normal((n, width))
    dy = rng.standard_normal((n, width)) / n
    times = round_times({"forward": (lambda: model.forward(X), 1), "backward": (lambda: model.backward(dy), 1)}, rounds)
    return times["forward"].min(), times["backward"].min(), paired_ratio(times, "backward", "forward")


def blas_description():
    """The BLAS that numpy calls, as threadpoolctl reports it, and OPENBLAS_CORETYPE."""
    lines = []
    for pool in threadpool_info():
        if pool["user_api"] == "blas":
            owner = "numpy" if "numpy" in pool["filepath"] else "scipy" if "scipy" in pool["filepath"] else "?"
            lines.append(f"BLAS ({owner}'s): {pool['internal_api']} {pool['version']}, kernel "
                         f"{pool.get('architecture')}, {pool['num_threads']} threads")
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    lines.append(f"OPENBLAS_CORETYPE: {coretype if coretype else 'unset (the kernel is chosen for this CPU)'}")
    return "\n".join(lines)


def verdict(worst, name):
    return f"{worst:.2f} (target <= {TARGETS[name]}: {'met' if worst <= TARGETS[name] else 'MISSED'})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7,
                        help="rounds of timing per row (rows with batch size 1 take 3)")
    parser.add_argument("--keep-freed-memory", action="store_true",
                        help="run with glibc's trimming of freed memory switched off")
    args = parser.parse_args()
    if args.keep_freed_memory and "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        env = dict(os.environ, MALLOC_TRIM_THRESHOLD_="4000000000", MALLOC_MMAP_THRESHOLD_="4000000000")
        os.execve(sys.executable, [sys.executable, *sys.argv], env)
    print(blas_description())
    if "MALLOC_TRIM_THRESHOLD_" in os.environ:
        print("allocator: glibc keeps freed memory (MALLOC_TRIM_THRESHOLD_ set)")
    digits = load_digits()
    X, y = digits.data / 16.0, digits.target
    n = len(X)
    print(f"digits: X {X.shape}; one epoch of plain gradient descent, {args.rounds} rounds (3 for batch "
          f"size 1); best times in ms per epoch, ratios as medians of same-round ratios\n")
    header = (f"{'hidden':>6} {'batch':>5} {'updates':>7} {'fit':>8} {'fit x20':>8} {'bare':>8} {'floor':>8} "
              f"{'sklearn':>8} {'bp/sklearn':>10} {'bp/floor':>8} {'fit/bare':>8} {'x20/bare':>8}")
    print(header)
    worst = {"bp/sklearn": 0.0, "bp/floor": 0.0, "fit/bare": 0.0}
    for hidden in (128, 1024):
        for batch_size in (1, 32, 256, n):
            t = time_row(X, y, hidden, batch_size, 3 if batch_size == 1 else args.rounds)
            ratios = {"bp/sklearn": paired_ratio(t, "fit", "sklearn"), "bp/floor": paired_ratio(t, "fit", "floor"),
                      "fit/bare": paired_ratio(t, "fit", "bare"), "x20/bare": paired_ratio(t, f"fit x{LONG_CALL}", "bare")}
            worst["bp/sklearn"] = max(worst["bp/sklearn"], ratios["bp/sklearn"])
            worst["fit/bare"] = max(worst["fit/bare"], ratios["fit/bare"], ratios["x20/bare"])
            if hidden == 1024:
                worst["bp/floor"] = max(worst["bp/floor"], ratios["bp/floor"])
            updates = -(-n // batch_size)
            times = " ".join(f"{t[name].min() * 1e3:>8.2f}"
                             for name in ("fit", f"fit x{LONG_CALL}", "bare", "floor", "sklearn"))
            print(f"{hidden:>6} {batch_size:>5} {updates:>7} {times} {ratios['bp/sklearn']:>10.2f} "
                  f"{ratios['bp/floor']:>8.2f} {ratios['fit/bare']:>8.2f} {ratios['x20/bare']:>8.2f}", flush=True)
    print(f"\nworst bp/sklearn, every row:             {verdict(worst['bp/sklearn'], 'bp/sklearn')}")
    print(f"worst bp/floor, rows with 1024 hidden:   {verdict(worst['bp/floor'], 'bp/floor')}")
    print(f"worst fit/bare, 1- and 20-epoch calls:   {verdict(worst['fit/bare'], 'fit/bare')}")
    forward, backward, ratio = backward_forward_ratio()
    print(f"\ndeep wide network (8 x Linear(1024, 1024) + ReLU, batch 256):")
    print(f"forward {forward * 1e3:.1f} ms, backward {backward * 1e3:.1f} ms, "
          f"backward/forward {verdict(ratio, 'backward/forward')}, theory about 2")


if __name__ == "__main__":
    main()
