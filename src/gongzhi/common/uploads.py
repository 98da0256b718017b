"""Uploaded files, checked without trusting their size, name or header.

Three layers keep an upload from exhausting a worker's memory:

1. ``RequestSizeLimitMiddleware`` (first in ``MIDDLEWARE``) refuses a request whose
   ``Content-Length`` is over ``GONGZHI_MAX_REQUEST_BYTES`` with 413 before anything reads
   the body; ``asgi_request_cap`` does the same in front of Django's ASGI handler, which
   reads the whole body before any middleware runs. Django's own limits do the rest:
   ``FILE_UPLOAD_MAX_MEMORY_SIZE`` streams bigger files to temporary files on disk and
   ``DATA_UPLOAD_MAX_MEMORY_SIZE`` caps the non-file part of a body.
2. ``upload_check`` reads a file in chunks (never more than the cap), recognises JPEG, PNG,
   WebP and PDF by their bytes, and refuses an image whose header declares more than
   ``GONGZHI_MAX_IMAGE_PIXELS`` before a single pixel is decoded. It returns a
   ``CheckedUpload``: name, kind, content type, size, SHA-256, and the content to store.
3. ``thumbnail_open`` makes a small JPEG once (JPEG decoded at a reduced scale with
   ``Image.draft``) and keeps it in the default storage keyed by the SHA-256, so later
   requests read a few kilobytes and decode nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from gongzhi.common.errors import FieldError

CHUNK_BYTES = 64 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000
DEFAULT_MAX_REQUEST_BYTES = 100 * 1024 * 1024
THUMB_DIR = "thumbs"

PHOTO = "photo"
PDF = "pdf"

# (magic test, kind, content type, extension, Pillow format)
_SIGNATURES: tuple[tuple[Callable[[bytes], bool], str, str, str, str], ...] = (
    (lambda b: b.startswith(b"%PDF-"), PDF, "application/pdf", "pdf", ""),
    (lambda b: b.startswith(b"\xff\xd8\xff"), PHOTO, "image/jpeg", "jpg", "JPEG"),
    (lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"), PHOTO, "image/png", "png", "PNG"),
    (lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP", PHOTO, "image/webp", "webp", "WEBP"),
)


def max_upload_bytes() -> int:
    return int(getattr(settings, "GONGZHI_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def max_image_pixels() -> int:
    return int(getattr(settings, "GONGZHI_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS))


def max_request_bytes() -> int:
    return int(getattr(settings, "GONGZHI_MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES))


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


class UploadRefused(Exception):
    """One file was refused; ``error`` says which and why, in Chinese."""

    def __init__(self, error: FieldError) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass(frozen=True)
class Sniffed:
    kind: str
    content_type: str
    extension: str
    pillow_format: str


def sniff(head: bytes) -> Sniffed | None:
    """What the first bytes of a file say it is (JPEG, PNG, WebP or PDF), or None."""
    for test, kind, ctype, ext, fmt in _SIGNATURES:
        if test(head):
            return Sniffed(kind, ctype, ext, fmt)
    return None


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed ``upload_check``. The content stays where it was (Django's
    in-memory or temporary upload file, or the bytes given): ``open()`` rewinds it."""

    name: str
    kind: str  # "photo" or "pdf"
    content_type: str
    size: int
    sha256: str
    extension: str
    width: int | None
    height: int | None
    _source: IO[bytes]

    @property
    def filename(self) -> str:
        """A storage name that reveals nothing of the original: 16 hex digits of the hash."""
        return f"{self.sha256[:16]}.{self.extension}"

    def open(self) -> IO[bytes]:
        self._source.seek(0)
        return self._source

    def chunks(self, size: int = CHUNK_BYTES) -> Iterator[bytes]:
        fh = self.open()
        while chunk := fh.read(size):
            yield chunk

    def read(self) -> bytes:
        """The whole content (at most the upload cap)."""
        return self.open().read()

    def as_file(self) -> File:
        """For ``FileField.save(upload.filename, upload.as_file())``: the storage copies
        it in chunks."""
        return File(self.open(), name=self.filename)


def _as_stream(source: bytes | IO[bytes] | File) -> IO[bytes]:
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source)
    if isinstance(source, File):
        source.open("rb")
    return source  # type: ignore[return-value]


def upload_check(
    source: bytes | IO[bytes] | File,
    *,
    name: str = "",
    field: str = "attachments",
    max_bytes: int | None = None,
    max_pixels: int | None = None,
) -> CheckedUpload:
    """Check one file by its bytes and return it with its facts, or raise
    ``UploadRefused`` with a Chinese message for ``field``.

    ``source`` is a Django ``UploadedFile`` (``request.FILES[...]``), a binary file
    object or bytes. It is read once in chunks to hash it and count its size, stopping
    as soon as it passes ``max_bytes``; an image's width and height come from its header
    and are checked before anything is decoded."""
    max_bytes = max_upload_bytes() if max_bytes is None else max_bytes
    max_pixels = max_image_pixels() if max_pixels is None else max_pixels
    label = name or getattr(source, "name", "") or _("文件")
    label = str(label)[:200]
    declared = getattr(source, "size", None)
    if isinstance(declared, int) and declared > max_bytes:
        raise UploadRefused(_too_big(field, label, max_bytes))
    stream = _as_stream(source)
    stream.seek(0)
    head = stream.read(16)
    found = sniff(head)
    if found is None:
        raise UploadRefused(
            FieldError(field, _("“%(name)s”不是图片（JPEG/PNG/WebP）或 PDF 文件") % {"name": label})
        )
    digest = hashlib.sha256(head)
    size = len(head)
    while chunk := stream.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise UploadRefused(_too_big(field, label, max_bytes))
        digest.update(chunk)
    width = height = None
    if found.kind == PHOTO:
        stream.seek(0)
        width, height = _image_size(stream, found, field=field, label=label, max_pixels=max_pixels)
    stream.seek(0)
    return CheckedUpload(
        name=label,
        kind=found.kind,
        content_type=found.content_type,
        size=size,
        sha256=digest.hexdigest(),
        extension=found.extension,
        width=width,
        height=height,
        _source=stream,
    )


def _too_big(field: str, label: str, max_bytes: int) -> FieldError:
    return FieldError(
        field,
        _("“%(name)s”超过 %(mb)s MB") % {"name": label, "mb": _megabytes(max_bytes)},
    )


def _image_size(
    stream: IO[bytes], found: Sniffed, *, field: str, label: str, max_pixels: int
) -> tuple[int, int]:
    """Width and height from the header; refuses an image over ``max_pixels`` or one
    Pillow cannot read as the format its bytes claim. Nothing is decoded here: opening
    reads the header, ``verify`` checks the structure (PNG chunk checksums) without
    inflating pixel data."""
    broken = FieldError(field, _("“%(name)s”图片已损坏，无法打开") % {"name": label})
    try:
        with _header_only(stream, found.pillow_format) as img:
            width, height = img.size
            if width * height > max_pixels:
                raise UploadRefused(_too_many_pixels(field, label, width, height, max_pixels))
            img.verify()
    except UploadRefused:
        raise
    except Exception as exc:
        raise UploadRefused(broken) from exc
    return width, height


def pillow() -> Any:
    """Pillow's Image module, bounded: it warns above GONGZHI_MAX_IMAGE_PIXELS and refuses
    twice as many, so anything that opens an image (thumbnails, the 呈报表 PDF) is bounded
    by the upload cap too. Imported here, when an image is first handled, not at start."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = int(getattr(settings, "GONGZHI_MAX_IMAGE_PIXELS", 40_000_000))
    return Image


def _header_only(stream: IO[bytes], pillow_format: str) -> Any:
    """The format's Pillow plugin on ``stream``: it reads the header and decodes nothing.
    ``Image.open`` would do the same, then refuse a big image with its own message and
    no size; the plugin lets the caller say how big."""
    Image = pillow()
    Image.init()
    factory, _accept = Image.OPEN[pillow_format]
    return factory(stream, "")


def _too_many_pixels(
    field: str, label: str, width: int, height: int, max_pixels: int
) -> FieldError:
    message = _(
        "“%(name)s”图片尺寸过大（%(w)d×%(h)d 像素），最多 %(mp)s 百万像素，请缩小后再上传"
    ) % {"name": label, "w": width, "h": height, "mp": f"{max_pixels / 1_000_000:g}"}
    return FieldError(field, message)


def uploads_check(
    sources: Iterable[Any],
    *,
    field: str = "attachments",
    max_count: int | None = None,
) -> tuple[list[CheckedUpload], list[FieldError]]:
    """Check several files: every accepted file and one error per refused file (and one
    for too many files, in which case none is read). ``sources`` are ``UploadedFile``
    objects (``request.FILES.getlist(...)``, unread), ``(name, bytes-or-file)`` pairs, or
    objects with ``name`` and ``content`` (bytes) such as cases' ``Upload``."""
    items = list(sources)
    if max_count is not None and len(items) > max_count:
        return [], [FieldError(field, _("附件最多 %(n)d 个") % {"n": max_count})]
    accepted: list[CheckedUpload] = []
    errors: list[FieldError] = []
    for item in items:
        if isinstance(item, tuple):
            name, source = item
        elif isinstance(getattr(item, "content", None), bytes):
            name, source = item.name, item.content
        else:
            name, source = getattr(item, "name", "") or "", item
        try:
            accepted.append(upload_check(source, name=name, field=field))
        except UploadRefused as exc:
            errors.append(exc.error)
    return accepted, errors


# --- thumbnails ---------------------------------------------------------------------------


def thumbnail_name(sha256: str, size: int) -> str:
    return f"{THUMB_DIR}/{sha256[:2]}/{sha256}-{size}.jpg"


def thumbnail_make(source: IO[bytes], *, size: int = 320, max_pixels: int | None = None) -> bytes:
    """A JPEG no larger than ``size``×``size`` of an image, or raise ``UploadRefused``
    for an image over the pixel cap or one that cannot be read. A JPEG is decoded at
    1/2, 1/4 or 1/8 scale (``draft``), so a 40-megapixel photo costs a few megabytes."""
    from PIL import ImageOps

    pillow()
    limit = max_image_pixels() if max_pixels is None else max_pixels
    try:
        head = source.read(16)
        source.seek(0)
        found = sniff(head)
        if found is None or found.kind != PHOTO:
            raise ValueError("not an image")
        with _header_only(source, found.pillow_format) as img:
            width, height = img.size
            if width * height > limit:
                raise UploadRefused(_too_many_pixels("file", "", width, height, limit))
            if img.format == "JPEG":
                img.draft("RGB", (size, size))
            img.thumbnail((size, size))
            small = ImageOps.exif_transpose(img).convert("RGB")
    except UploadRefused:
        raise
    except Exception as exc:
        raise UploadRefused(FieldError("file", _("图片已损坏，无法打开"))) from exc
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def thumbnail_open(
    *,
    sha256: str,
    open_original: Callable[[], IO[bytes]],
    size: int = 320,
    storage: Storage | None = None,
) -> File | None:
    """The cached thumbnail of the image whose content hashes to ``sha256``, opened for
    reading; made from ``open_original()`` and stored the first time. None when the
    image cannot be made small (over the pixel cap, unreadable)."""
    storage = storage or default_storage
    name = thumbnail_name(sha256, size)
    if not storage.exists(name):
        with open_original() as original:
            try:
                data = thumbnail_make(original, size=size)
            except UploadRefused:
                return None
        saved = storage.save(name, ContentFile(data))
        if saved != name:  # another request stored it meanwhile: keep one copy
            storage.delete(saved)
    return storage.open(name, "rb")


# --- the request body cap -----------------------------------------------------------------


def _declared_length(value: str | bytes | None) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _too_large_message(limit: int) -> str:
    return _("请求内容过大（超过 %(mb)s MB），请减少或压缩附件后重试") % {"mb": _megabytes(limit)}


def request_too_large(request: HttpRequest, limit: int) -> HttpResponse:
    message = _too_large_message(limit)
    wants_json = request.path.startswith("/api/") or "json" in request.headers.get("Accept", "")
    if wants_json:
        return JsonResponse({"code": "too_large", "message": message}, status=413)
    from django.template.loader import render_to_string

    # Rendered without the request: no context processors, no session, no database.
    html = render_to_string("errors/413.html", {"message": message})
    return HttpResponse(html, status=413)


class RequestSizeLimitMiddleware:
    """Refuse a body over ``GONGZHI_MAX_REQUEST_BYTES`` by its declared length, before
    anything reads it. Put it first in ``MIDDLEWARE``. A WSGI server such as granian
    hands Django the body as a stream, so a refused body is never read into memory;
    Django itself never reads past ``Content-Length``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = max_request_bytes()
        if _declared_length(request.META.get("CONTENT_LENGTH")) > limit:
            return request_too_large(request, limit)
        return self.get_response(request)


ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]


def asgi_request_cap(app: ASGIApp) -> ASGIApp:
    """Wrap Django's ASGI application: Django's ASGI handler reads the whole body (into a
    temporary file) before any middleware runs, so the cap must come before it."""

    async def capped(scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") == "http":
            limit = max_request_bytes()
            headers = dict(scope.get("headers") or [])
            if _declared_length(headers.get(b"content-length")) > limit:
                body = json.dumps(
                    {"code": "too_large", "message": _too_large_message(limit)},
                    ensure_ascii=False,
                ).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 413,
                        "headers": [
                            (b"content-type", b"application/json; charset=utf-8"),
                            (b"connection", b"close"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await app(scope, receive, send)

    return capped
