"""A consistent copy of the database, taken while the site runs (``flask db backup PATH``).

SQLite: SQLite's online backup API copies one committed state of the database (writers go on
meanwhile) into a single self-contained file. PostgreSQL: ``pg_dump`` in its custom format
(``-Fc``), one snapshot of the whole database, restored with ``pg_restore``.

The copy is written beside ``PATH`` under a temporary name and renamed into place when
complete, so a failed or interrupted backup never leaves a partial file at ``PATH``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess  # nosec B404
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from app.extensions import db
from app.services.errors import ServiceError


class BackupError(ServiceError):
    """The backup could not be taken; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    size: int
    engine: str
    seconds: float


def backup(
    path: str | os.PathLike, *, force: bool = False, progress: Callable[[str], None] = print
) -> BackupResult:
    """Write a consistent copy of the application's database to ``path``.

    Refuses an existing ``path`` unless ``force``. ``progress`` receives a line of text at each
    step. Raises ``BackupError`` with a message meant for the operator.
    """
    target = Path(path).expanduser().absolute()
    if target.is_dir():
        raise BackupError(f"{target} is a folder: give the name of the backup file to write.")
    if target.exists() and not force:
        raise BackupError(f"{target} already exists. Add --force to replace it.")
    if not target.parent.is_dir():
        raise BackupError(f"Cannot write {target}: the folder {target.parent} does not exist.")
    tmp = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        tmp.touch(exist_ok=False)
    except OSError as exc:
        raise BackupError(f"Cannot write {target}: {exc.strerror}.") from exc

    url = db.engine.url
    started = time.monotonic()
    try:
        if url.get_backend_name() == "sqlite":
            engine = "SQLite"
            _sqlite(url, tmp, progress)
        elif url.get_backend_name() == "postgresql":
            engine = "PostgreSQL"
            _postgres(url, tmp, progress)
        else:  # pragma: no cover - the app runs on these two only
            raise BackupError(f"No backup method for {url.get_backend_name()}.")
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return BackupResult(
        path=target,
        size=target.stat().st_size,
        engine=engine,
        seconds=time.monotonic() - started,
    )


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"  # pragma: no cover


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite(url: URL, tmp: Path, progress: Callable[[str], None]) -> None:
    source_path = url.database
    if not source_path or source_path == ":memory:":
        raise BackupError("The database is in memory: there is nothing on disk to back up.")
    try:
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise BackupError(f"Cannot open the database {source_path}: {exc}.") from exc
    try:
        pages, page_size = (
            source.execute("PRAGMA page_count").fetchone()[0],
            source.execute("PRAGMA page_size").fetchone()[0],
        )
        progress(f"Copying the SQLite database {source_path} ({human_size(pages * page_size)})…")
        tmp.unlink()  # sqlite3 creates it
        copy = sqlite3.connect(tmp)
        try:
            # One step: the copy is one committed state, even while other processes write.
            source.backup(copy, pages=-1)
            # A single self-contained file (no write-ahead log beside it).
            copy.execute("PRAGMA journal_mode=DELETE")
            check = copy.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            copy.close()
    except sqlite3.Error as exc:
        raise BackupError(f"The SQLite backup failed: {exc}.") from exc
    finally:
        source.close()
    if check != "ok":  # pragma: no cover - a copy SQLite itself just wrote
        raise BackupError(f"The copy did not pass SQLite's check: {check}.")
    progress("Copied and checked.")


# --- PostgreSQL --------------------------------------------------------------------------------


def _postgres(url: URL, tmp: Path, progress: Callable[[str], None]) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError(
            "pg_dump was not found on PATH. Install the PostgreSQL client programs, of the "
            "server's major version or newer (Debian/Ubuntu: postgresql-client)."
        )
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)  # not on the command line, where ps shows it
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    progress(f"Dumping the PostgreSQL database {url.database} with pg_dump (custom format)…")
    command = [pg_dump, "--format=custom", "--verbose", f"--file={tmp}", f"--dbname={conninfo}"]
    # The program is pg_dump from PATH; the arguments are a list (no shell), from the config.
    messages = []
    tables = 0
    with subprocess.Popen(  # noqa: S603  # nosec B603
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as proc:
        for line in proc.stderr:
            line = line.rstrip()
            if "dumping contents of table" in line:
                tables += 1
                progress(f"  {tables:3d} {line.rsplit(' ', 1)[-1]}")
            elif any(word in line.lower() for word in ("error", "fatal", "abort")):
                messages.append(line)
    if proc.returncode != 0:
        detail = "\n".join(messages[-5:]) or f"pg_dump exited with status {proc.returncode}"
        raise BackupError(f"pg_dump could not back up the database:\n{detail}")
    progress(f"Dumped {tables} tables.")
