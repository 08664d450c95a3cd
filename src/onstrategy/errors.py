"""One error hierarchy for every surface.

The CLI prints ``Error:`` and ``Hint:`` and exits 1; the API returns one JSON shape
(``{"error": {"code", "message", "hint", "problems"}}``); the web shows an error page.
A user mistake is always one of these, never a bare traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely enough to fix it."""

    where: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


@dataclass
class OnstrategyError(Exception):
    """Base of every error a user can cause or fix."""

    message: str
    hint: str = ""
    problems: list[Problem] = field(default_factory=list)
    code: str = "error"
    status: int = 400

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "problems": [
                {"where": p.where, "message": p.message, "hint": p.hint} for p in self.problems
            ],
        }


class InvalidInput(OnstrategyError):
    """A file, payload or argument that cannot be used as given."""

    def __init__(self, message: str, hint: str = "", problems: list[Problem] | None = None):
        super().__init__(message, hint, problems or [], code="invalid_input", status=422)


class StrategyInvalid(OnstrategyError):
    """A strategy file with one or more problems (all reported at once)."""

    def __init__(self, source: str, problems: list[Problem]):
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(
            f"{source}: {count} {noun}",
            "fix each line above, then run `onstrategy strategy check` again",
            problems,
            code="strategy_invalid",
            status=422,
        )


class NotFound(OnstrategyError):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message, hint, [], code="not_found", status=404)


class Forbidden(OnstrategyError):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message, hint, [], code="forbidden", status=403)


class Conflict(OnstrategyError):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message, hint, [], code="conflict", status=409)
