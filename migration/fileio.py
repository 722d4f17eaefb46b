"""Atomic, deterministic file writing: temp file in the same folder, then rename."""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

import orjson


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the new, never half."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); give it the usual permissions for new files
        os.chmod(tmp, 0o666 & ~_current_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


MAX_STREAM_BYTES = int(os.environ.get("UTFLYTT_MAX_INPUT_BYTES", str(4 * 1024**3)))
"""The most utflytt reads from an input that is not a regular file (a pipe such as
``<(git show HEAD:build/plan.json)``, a device): ``/dev/zero`` must not eat the memory."""
_CHUNK = 1 << 20


def read_input_text(path: str | Path, noun: str, kind: str) -> str:
    """An input file's text (UTF-8): :class:`InputFileError` names the file and the reason
    (cannot read, binary, larger than :data:`MAX_STREAM_BYTES` from a pipe or device).

    A regular file is read at once; anything else in chunks, each checked for NUL bytes, so
    that ``/dev/zero`` or ``/dev/urandom`` is refused at its first megabyte."""
    from migration.errors import InputFileError

    file = Path(path)
    raw = read_input_bytes(file, noun, kind)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{file}: not {kind} (binary byte at offset {exc.start})") from None


def read_input_bytes(path: str | Path, noun: str, kind: str) -> bytes:
    """An input file's bytes, bounded as in :func:`read_input_text`."""
    from migration.errors import InputFileError

    file = Path(path)
    try:
        if file.is_file() or file.is_dir():  # a folder: the OS error names it
            return file.read_bytes()
        return _read_stream(file, kind)
    except OSError as exc:
        raise InputFileError(f"{file}: cannot read {noun}: {exc.strerror}") from None


def _read_stream(file: Path, kind: str) -> bytes:
    from migration.errors import InputFileError

    chunks: list[bytes] = []
    size = 0
    with file.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            if b"\0" in chunk:
                offset = size + chunk.index(b"\0")
                raise InputFileError(f"{file}: not {kind} (binary byte at offset {offset})")
            size += len(chunk)
            if size > MAX_STREAM_BYTES:
                raise InputFileError(
                    f"{file}: not {kind} (more than {MAX_STREAM_BYTES:,} bytes; raise "
                    "UTFLYTT_MAX_INPUT_BYTES if it really is)"
                )
            chunks.append(chunk)
    return b"".join(chunks)


def read_json_input(path: str | Path, noun: str, kind: str, bad_json: str = "not JSON") -> Any:
    """A JSON input file's value; :class:`InputFileError` names the file and what is wrong.

    ``noun`` names the file in "cannot read <noun>", ``kind`` in "not <kind> (binary byte
    …)", ``bad_json`` prefixes the parser's own message with its line and column.
    """
    from migration.errors import InputFileError

    file = Path(path)
    text = read_input_text(file, noun, kind)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{file}:{exc.lineno}:{exc.colno}: {bad_json}: {exc.msg}") from None
    except RecursionError:  # thousands of nested [ or {: no file utflytt writes looks so
        raise InputFileError(f"{file}: not {kind} (nested too deeply)") from None


def dumps_json(value: Any) -> str:
    """Canonical JSON: sorted keys, two-space indent, UTF-8 text, trailing newline."""
    return _encode(value).decode("utf-8") + "\n"


def json_bytes(value: Any, rows: Mapping[str, Iterable[list[Any]]] | None = None) -> bytes:
    """:func:`dumps_json` as UTF-8 bytes, made directly (no text copy of a large document);
    ``rows`` as in :func:`write_json_rows`."""
    if rows is None:
        return _encode(value, orjson.OPT_APPEND_NEWLINE)
    buffer = io.BytesIO()
    write_json_rows(buffer, value, rows)
    return buffer.getvalue()


def write_json_rows(
    handle: IO[bytes], value: dict[str, Any], rows: Mapping[str, Iterable[list[Any]]]
) -> None:
    """Canonical JSON (as :func:`dumps_json`) of ``value`` with top-level lists given as
    ``rows`` = {key: chunks of its rows}, written into ``handle`` one chunk at a time: a
    300,000-row list never exists as JSON-ready values, nor as one text, at once. The
    bytes are those of the whole document."""
    head = _encode({**value, **{key: [] for key in rows}}, orjson.OPT_APPEND_NEWLINE)
    spots = []
    for key in rows:
        empty = b'\n  "' + key.encode() + b'": []'  # a member at indent 1: once in the text
        spots.append((head.index(empty) + len(empty) - 1, key))
    view = memoryview(head)
    done = 0
    for at, key in sorted(spots):
        handle.write(view[done:at])  # up to and including the list's "["
        first = True
        for chunk in rows[key]:
            if chunk:
                text = _encode({key: chunk})  # '{\n  "key": [\n    rows at indent 4\n  ]\n}'
                handle.write(b"\n" if first else b",\n")
                handle.write(memoryview(text)[text.index(b"[\n") + 2 : text.rindex(b"\n  ]")])
                first = False
        if not first:
            handle.write(b"\n  ")
        done = at
    handle.write(view[done:])


_ORJSON_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS


def _encode(value: Any, extra: int = 0) -> bytes:
    """The canonical JSON of ``value`` as UTF-8 bytes (no trailing newline).

    orjson writes the bytes ``json.dumps(value, sort_keys=True, indent=2,
    ensure_ascii=False)`` would, some 30x faster (plan.json at 100k servers: seconds, not
    tens of seconds), except that floats below 1e-4 read ``0.00001`` instead of ``1e-05``
    (the same number). Values orjson refuses (non-string keys, integers past 64 bits) go
    through the standard library, so nothing that encoded before fails now.
    """
    try:
        return orjson.dumps(value, option=_ORJSON_OPTIONS | extra)
    except (orjson.JSONEncodeError, TypeError):
        text = json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)
        return (text + ("\n" if extra & orjson.OPT_APPEND_NEWLINE else "")).encode("utf-8")


def write_json(path: str | Path, value: Any) -> Path:
    """Write canonical JSON atomically."""
    return write_atomic(path, dumps_json(value))


def json_writer(make: Callable[[], Any]) -> Callable[[IO[bytes]], None]:
    """Canonical JSON (as :func:`dumps_json`) of ``make()`` streamed into a binary file.

    The value is made only when the file is written, and dropped after it.
    """

    def write(handle: IO[bytes]) -> None:
        handle.write(_encode(make()))
        handle.write(b"\n")

    return write


def json_object_writer(
    keys: Iterable[str], value_of: Callable[[str], Any]
) -> Callable[[IO[bytes]], None]:
    """Canonical JSON of the object ``{key: value_of(key)}`` streamed one member at a time.

    Only one member's value and text exist at once (plan.json's ``servers`` or ``flows`` at
    100k servers, never the whole document); the bytes are those of :func:`dumps_json` of
    the whole object.
    """

    def write(handle: IO[bytes]) -> None:
        members = sorted(keys)
        if not members:
            handle.write(b"{}\n")
            return
        handle.write(b"{\n")
        for n, key in enumerate(members):
            # {"key": value} encoded at indent 0 is '{\n  "key": value\n}': its middle is
            # exactly the member at indent 1 (a memoryview: no copy of a large member)
            text = _encode({key: value_of(key)})
            if n:
                handle.write(b",\n")
            handle.write(memoryview(text)[2:-2])
            del text
        handle.write(b"\n}\n")

    return write
