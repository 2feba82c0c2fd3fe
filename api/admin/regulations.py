"""``GET /v1/regulations``: the regulation presets a stage can name, with their points and tie-breaking
criteria, and what each criterion compares in words, so that the console can show an organizer what a
preset means before choosing it and which fields a stage's ``regulation_params`` may override."""

from typing import Any

import msgspec
from litestar import get
from litestar.handlers import HTTPRouteHandler

from sports.regulations import CRITERIA, PRESETS

__all__ = ["Regulations", "regulations_handler"]


class Regulations(msgspec.Struct, frozen=True):
    #: every preset as the rules engine holds it (points system, criteria in order, fair-play scale...)
    presets: list[dict[str, Any]]
    #: criterion name -> what it compares
    criteria: dict[str, str]


def regulations_handler() -> HTTPRouteHandler:
    answer = Regulations(presets=[msgspec.to_builtins(p) for p in PRESETS.values()], criteria=dict(CRITERIA))

    @get("/v1/regulations", tags=["regulations"], summary="Regulation presets and what each criterion means")
    async def regulations() -> Regulations:
        return answer

    return regulations
