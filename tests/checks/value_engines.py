"""Value engines for the tests of the 09 checks: a right one, and the typical wrong ones as subclasses.

The right engine is micrograd's design; each wrong one changes one method
the way a learner might. Results are made with type(self), so a subclass's
mistake spreads through every expression built with it.
"""
import math


class Value:
    def __init__(self, data, _children=(), _op=""):
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = tuple(_children)
        self._op = _op

    def _wrap(self, other):
        return other if isinstance(other, Value) else type(self)(other)

    def _unary(self, data, local, op):
        out = type(self)(data, (self,), op)

        def _backward():
            self.grad += local() * out.grad
        out._backward = _backward
        return out

    def __add__(self, other):
        other = self._wrap(other)
        out = type(self)(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = self._wrap(other)
        out = type(self)(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, p):
        return self._unary(self.data ** p, lambda: p * self.data ** (p - 1), f"**{p}")

    def relu(self):
        return self._unary(max(self.data, 0.0), lambda: 1.0 if self.data > 0 else 0.0, "relu")

    def tanh(self):
        t = math.tanh(self.data)
        return self._unary(t, lambda: 1 - t ** 2, "tanh")

    def exp(self):
        e = math.exp(self.data)
        return self._unary(e, lambda: e, "exp")

    def log(self):
        return self._unary(math.log(self.data), lambda: 1 / self.data, "log")

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __truediv__(self, other):
        return self * other ** -1

    def __rtruediv__(self, other):
        return other * self ** -1

    def topological_order(self):
        order, visited = [], set()

        def visit(node):
            if node not in visited:
                visited.add(node)
                for child in node._prev:
                    visit(child)
                order.append(node)
        visit(self)
        return order

    def backward(self):
        order = self.topological_order()
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


class OverwritingValue(Value):
    """`=` instead of `+=` in __mul__'s _backward."""

    def __mul__(self, other):
        other = self._wrap(other)
        out = type(self)(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad
        out._backward = _backward
        return out


class RecursiveValue(Value):
    """backward() recurses from the output without a topological order."""

    def backward(self):
        self.grad = 1.0

        def propagate(node):
            node._backward()
            for child in node._prev:
                propagate(child)
        propagate(self)


class UnreversedValue(Value):
    """The topological order run from the leaves up."""

    def backward(self):
        order = self.topological_order()
        self.grad = 1.0
        for node in order:
            node._backward()


class TanhWithoutSquare(Value):
    def tanh(self):
        t = math.tanh(self.data)
        return self._unary(t, lambda: 1 - t, "tanh")


class ReluOneAtZero(Value):
    """relu's derivative 1 where the input is >= 0: wrong only at exactly 0."""

    def relu(self):
        return self._unary(max(self.data, 0.0), lambda: 1.0 if self.data >= 0 else 0.0, "relu")


class PowFromOutput(Value):
    """d(a**p) as p * out / a: right everywhere but at a = 0."""

    def __pow__(self, p):
        out_data = self.data ** p
        return self._unary(out_data, lambda: p * out_data / self.data, f"**{p}")


class RsubBackwards(Value):
    def __rsub__(self, other):
        return self - other


class WithoutRsub(Value):
    """No __rsub__ of its own: `2 - x` is an unsupported operand."""

    def __rsub__(self, other):
        return NotImplemented
