"""One algorithm's event-driven engine, the same for paper trading and backtests.

`await engine.on_bar(bar)` runs, for the bar's symbol:

1. resting market orders fill at the open (exits first, then entries; absolute stop-loss /
   take-profit levels are fixed from the entry fill);
2. intrabar exits of the open position (partial exit > break-even stop > stop loss >
   trailing stop > take profit, `exits`);
3. indicators update with the bar (in every state: a paused algorithm stays warm);
4. the entry rule is evaluated; `confirmationCandles` N needs it on N + 1 consecutive bars;
5. close-of-bar exits become orders for the next open: opposite signal (positionType both: the
   short signal closes a long and the long signal a short, then reverses) > time exit;
6. an entry signal becomes an order for the next open when the algorithm is `active`, the
   symbol has no position or pending entry, the daily loss limit and `maxOpenPositions` allow.

Every order passes the injected gate (`sniper.trading.engine.gating`): next-open orders when
placed, intrabar exits when triggered; a denial is an `order_denied` event with the gate's
reason. A bar at or before the symbol's last processed bar is ignored (a replay after a restart
fires nothing twice). If `on_bar` raises, discard the engine and rebuild it from the last
snapshot. States: `active`; `paused` and `stopped` run exits only, their resting entries are
cancelled when the state is set. `snapshot()` / `Engine.restore` are in `state`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from sniper.trading.algorithms.config import AlgorithmConfig, missing_fields, unsupported
from sniper.trading.engine import state as snapshots
from sniper.trading.engine.bars import Bar, ticker
from sniper.trading.engine.broker import (
    PaperBroker,
    Position,
    RestingOrder,
    client_order_id,
    closing_side,
    fill_price,
)
from sniper.trading.engine.conditions import compile_entry
from sniper.trading.engine.events import (
    Event,
    OrderCancelled,
    OrderDenied,
    OrderPlaced,
    OrderSide,
    SignalIgnored,
)
from sniper.trading.engine.exits import compile_exits, intrabar_exit
from sniper.trading.engine.gating import Gate, GateDecision, OrderIntent
from sniper.trading.engine.indicators import IndicatorBank
from sniper.trading.engine.performance import DEFAULT_BALANCE, Side
from sniper.trading.engine.risk import DailyLoss
from sniper.trading.engine.signals import SymbolState, entry_signals
from sniper.trading.engine.sizing import atr_key, quantity

EngineState = Literal["active", "paused", "stopped"]


class EngineConfigError(ValueError):
    """The configuration is incomplete or asks for something the engine cannot run."""


class Engine:
    """The engine of one algorithm (see the module docstring). Raises EngineConfigError for a
    config with `missing_fields` or an `unsupported` reason."""

    def __init__(
        self,
        config: AlgorithmConfig,
        *,
        algorithm_id: str,
        account_id: int,
        gate: Gate,
        initial_cash: float = DEFAULT_BALANCE,
        state: EngineState = "active",
    ) -> None:
        if problems := missing_fields(config):
            raise EngineConfigError(f"incomplete configuration: missing {', '.join(problems)}")
        if reason := unsupported(config):
            raise EngineConfigError(reason)
        assert config.entry_conditions is not None
        assert config.symbols is not None
        assert config.execution_settings is not None
        self.config, self.algorithm_id, self.account_id = config, algorithm_id, account_id
        self.state: EngineState = state
        self.initial_cash = initial_cash
        self.broker = PaperBroker(initial_cash)
        self.entry = config.entry_conditions
        self.rule = compile_entry(self.entry)
        self.exits = compile_exits(config)
        self.slippage = config.execution_settings.slippage
        self.sizing_atr = atr_key(config.position_sizing)
        self.atr_keys = {k for k in (self.exits.atr, self.sizing_atr) if k is not None}
        keys = self.rule.keys() | self.atr_keys
        self.symbols = {s: SymbolState(s, IndicatorBank(keys)) for s in config.symbols}
        self._by_ticker = {ticker(s): s for s in config.symbols}
        self._gate = gate
        self.equity_peak = initial_cash
        self.closed_trades = 0
        self.daily = DailyLoss(None, initial_cash)

    @classmethod
    def restore(
        cls,
        config: AlgorithmConfig,
        snapshot: dict[str, Any],
        warmup: Iterable[Bar],
        *,
        algorithm_id: str,
        account_id: int,
        gate: Gate,
    ) -> Engine:
        """Rebuild an engine from `snapshot` (`state.dump`): `warmup` must hold every bar the
        original processed (per symbol from `firstBarAt` to `lastBarAt`; later bars are
        skipped), fed to the indicators only. The rebuilt engine then produces exactly the
        events the original would have. Raises ValueError (see `state.load`)."""
        engine = cls(
            config,
            algorithm_id=algorithm_id,
            account_id=account_id,
            gate=gate,
            initial_cash=snapshot["initialCash"],
        )
        last = snapshots.last_bar_times(snapshot)
        for bar in warmup:
            name = engine._by_ticker.get(ticker(bar.symbol))
            upto = last.get(name) if name else None
            if upto is not None and bar.at <= upto:
                engine.warm(bar)
        snapshots.load(engine, snapshot)
        return engine

    def snapshot(self) -> dict[str, Any]:
        """JSON-able state without indicators (shape in `sniper.trading.engine.state`)."""
        return snapshots.dump(self)

    def symbol_state(self, symbol: str) -> SymbolState:
        """The state of `symbol` (`NASDAQ:MSFT` or `MSFT`). KeyError when not traded."""
        name = self._by_ticker.get(ticker(symbol))
        if name is None:
            raise KeyError(f"{symbol} is not one of this algorithm's symbols")
        return self.symbols[name]

    def equity(self) -> float:
        """Cash plus open positions marked at each symbol's last close (money)."""
        marks = {s: st.last_close for s, st in self.symbols.items() if st.last_close is not None}
        return self.broker.equity(marks)

    def daily_loss_limit_reached(self, on: date | None = None) -> bool:
        """Whether realised losses on day `on` (default: the last processed bar's day) reached
        `riskParameters.maxDailyLoss` % of that day's starting equity (`risk.DailyLoss`)."""
        risk = self.config.risk_parameters
        return self.daily.reached(risk.max_daily_loss if risk else None, on)

    def on_filing(self, symbol: str, form_type: str, at: datetime) -> bool:
        """Record a sniper hit: a `filing_event` condition holds on the next bar processed for
        `symbol`. Returns False (and records nothing) for a symbol not traded or an algorithm
        without a filing condition."""
        name = self._by_ticker.get(ticker(symbol))
        if name is None or not self.rule.filing_rules:
            return False
        self.symbols[name].filings.append((form_type, at))
        return True

    def warm(self, bar: Bar) -> None:
        """Feed `bar` to the indicators only (rebuilding after a restart): no orders, no state."""
        state = self.symbol_state(bar.symbol)
        state.bank.update(bar)

    async def on_bar(self, bar: Bar) -> list[Event]:
        """Process one bar (see the module docstring); the events it produced, in order.
        KeyError for a symbol the algorithm does not trade."""
        state = self.symbol_state(bar.symbol)
        if state.last_at is not None and bar.at <= state.last_at:
            return []
        if self.daily.day != bar.at.date():
            self.daily.roll(bar.at.date(), self.equity())
        events = self._fill_resting(state, bar)
        events += await self._intrabar_exit(state, bar)
        state.bank.update(bar)
        go_long, go_short = entry_signals(state, self.rule, self.entry)
        self._mark(state, bar)
        events += await self._close_signal(state, bar, go_long, go_short)
        events += await self._entry(state, bar, go_long, go_short)
        self.equity_peak = max(self.equity_peak, self.equity())
        return events

    def set_state(self, state: EngineState, *, at: datetime | None = None) -> list[Event]:
        """Switch to `state`; pausing or stopping cancels resting entries (events returned)."""
        self.state = state
        return [] if state == "active" else self.cancel_resting_entries(f"algorithm_{state}", at=at)

    def cancel_resting_entries(self, reason: str, *, at: datetime | None = None) -> list[Event]:
        """Cancel every resting entry order (control-plane stop / emergency, algorithm stop)
        with `reason`; `at` defaults to the bar that placed each order. Exits stay."""
        cancelled = [o for o in self.broker.resting if o.intent == "entry"]
        self.broker.resting = [o for o in self.broker.resting if o.intent != "entry"]
        return [o.event(OrderCancelled, reason, at or o.placed_at) for o in cancelled]

    async def close_positions(self, reason: str) -> list[Event]:
        """Close every open position at its symbol's last close (through the gate), e.g. at the
        end of a backtest with reason `end_of_backtest`."""
        events: list[Event] = []
        for symbol, position in list(self.broker.positions.items()):
            state = self.symbols[symbol]
            if state.last_at is not None and state.last_close is not None:
                events += await self._exit_now(position, state.last_close, state.last_at, reason)
        return events

    def _fill_resting(self, state: SymbolState, bar: Bar) -> list[Event]:
        orders = [o for o in self.broker.resting if o.symbol == state.symbol]
        if not orders:
            return []
        self.broker.resting = [o for o in self.broker.resting if o.symbol != state.symbol]
        events: list[Event] = []
        for order in sorted(orders, key=lambda o: o.intent != "exit"):
            events += self._fill_exit(order, bar) if order.intent == "exit" else []
            events += self._fill_entry(order, bar, state) if order.intent == "entry" else []
        return events

    def _fill_exit(self, order: RestingOrder, bar: Bar) -> list[Event]:
        position = self.broker.positions.get(order.symbol)
        if position is None or position.side != order.position_side:
            return [order.event(OrderCancelled, "no_position", bar.at)]
        price = fill_price(bar.open, order.side, self.slippage)
        return self._close(
            position, order.quantity, price, bar.at, order.reason, order.client_order_id
        )

    def _fill_entry(self, order: RestingOrder, bar: Bar, state: SymbolState) -> list[Event]:
        price = fill_price(bar.open, order.side, self.slippage)
        shares = order.quantity
        if order.side == "buy":
            shares = min(shares, math.floor(max(self.broker.cash, 0.0) / price))
        if shares <= 0:
            return [order.event(OrderCancelled, "insufficient_cash", bar.at)]
        order = replace(order, quantity=shares)
        atr = state.bank.value(self.exits.atr) if self.exits.atr else None
        stop = self.exits.stop_price(order.position_side, price, atr)
        take = self.exits.take_price(order.position_side, price, stop)
        return [self.broker.open(order, price, bar.at, stop, take)]

    def _close(
        self,
        position: Position,
        shares: int,
        price: float,
        at: datetime,
        reason: str,
        order_id: str,
    ) -> list[Event]:
        fill, closed = self.broker.close(position.symbol, shares, price, at, reason, order_id)
        self.daily.realised += closed.trade.pnl
        self.closed_trades += 1
        return [fill, closed]

    async def _intrabar_exit(self, state: SymbolState, bar: Bar) -> list[Event]:
        position = self.broker.positions.get(state.symbol)
        hit = intrabar_exit(self.exits, position, bar) if position else None
        if position is None or hit is None:
            return []
        reason, level, shares = hit
        events = await self._exit_now(position, level, bar.at, reason, shares)
        if reason == "partial_exit" and not isinstance(events[0], OrderDenied):
            position.partials_done += 1
        return events

    async def _exit_now(
        self, position: Position, level: float, at: datetime, reason: str, shares: int = 0
    ) -> list[Event]:
        """Close `shares` (0: all) of `position` at `level` now, through the gate."""
        side = closing_side(position.side)
        shares = min(shares or position.quantity, position.quantity)
        order_id = client_order_id(self.algorithm_id, position.symbol, at, f"exit_{reason}")
        decision = await self._ask(position.symbol, side, shares, position.signed)
        if not decision.allowed:
            return [
                OrderDenied(order_id, position.symbol, side, shares, "exit", decision.reason, at)
            ]
        price = fill_price(level, side, self.slippage)
        shares = min(shares, int(decision.quantity))
        return self._close(position, shares, price, at, reason, order_id)

    def _mark(self, state: SymbolState, bar: Bar) -> None:
        state.first_at = state.first_at or bar.at
        state.last_at, state.last_close = bar.at, bar.close
        position = self.broker.positions.get(state.symbol)
        if position is not None:
            better = max if position.side == "long" else min
            position.extreme = better(
                position.extreme, bar.high if position.side == "long" else bar.low
            )
            position.bars_held += 1

    async def _close_signal(
        self, state: SymbolState, bar: Bar, go_long: bool, go_short: bool
    ) -> list[Event]:
        position = self.broker.positions.get(state.symbol)
        if position is None or self.broker.resting_for(state.symbol, "exit"):
            return []
        opposite = go_short if position.side == "long" else go_long
        if self.entry.position_type == "both" and self.exits.opposite and opposite:
            reason = "opposite_signal"
        elif self.exits.max_bars is not None and position.bars_held >= self.exits.max_bars:
            reason = "time_exit"
        else:
            return []
        order = RestingOrder(
            client_order_id(self.algorithm_id, state.symbol, bar.at, f"exit_{reason}"),
            state.symbol,
            closing_side(position.side),
            position.quantity,
            "exit",
            position.side,
            reason,
            bar.at,
        )
        return await self._place(order, position.signed)

    async def _entry(
        self, state: SymbolState, bar: Bar, go_long: bool, go_short: bool
    ) -> list[Event]:
        if not (go_long or go_short):
            return []
        direction: Side = "long" if go_long else "short"
        blocker = self._entry_blocker(state, direction)
        if blocker is not None:
            return [SignalIgnored(state.symbol, direction, blocker, bar.at)] if blocker else []
        shares = self._size(state, direction, bar.close)
        if shares <= 0:
            return [SignalIgnored(state.symbol, direction, "size_zero", bar.at)]
        intent = f"entry_{direction}"
        order = RestingOrder(
            client_order_id(self.algorithm_id, state.symbol, bar.at, intent),
            state.symbol,
            "buy" if direction == "long" else "sell",
            shares,
            "entry",
            direction,
            intent,
            bar.at,
        )
        return await self._place(order, 0)

    def _entry_blocker(self, state: SymbolState, direction: Side) -> str | None:
        """None: go ahead; "": skip silently (already in or entering); else the reason."""
        if self.state != "active":
            return f"algorithm_{self.state}"
        if self.broker.resting_for(state.symbol, "entry") or self._held(state.symbol):
            return ""
        if self.daily_loss_limit_reached():
            return "daily_loss_limit"
        risk = self.config.risk_parameters
        cap = risk.max_open_positions if risk else None
        held = sum(1 for s in self.broker.positions if self._held(s))
        entering = sum(1 for o in self.broker.resting if o.intent == "entry")
        if cap is not None and held + entering >= cap:
            return "max_open_positions"
        if any(state.bank.value(key) is None for key in self.atr_keys):
            return "warming_up"
        return None

    def _held(self, symbol: str) -> bool:
        """Whether `symbol` has a position, unless an opposite-signal exit closes all of it at
        the next open (a reversal); after another exit the signal waits for a flat bar."""
        position = self.broker.positions.get(symbol)
        if position is None:
            return False
        pending = self.broker.resting_for(symbol, "exit")
        if pending is None or pending.reason != "opposite_signal":
            return True
        return pending.quantity < position.quantity

    def _size(self, state: SymbolState, direction: Side, price: float) -> int:
        atr = state.bank.value(self.exits.atr) if self.exits.atr else None
        stop = self.exits.stop_price(direction, price, atr)
        distance = abs(price - stop) if stop is not None else None
        assert self.config.position_sizing is not None
        return quantity(
            self.config.position_sizing,
            self.config.risk_parameters,
            equity=self.equity(),
            price=price,
            stop_distance=distance,
            atr=state.bank.value(self.sizing_atr) if self.sizing_atr else None,
        )

    async def _place(self, order: RestingOrder, position: int) -> list[Event]:
        decision = await self._ask(order.symbol, order.side, order.quantity, position)
        if not decision.allowed:
            return [order.event(OrderDenied, decision.reason, order.placed_at)]
        if int(decision.quantity) < order.quantity:
            order = replace(order, quantity=int(decision.quantity))
        self.broker.resting.append(order)
        return [order.event(OrderPlaced, order.reason, order.placed_at)]

    async def _ask(self, symbol: str, side: OrderSide, shares: int, position: int) -> GateDecision:
        intent = OrderIntent(self.account_id, symbol, side, Decimal(shares), Decimal(position))
        return await self._gate(intent)
