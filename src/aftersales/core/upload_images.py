"""Photos re-saved without their metadata (issue 21; called by ``upload_checks``).

A JPEG, PNG, GIF, WebP or HEIC/HEIF photo is re-saved without EXIF (GPS, camera serial), XMP,
comments or text chunks, with its EXIF orientation applied to the pixels first. Animated images
(GIF, WebP, APNG) keep every frame, each frame's duration and the loop count: the frames are
re-encoded from Pillow's composited frames, nothing of the original file's chunks is copied.

HEIC/HEIF (iPhone photos) is read and written through pillow-heif (libheif); the file type
sniffers name a HEIF file ``video/mp4`` (both are ISO base media files), so it is recognised by
its ``ftyp`` brand (``heif_brand``). Without pillow-heif a HEIF photo is refused
(``HeifUnsupported``), never stored with its metadata.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from PIL import Image, ImageSequence

STRIPPED_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "image/heic": "HEIF",
    "image/heif": "HEIF",
}
_METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "icc_profile_comment")
# A GIF application extension other than the loop count's is data of some program: removed.
_GIF_LOOP_EXTENSIONS = (b"NETSCAPE2.0", b"ANIMEXTS1.0")
# The brands of an ISO base media file that is a HEIF image (HEVC, still or sequence, or the
# generic "mif1"/"msf1" structures); an AVIF ("avif") is not accepted as an upload.
HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"})
# The pixels of all frames of an animation together (each frame is decoded in full).
MAX_ANIMATION_PIXELS = 120_000_000
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class HeifUnsupported(ValueError):
    """A HEIC/HEIF photo while pillow-heif is not installed: refused (it cannot be cleaned)."""


def heif_brand(data: bytes) -> bool:
    """Is ``data`` a HEIF image (``ftyp`` box with a HEIF major or compatible brand)?"""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return False
    size = int.from_bytes(data[:4], "big")
    box = data[8 : min(max(size, 16), 256)]
    brands = [box[0:4]] + [box[i : i + 4] for i in range(8, len(box) - 3, 4)]
    return any(brand in HEIF_BRANDS for brand in brands)


def image_content_type(data: bytes, content_type: str) -> str:
    """``content_type`` as sniffed, corrected for a HEIF photo sniffed as ``video/mp4``."""
    if content_type == "video/mp4" and heif_brand(data):
        return "image/heic"
    return content_type


def _register_heif() -> None:
    try:
        import pillow_heif  # late: optional, and registering the opener costs time at start-up
    except ImportError:
        raise HeifUnsupported("pillow-heif is not installed") from None
    pillow_heif.register_heif_opener()


def _info_has_metadata(info: Mapping[Any, Any]) -> bool:
    if any(info.get(key) for key in _METADATA_KEYS):
        return True
    extension = info.get("extension")
    return bool(extension and not bytes(extension[0]).startswith(_GIF_LOOP_EXTENSIONS))


def _has_metadata(image: Image.Image) -> bool:
    if _info_has_metadata(image.info):
        return True
    if image.format == "PNG" and getattr(image, "text", None):
        return True
    return bool(len(image.getexif()))


def _gif_blocks_have_metadata(data: bytes) -> bool:
    """A comment or an application extension (XMP…) other than the loop count's anywhere in a
    GIF (Pillow keeps only the last application extension of the first frame in ``info``). A
    match inside image data only costs a re-encode."""
    if b"!\xfe" in data:
        return True
    at = data.find(b"!\xff\x0b")
    while at != -1:
        if not data[at + 3 : at + 14].startswith(_GIF_LOOP_EXTENSIONS):
            return True
        at = data.find(b"!\xff\x0b", at + 3)
    return False


def _frames_have_metadata(image: Image.Image) -> bool:
    if _has_metadata(image):
        return True
    if getattr(image, "n_frames", 1) == 1:
        return False
    try:
        return any(_info_has_metadata(frame.info) for frame in ImageSequence.Iterator(image))  # a comment on any frame
    finally:
        image.seek(0)


def _options(fmt: str, image: Image.Image) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if fmt == "JPEG":
        options = {"quality": 92, "optimize": True}
    elif fmt in ("WEBP", "HEIF"):
        options = {"quality": 92}
    icc = image.info.get("icc_profile")
    if icc and fmt != "GIF":
        options["icc_profile"] = icc  # colours stay right; an ICC profile says nothing of the person
    return options


def _clean(frame: Image.Image, method: Image.Transpose | None, fmt: str) -> Image.Image:
    clean = frame.transpose(method) if method is not None else frame.copy()
    # Nothing of the original's metadata is carried into the new file; transparency is pixels.
    clean.info = {key: frame.info[key] for key in ("transparency",) if key in frame.info}
    if (fmt == "JPEG" and clean.mode not in ("RGB", "L", "CMYK")) or (fmt == "HEIF" and clean.mode not in ("RGB", "RGBA")):
        clean = clean.convert("RGB")
    return clean


def _animated(image: Image.Image, fmt: str, method: Image.Transpose | None) -> bytes:
    frames: list[Image.Image] = []
    durations: list[int] = []
    for frame in ImageSequence.Iterator(image):
        frame.load()  # a WebP frame's duration is known once it is decoded
        durations.append(int(frame.info.get("duration", 100) or 100))
        frames.append(_clean(frame, method, fmt))
    options = _options(fmt, image)
    options.update(save_all=True, append_images=frames[1:], duration=durations, loop=int(image.info.get("loop", 0) or 0))
    if fmt == "WEBP":
        options["lossless"] = False
    out = io.BytesIO()
    frames[0].save(out, format=fmt, **options)
    return out.getvalue()


def strip_image_metadata(data: bytes, content_type: str) -> bytes | None:
    """The photo re-saved without metadata (orientation applied), or ``None`` when it carries
    none (nothing to do: a second pass does not re-encode) or is not a stripped format.
    ``HeifUnsupported`` for a HEIF photo without pillow-heif; ``OSError``/``ValueError`` for
    one that cannot be read."""
    fmt = STRIPPED_FORMATS.get(image_content_type(data, content_type))
    if fmt is None:
        return None
    if fmt == "HEIF":
        _register_heif()
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        if width * height * int(getattr(image, "n_frames", 1)) > MAX_ANIMATION_PIXELS:
            raise ValueError("animation too large to clean")  # each frame would be decoded in full
        if not (_frames_have_metadata(image) or (fmt == "GIF" and _gif_blocks_have_metadata(data))):
            return None
        method = _TRANSPOSE.get(image.getexif().get(0x0112, 1))
        if getattr(image, "n_frames", 1) > 1 and fmt != "HEIF":
            return _animated(image, fmt, method)
        upright = _clean(image, method, fmt)
        out = io.BytesIO()
        upright.save(out, format=fmt, **_options(fmt, image))
        return out.getvalue()
