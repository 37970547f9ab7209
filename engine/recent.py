"""The newest few values by key, each made once: a least-recently-used cache that threads share.

Runs of one config share what is a function of the config alone (its data set, its step-0
evaluation), and the server keeps its newest few answers the same way (app/insight.py).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def always(value: object) -> bool:
    return True


class Recent(Generic[K, V]):
    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, make: Callable[[], V], keep: Callable[[V], bool] = always) -> V:
        """The value kept under `key`, else `make()`'s, kept if `keep` says so. It is made
        outside the lock: a slow one holds up no other key (two threads may both make it)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        if keep(value):
            with self._lock:
                self._items[key] = value
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return value

    def discard(self, key: K) -> None:
        with self._lock:
            self._items.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def values(self) -> list[V]:
        with self._lock:
            return list(self._items.values())

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)
