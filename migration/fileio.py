"""Atomic, deterministic file writing: temp file in the same folder, then rename."""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any


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


def read_json_input(path: str | Path, noun: str, kind: str, bad_json: str = "not JSON") -> Any:
    """A JSON input file's value; :class:`InputFileError` names the file and what is wrong.

    ``noun`` names the file in "cannot read <noun>", ``kind`` in "not <kind> (binary byte
    …)", ``bad_json`` prefixes the parser's own message with its line and column.
    """
    from migration.errors import InputFileError

    file = Path(path)
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputFileError(f"{file}: cannot read {noun}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{file}: not {kind} (binary byte at offset {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{file}:{exc.lineno}:{exc.colno}: {bad_json}: {exc.msg}") from None


def dumps_json(value: Any) -> str:
    """Canonical JSON: sorted keys, two-space indent, UTF-8 text, trailing newline."""
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_json(path: str | Path, value: Any) -> Path:
    """Write canonical JSON atomically."""
    return write_atomic(path, dumps_json(value))


def json_writer(make: Callable[[], Any]) -> Callable[[IO[bytes]], None]:
    """Canonical JSON (as :func:`dumps_json`) of ``make()`` streamed into a binary file.

    ``json.dumps`` with an indent builds every fragment of the document in a list before
    joining them, several times the size of the text; streaming keeps one buffer, and the
    value is made only when the file is written (then dropped).
    """

    def write(handle: IO[bytes]) -> None:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="\n", write_through=False)
        try:
            json.dump(make(), text, sort_keys=True, indent=2, ensure_ascii=False)
            text.write("\n")
            text.flush()
        finally:
            text.detach()

    return write
