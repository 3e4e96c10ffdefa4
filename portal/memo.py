"""Rendered HTML kept per process for the values it shows (issue 17).

A page part that changes only when its data does (the schedule's body, a child's sections) is
rendered once for a key holding every value it prints and the language: a write gives a new
key on the very next request, so there is nothing to invalidate. The oldest entries go first
past `size`; a lock keeps it whole under a threaded server.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.utils.safestring import SafeString


class RenderedMemo:
    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, SafeString] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, render: Callable[[], SafeString]) -> SafeString:
        """The HTML kept for `key`, or else `render()`'s, then kept."""
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        rendered = render()
        with self._lock:
            self._kept[key] = rendered
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return rendered

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)
