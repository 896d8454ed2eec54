"""The public photo of a person: a copy made for publication, never the evidence file.

The evidence file is decoded and its pixels alone are drawn into a new image: turned
upright first (its EXIF orientation), brought to sRGB when it carries a colour profile,
made at most `MAX_SIDE` pixels on its longer side and encoded as a baseline JPEG. Nothing
of the file but its pixels goes over: no EXIF (camera, time, GPS position), XMP, IPTC or
Photoshop blocks, ICC profile, comment, thumbnail or MakerNote. `clean_jpeg_problems`
reads the result back and refuses it if any such block is found, so a later change of
the encoder cannot leak one unnoticed.

Only the raster formats below are decoded (Pillow's other decoders are never reached
by a file chosen here), and an image over `MAX_PIXELS` is refused from its header,
before any pixel is decoded (a decompression bomb).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from PIL.Image import Image

MAX_SIDE = 800
MAX_PIXELS = 50_000_000
QUALITY = 85
# What the photo may be made from: Pillow format name -> the evidence's sniffed type.
FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "TIFF": "image/tiff",
    "BMP": "image/bmp",
}
CONTENT_TYPE = "image/jpeg"
# JPEG segments that carry metadata: APP1 (EXIF, XMP), APP2 (ICC, FlashPix, MPF),
# APP3-APP15 (maker blocks, APP13 Photoshop/IPTC, APP14 Adobe), COM (comments).
_METADATA_MARKERS = {0xE1 + n: f"APP{n + 1}" for n in range(15)} | {0xFE: "COM"}


class PhotoRefused(ValueError):
    """The file cannot become a public photo (the message says why, for the page)."""


@dataclass(frozen=True)
class DerivedPhoto:
    data: bytes
    sha256: str
    width: int
    height: int


def derive(source: BinaryIO) -> DerivedPhoto:
    """The public copy of an image file, or PhotoRefused."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # The size is checked below, before decoding; the warning would only repeat it.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            original = Image.open(source, formats=list(FORMATS))
            if original.width * original.height > MAX_PIXELS:
                raise PhotoRefused(
                    _("The image is too large to publish (%(w)s × %(h)s pixels; at most %(max)s million).")
                    % {"w": original.width, "h": original.height, "max": MAX_PIXELS // 1_000_000}
                )  # fmt: skip
            if original.format == "JPEG":
                original.draft("RGB", (MAX_SIDE * 2, MAX_SIDE * 2))  # decode at a reduced scale
            original.seek(0)  # the first frame of an animation
            upright = ImageOps.exif_transpose(original)
            pixels = _srgb(upright)
            pixels.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError) as error:
        raise PhotoRefused(
            _("Only a JPEG, PNG, WebP, GIF, TIFF or BMP image can be published.")
        ) from error
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise PhotoRefused(
            _("The image could not be read: it is damaged or incomplete.")
        ) from error
    # A new image from the pixels alone: nothing of the original's `info` can follow.
    bare = Image.frombytes("RGB", pixels.size, pixels.tobytes())
    out = io.BytesIO()
    bare.save(out, "JPEG", quality=QUALITY, optimize=True)
    data = out.getvalue()
    problems = clean_jpeg_problems(data)
    if problems:  # never expected: the encoder wrote a block it was not given
        raise PhotoRefused(_("The public copy kept metadata (%(what)s); it was not made.")
                           % {"what": ", ".join(problems)})  # fmt: skip
    return DerivedPhoto(data, hashlib.sha256(data).hexdigest(), bare.width, bare.height)


def _srgb(image: Image) -> Image:
    """The pixels in RGB, through the image's colour profile when it has one; a
    transparent background becomes white."""
    from PIL import Image as PILImage
    from PIL import ImageCms

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = PILImage.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = PILImage.alpha_composite(background, rgba)
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            converted = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGB",
            )
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the pixels as they are
    return image.convert("RGB")


def clean_jpeg_problems(data: bytes) -> list[str]:
    """The metadata blocks found in a JPEG's header segments (empty when clean).

    >>> clean_jpeg_problems(b"\\xff\\xd8\\xff\\xe1\\x00\\x08Exif\\x00\\x00\\xff\\xda")
    ['APP1']
    >>> clean_jpeg_problems(b"\\xff\\xd8\\xff\\xe0\\x00\\x04JF\\xff\\xda")
    []
    """
    found: list[str] = []
    at = 2
    if not data.startswith(b"\xff\xd8"):
        return ["not a JPEG"]
    while at + 2 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xDA:  # start of scan: the header segments are over
            return found
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if marker in _METADATA_MARKERS:
            found.append(_METADATA_MARKERS[marker])
        at += 2 + length
    return found or ["no image data"]
