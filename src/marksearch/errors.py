"""The one exception tree of marksearch.

::

    MarksearchError                 anything a user can cause; the CLI prints it, exit 2
    ├── InputError                  a file we were asked to read is unusable as a whole
    │   ├── UnsafeXMLError          entity/DTD tricks: refused before anything is expanded
    │   ├── MalformedInputError     truncated, not XML, wrong encoding (names file and position)
    │   └── UnknownFormatError      the format could not be sniffed and none was given
    ├── RecordError                 one record is unusable; it is quarantined, the run goes on
    ├── StoreError                  the register cannot be opened or written
    └── UsageError                  a bad argument (unknown office, class out of range, ...)

Every error carries a message meant for people; ``InputError`` also carries
the source and the position (``line`` and ``column`` where known) so that the
message can say exactly where the problem is.
"""

from __future__ import annotations

__all__ = [
    "InputError",
    "MalformedInputError",
    "MarksearchError",
    "RecordError",
    "StoreError",
    "UnknownFormatError",
    "UnsafeXMLError",
    "UsageError",
]


class MarksearchError(Exception):
    """Base class of every error a user's action can cause."""


class InputError(MarksearchError):
    """A whole input file cannot be read.

    >>> str(InputError("not XML", source="a.xml", line=3, column=7))
    'a.xml:3:7: not XML'
    """

    def __init__(
        self,
        reason: str,
        *,
        source: str,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.reason = reason
        self.source = source
        self.line = line
        self.column = column
        super().__init__(self.where() + ": " + reason)

    def where(self) -> str:
        parts = [self.source]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class UnsafeXMLError(InputError):
    """The XML declares entities or asks for external resources."""


class MalformedInputError(InputError):
    """The input is truncated, not well-formed, empty or wrongly encoded."""


class UnknownFormatError(InputError):
    """The input's format could not be recognised."""


class RecordError(MarksearchError):
    """One record cannot be turned into a normalised record."""


class StoreError(MarksearchError):
    """The register cannot be opened, read or written."""


class UsageError(MarksearchError):
    """An argument is not acceptable."""
