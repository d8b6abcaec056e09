"""A scalar reverse-mode automatic differentiation engine (book chapter on the chain rule).

Every arithmetic operation on :class:`Value` objects records a node of a
computational graph: its result, the nodes it was computed from (its
*parents*) and, for each parent, the *local derivative* d(result)/d(parent),
worked out at forward time. ``backward`` then walks the graph from the output
back to the inputs and applies the chain rule along every edge::

    parent.grad += local_derivative * node.grad

Gradient convention
-------------------
``backward`` first *resets* the ``.grad`` of every node the output depends
on to 0, then seeds the output with d(out)/d(out) = 1 and accumulates
(``+=``) along the edges, so a node used twice (``a * a``) receives the sum
of both paths, and calling ``backward`` twice gives the same gradients twice.

A node the output does *not* depend on is not part of its graph, so
``backward`` leaves its ``.grad`` alone: after ``f.backward()`` then
``g.backward()``, an input that only ``f`` uses still shows ``df/dx``. To
get the gradient of one output with respect to chosen inputs, with 0 for an
input it does not use (a row of a Jacobian), use :func:`gradients`.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass


def _check_real(x, what: str) -> float:
    """Return ``x`` as a float if it is a real number (not a bool), else raise TypeError."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a real number, got {x!r} of type {type(x).__name__}")
    return float(x)


class Value:
    """A scalar that remembers how it was computed, so that gradients can flow back.

    Parameters
    ----------
    data : float
        The number held by this node.
    label : str, optional
        A name shown by ``repr`` and :meth:`graph` (e.g. ``"w1"``).

    Attributes
    ----------
    data : float
        The forward value.
    grad : float
        d(out)/d(this node) after ``out.backward()``; 0.0 before.

    Raises
    ------
    TypeError
        If ``data`` is not a real number.

    Examples
    --------
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> out = a * b + a          # d out/da = b + 1 = -2, d out/db = a = 2
    >>> out.backward()
    >>> a.grad, b.grad
    (-2.0, 2.0)
    """

    def __init__(self, data, *, label: str = "", _parents: tuple = (), _op: str = "", _local: tuple = ()):
        self.data = _check_real(data, "Value data")
        self.grad = 0.0
        self.label = label
        self._parents = tuple(_parents)  # the nodes this one was computed from
        self._op = _op  # e.g. "+", "exp"; "" for an input (leaf)
        self._local = tuple(_local)  # d(self)/d(parent), one per parent, same order
        assert len(self._parents) == len(self._local), "one local derivative per parent"

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value({self.data:.6g}, grad={self.grad:.6g}{label})"

    @staticmethod
    def _lift(other, op: str) -> Value:
        """Wrap a plain number as a constant leaf; reject anything else by name."""
        if isinstance(other, Value):
            return other
        return Value(_check_real(other, f"the other operand of Value {op}"))

    # ---- operations: each computes its result (forward) and, beside it, the local
    # ---- derivative of that result with respect to each operand (for backward)

    def __add__(self, other) -> Value:
        other = Value._lift(other, "+")
        out = self.data + other.data  # a + b
        local = (1.0, 1.0)  # d/da = 1, d/db = 1
        return Value(out, _parents=(self, other), _op="+", _local=local)

    def __sub__(self, other) -> Value:
        other = Value._lift(other, "-")
        out = self.data - other.data  # a - b
        local = (1.0, -1.0)  # d/da = 1, d/db = -1
        return Value(out, _parents=(self, other), _op="-", _local=local)

    def __mul__(self, other) -> Value:
        other = Value._lift(other, "*")
        out = self.data * other.data  # a * b
        local = (other.data, self.data)  # d/da = b, d/db = a
        return Value(out, _parents=(self, other), _op="*", _local=local)

    def __truediv__(self, other) -> Value:
        other = Value._lift(other, "/")
        a, b = self.data, other.data
        if b == 0:
            raise ZeroDivisionError(f"Value division by zero: {a!r} / {b!r}")
        out = a / b  # a / b
        local = (1.0 / b, -(a / b) / b)  # d/da = 1/b, d/db = -a/b^2
        return Value(out, _parents=(self, other), _op="/", _local=local)

    def __pow__(self, p) -> Value:
        if isinstance(p, Value):
            raise TypeError("Value ** Value is not supported: the exponent must be a constant int or float")
        p, x = _check_real(p, "the exponent of Value **"), self.data
        if x == 0 and p < 1 and p != 0:
            raise ValueError(f"Value ** {p!r} at x = 0: x**p or its derivative p*x**(p-1) is infinite")
        if x < 0 and not p.is_integer():
            raise ValueError(f"Value ** {p!r} at x = {x!r}: a negative number to a non-integer power is not real")
        out = x**p  # x^p, p a constant
        local = 0.0 if p == 0 else p * x ** (p - 1)  # d/dx = p x^(p-1)
        return Value(out, _parents=(self,), _op=f"**{p:g}", _local=(local,))

    def __neg__(self) -> Value:
        out = -self.data  # -a
        local = -1.0  # d/da = -1
        return Value(out, _parents=(self,), _op="neg", _local=(local,))

    # reflected forms, for `2 * a`, `1 - a`, ...: the plain number becomes the left operand
    def __radd__(self, other) -> Value:
        return Value._lift(other, "+") + self

    def __rsub__(self, other) -> Value:
        return Value._lift(other, "-") - self

    def __rmul__(self, other) -> Value:
        return Value._lift(other, "*") * self

    def __rtruediv__(self, other) -> Value:
        return Value._lift(other, "/") / self

    def exp(self) -> Value:
        """Return e^x; its derivative is e^x itself."""
        try:
            out = math.exp(self.data)  # e^x
        except OverflowError:  # x > ~709.78, the log of the largest float64
            raise OverflowError(f"Value.exp() overflows float64 at x = {self.data!r}") from None
        local = out  # d/dx e^x = e^x
        return Value(out, _parents=(self,), _op="exp", _local=(local,))

    def log(self) -> Value:
        """Return the natural log ln(x); its derivative is 1/x. Raises ValueError if x <= 0."""
        x = self.data
        if x <= 0:
            raise ValueError(f"Value.log() needs a positive number, got x = {x!r}")
        out = math.log(x)  # ln x
        local = 1.0 / x  # d/dx ln x = 1/x
        return Value(out, _parents=(self,), _op="log", _local=(local,))

    def tanh(self) -> Value:
        """Return tanh(x); its derivative is 1 - tanh(x)^2."""
        out = math.tanh(self.data)  # t = tanh x
        local = 1.0 - out * out  # d/dx tanh x = 1 - t^2
        return Value(out, _parents=(self,), _op="tanh", _local=(local,))

    def sigmoid(self) -> Value:
        """Return the logistic sigmoid 1 / (1 + e^-x); its derivative is s (1 - s).

        Only ``exp(-|x|)`` is ever evaluated, so there is no overflow for any finite x.
        """
        x = self.data
        if x >= 0:
            out = 1.0 / (1.0 + math.exp(-x))  # s = 1 / (1 + e^-x)
        else:
            out = math.exp(x) / (1.0 + math.exp(x))  # the same s, multiplied through by e^x
        local = out * (1.0 - out)  # d/dx s = s (1 - s)
        return Value(out, _parents=(self,), _op="sigmoid", _local=(local,))

    def relu(self) -> Value:
        """Return max(0, x); its derivative is 1 for x > 0, else 0 (we take 0 at x = 0)."""
        out = max(0.0, self.data)  # max(0, x)
        local = 1.0 if self.data > 0 else 0.0  # d/dx = 1 where x > 0, else 0
        return Value(out, _parents=(self,), _op="relu", _local=(local,))

    # ---- the graph and the backward pass ----

    def topological_order(self) -> list[Value]:
        """Return every node this one depends on, each after all of its parents.

        The list starts with inputs and ends with ``self``. An iterative
        depth-first search is used, so graphs deeper than Python's recursion
        limit are fine.

        Returns
        -------
        list of Value
        """
        order: list[Value] = []
        seen: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:  # second visit: all parents are already in `order`
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))  # come back once the parents are done
            stack.extend((p, False) for p in node._parents if id(p) not in seen)
        return order

    def _backward_pass(self):
        """Run backprop, yielding a BackwardStep after each edge is applied."""
        order = self.topological_order()
        for node in order:
            node.grad = 0.0  # reset: backward() twice gives the same result
        self.grad = 1.0  # seed: d out / d out = 1
        for node in reversed(order):  # every child is done before its parents
            for parent, local in zip(node._parents, node._local):
                contribution = local * node.grad  # chain rule along one edge
                parent.grad += contribution  # accumulate: a node used twice sums its paths
                yield BackwardStep(node, parent, local, node.grad, contribution)

    def backward(self) -> None:
        """Fill ``.grad`` of every node below with d(self)/d(node).

        Resets to 0 the grads of the nodes this output depends on (and only
        those: see the module docstring), sets ``self.grad = 1``, then, in
        reverse topological order, adds ``local * node.grad`` to each parent.
        """
        for _ in self._backward_pass():
            pass

    def backward_steps(self) -> list[BackwardStep]:
        """Run :meth:`backward` and return its chain-rule steps in the order they were applied.

        One :class:`BackwardStep` per edge; for every node, the ``contribution``
        of the steps whose ``parent`` is that node add up to its ``.grad``.

        Returns
        -------
        list of BackwardStep
        """
        return list(self._backward_pass())

    def graph(self) -> Graph:
        """Return the nodes (id, label, op, data, grad) and edges below this value, to draw.

        Returns
        -------
        Graph
            ``nodes`` in topological order, ``id`` = position in that order;
            ``edges`` as (parent_id, child_id) pairs.
        """
        order = self.topological_order()
        index = {id(node): i for i, node in enumerate(order)}
        nodes = [GraphNode(i, n.label, n._op, n.data, n.grad) for i, n in enumerate(order)]
        edges = [GraphEdge(index[id(p)], index[id(n)]) for n in order for p in n._parents]
        return Graph(nodes, edges)


def gradients(output: Value, inputs) -> list[float]:
    """The derivatives of ``output`` with respect to each of ``inputs``: one row of a Jacobian.

    Runs ``output.backward()``; an input that ``output`` does not depend on
    gets 0.0, whatever an earlier ``backward()`` left in its ``.grad``, and
    its ``.grad`` is set to 0.0 too. Call it once per output of one recorded
    forward pass to get the Jacobian row by row.

    Parameters
    ----------
    output : Value
    inputs : sequence of Value

    Returns
    -------
    list of float
        ``d output / d inputs[i]`` for every ``i``.

    Raises
    ------
    TypeError
        If ``output`` or an input is not a ``Value``.

    Examples
    --------
    >>> x, y = Value(2.0), Value(3.0)
    >>> f, g = x * x, y * 2
    >>> gradients(f, [x, y]), gradients(g, [x, y])
    ([4.0, 0.0], [0.0, 2.0])
    """
    if not isinstance(output, Value):
        raise TypeError(f"output must be a Value, got {type(output).__name__}")
    inputs = list(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"inputs must hold Value objects, got {type(x).__name__} at position {i}")
    used = {id(node) for node in output.topological_order()}
    output.backward()
    for x in inputs:
        if id(x) not in used:
            x.grad = 0.0                               # not in output's graph: d output / dx = 0
    return [x.grad for x in inputs]


# ---- plain records returned by Value.graph() and Value.backward_steps() ----

@dataclass(frozen=True)
class GraphNode:
    """One node of :meth:`Value.graph`; ``id`` is its position in topological order."""

    id: int
    label: str
    op: str
    data: float
    grad: float


@dataclass(frozen=True)
class GraphEdge:
    """An edge of :meth:`Value.graph`: ``parent_id`` was used to compute ``child_id``."""

    parent_id: int
    child_id: int


@dataclass(frozen=True)
class Graph:
    """The graph below a :class:`Value`, as plain data for drawing.

    ``nodes`` are in topological order (inputs first, output last). An operand
    used twice by the same operation (``a * a``) gives two identical edges.
    """

    nodes: list[GraphNode]
    edges: list[GraphEdge]


@dataclass(frozen=True)
class BackwardStep:
    """One chain-rule step of :meth:`Value.backward_steps`.

    ``contribution = local * upstream`` is what gets added to ``parent.grad``,
    where ``local`` is d(node)/d(parent) and ``upstream`` is the finished
    d(out)/d(node).
    """

    node: Value
    parent: Value
    local: float
    upstream: float
    contribution: float
