"""Image thumbnails: separate working copies, made on first request; originals untouched."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from aigak.evidence.models import Evidence
from aigak.evidence.storage import store, thumbnails_dir

SIZE = (320, 320)
# Refuse decompression bombs: no thumbnail of an image over 50 megapixels (its size is
# read from the header, before any pixel is decoded).
MAX_PIXELS = 50_000_000


def thumbnail_path(evidence: Evidence) -> Path | None:
    """A JPEG thumbnail of an image (made now if missing), or None if there can't be one."""
    if evidence.kind != "image":
        return None
    target = thumbnails_dir() / f"{evidence.sha256}.jpg"
    if target.is_file():
        return target
    try:
        from PIL import Image, ImageOps
    except ImportError:  # Pillow is optional; pages then show no thumbnails
        return None
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    partial = target.with_suffix(f".{os.getpid()}.part")
    try:
        with store().open(evidence.sha256) as source, warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # checked next
            original = Image.open(source)
            if original.width * original.height > MAX_PIXELS:
                return None
            image = ImageOps.exif_transpose(original)
            image.thumbnail(SIZE)
            image.convert("RGB").save(partial, "JPEG", quality=80)
        os.replace(partial, target)
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        partial.unlink(missing_ok=True)
        return None
    return target
