"""marksearch: open, self-hostable trademark search across offices and scripts.

The data flows one way: office file -> reader (:mod:`marksearch.formats`) ->
normalised :class:`~marksearch.records.Record` -> text keys
(:mod:`marksearch.text`) -> store (:mod:`marksearch.store`).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
