"""Badge image uploads are judged by their content: PNG or a harmless SVG, at most 512 KB."""

from __future__ import annotations

import struct
import zlib

import pytest

from app.services import badge_images
from app.services.errors import InvalidInput


def _png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        badge_images.PNG_MAGIC
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PNG = _png()
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    b'width="96" height="96" viewBox="0 0 96 96">'
    b'<defs><circle id="c" cx="48" cy="48" r="40"/></defs>'
    b'<use xlink:href="#c" fill="#00754a"/>'
    b'<text x="48" y="54" text-anchor="middle" fill="#fff">OSU</text></svg>'
)
SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96">'
    b'<circle cx="48" cy="48" r="40"/><script>alert(document.cookie)</script></svg>'
)


def _refusal(data: bytes) -> str:
    with pytest.raises(InvalidInput) as exc:
        badge_images.check(data)
    assert list(exc.value.errors) == ["badge_image"]
    return exc.value.errors["badge_image"][0]


def test_a_png_is_accepted():
    assert badge_images.check(PNG) == "png"


def test_an_svg_drawing_is_accepted():
    assert badge_images.check(SVG) == "svg"


def test_an_svg_with_a_script_is_refused():
    assert "script" in _refusal(SVG_WITH_SCRIPT)


def test_a_script_in_another_namespace_prefix_is_refused():
    data = b'<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:script>alert(1)</s:script></s:svg>'
    assert "script" in _refusal(data)


def test_an_event_handler_attribute_is_refused():
    data = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1"/></svg>'
    assert "onload" in _refusal(data)


def test_foreign_object_is_refused():
    data = (
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div>hi</div>'
        b"</foreignObject></svg>"
    )
    assert "foreignObject" in _refusal(data)


@pytest.mark.parametrize(
    "href",
    [
        b'xlink:href="https://evil.example/x.svg#a"',
        b'href="javascript:alert(1)"',
        b'xlink:href="data:text/html;base64,PHNjcmlwdD4="',
    ],
)
def test_a_link_outside_the_image_is_refused(href):
    data = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b"<image " + href + b"/></svg>"
    )
    assert "outside" in _refusal(data)


def test_an_inline_image_link_is_accepted():
    data = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<image xlink:href="data:image/png;base64,iVBORw0KGgo="/></svg>'
    )
    assert badge_images.check(data) == "svg"


def test_an_entity_expansion_is_refused():
    data = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&a;&a;</text></svg>'
    )
    assert "not a PNG or SVG" in _refusal(data)


def test_an_oversized_image_is_refused():
    big = PNG + b"\x00" * (badge_images.MAX_BYTES - len(PNG) + 1)
    assert "larger than 512 KB" in _refusal(big)
    assert badge_images.check(PNG + b"\x00" * (badge_images.MAX_BYTES - len(PNG))) == "png"


def test_a_png_that_is_really_text_is_refused():
    assert "not a PNG or SVG" in _refusal(b"Just some text, saved as badge.png\n")


def test_other_xml_and_empty_files_are_refused():
    assert "not a PNG or SVG" in _refusal(b"<html><body>hi</body></html>")
    assert "empty" in _refusal(b"")
    assert "not a valid PNG" in _refusal(badge_images.PNG_MAGIC + b"garbage!")


def test_saving_stores_one_file_by_content(app, tmp_path):
    app.config["BADGE_IMAGE_DIR"] = str(tmp_path)
    name = badge_images.save(7, PNG)
    assert name == badge_images.stored_name(PNG, "png") and name.endswith(".png")
    assert (tmp_path / "7" / name).read_bytes() == PNG
    assert badge_images.save(7, PNG) == name
    assert [p.name for p in (tmp_path / "7").iterdir()] == [name]
    assert badge_images.name_in_url(f"https://x.example/badge-images/{name}") == name
    assert badge_images.name_in_url("https://x.example/badge-images/../../etc/passwd") is None


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import "https://evil.example/x.css";'
        b"</style></svg>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>rect{fill:url(https://evil.example/p)}'
        b"</style><rect/></svg>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url( //evil.example/p)"/>'
        b"</svg>",
    ],
)
def test_css_that_loads_from_elsewhere_is_refused(svg):
    assert "outside itself" in _refusal(svg)


def test_css_pointing_inside_the_image_is_accepted():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg"><defs><linearGradient id="g"/></defs>'
        b"<style>rect{fill:url(#g)}</style><rect style=\"fill:url('#g')\"/></svg>"
    )
    assert badge_images.check(svg) == "svg"


def test_a_file_claiming_to_be_png_but_holding_svg_script_is_refused():
    # The name and the claimed type are never trusted: the content decides.
    assert "script" in _refusal(SVG_WITH_SCRIPT)
    assert "not a PNG or SVG" in _refusal(b"GIF89a\x01\x00\x01\x00" + b"\x00" * 20)
