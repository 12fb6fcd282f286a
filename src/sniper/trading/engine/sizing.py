"""Position sizing: how many whole shares an entry signal buys or sells short.

Sized at the signal bar's close (the fill comes at the next open): `percentage` value % of
equity / price; `fixed_quantity` value shares; `fixed_amount` value money / price;
`risk_based` (value % of equity) / (distance from the price to the stop loss, or
`stopLossPercentage` % of the price when given);
`volatility_adjusted` (value % of equity) / (`atrMultiplier` x ATR(`atrPeriod`)), defaults 2
and 14, ATR of the signal bar (x3algo position-sizing schema,
https://x3algo.com/docs/reference/configuration-schema/position-sizing). Then capped by
`riskParameters.maxPositionSize` (% of equity / price). Always rounded down to whole shares;
0 means "too small to trade".
"""

from __future__ import annotations

import math

from sniper.trading.algorithms.config import PositionSizing, RiskParameters
from sniper.trading.engine.indicators import IndicatorKey

DEFAULT_ATR_PERIOD = 14
DEFAULT_ATR_MULTIPLIER = 2.0


def atr_key(sizing: PositionSizing | None) -> IndicatorKey | None:
    """The ATR a `volatility_adjusted` sizing reads, else None."""
    if sizing is None or sizing.method != "volatility_adjusted":
        return None
    return IndicatorKey.of("ATR", sizing.atr_period or DEFAULT_ATR_PERIOD)


def quantity(
    sizing: PositionSizing,
    risk: RiskParameters | None,
    *,
    equity: float,
    price: float,
    stop_distance: float | None,
    atr: float | None = None,
) -> int:
    """Whole shares for an entry at `price` with account `equity` (money), the per-share
    distance to the stop (money, None without a stop) and the sizing ATR (money, None while
    warming up). Raises ValueError for an unsupported method, a risk_based entry without a stop
    distance or a volatility_adjusted one without ATR."""
    value = sizing.value or 0.0
    if price <= 0:
        return 0
    if sizing.method == "percentage":
        shares = equity * value / 100 / price
    elif sizing.method == "fixed_quantity":
        shares = value
    elif sizing.method == "fixed_amount":
        shares = value / price
    elif sizing.method == "risk_based":
        if sizing.stop_loss_percentage is not None:
            stop_distance = price * sizing.stop_loss_percentage / 100
        if stop_distance is None or stop_distance <= 0:
            raise ValueError("risk_based sizing needs a stop loss")
        shares = equity * value / 100 / stop_distance
    elif sizing.method == "volatility_adjusted":
        if atr is None or atr <= 0:
            raise ValueError("volatility_adjusted sizing needs a warm ATR")
        shares = equity * value / 100 / ((sizing.atr_multiplier or DEFAULT_ATR_MULTIPLIER) * atr)
    else:
        raise ValueError(f"position sizing method {sizing.method} is not supported")
    if risk is not None and risk.max_position_size is not None:
        shares = min(shares, equity * risk.max_position_size / 100 / price)
    # A hair of tolerance so 10 / 0.1 style float noise does not lose a share.
    return max(0, math.floor(shares + 1e-9))
