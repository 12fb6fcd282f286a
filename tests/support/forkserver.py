"""A fork server for `sniper` processes that start in a fraction of a second.

`python -m sniper worker` spends ~2 s importing the app and parsing the recorded crawl and the
ticker catalog, which caps a crash test at a few restarts a minute. `ForkServer(env)` starts one
helper process (`python -m tests.support.forkserver`, run from the repository root) that imports
`sniper.cli` and warms those two caches once, then forks a child per `spawn(args, log)`: the
child runs the real `sniper ARGS...` command line (Typer app, settings from `env`) with its
stdout and stderr appended to `log`. Children are real processes: `os.kill(pid, SIGKILL)` kills
one mid-flight, `wait(pid)` reaps it and returns its exit code (negative: the signal).

The server holds no threads or event loops when it forks (it only imports and parses), so a
child starts as clean as a fresh interpreter with those modules already imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import traceback
from pathlib import Path
from types import TracebackType
from typing import IO

from tests.support.paths import ATOM_DIR, CATALOG_PATH, ROOT


class ForkServer:
    """Client of the fork server; a context manager that starts and ends it."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> ForkServer:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.forkserver"],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._ask("ping") == "pong", "the fork server did not start"
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        process, stdin, stdout = self._pipes()
        stdin.close()
        process.wait(timeout=30)
        stdout.close()

    def spawn(self, args: list[str], log: Path) -> int:
        """Fork `sniper ARGS...` with output appended to `log`; returns its pid."""
        return int(self._ask("spawn", str(log), json.dumps(args)))

    def wait(self, pid: int) -> int:
        """Reap child `pid` (blocking until it exits); its exit code, -N for signal N."""
        return int(self._ask("wait", str(pid)))

    def _pipes(self) -> tuple[subprocess.Popen[str], IO[str], IO[str]]:
        process = self._process
        assert process is not None, "use ForkServer as a context manager"
        assert process.stdin is not None
        assert process.stdout is not None
        return process, process.stdin, process.stdout

    def _ask(self, *fields: str) -> str:
        _, stdin, stdout = self._pipes()
        stdin.write("\t".join(fields) + "\n")
        stdin.flush()
        answer = stdout.readline()
        assert answer, f"the fork server died answering {fields[0]!r}"
        return answer.rstrip("\n")


def _warm() -> None:
    """Import the command line and parse the recorded crawl and catalog into their caches."""
    import sniper.cli  # noqa: F401  (imports the whole app)
    from sniper import app
    from sniper.edgar.replay import load_crawl

    load_crawl(ATOM_DIR)
    app._catalog_file(CATALOG_PATH, CATALOG_PATH.stat().st_mtime_ns)


def _child(log: str, args: list[str]) -> None:
    """In the forked child: redirect output to `log`, run `sniper ARGS...`, never return."""
    code = 1
    try:
        out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        from sniper.cli import app

        app(args, prog_name="sniper")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _serve() -> None:
    """Answer one request per stdin line (tab-separated) until stdin closes."""
    _warm()
    for line in sys.stdin:
        command, *fields = line.rstrip("\n").split("\t")
        if command == "ping":
            answer = "pong"
        elif command == "spawn":
            pid = os.fork()
            if pid == 0:
                _child(fields[0], json.loads(fields[1]))
            answer = str(pid)
        elif command == "wait":
            _, status = os.waitpid(int(fields[0]), 0)
            answer = str(os.waitstatus_to_exitcode(status))
        else:
            answer = f"error: unknown command {command!r}"
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _serve()
