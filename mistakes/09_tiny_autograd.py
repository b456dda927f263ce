"""Typical mistakes in 09_tiny_autograd: each replaces one solution cell (see docs/authoring.md)."""
from course.grading.mistakes import Mistake

MISTAKES = [
    # `=` instead of `+=` in __mul__'s _backward: a node used twice keeps only the last contribution.
    Mistake(
        name='assign_instead_of_accumulate',
        cell='Value',
        code='''
class Value:
    """A scalar that remembers how it was computed, so that it can backpropagate."""

    def __init__(self, data, _children=(), _op=""):
        self.data = float(data)
        self.grad = 0.0                  # d(output)/d(self), filled in by backward()
        self._backward = lambda: None    # passes out.grad on to the inputs; set by the op
        self._prev = tuple(_children)    # the Values this one was computed from
        self._op = _op                   # the op that made it, for printing and drawing

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    def __add__(self, other):
        """self + other, where other is a Value or a plain number."""
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            # d(out)/d(self) = 1 and d(out)/d(other) = 1, times out.grad (the chain rule),
            # ADDED to what the inputs already hold: they may be used elsewhere too.
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        """self * other, where other is a Value or a plain number."""
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")
        def _backward():
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad
        out._backward = _backward
        return out

    def backward(self):
        """Set self.grad to 1, then run every node's _backward once, each after all its users."""
        order, visited = [], set()

        def visit(node):               # depth first: a node goes in after all its inputs
            if node not in visited:
                visited.add(node)
                for child in node._prev:
                    visit(child)
                order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):   # the output first, each node after all its users
            node._backward()
''',
        loses=['Value_reuse_tests', 'Value_graph_tests'],
        feedback=['instead of adding to it (`x.grad += ...`)'],
    ),
    # backward recurses from the output without a topological order: a shared node runs its _backward once per user, the first time with an incomplete gradient.
    Mistake(
        name='recursive_backward_without_topological_order',
        cell='Value',
        code='''
class Value:
    """A scalar that remembers how it was computed, so that it can backpropagate."""

    def __init__(self, data, _children=(), _op=""):
        self.data = float(data)
        self.grad = 0.0                  # d(output)/d(self), filled in by backward()
        self._backward = lambda: None    # passes out.grad on to the inputs; set by the op
        self._prev = tuple(_children)    # the Values this one was computed from
        self._op = _op                   # the op that made it, for printing and drawing

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    def __add__(self, other):
        """self + other, where other is a Value or a plain number."""
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            # d(out)/d(self) = 1 and d(out)/d(other) = 1, times out.grad (the chain rule),
            # ADDED to what the inputs already hold: they may be used elsewhere too.
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        """self * other, where other is a Value or a plain number."""
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")
        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def backward(self):
        """Set self.grad to 1, then run every node's _backward once, each after all its users."""
        self.grad = 1.0

        def propagate(node):           # pass the gradient on, then recurse into the inputs
            node._backward()
            for child in node._prev:
                propagate(child)

        propagate(self)
''',
        loses=['Value_reuse_tests', 'Value_graph_tests'],
        feedback=['visited twice', 'topological order'],
    ),
    # the topological order is built but run from the leaves up: each _backward runs before its node's grad is known.
    Mistake(
        name='topological_order_not_reversed',
        cell='Value',
        code='''
class Value:
    """A scalar that remembers how it was computed, so that it can backpropagate."""

    def __init__(self, data, _children=(), _op=""):
        self.data = float(data)
        self.grad = 0.0                  # d(output)/d(self), filled in by backward()
        self._backward = lambda: None    # passes out.grad on to the inputs; set by the op
        self._prev = tuple(_children)    # the Values this one was computed from
        self._op = _op                   # the op that made it, for printing and drawing

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    def __add__(self, other):
        """self + other, where other is a Value or a plain number."""
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            # d(out)/d(self) = 1 and d(out)/d(other) = 1, times out.grad (the chain rule),
            # ADDED to what the inputs already hold: they may be used elsewhere too.
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        """self * other, where other is a Value or a plain number."""
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")
        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def backward(self):
        """Set self.grad to 1, then run every node's _backward once, each after all its users."""
        order, visited = [], set()

        def visit(node):               # depth first: a node goes in after all its inputs
            if node not in visited:
                visited.add(node)
                for child in node._prev:
                    visit(child)
                order.append(node)

        visit(self)
        self.grad = 1.0
        for node in order:
            node._backward()
''',
        loses=['Value_tests', 'Value_reuse_tests', 'Value_ops_tests', 'Value_graph_tests'],
        feedback=['reverse topological order'],
    ),
    # tanh' written as 1 - tanh(x) instead of 1 - tanh(x)**2.
    Mistake(
        name='tanh_derivative_without_square',
        cell='Value_ops',
        code='''
import math


def add_to_class(cls):
    """Decorator: attach the function below it to `cls` as a method of the same name."""
    def attach(fn):
        setattr(cls, fn.__name__, fn)
        return fn
    return attach


@add_to_class(Value)
def __radd__(self, other):           # other + self, other a number
    return self + other


@add_to_class(Value)
def __rmul__(self, other):           # other * self
    return self * other


@add_to_class(Value)
def __neg__(self):                   # -self
    return self * -1


@add_to_class(Value)
def __sub__(self, other):            # self - other
    return self + (-other)


@add_to_class(Value)
def __rsub__(self, other):           # other - self, other a number
    return other + (-self)


@add_to_class(Value)
def __pow__(self, p):                # self ** p, p a plain number (int or float)
    assert isinstance(p, (int, float)), "only a number exponent is supported"
    out = Value(self.data ** p, (self,), f"**{p}")

    def _backward():
        self.grad += p * self.data ** (p - 1) * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def __truediv__(self, other):        # self / other
    return self * other ** -1 if isinstance(other, Value) else self * (1.0 / other)


@add_to_class(Value)
def __rtruediv__(self, other):       # other / self, other a number
    return other * self ** -1


@add_to_class(Value)
def relu(self):
    out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

    def _backward():
        self.grad += (1.0 if self.data > 0 else 0.0) * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def tanh(self):
    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t) * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def exp(self):
    e = math.exp(self.data)
    out = Value(e, (self,), "exp")

    def _backward():
        self.grad += e * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def log(self):
    out = Value(math.log(self.data), (self,), "log")

    def _backward():
        self.grad += out.grad / self.data
    out._backward = _backward
    return out
''',
        loses=['Value_ops_tests', 'Value_graph_tests'],
        feedback=['1 - tanh(a)**2'],
    ),
    # relu's _backward passes the gradient through whatever the sign of the input.
    Mistake(
        name='relu_passes_gradient_at_negative_inputs',
        cell='Value_ops',
        code='''
import math


def add_to_class(cls):
    """Decorator: attach the function below it to `cls` as a method of the same name."""
    def attach(fn):
        setattr(cls, fn.__name__, fn)
        return fn
    return attach


@add_to_class(Value)
def __radd__(self, other):           # other + self, other a number
    return self + other


@add_to_class(Value)
def __rmul__(self, other):           # other * self
    return self * other


@add_to_class(Value)
def __neg__(self):                   # -self
    return self * -1


@add_to_class(Value)
def __sub__(self, other):            # self - other
    return self + (-other)


@add_to_class(Value)
def __rsub__(self, other):           # other - self, other a number
    return other + (-self)


@add_to_class(Value)
def __pow__(self, p):                # self ** p, p a plain number (int or float)
    assert isinstance(p, (int, float)), "only a number exponent is supported"
    out = Value(self.data ** p, (self,), f"**{p}")

    def _backward():
        self.grad += p * self.data ** (p - 1) * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def __truediv__(self, other):        # self / other
    return self * other ** -1 if isinstance(other, Value) else self * (1.0 / other)


@add_to_class(Value)
def __rtruediv__(self, other):       # other / self, other a number
    return other * self ** -1


@add_to_class(Value)
def relu(self):
    out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

    def _backward():
        self.grad += out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def tanh(self):
    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t ** 2) * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def exp(self):
    e = math.exp(self.data)
    out = Value(e, (self,), "exp")

    def _backward():
        self.grad += e * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def log(self):
    out = Value(math.log(self.data), (self,), "log")

    def _backward():
        self.grad += out.grad / self.data
    out._backward = _backward
    return out
''',
        loses=['Value_ops_tests', 'Value_graph_tests'],
        feedback=['relu passes no gradient where its input is negative'],
    ),
    # __rsub__ computes self - other: `2 - x` gives x - 2.
    Mistake(
        name='rsub_computes_self_minus_other',
        cell='Value_ops',
        code='''
import math


def add_to_class(cls):
    """Decorator: attach the function below it to `cls` as a method of the same name."""
    def attach(fn):
        setattr(cls, fn.__name__, fn)
        return fn
    return attach


@add_to_class(Value)
def __radd__(self, other):           # other + self, other a number
    return self + other


@add_to_class(Value)
def __rmul__(self, other):           # other * self
    return self * other


@add_to_class(Value)
def __neg__(self):                   # -self
    return self * -1


@add_to_class(Value)
def __sub__(self, other):            # self - other
    return self + (-other)


@add_to_class(Value)
def __rsub__(self, other):           # other - self, other a number
    return self - other


@add_to_class(Value)
def __pow__(self, p):                # self ** p, p a plain number (int or float)
    assert isinstance(p, (int, float)), "only a number exponent is supported"
    out = Value(self.data ** p, (self,), f"**{p}")

    def _backward():
        self.grad += p * self.data ** (p - 1) * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def __truediv__(self, other):        # self / other
    return self * other ** -1 if isinstance(other, Value) else self * (1.0 / other)


@add_to_class(Value)
def __rtruediv__(self, other):       # other / self, other a number
    return other * self ** -1


@add_to_class(Value)
def relu(self):
    out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

    def _backward():
        self.grad += (1.0 if self.data > 0 else 0.0) * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def tanh(self):
    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t ** 2) * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def exp(self):
    e = math.exp(self.data)
    out = Value(e, (self,), "exp")

    def _backward():
        self.grad += e * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def log(self):
    out = Value(math.log(self.data), (self,), "log")

    def _backward():
        self.grad += out.grad / self.data
    out._backward = _backward
    return out
''',
        loses=['Value_ops_tests', 'Value_graph_tests'],
        feedback=['must compute other - self'],
    ),
    # __rtruediv__ computes self / other: `2 / x` gives x / 2.
    Mistake(
        name='rtruediv_computes_self_over_other',
        cell='Value_ops',
        code='''
import math


def add_to_class(cls):
    """Decorator: attach the function below it to `cls` as a method of the same name."""
    def attach(fn):
        setattr(cls, fn.__name__, fn)
        return fn
    return attach


@add_to_class(Value)
def __radd__(self, other):           # other + self, other a number
    return self + other


@add_to_class(Value)
def __rmul__(self, other):           # other * self
    return self * other


@add_to_class(Value)
def __neg__(self):                   # -self
    return self * -1


@add_to_class(Value)
def __sub__(self, other):            # self - other
    return self + (-other)


@add_to_class(Value)
def __rsub__(self, other):           # other - self, other a number
    return other + (-self)


@add_to_class(Value)
def __pow__(self, p):                # self ** p, p a plain number (int or float)
    assert isinstance(p, (int, float)), "only a number exponent is supported"
    out = Value(self.data ** p, (self,), f"**{p}")

    def _backward():
        self.grad += p * self.data ** (p - 1) * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def __truediv__(self, other):        # self / other
    return self * other ** -1 if isinstance(other, Value) else self * (1.0 / other)


@add_to_class(Value)
def __rtruediv__(self, other):       # other / self, other a number
    return self / other


@add_to_class(Value)
def relu(self):
    out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

    def _backward():
        self.grad += (1.0 if self.data > 0 else 0.0) * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def tanh(self):
    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t ** 2) * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def exp(self):
    e = math.exp(self.data)
    out = Value(e, (self,), "exp")

    def _backward():
        self.grad += e * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def log(self):
    out = Value(math.log(self.data), (self,), "log")

    def _backward():
        self.grad += out.grad / self.data
    out._backward = _backward
    return out
''',
        loses=['Value_ops_tests', 'Value_graph_tests'],
        feedback=['must compute other / self'],
    ),
    # d(x**p) written as p * x**p (exponent not lowered).
    Mistake(
        name='pow_derivative_keeps_exponent',
        cell='Value_ops',
        code='''
import math


def add_to_class(cls):
    """Decorator: attach the function below it to `cls` as a method of the same name."""
    def attach(fn):
        setattr(cls, fn.__name__, fn)
        return fn
    return attach


@add_to_class(Value)
def __radd__(self, other):           # other + self, other a number
    return self + other


@add_to_class(Value)
def __rmul__(self, other):           # other * self
    return self * other


@add_to_class(Value)
def __neg__(self):                   # -self
    return self * -1


@add_to_class(Value)
def __sub__(self, other):            # self - other
    return self + (-other)


@add_to_class(Value)
def __rsub__(self, other):           # other - self, other a number
    return other + (-self)


@add_to_class(Value)
def __pow__(self, p):                # self ** p, p a plain number (int or float)
    assert isinstance(p, (int, float)), "only a number exponent is supported"
    out = Value(self.data ** p, (self,), f"**{p}")

    def _backward():
        self.grad += p * self.data ** p * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def __truediv__(self, other):        # self / other
    return self * other ** -1 if isinstance(other, Value) else self * (1.0 / other)


@add_to_class(Value)
def __rtruediv__(self, other):       # other / self, other a number
    return other * self ** -1


@add_to_class(Value)
def relu(self):
    out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

    def _backward():
        self.grad += (1.0 if self.data > 0 else 0.0) * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def tanh(self):
    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t ** 2) * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def exp(self):
    e = math.exp(self.data)
    out = Value(e, (self,), "exp")

    def _backward():
        self.grad += e * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def log(self):
    out = Value(math.log(self.data), (self,), "log")

    def _backward():
        self.grad += out.grad / self.data
    out._backward = _backward
    return out
''',
        loses=['Value_ops_tests', 'Value_graph_tests'],
        feedback=['lower the exponent by one'],
    ),
    # the update forgets to reset p.grad: the next backward() adds to the old gradient.
    Mistake(
        name='sgd_step_keeps_gradient',
        cell='value_sgd_step',
        code='''
def value_sgd_step(params, lr):
    """Gradient descent in place: p.data -= lr * p.grad, then p.grad = 0.0, for each p in params."""
    for p in params:
        p.data -= lr * p.grad
''',
        loses=['value_sgd_step_tests'],
        feedback=['must be reset to 0.0'],
    ),
    # the update adds the gradient (ascent) instead of subtracting it.
    Mistake(
        name='sgd_step_ascends',
        cell='value_sgd_step',
        code='''
def value_sgd_step(params, lr):
    """Gradient descent in place: p.data -= lr * p.grad, then p.grad = 0.0, for each p in params."""
    for p in params:
        p.data += lr * p.grad
        p.grad = 0.0
''',
        loses=['value_sgd_step_tests'],
        feedback=['the sign is flipped', 'descent subtracts the gradient'],
    ),
    # the update rebinds the loop variable to a new Value: the parameters never change.
    Mistake(
        name='sgd_step_makes_new_values',
        cell='value_sgd_step',
        code='''
def value_sgd_step(params, lr):
    """Gradient descent in place: p.data -= lr * p.grad, then p.grad = 0.0, for each p in params."""
    for p in params:
        p = Value(p.data - lr * p.grad)
''',
        loses=['value_sgd_step_tests'],
        feedback=["p.data did not change", "in place"],
    ),
]
