"""Plots the notebooks share, one module per kind of picture."""
from .distributions import *  # noqa: F401,F403
from .graphs import *  # noqa: F401,F403
from .training import *  # noqa: F401,F403
from .boundaries import *  # noqa: F401,F403
from .updates import *  # noqa: F401,F403
from .shapes import *  # noqa: F401,F403
from .order import *  # noqa: F401,F403
