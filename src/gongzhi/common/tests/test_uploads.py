"""Uploads are checked by their bytes, in chunks, with images' pixel counts read from
their headers before anything is decoded; a body over the request cap is refused before it
is read; thumbnails are made once and then read from storage."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import struct
import threading
import zlib
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory
from PIL import Image, ImageFile

from gongzhi.common import uploads as u


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), color: str = "orange") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt)
    return buf.getvalue()


def png_bomb(width: int = 12_000, height: int = 12_000) -> bytes:
    """A valid 1-bit PNG of width × height white... zero pixels: a few tens of kilobytes
    on disk, 144 megapixels (432 MB as RGB) once decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


class EndlessStream(io.RawIOBase):
    """A PNG header followed by zeros for ever; counts what is read."""

    def __init__(self) -> None:
        self.pos = 0
        self.read_total = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = offset
        return offset

    def read(self, n: int = -1) -> bytes:
        assert n > 0, "must read in chunks, never the whole stream"
        head = b"\x89PNG\r\n\x1a\n"
        out = (head[self.pos :] + b"\x00" * n)[:n] if self.pos < len(head) else b"\x00" * n
        self.pos += len(out)
        self.read_total += len(out)
        return out


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any image's pixels are decoded."""

    def refuse(self: Any) -> Any:
        raise AssertionError(f"decoded {self.size} pixels")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


@pytest.mark.parametrize(
    ("fmt", "ctype", "ext"),
    [("JPEG", "image/jpeg", "jpg"), ("PNG", "image/png", "png"), ("WEBP", "image/webp", "webp")],
)
def test_images_are_accepted_with_their_facts(fmt: str, ctype: str, ext: str) -> None:
    data = image_bytes(fmt)
    up = u.upload_check(data, name="现场.jpg")
    assert (up.kind, up.content_type, up.extension) == ("photo", ctype, ext)
    assert (up.size, up.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert (up.width, up.height) == (64, 48)
    assert up.filename == f"{up.sha256[:16]}.{ext}"
    assert up.read() == data == b"".join(up.chunks(100))


def test_pdf_is_accepted() -> None:
    data = b"%PDF-1.4\n" + b"x" * 5000 + b"\n%%EOF"
    up = u.upload_check(data, name="通知.pdf")
    assert (up.kind, up.content_type, up.size, up.width) == ("pdf", "application/pdf", 5015, None)


def test_the_name_says_nothing_the_bytes_decide() -> None:
    with pytest.raises(u.UploadRefused) as exc:
        u.upload_check(b"<html><script>alert(1)</script></html>", name="photo.jpg")
    assert exc.value.error.message == "“photo.jpg”不是图片（JPEG/PNG/WebP）或 PDF 文件"
    # A real PNG named .pdf is a PNG, stored as one.
    up = u.upload_check(image_bytes("PNG"), name="report.pdf")
    assert (up.content_type, up.filename[-4:]) == ("image/png", ".png")


def test_a_jpeg_header_on_garbage_is_broken() -> None:
    with pytest.raises(u.UploadRefused) as exc:
        u.upload_check(b"\xff\xd8\xff\xe0" + b"garbage" * 100, name="x.jpg")
    assert "图片已损坏" in exc.value.error.message


def test_decompression_bomb_is_refused_from_its_header(no_decoding: None) -> None:
    bomb = png_bomb()
    assert len(bomb) < 100_000  # tiny on disk
    with pytest.raises(u.UploadRefused) as exc:
        u.upload_check(bomb, name="bomb.png", field="photos")
    assert exc.value.error.field == "photos"
    assert exc.value.error.message == (
        "“bomb.png”图片尺寸过大（12000×12000 像素），最多 40 百万像素，请缩小后再上传"
    )


def test_pixel_cap_is_inclusive(settings: Any) -> None:
    settings.GONGZHI_MAX_IMAGE_PIXELS = 100
    assert u.upload_check(image_bytes("PNG", (10, 10))).width == 10
    with pytest.raises(u.UploadRefused):
        u.upload_check(image_bytes("PNG", (11, 10)))


def test_an_endless_stream_is_read_only_up_to_the_cap(settings: Any) -> None:
    settings.GONGZHI_MAX_UPLOAD_BYTES = 1024 * 1024
    stream = EndlessStream()
    with pytest.raises(u.UploadRefused) as exc:
        u.upload_check(stream, name="big.png")  # type: ignore[arg-type]
    assert exc.value.error.message == "“big.png”超过 1 MB"
    assert stream.read_total <= 1024 * 1024 + u.CHUNK_BYTES


def test_a_declared_size_over_the_cap_is_refused_without_reading(settings: Any) -> None:
    settings.GONGZHI_MAX_UPLOAD_BYTES = 1024 * 1024
    f = SimpleUploadedFile("a.png", image_bytes("PNG"))
    f.size = 2 * 1024 * 1024  # what Django counted while it streamed the file to disk
    f.file = None  # reading it would fail
    with pytest.raises(u.UploadRefused) as exc:
        u.upload_check(f)
    assert exc.value.error.message == "“a.png”超过 1 MB"


def test_django_upload_files_on_disk_are_checked_and_copied_in_chunks() -> None:
    data = image_bytes("JPEG", (300, 200))
    tmp = TemporaryUploadedFile("门口.jpg", "image/jpeg", len(data), None)
    tmp.write(data)
    tmp.seek(0)
    up = u.upload_check(tmp)
    assert (up.name, up.size, up.width) == ("门口.jpg", len(data), 300)
    name = default_storage.save(f"test-uploads/{up.filename}", up.as_file())
    with default_storage.open(name) as fh:
        assert fh.read() == data
    default_storage.delete(name)


@dataclass
class Named:
    """Like cases' ``Upload``: a name and the bytes."""

    name: str
    content: bytes


def test_uploads_check_collects_every_refusal_and_caps_the_count() -> None:
    good = SimpleUploadedFile("a.jpg", image_bytes("JPEG"))
    accepted, errors = u.uploads_check(
        [good, ("b.txt", b"hello"), ("c.png", png_bomb(9000, 9000)), Named("d.pdf", b"%PDF-1")],
        field="files",
    )
    assert [a.name for a in accepted] == ["a.jpg", "d.pdf"]
    assert [e.field for e in errors] == ["files", "files"]
    assert "“b.txt”不是图片" in errors[0].message and "9000×9000" in errors[1].message
    accepted, errors = u.uploads_check([("x", b"")] * 10, field="files", max_count=9)
    assert accepted == [] and [e.message for e in errors] == ["附件最多 9 个"]


# --- thumbnails ----------------------------------------------------------------------------


def test_thumbnail_is_made_once_then_read_from_storage(monkeypatch: pytest.MonkeyPatch) -> None:
    data = image_bytes("JPEG", (4000, 3000))
    sha = hashlib.sha256(data).hexdigest()
    opened: list[int] = []

    def open_original() -> io.BytesIO:
        opened.append(1)
        return io.BytesIO(data)

    default_storage.delete(u.thumbnail_name(sha, 320))
    first = u.thumbnail_open(sha256=sha, open_original=open_original)
    assert first is not None
    thumb = first.read()
    first.close()
    with Image.open(io.BytesIO(thumb)) as img:
        assert img.format == "JPEG" and max(img.size) == 320
    # The second request decodes nothing and does not open the original.
    monkeypatch.setattr(Image, "open", lambda *a, **k: pytest.fail("decoded again"))
    second = u.thumbnail_open(sha256=sha, open_original=lambda: pytest.fail("opened again"))
    assert second is not None and second.read() == thumb
    second.close()
    assert opened == [1]
    default_storage.delete(u.thumbnail_name(sha, 320))


def test_jpeg_thumbnail_decodes_at_reduced_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    data = image_bytes("JPEG", (4000, 3000))
    decoded: list[tuple[int, int]] = []
    load = ImageFile.ImageFile.load

    def spy(self: Any) -> Any:
        decoded.append(self.size)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    u.thumbnail_make(io.BytesIO(data), size=320)
    assert decoded and max(decoded[0]) <= 500  # 1/8 scale: 500×375, not 4000×3000


def test_no_thumbnail_of_a_bomb_already_stored(no_decoding: None) -> None:
    bomb = png_bomb()
    sha = hashlib.sha256(bomb).hexdigest()
    assert u.thumbnail_open(sha256=sha, open_original=lambda: io.BytesIO(bomb)) is None
    assert not default_storage.exists(u.thumbnail_name(sha, 320))


# --- the request cap -------------------------------------------------------------------------


class Unreadable(io.RawIOBase):
    def read(self, n: int = -1) -> bytes:
        raise AssertionError("the body was read")

    readinto = read  # type: ignore[assignment]


def _call_wsgi(path: str, length: int) -> tuple[str, dict[str, str], bytes]:
    environ = dict(RequestFactory().post(path).environ)
    environ.update(
        {
            "CONTENT_TYPE": "multipart/form-data; boundary=xyz",
            "CONTENT_LENGTH": str(length),
            "wsgi.input": Unreadable(),
        }
    )
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(WSGIHandler()(environ, start_response))  # type: ignore[arg-type]
    return seen["status"], seen["headers"], body


@pytest.mark.django_db  # the handler's request signals look at open connections
def test_a_body_over_the_cap_gets_413_without_being_read() -> None:
    status, headers, body = _call_wsgi("/cases/report/", 400 * 1024 * 1024)
    assert status.startswith("413")
    html = body.decode()
    assert "请求内容过大（超过 100 MB），请减少或压缩附件后重试" in html
    assert headers["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_the_api_gets_413_as_json(settings: Any) -> None:
    settings.GONGZHI_MAX_REQUEST_BYTES = 5 * 1024 * 1024
    status, _, body = _call_wsgi("/api/cases/", 5 * 1024 * 1024 + 1)
    assert status.startswith("413")
    assert json.loads(body) == {
        "code": "too_large",
        "message": "请求内容过大（超过 5 MB），请减少或压缩附件后重试",
    }


def run_in_own_loop(coro: Any) -> None:
    """In a fresh thread: the browser tests' Playwright may hold this thread's loop."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coro)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(10)
    if errors:
        raise errors[0]


def test_asgi_cap_answers_before_django_reads_the_body() -> None:
    called: list[str] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        called.append(scope["path"])

    async def receive() -> dict[str, Any]:
        raise AssertionError("the body was read")

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    app: Any = u.asgi_request_cap(inner)
    big = {"type": "http", "path": "/api/cases/", "headers": [(b"content-length", b"999999999")]}
    run_in_own_loop(app(big, receive, send))
    assert sent[0]["status"] == 413 and called == []
    assert json.loads(sent[1]["body"])["code"] == "too_large"
    small = {"type": "http", "path": "/x/", "headers": [(b"content-length", b"10")]}
    run_in_own_loop(app(small, receive, send))
    assert called == ["/x/"]
