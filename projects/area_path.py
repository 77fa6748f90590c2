"""An area's materialised path (``/district/street/community/grid/building/unit/``, ids from the
district down) as one value: parsed once, its parts named, compared without string surgery."""

from __future__ import annotations

from dataclasses import dataclass

# Where each level sits in a path (the district is the first id).
STREET_DEPTH, COMMUNITY_DEPTH, GRID_DEPTH = 2, 3, 4


@dataclass(frozen=True, slots=True)
class AreaPath:
    ids: tuple[int, ...]  # from the district down to the area itself

    @classmethod
    def parse(cls, path: str) -> AreaPath:
        """``"/1/2/3/"`` → ``AreaPath((1, 2, 3))``; ``"/"`` or ``""`` is the empty path."""
        inside = path.strip("/")
        return cls(tuple(int(part) for part in inside.split("/")) if inside else ())

    def __str__(self) -> str:
        return "/" + "".join(f"{area_id}/" for area_id in self.ids)

    @property
    def area_id(self) -> int:
        """The area's own id (the last)."""
        return self.ids[-1]

    @property
    def level_index(self) -> int:
        """0 for a district, 1 a street, 2 a community, 3 a grid, 4 a building, 5 a unit."""
        return len(self.ids) - 1

    def at(self, depth: int) -> AreaPath | None:
        """The area above (or this one) at ``depth`` ids, if the path is that deep."""
        return AreaPath(self.ids[:depth]) if len(self.ids) >= depth else None

    @property
    def community_id(self) -> int | None:
        """The community the area is in (or is), if it is a community or below one."""
        return self.ids[COMMUNITY_DEPTH - 1] if len(self.ids) >= COMMUNITY_DEPTH else None

    def contains(self, other: AreaPath) -> bool:
        """Is ``other`` this area or under it?"""
        return other.ids[: len(self.ids)] == self.ids
