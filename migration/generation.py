"""Write a whole generation of outputs, all or nothing, under a lock.

``utflytt plan`` writes a dozen files into its output folder and the Pulumi stack configs
into another. Renaming each file into place atomically is not enough: a full disk, a kill
or a second run in the middle would leave some files new and some old (a plan.json that
disagrees with its exit plan, wave configs from two plans). :func:`write_generation` makes
the set of files one unit:

1. An exclusive lock (``fcntl.flock`` on the folder itself) on every folder written;
   a second run waits up to :data:`LOCK_WAIT_SECONDS`, then fails with a clear message.
2. Recovery of a run that was killed while switching (see 5): its journal is rolled back, so
   the previous generation is restored exactly; leftover staging files are removed.
3. Staging: every file is written and fsynced into ``<folder>/.utflytt-staging/``, on the
   same file system as its target. Nothing visible has changed yet: a full disk or a kill
   here leaves the previous generation untouched.
4. Backups: every file about to be replaced or removed is hard-linked (copied where links
   are not supported) into ``<folder>/.utflytt-previous/``.
5. The switch: a journal naming every target, staged file and backup is written atomically;
   then each staged file is renamed over its target and stale files are removed. When every
   rename has succeeded the journal is deleted: that deletion is the commit. An error during
   the switch rolls back at once; a kill during it is rolled back by the next run (or by
   :func:`recover`), so the previous generation comes back byte for byte.

Callers pass the files as a list of (path, payload); a payload is text, bytes, or a function
that streams the bytes into a binary file (large outputs never need to exist twice in
memory). New outputs just add entries to that list.

Fault injection for tests: ``UTFLYTT_FAULT_KILL_AFTER=N`` makes the process SIGKILL itself
after N file operations of the write phase (staged files, then renames), to prove that a
killed run never leaves a half-changed build.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import glob
import json
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from migration.errors import OutputError

try:  # POSIX; on other systems runs are not serialised (documented in the README)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

Payload = str | bytes | Callable[[IO[bytes]], None]
Output = tuple[Path, Payload]

STAGING_NAME = ".utflytt-staging"
PREVIOUS_NAME = ".utflytt-previous"
JOURNAL_NAME = ".utflytt-switch.json"
LOCK_WAIT_SECONDS = float(os.environ.get("UTFLYTT_LOCK_WAIT", "10"))
KILL_AFTER_ENV = "UTFLYTT_FAULT_KILL_AFTER"
INTERNAL_NAMES = frozenset({STAGING_NAME, PREVIOUS_NAME, JOURNAL_NAME})
"""Names utflytt keeps in an output folder for itself; never catalog input or output."""


def write_generation(
    outputs: Sequence[Output],
    remove: Sequence[Path] = (),
    *,
    wait: float | None = None,
    folders: Sequence[Path] = (),
) -> list[Path]:
    """Replace ``outputs`` and delete ``remove`` as one unit; return the paths written.

    ``folders`` are locked and recovered too even when nothing in them changes this run (a
    stack-config folder whose configs are all unchanged still gets a killed switch undone).

    Raises :class:`OutputError` (naming the path and the reason) when a folder cannot be
    written or another run holds the lock; the previous files are then unchanged.
    """
    targets = [Path(path) for path, _ in outputs]
    folders = sorted(
        {p.parent for p in [*targets, *remove]} | {Path(f) for f in folders if Path(f).is_dir()},
        key=lambda p: str(p.absolute()),
    )
    with _locked(folders, LOCK_WAIT_SECONDS if wait is None else wait):
        for folder in folders:
            recover(folder, locked=True)
        _remove_orphan_temps(targets)
        fault = _FaultHook()
        staged: list[tuple[Path, Path]] = []
        try:
            for path, payload in outputs:
                staging = _guard(path.parent / STAGING_NAME, _mkdir)
                tmp = staging / path.name
                _guard(tmp, functools.partial(_write_file, payload=payload, like=path))
                staged.append((Path(path), tmp))
                fault.tick()
            for folder in folders:
                _fsync_dir(folder / STAGING_NAME)
            home = targets[0].parent if targets else folders[0]
            _switch(home, staged, [Path(p) for p in remove if Path(p).exists()], fault)
        finally:
            switching = any((folder / JOURNAL_NAME).exists() for folder in folders)
            for folder in folders:
                _remove_tree(folder / STAGING_NAME)
                if not switching:  # backups are kept only for a rollback still to be done
                    _remove_tree(folder / PREVIOUS_NAME)
    return targets


def settle(folder: Path) -> None:
    """Before reading outputs in ``folder``: undo a switch a killed run left half-done.

    Cheap when there is nothing to undo (one ``stat``). Readers (``read_plan``, hence the
    Pulumi program and every command) therefore never see one run's plan.json beside
    another run's files. :class:`OutputError` when the rollback itself cannot be done.
    """
    if (folder / JOURNAL_NAME).exists():
        try:
            recover(folder)
        except OSError as exc:
            raise OutputError(
                f"{folder}: a killed utflytt run left it half-written and it cannot be put "
                f"back ({exc.strerror}); run `utflytt plan` again"
            ) from exc


def recover(folder: Path, *, locked: bool = False) -> bool:
    """Roll back a switch that was killed half-way and clean leftovers; True if rolled back.

    Without ``locked`` the folder's lock is taken first (waits like a run would).
    """
    if not locked:
        with _locked([folder], LOCK_WAIT_SECONDS):
            return recover(folder, locked=True)
    journal = folder / JOURNAL_NAME
    rolled_back = False
    if journal.exists():
        try:
            record = json.loads(journal.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            record = None  # torn journal: written before any rename, nothing to undo
        if isinstance(record, dict):
            _rollback(record)
            rolled_back = True
        journal.unlink(missing_ok=True)
        _fsync_dir(folder)
    for name in (STAGING_NAME, PREVIOUS_NAME):
        _remove_tree(folder / name)
    return rolled_back


def _switch(home: Path, staged: list[tuple[Path, Path]], stale: list[Path], fault: Any) -> None:
    """Back up, journal, rename; roll back on any error."""
    entries: list[dict[str, str | None]] = []
    for target, tmp in staged:
        entries.append(
            {
                "target": str(target.absolute()),
                "staged": str(tmp.absolute()),
                "backup": _backup(target),
            }
        )
    removals = [{"target": str(p.absolute()), "backup": _backup(p)} for p in stale]
    record = {"version": 1, "entries": entries, "removals": removals}
    journal = home / JOURNAL_NAME
    text = json.dumps(record, indent=1)
    _guard(journal, functools.partial(_write_file, payload=text, like=None, direct=False))
    _fsync_dir(home)
    try:
        for target, tmp in staged:
            _guard(target, functools.partial(os.replace, tmp))
            fault.tick()
        for path in stale:
            _guard(path, lambda p: p.unlink(missing_ok=True))
            fault.tick()
        for folder in {t.parent for t, _ in staged} | {p.parent for p in stale}:
            _fsync_dir(folder)
    except BaseException:
        _rollback(record)
        journal.unlink(missing_ok=True)
        raise
    journal.unlink()  # the commit
    _fsync_dir(home)
    for folder in {t.parent for t, _ in staged} | {p.parent for p in stale}:
        _remove_tree(folder / PREVIOUS_NAME)


def _backup(target: Path) -> str | None:
    """Hard-link (or copy) an existing target into the folder's backup area."""
    if not target.exists():
        return None
    previous = _guard(target.parent / PREVIOUS_NAME, _mkdir)
    backup = previous / target.name
    backup.unlink(missing_ok=True)
    try:
        os.link(target, backup)
    except OSError:
        _guard(backup, lambda p: shutil.copy2(target, p))
    return str(backup.absolute())


def _rollback(record: dict[str, Any]) -> None:
    """Put every backed-up file back and remove files that did not exist before."""
    for entry in [*record.get("entries", []), *record.get("removals", [])]:
        target = Path(entry["target"])
        backup = entry.get("backup")
        if backup and Path(backup).exists():
            os.replace(backup, target)
        elif not backup and "staged" in entry:
            target.unlink(missing_ok=True)  # a new file of the failed generation
    for folder in {Path(e["target"]).parent for e in record.get("entries", [])}:
        _fsync_dir(folder)


def _write_file(path: Path, payload: Payload, like: Path | None, direct: bool = True) -> None:
    """Write and fsync ``payload``; keep the permissions of the file it will replace."""
    tmp = path if direct else path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        if callable(payload):
            payload(handle)
        else:
            handle.write(payload.encode("utf-8") if isinstance(payload, str) else payload)
        handle.flush()
        os.fsync(handle.fileno())
    mode = like.stat().st_mode & 0o7777 if like is not None and like.exists() else None
    os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
    if not direct:
        os.replace(tmp, path)


def _mkdir(path: Path) -> Path:
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: cannot write: not a folder")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _guard(path: Path, action: Callable[[Path], Any]) -> Any:
    """Run ``action(path)``; an OSError becomes an :class:`OutputError` naming the path."""
    try:
        result = action(path)
    except OSError as exc:
        raise OutputError.from_os_error(exc, path) from exc
    return path if result is None else result


@contextlib.contextmanager
def _locked(folders: list[Path], wait: float) -> Iterator[None]:
    """Hold ``flock`` on each folder itself (no lock file is left in the user's folders)."""
    handles: list[int] = []
    try:
        for folder in folders:
            _guard(folder, _mkdir)
            handles.append(_guard(folder, lambda p: os.open(p, os.O_RDONLY)))
            _acquire(handles[-1], folder, wait)
        yield
    finally:
        for handle in reversed(handles):
            os.close(handle)  # closing releases the lock


def _acquire(handle: int, folder: Path, wait: float) -> None:
    if fcntl is None:  # pragma: no cover - Windows
        return
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise OutputError.from_os_error(exc, folder) from exc
        if time.monotonic() >= deadline:
            raise OutputError(
                f"{folder}: another utflytt run is writing here (waited {wait:g} s); "
                "try again when it has finished"
            )
        time.sleep(0.05)


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _remove_orphan_temps(targets: list[Path]) -> None:
    """Temp files of these targets that a killed :func:`~migration.fileio.write_atomic` left."""
    for target in targets:
        with contextlib.suppress(OSError):
            for tmp in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
                with contextlib.suppress(OSError):
                    tmp.unlink()


def _fsync_dir(folder: Path) -> None:
    """Make renames in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class _FaultHook:
    """Test hook: SIGKILL this process after N file operations (``UTFLYTT_FAULT_KILL_AFTER``)."""

    def __init__(self) -> None:
        value = os.environ.get(KILL_AFTER_ENV, "")
        self.left = int(value) if value.isdigit() else -1

    def tick(self) -> None:
        if self.left < 0:
            return
        self.left -= 1
        if self.left == 0:
            os.kill(os.getpid(), signal.SIGKILL)
