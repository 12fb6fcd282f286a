"""Shared pieces of the algorithm configuration models (`config`, `exit_config`): the strict
camelCase base model, bounded number types and the translation of x3algo's documented
alternative field names into the ones the engine reads.

x3algo's pages name some fields two ways (the create example's conditions use `comparison`, the
comparison-operators page `operator`; the configuration-schema pages give every sizing method
and stop-loss type its own number field, `percentage`, `fixedQuantity`, `atrMultiplier`, ...,
where the algorithm object of the seeds README has one `value`). Both forms are accepted; the
stored and answered form is the engine's (`operator`, `value`, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

Period = Annotated[int, Field(ge=1, le=500)]
Percent = Annotated[float, Field(gt=0, le=100)]


class ConfigModel(BaseModel):
    """Base of every section: camelCase aliases, names accepted too, unknown keys refused,
    strict types."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        strict=True,
        allow_inf_nan=False,
    )


def renamed(data: Any, names: dict[str, str]) -> Any:
    """`data` (a request dict; anything else is returned as is) with each documented key of
    `names` moved to the engine's key. When both are present the documented one wins: a PATCH
    in x3algo's form merged into a stored configuration (engine form) must take effect."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for documented, ours in names.items():
        if documented not in out:
            continue
        out[ours] = out.pop(documented)
    return out


def method_keys(
    data: Any, key_of: Mapping[str, tuple[str, ...]], method: str | None, what: str
) -> Any:
    """Like `renamed` for keys that belong to one kind only (`key_of`: documented key -> the
    `type` / `method` it belongs to), each moved to `value`. ValueError naming the key when
    it is sent with another kind than its own."""
    if not isinstance(data, dict):
        return data
    for documented, kinds in key_of.items():
        if documented in data and method not in kinds:
            raise ValueError(f"{documented} applies to {what} {' or '.join(kinds)} only")
    return renamed(data, dict.fromkeys(key_of, "value"))
