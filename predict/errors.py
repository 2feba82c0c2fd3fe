"""The prediction package's one exception root: input the models cannot work with, said in a sentence."""

from __future__ import annotations

__all__ = ["PredictError"]


class PredictError(ValueError):
    """Input a model or a simulation cannot use: no played matches, an unknown team, an unreadable date."""
