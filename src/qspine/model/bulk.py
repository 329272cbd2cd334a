"""Bulk allocation: pause the cyclic garbage collector while building large results.

A matrix of a million rows or a baseline of ten thousand members allocates millions of
small objects that are all still alive; each automatic collection rescans them, which more
than doubled build times. Reference counting still frees everything as usual; cycles made
meanwhile are collected when the collector runs again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def bulk_allocation() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()
