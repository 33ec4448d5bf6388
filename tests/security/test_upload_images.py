"""Issue 21: HEIC/HEIF and animated images (GIF, WebP, APNG) lose their metadata on upload too —
EXIF/GPS, XMP, comments — and animations keep every frame, their durations and loop count.
Real files made here with Pillow (and pillow-heif for HEIC), through the one upload check."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from aftersales.core.upload_checks import heif_brand, image_content_type, strip_image_metadata
from aftersales.tickets.attachments import sniff_upload

GPS_TAG = 0x8825
ORIENTATION = 0x0112
SERIAL = "Model-X SERIAL-12345"
XMP_GPS = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>31,14.2N</exif:GPSLatitude></x:xmpmeta>'
COLOURS = ((200, 20, 20), (20, 200, 20), (20, 20, 200))
DURATIONS = [120, 250, 400]


def exif(*, orientation: int = 1) -> bytes:
    data = Image.Exif()
    data[0x0110] = SERIAL
    data[ORIENTATION] = orientation
    data.get_ifd(GPS_TAG).update({1: "N", 2: (31.0, 14.0, 10.0), 3: "E", 4: (121.0, 28.0, 5.0)})
    return data.tobytes()


def frames(width: int = 40, height: int = 20) -> list[Image.Image]:
    return [Image.new("RGB", (width, height), colour) for colour in COLOURS]


def animated(fmt: str, **metadata: object) -> bytes:
    first, *rest = frames()
    out = io.BytesIO()
    first.save(out, fmt, save_all=True, append_images=rest, duration=DURATIONS, loop=3, **metadata)
    return out.getvalue()


def gif_with_xmp_and_comment() -> bytes:
    """An animated GIF with a comment and an XMP application extension (GIF has no EXIF)."""
    data = animated("GIF", comment=b"shot at 31.2304N 121.4737E")
    xmp = b"!\xff\x0bXMP DataXMP" + XMP_GPS + bytes(range(255, -1, -1)) + b"\x00"  # the magic trailer
    at = data.index(b"!\xf9")  # before the first frame's graphic control
    return data[:at] + xmp + data[at:]


def read_back(data: bytes) -> tuple[Image.Image, list[int], list[tuple[int, int, int]]]:
    image = Image.open(io.BytesIO(data))
    durations, colours = [], []
    for index in range(image.n_frames):
        image.seek(index)
        image.load()
        durations.append(int(image.info.get("duration", 0)))
        colours.append(image.convert("RGB").getpixel((5, 5)))
    image.seek(0)
    return image, durations, colours


def assert_no_metadata(data: bytes, image: Image.Image) -> None:
    assert SERIAL.encode() not in data and b"GPSLatitude" not in data and b"121.4737" not in data
    assert not image.getexif()
    assert not any(image.info.get(key) for key in ("exif", "xmp", "comment"))


def upload(data: bytes, name: str) -> tuple[ContentFile, bytes]:
    fileobj = ContentFile(data, name=name)
    sniff_upload(fileobj, field="photo")
    fileobj.seek(0)
    return fileobj, fileobj.read()


def near(colour: tuple[int, int, int], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 24 for a, b in zip(colour, expected, strict=True))


@pytest.mark.parametrize(
    ("fmt", "name", "metadata"),
    [
        ("WEBP", "a.webp", {"exif": exif(), "xmp": XMP_GPS}),
        ("PNG", "a.png", {"exif": exif()}),  # an animated PNG (APNG)
    ],
)
def test_an_animated_webp_or_png_loses_exif_and_keeps_every_frame(fmt, name, metadata):
    original = animated(fmt, **metadata)
    assert SERIAL.encode() in original  # Pillow wrote the metadata
    _file, data = upload(original, name)
    image, durations, colours = read_back(data)
    assert_no_metadata(data, image)
    assert image.format == fmt and image.n_frames == 3 and image.size == (40, 20)
    assert durations == DURATIONS and image.info.get("loop") == 3
    assert all(near(c, e) for c, e in zip(colours, COLOURS, strict=True))


def test_an_animated_gif_loses_its_xmp_and_comments_and_keeps_every_frame():
    original = gif_with_xmp_and_comment()
    with Image.open(io.BytesIO(original)) as image:
        assert image.info.get("comment") and b"XMP DataXMP" in original  # the metadata is really there
    _file, data = upload(original, "a.gif")
    image, durations, colours = read_back(data)
    assert_no_metadata(data, image)
    assert b"XMP" not in data and b"shot at" not in data
    assert image.format == "GIF" and image.n_frames == 3 and durations == DURATIONS and image.info.get("loop") == 3
    assert all(near(c, e) for c, e in zip(colours, COLOURS, strict=True))
    assert strip_image_metadata(data, "image/gif") is None  # clean: not re-encoded again


def test_an_animation_applies_its_orientation_to_every_frame():
    _file, data = upload(animated("WEBP", exif=exif(orientation=6)), "r.webp")
    image, _durations, _colours = read_back(data)
    assert image.size == (20, 40) and image.n_frames == 3 and not image.getexif()


def test_animations_without_metadata_are_left_alone():
    for fmt, content_type in (("WEBP", "image/webp"), ("GIF", "image/gif"), ("PNG", "image/png")):
        plain = animated(fmt)
        assert strip_image_metadata(plain, content_type) is None, fmt
    plain = animated("WEBP")
    _file, data = upload(plain, "plain.webp")
    assert data == plain


def test_xmp_before_the_loop_extension_of_a_gif_is_found_too():
    data = animated("GIF")
    xmp = b"!\xff\x0bXMP DataXMP" + XMP_GPS + bytes(range(255, -1, -1)) + b"\x00"
    at = data.index(b"!\xff\x0bNETSCAPE")
    _file, cleaned = upload(data[:at] + xmp + data[at:], "x.gif")
    assert b"XMP" not in cleaned and b"GPSLatitude" not in cleaned
    assert Image.open(io.BytesIO(cleaned)).n_frames == 3


def heic_with_gps(width: int = 40, height: int = 20) -> bytes:
    pillow_heif = pytest.importorskip("pillow_heif", reason="pillow-heif (requirements) reads and writes HEIC")
    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (width, height), COLOURS[0]).save(out, "HEIF", exif=exif(), quality=90)
    return out.getvalue()


def test_a_heic_photo_is_recognised_and_loses_exif_and_gps():
    original = heic_with_gps()
    assert heif_brand(original) and SERIAL.encode() in original
    assert image_content_type(original, "video/mp4") == "image/heic"  # the sniffers say mp4
    sniffed = sniff_upload(ContentFile(original, name="IMG_0001.HEIC"), field="photo")
    assert (sniffed.content_type, sniffed.extension) == ("image/heic", ".heic")  # kept as a photo, not as an .mp4
    _file, data = upload(original, "IMG_0001.HEIC")
    assert heif_brand(data) and SERIAL.encode() not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "HEIF" and image.size == (40, 20)
        assert not image.getexif() and not image.info.get("exif") and not image.info.get("xmp")
        assert near(image.convert("RGB").getpixel((5, 5)), COLOURS[0])


def test_an_mp4_video_is_not_taken_for_a_heic_photo():
    mp4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00\x00\x00\x08free"
    assert not heif_brand(mp4) and image_content_type(mp4, "video/mp4") == "video/mp4"
    assert strip_image_metadata(mp4, "video/mp4") is None


def test_an_animation_too_large_to_clean_is_refused_naming_the_field(monkeypatch):
    from aftersales.core import upload_images
    from aftersales.core.errors import ValidationFailed

    monkeypatch.setattr(upload_images, "MAX_ANIMATION_PIXELS", 40 * 20 * 2)  # two frames' worth
    with pytest.raises(ValidationFailed) as refused:
        upload(animated("WEBP", exif=exif()), "big.webp")
    assert refused.value.code == "attachment_unreadable" and "photo" in refused.value.errors


def test_a_transparent_gif_stays_transparent():
    image = Image.new("P", (8, 8), 1)
    image.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    out = io.BytesIO()
    image.save(out, "GIF", transparency=1, comment=b"GPS 31.2N")
    _file, data = upload(out.getvalue(), "t.gif")
    with Image.open(io.BytesIO(data)) as cleaned:
        assert b"GPS" not in data and "transparency" in cleaned.info
        assert cleaned.convert("RGBA").getpixel((3, 3))[3] == 0  # still see-through
