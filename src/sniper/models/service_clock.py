from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base
from sniper.db.types import UTCDateTime


class ServiceClock(Base):
    """The serving process's clock, persisted so the CLI stamps the same time (issue 16 item 5).

    One row per clock `kind` (`replay`): at wall time `wall_at` the clock read `clock_at` and it
    runs at `speed` x real time. A serving process rewrites it every few seconds
    (`sniper.serviceclock.PERSIST`); a row older than `SNIPER_SERVICE_CLOCK_STALE` belongs to a
    replay that stopped.
    """

    __tablename__ = "service_clock"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    clock_at: Mapped[datetime] = mapped_column(UTCDateTime())
    wall_at: Mapped[datetime] = mapped_column(UTCDateTime())
    speed: Mapped[float] = mapped_column(Float())
