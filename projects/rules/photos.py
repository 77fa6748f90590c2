"""Who may remove a photo. Who may see one is its item's rule (a need's, a claim's): a photo is
served to exactly those who may see the need or the claim it belongs to."""

from __future__ import annotations

from dataclasses import dataclass

from projects import errors
from projects.access import Actor
from projects.errors import N_


@dataclass(frozen=True, slots=True)
class PhotoFacts:
    uploaded_by: int
    area_path: str  # where its item is: the need's area, or the area of the claim's task
    item_open: bool  # its need is still open, or its claim's work not yet decided


def remove(actor: Actor, photo: PhotoFacts) -> errors.ProjectError | None:
    """Whoever added it, while its item is open; staff of the area at any time (a photo that
    should not be there). Either way the removal is traced."""
    if actor.is_staff(photo.area_path):
        return None
    if photo.uploaded_by != actor.member_id:
        return errors.NotAllowed(N_("Only whoever added a photo, or staff, can remove it."))
    if not photo.item_open:
        return errors.Conflict(N_("This is decided now: its photos stay (staff can remove one)."))
    return None
