"""The ends of an elementwise function's domain, and what a wrong gradient there says about its formula.

A backward rule that is right for |x| < 20 can still overflow where torch's
result is finite (a sigmoid built from exp(-x) at x = -800), lose it to a
guard (a clamp of x, an epsilon added to it) or to a threshold (relu at a
tiny positive x). `end_points` lists, per function and dtype, the points
that decide this: the largest and smallest finite numbers, exp's overflow
point, the smallest normal and subnormal positive numbers; `wide_values`
draws values across the whole range where torch's result is finite, and
`where_defined` drops any point where torch's gradient, or the local
derivative alone, is not finite.

`point_diagnosis` names the worst element of a wrong result as the learner
can check it ("at x = -800 (float64) your sigmoid_backward gives nan; torch
gives 0") and, where the point makes a cause likely, says which: an
intermediate exp that overflows, a power of a tiny x that underflows, a
division by x at 0, a result that is torch's at another x (a clamp or an
epsilon), a threshold instead of 0.
"""
import math

import torch

from .reference import autograd_vjp


def _finfo(dtype):
    return torch.finfo(dtype)


def smallest_subnormal(dtype):
    return float(torch.nextafter(torch.zeros((), dtype=dtype), torch.ones((), dtype=dtype)))


def exp_limit(dtype):
    """The largest x of `dtype` whose exp is finite (88.72... in float32, 709.78... in float64)."""
    x = torch.tensor(math.log(_finfo(dtype).max), dtype=dtype)
    while not torch.isfinite(torch.exp(x)):
        x = torch.nextafter(x, torch.zeros((), dtype=dtype))
    return float(x)


def _name(dtype):
    return str(dtype).removeprefix("torch.")


# ---- the points -----------------------------------------------------------------------------------

def end_points(function, dtype):
    """The x at the ends of `function`'s domain in `dtype` ("exp", "log", "tanh", "sigmoid", "relu" or "pow")."""
    info = _finfo(dtype)
    big, tiny, sub, over = info.max, info.tiny, smallest_subnormal(dtype), exp_limit(dtype)
    small = [sub, 4 * sub, tiny, math.sqrt(tiny), float(info.eps)]
    if function == "exp":
        return [-big, -1e30, -2 * over, -over - 10, -over, -20.0, -sub, 0.0, *small, 20.0, over / 2, over - 1, over]
    if function == "log":
        return [*small, 1 / big, 2 / big, 0.5, 1.0, 1e10, math.sqrt(big), big / 2, big]
    if function in ("tanh", "sigmoid"):
        ends = [*small, 5.0, 20.0, 40.0, over / 2 + 1, over - 0.5, over + 1, 2 * over, 1e30, big]
        return sorted([-v for v in ends] + [0.0] + ends)
    if function == "relu":
        ends = [*small, 1.0, 1e30, big]
        return sorted([-v for v in ends] + [0.0] + ends)
    if function == "pow":     # far from 0; near 0 see pow_points_near_zero
        ends = [1e-3, 1.0, 1e5, 1e13, 1e30, 1e100, math.sqrt(big), big]
        return sorted([-v for v in ends] + ends)
    raise ValueError(function)


def pow_points_near_zero(dtype):
    """x at and near 0 (both signs; the negative ones matter for integer powers)."""
    info = _finfo(dtype)
    near = [v for v in [smallest_subnormal(dtype), info.tiny, 1e-200, 1e-100, 1e-30, 1e-8, 0.01]
            if v >= smallest_subnormal(dtype)]                  # representable in dtype, not 0
    return sorted([-v for v in near] + [0.0, 0.0] + near)


def wide_values(function, shape, generator, dtype):
    """Random x across the whole range where torch's result is finite: |x| log-uniform from the smallest
    normal number to the largest (for exp's positive side: to its overflow point), random signs where the
    domain has both."""
    info = _finfo(dtype)
    low, high = math.log(info.tiny), math.log(info.max)
    u = torch.rand(shape, generator=generator, dtype=torch.float64)
    magnitude = torch.exp(low + (high - low) * u)
    negative = torch.rand(shape, generator=generator) < 0.5
    if function == "log":
        negative[...] = False
    if function == "exp":
        # positive x up to exp's overflow point, drawn on a linear scale (on a log scale few would be large)
        positive = exp_limit(dtype) * torch.rand(shape, generator=generator, dtype=torch.float64)
        magnitude = torch.where(negative, magnitude, positive)
    return torch.where(negative, -magnitude, magnitude).clamp(-info.max, info.max).to(dtype)


def unit_grad(shape, generator, dtype):
    """An upstream gradient of magnitudes in [0.5, 1] with random signs: grad_out * f'(x) stays finite
    wherever f'(x) is."""
    magnitude = 0.5 + 0.5 * torch.rand(shape, generator=generator, dtype=torch.float64)
    sign = torch.where(torch.rand(shape, generator=generator) < 0.5, -1.0, 1.0).to(torch.float64)
    return (magnitude * sign).to(dtype)


def where_defined(op, x, g):
    """(x, g) without the points where torch's gradient of op at x, weighted by g, or the local derivative
    alone is not finite: a rule written as grad_out times the derivative (grad_out * (1 / x)) must pass."""
    want = autograd_vjp(op, (x,), g)[0]
    local = autograd_vjp(op, (x,))[0]
    keep = torch.isfinite(want) & torch.isfinite(local) & torch.isfinite(x)
    return x[keep], g[keep]


# ---- the diagnosis ---------------------------------------------------------------------------------

def _worst(got, want, rtol, atol):
    """The flat index of the element that is most wrong: first one not finite where torch's is, else the
    largest error in units of the tolerance."""
    a, e = got.detach().reshape(-1).to(torch.float64), want.detach().reshape(-1).to(torch.float64)
    broken = (~torch.isfinite(a)) & torch.isfinite(e)
    if broken.any():
        return int(broken.nonzero()[0])
    error = ((a - e).abs() / (atol + rtol * e.abs())).nan_to_num(nan=math.inf)
    return int(error.argmax())


def _inverse(function, derivative, x, p=None):
    """The x' of the same sign as x at which `function`'s derivative equals `derivative`, or None."""
    if not math.isfinite(derivative) or derivative <= 0:
        return None
    sign = -1.0 if x < 0 else 1.0
    try:
        if function == "exp":
            return math.log(derivative)
        if function == "log":
            return 1 / derivative
        if function == "tanh" and derivative <= 1:
            return sign * math.acosh(1 / math.sqrt(derivative))
        if function == "sigmoid" and derivative <= 0.25:
            return sign * 2 * math.acosh(1 / (2 * math.sqrt(derivative)))
    except (ValueError, OverflowError, ZeroDivisionError):
        return None
    return None


def _guard(function, op, x, g, got, dtype, rtol, atol):
    """What a finite but wrong result at x says: torch's result at another x (a clamp, an epsilon), a threshold."""
    if function == "relu":
        if x > 0 and got == 0 and g != 0:
            return (f"torch passes grad_out wherever x > 0, however small (here x = {x:.6g}): does your code "
                    "compare x with a small threshold rather than with 0?")
        if x < 0 and got == g:
            return (f"torch passes nothing where x < 0, however close to 0 (here x = {x:.6g}): does your code "
                    "compare x with a small negative threshold rather than with 0?")
        return ""
    if g == 0:
        return ""
    other = _inverse(function, got / g, x)
    if other is None or not math.isfinite(other) or abs(other) > _finfo(dtype).max:
        return ""
    x_other = torch.tensor([other], dtype=dtype)
    there = autograd_vjp(op, (x_other,), torch.tensor([g], dtype=dtype))[0]
    if not torch.isfinite(there).all() or not math.isclose(float(there), got, rel_tol=10 * rtol, abs_tol=atol):
        return ""
    if function == "log":
        how = f"as if x were clamped to at least {other:.3g} or a small constant were added to it (x + eps)"
    elif function == "exp":
        how = f"as if x were clamped to at {'most' if other < x else 'least'} {other:.3g}"
    else:
        how = f"as if x were clamped to ±{abs(other):.3g}"
    return (f"Your result there is what torch's gives at x = {other:.6g}, not at x = {x:.6g}: {how} before "
            "the derivative was taken. torch's rule has no such guard: its result is exact wherever it is finite.")


def _overflow(function, x, p, want, dtype):
    """Why a result can be nan or inf at x where torch's is finite, as far as x tells."""
    info = _finfo(dtype)
    name, over, ax = _name(dtype), exp_limit(dtype), abs(x)
    if function in ("tanh", "sigmoid") and ax > over / 2:
        better = ("write the derivative with σ(x) itself, s * (1 - s) with s = torch.sigmoid(x), or pick with "
                  "torch.where between exp(-x) for x >= 0 and exp(x) for x < 0" if function == "sigmoid" else
                  "write the derivative with tanh(x) itself: 1 - torch.tanh(x) ** 2")
        return (f"exp overflows {name} above x ≈ {over:.6g} (and exp(2x) above x ≈ {over / 2:.6g}), so a formula "
                "that takes the exp of a large positive number gets inf here, and inf / inf or 0 * inf is nan: "
                f"rewrite it so that no exp of a large positive number is taken ({better}).")
    if function == "exp" and x > over / 2:
        return (f"torch's result here is close to the largest {name} ({info.max:.3g}), so any intermediate "
                "larger than it, such as exp(x + 1), exp(2x) or exp(x) ** 2, overflows to inf: compute "
                "grad_out * torch.exp(x) directly, which is finite wherever torch's is.")
    if function == "log" and 0 < x < math.sqrt(info.tiny):
        return (f"x is so small that x ** 2 underflows to 0 in {name} (below about {math.sqrt(info.tiny):.3g}), "
                "and a division by it gives inf: compute grad_out / x directly, which is finite wherever torch's is.")
    if function == "log" and x > math.sqrt(info.max):
        return (f"x ** 2 overflows {name} here (above about {math.sqrt(info.max):.3g}), and inf / inf is nan: "
                "compute grad_out / x directly.")
    if function == "pow":
        if p == 0:
            return ("x ** 0 is 1 for every x (torch takes 0 ** 0 = 1 too), so its gradient is 0 everywhere; "
                    f"p * x ** (p - 1) is 0 * x ** -1 there, and x ** -1 is inf at x = 0 (and overflows {name} "
                    f"for 0 < |x| < {1 / info.max:.3g}), so 0 * inf = nan: return zeros when p == 0.")
        if x == 0:
            return ("p * x ** (p - 1) is finite at x = 0 for this p. A formula that divides by x (p * x ** p / x) "
                    "or takes log(x) (exp((p - 1) * log(x))) gives 0 / 0 or 0 * inf here: write p * x ** (p - 1).")
        if p is not None and ax > 1 and p * math.log(ax) > math.log(info.max):
            return (f"x ** p overflows {name} here (|x| ** p is above {info.max:.3g}) although x ** (p - 1), "
                    "which the gradient needs, does not: compute p * x ** (p - 1) without forming x ** p.")
        if x < 0 and p is not None and float(p).is_integer():
            return ("x < 0, where log(x) is nan, so a formula through exp((p - 1) * log(x)) gives nan here; "
                    "torch's x ** (p - 1) is defined for a negative x when p is an integer: write p * x ** (p - 1).")
    if function == "relu":
        if ax > info.max / 2:
            return (f"x is near the largest {name}: an intermediate such as x + |x| or 2 * x overflows to inf "
                    "here: compare x with 0 instead (x > 0).")
        if x == 0:
            return "a division by x (x / |x|, relu(x) / x) gives 0 / 0 = nan here: compare x with 0 instead (x > 0)."
    return ("an intermediate result overflowed, or 0 / 0 happened, at this x; torch's rule (grad_out times the "
            "local derivative) stays finite here.")


def point_diagnosis(function, op, x, g, got, want, name, rtol, atol, p=None):
    """"at x = ... your <name> gives ...; torch gives ...", and what that point says about the formula.

    `got` and `want` are tensors of x's shape and dtype; "" if `got` is not one or is right everywhere.
    """
    if not (isinstance(got, torch.Tensor) and got.shape == want.shape and got.dtype == want.dtype) or got.numel() == 0:
        return ""
    i = _worst(got, want, rtol, atol)
    xi, gi = float(x.reshape(-1)[i]), float(g.reshape(-1)[i])
    a, e = float(got.reshape(-1)[i]), float(want.reshape(-1)[i])
    if math.isclose(a, e, rel_tol=rtol, abs_tol=atol):
        return ""
    where = f"at x = {xi:.6g}" + (f" with p = {p:g}" if p is not None else "") + f" ({_name(x.dtype)})"
    line = f"{where} your {name} gives {a:.6g}; torch gives {e:.6g} (grad_out there is {gi:.3g})"
    if not math.isfinite(a) and math.isfinite(e):
        return f"{line}: {_overflow(function, xi, p, e, x.dtype)}"
    guard = "" if function == "pow" else _guard(function, op, xi, gi, a, x.dtype, rtol, atol)
    return f"{line}. {guard}" if guard else f"{line}."
