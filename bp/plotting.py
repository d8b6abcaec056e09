"""Plotting helpers for the book's figures (needs matplotlib; ``import bp`` does not load it).

Colours come from the Okabe-Ito palette, which stays distinguishable for the
common forms of colour blindness; line styles and markers vary as well, so no
figure relies on colour alone.
"""

import matplotlib.pyplot as plt
import numpy as np

#: Okabe and Ito's colour-blind-safe palette, in the order the book uses it.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
COLOURS = list(PALETTE.values())
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
LINESTYLES = ["-", "--", "-.", ":"]


def use_book_style() -> None:
    """Set matplotlib defaults for the book: palette, sizes, light grid, no top/right spines."""
    plt.rcParams.update({
        "axes.prop_cycle": plt.cycler(color=COLOURS[:7]),
        "figure.figsize": (6.4, 4.0),
        "figure.dpi": 80,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 11,
        "legend.frameon": False,
    })


def plot_loss_curves(ax, curves: dict, *, x_label: str = "epoch", log_y: bool = True):
    """Draw several loss curves, one line style each.

    Parameters
    ----------
    ax : matplotlib Axes
    curves : dict
        ``{label: sequence of losses}`` or ``{label: (x values, losses)}``.
    x_label : str
    log_y : bool
        Use a logarithmic loss axis (losses often span decades).
    """
    for i, (label, curve) in enumerate(curves.items()):
        x, y = curve if isinstance(curve, tuple) else (np.arange(1, len(curve) + 1), curve)
        ax.plot(x, y, label=label, color=COLOURS[i % len(COLOURS)], linestyle=LINESTYLES[i % len(LINESTYLES)])
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel(x_label)
    ax.set_ylabel("loss")
    ax.legend()
    return ax


def plot_classes(ax, X, labels, *, alpha: float = 0.8):
    """Scatter 2-D points coloured and marked by class label."""
    for k in np.unique(labels):
        rows = labels == k
        ax.scatter(X[rows, 0], X[rows, 1], s=18, alpha=alpha, color=COLOURS[k % len(COLOURS)],
                   marker=MARKERS[k % len(MARKERS)], label=f"class {k}", edgecolors="none")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def plot_decision_regions(ax, predict, X, labels, *, resolution: int = 200, margin: float = 0.5):
    """Shade the plane by the class ``predict`` assigns, with the data on top.

    Parameters
    ----------
    ax : matplotlib Axes
    predict : callable
        ``predict(points) -> labels`` for points of shape ``(M, 2)``.
    X : ndarray, shape (N, 2)
    labels : ndarray, shape (N,)
    """
    x1 = np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, resolution)
    x2 = np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, resolution)
    grid1, grid2 = np.meshgrid(x1, x2)
    regions = predict(np.column_stack([grid1.ravel(), grid2.ravel()])).reshape(grid1.shape)
    n_classes = int(max(regions.max(), labels.max())) + 1
    cmap = plt.matplotlib.colors.ListedColormap(COLOURS[:n_classes])
    ax.contourf(grid1, grid2, regions, levels=np.arange(n_classes + 1) - 0.5, cmap=cmap, alpha=0.2)
    plot_classes(ax, X, labels)
    return ax


def plot_contours(ax, f, xlim, ylim, *, levels: int = 20, resolution: int = 150, log_levels: bool = False):
    """Contour lines of a function of two parameters, ``f(p1, p2)`` evaluated on a grid.

    ``f`` is called with two arrays of the same shape (it should be vectorised,
    e.g. a cost written with numpy) and returns an array of that shape.
    """
    p1, p2 = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    values = f(p1, p2)
    if log_levels:
        levels = np.geomspace(values.min() + 1e-12, values.max(), levels)
    contour = ax.contour(p1, p2, values, levels=levels, cmap="viridis", linewidths=0.8)
    return contour
