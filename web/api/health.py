"""The health check: is the app up, which database does it use, how long is the ledger."""

from __future__ import annotations

from typing import Literal

from litestar import Controller, get
from litestar.datastructures import State
from pydantic import BaseModel

from ledger.transfers import last_seq
from web.database import database_name


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["sqlite", "postgresql"]
    transfers: int


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get(name="health", summary="Health check", description="Answers while the app and its database are up.")
    async def health(self, state: State) -> Health:
        return Health(status="ok", database=database_name(state.engine), transfers=await last_seq())
