"""What the community's rules refuse, as exceptions that ``web`` maps to HTTP in one place.

Each error has a stable ``code`` and an English message template (the msgid that Babel
catalogues translate; ``{name}`` placeholders are filled from ``params``). Its kind, the base
class, says what went wrong: bad input, nothing there, not allowed, or a state that forbids it.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark a message for translation (Babel extracts it) without translating it here."""
    return message


class ProjectError(Exception):
    """``field`` names the input that caused it (a form field, a JSON body's key), so that a page
    shows the message next to that field and the API lists it in ``fields``."""

    code = "error"
    message = N_("Something went wrong.")

    def __init__(self, message: str | None = None, /, *, field: str | None = None, **params: Any):
        self.template = message or type(self).message
        self.params = params
        self.field = field
        super().__init__(self.template.format(**params))


class Invalid(ProjectError):
    code = "invalid_input"
    message = N_("The input is not valid.")


class NotFound(ProjectError):
    code = "not_found"
    message = N_("There is no such {thing}.")


class NotAllowed(ProjectError):
    code = "not_allowed"
    message = N_("You are not allowed to do that.")


class TooLarge(ProjectError):
    code = "too_large"
    message = N_("The request is too large.")


class Unauthenticated(ProjectError):
    code = "unauthenticated"
    message = N_("Sign in first.")


class Conflict(ProjectError):
    code = "conflict"
    message = N_("That conflicts with the current state.")


class WrongState(Conflict):
    code = "wrong_state"
    message = N_("This {thing} is {state}: you cannot {action} it now.")


class BadCredentials(Unauthenticated):
    code = "bad_credentials"
    message = N_("The mobile number or the password is wrong.")


class PhoneTaken(Conflict):
    code = "phone_taken"
    message = N_("The mobile number {phone} is already registered.")


class TaskFull(Conflict):
    code = "task_full"
    message = N_("This task has no place left.")


class AlreadyClaimed(Conflict):
    code = "already_claimed"
    message = N_("You have already claimed this task.")


class OwnWork(NotAllowed):
    code = "own_work"
    message = N_("You cannot {action} your own work.")


class AlreadyRated(Conflict):
    code = "already_rated"
    message = N_("You have already rated this.")


class AlreadySupported(Conflict):
    code = "already_joined"
    message = N_("You have already joined this need.")


class TopOfTree(Conflict):
    code = "cannot_escalate"
    message = N_("The district is the top level: this need cannot be escalated further.")
