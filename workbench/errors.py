"""The project's one error type: a code, a message naming the bad value and what is valid."""

from __future__ import annotations

from collections.abc import Iterable


class WorkbenchError(ValueError):
    """A problem the caller can fix; ``code`` is stable, ``message`` says what and how.

    It is a ``ValueError`` so that plain Python callers can catch it as one.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


def invalid(
    param: str, value: object, valid: str | Iterable[object], code: str = "invalid_parameter"
) -> WorkbenchError:
    """An error for a bad parameter value, naming the parameter, the value and what is valid."""
    if not isinstance(valid, str):
        choices = [str(v) for v in valid]
        shown = ", ".join(choices[:100]) + (
            f", … ({len(choices)} in all)" if len(choices) > 100 else ""
        )
        valid = f"one of: {shown}"
    return WorkbenchError(code, f"{param}: invalid value {value!r}; expected {valid}")
