"""The one error type that rejects a whole import. It always names the file and, where it can,
the line, member or field, because a caseworker must be able to find what went wrong."""

from __future__ import annotations

from amparo.errors import AmparoError


class ImportRejected(AmparoError):
    """The input cannot be imported; nothing was stored."""

    def __init__(self, file: str, message: str, *, where: str | None = None) -> None:
        self.file = file
        self.where = where
        self.reason = message
        location = f"{file}, {where}" if where else file
        super().__init__(f"{location}: {message}")
