"""Where photos' files live: one directory (LINLI_MEDIA_DIR) that every worker of a deployment
shares, holding write-once files named by random keys. The app says where at start-up
(``use``), as it opens the database; the database says which files exist and who may see them.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600
KINDS = {"image": ".jpg", "thumbnail": ".thumb.jpg"}

_root: Path | None = None


def use(root: Path) -> Path:
    """Keep the files under ``root`` from now on (made if missing, its owner's alone)."""
    global _root
    root = Path(root)
    (root / "photos").mkdir(parents=True, exist_ok=True, mode=DIRECTORY_MODE)
    _root = root
    return root


def root() -> Path:
    if _root is None:
        raise RuntimeError("the media directory is not set: call projects.media.use() at start-up")
    return _root


def new_key() -> str:
    """A file's name: 128 random bits, so that no file is found from another's name."""
    return secrets.token_hex(16)


def path_of(key: str, kind: str = "image", under: Path | None = None) -> Path:
    """Where a file is (two levels, so that no one folder holds every photo)."""
    if not (len(key) == 32 and all(char in "0123456789abcdef" for char in key)):
        raise ValueError(f"not a media key: {key!r}")
    return (under or root()) / "photos" / key[:2] / f"{key}{KINDS[kind]}"


def write(key: str, kind: str, data: bytes) -> Path:
    """Write a file whole or not at all: a temporary file, flushed to disk, then renamed."""
    path = path_of(key, kind)
    path.parent.mkdir(parents=True, exist_ok=True, mode=DIRECTORY_MODE)
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def remove(key: str) -> None:
    """Remove a photo's files (gone already: nothing to do)."""
    for kind in KINDS:
        path_of(key, kind).unlink(missing_ok=True)


def files(under: Path | None = None) -> list[Path]:
    """Every photo file under the media directory, for a backup."""
    folder = (under or root()) / "photos"
    return sorted(path for path in folder.glob("*/*.jpg") if path.is_file())
