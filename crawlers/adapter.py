"""Scrapy hands items around through ``itemadapter``, which knows dicts, dataclasses and attrs classes but not
msgspec Structs: this adapter lets a spider yield the typed items of :mod:`crawlers.items` as they are.

Items are frozen (a pipeline that changes one makes a new one with ``msgspec.structs.replace``), so the
adapter reads and refuses writes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

import msgspec
from itemadapter import ItemAdapter
from itemadapter.adapter import AdapterInterface

__all__ = ["StructAdapter", "register"]


class StructAdapter(AdapterInterface):
    @classmethod
    def is_item_class(cls, item_class: type) -> bool:
        return isinstance(item_class, type) and issubclass(item_class, msgspec.Struct)

    @classmethod
    def get_field_names_from_class(cls, item_class: type) -> list[str] | None:
        return list(getattr(item_class, "__struct_fields__", ()))

    def __getitem__(self, name: str) -> Any:
        if name not in self.item.__struct_fields__:
            raise KeyError(name)
        return getattr(self.item, name)

    def __setitem__(self, name: str, value: Any) -> None:
        raise TypeError(f"{type(self.item).__name__} is frozen: make a new item with msgspec.structs.replace")

    def __delitem__(self, name: str) -> None:
        raise TypeError(f"{type(self.item).__name__} is frozen")

    def __iter__(self) -> Iterator[str]:
        return iter(self.item.__struct_fields__)

    def __len__(self) -> int:
        return len(self.item.__struct_fields__)


def register() -> None:
    """Make Scrapy accept Structs as items (idempotent)."""
    classes = ItemAdapter.ADAPTER_CLASSES
    if StructAdapter not in classes:
        assert isinstance(classes, deque)
        classes.appendleft(StructAdapter)
