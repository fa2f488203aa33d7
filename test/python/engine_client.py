"""A warm engine (src/executor/warm/engine.py) in a child process, spoken to in its JSON-lines
protocol as the worker does (src/executor/warm/engine-process.ts); every wait is bounded."""
import json
import queue
import subprocess
import threading
from pathlib import Path
from typing import Any

from support import DBT_PYTHON, ENGINE

Message = dict[str, Any]


class Engine:
    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.log = cwd / "engine-stderr.log"
        self._stderr = self.log.open("w")
        self.proc = subprocess.Popen([str(DBT_PYTHON), str(ENGINE)], cwd=cwd, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr)
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._early: list[Message] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def read(self, timeout_s: float = 120) -> Message:
        """The next protocol message; fails on a timeout or when the engine closed its stdout."""
        try:
            line = self._lines.get(timeout=timeout_s)
        except queue.Empty:
            raise AssertionError(f"no engine message within {timeout_s} s; stderr:\n{self.stderr()}") from None
        if line is None:
            raise AssertionError(f"the engine exited ({self.proc.poll()}); stderr:\n{self.stderr()}")
        msg: Message = json.loads(line)
        return msg

    def send(self, request: Message) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()

    def answer(self, request_id: str, timeout_s: float = 120) -> Message:
        """The answer to request `request_id` (answers to other requests are kept for later)."""
        for i, msg in enumerate(self._early):
            if msg.get("id") == request_id:
                return self._early.pop(i)
        while True:
            msg = self.read(timeout_s)
            if msg.get("id") == request_id:
                return msg
            self._early.append(msg)

    def call(self, request: Message, timeout_s: float = 120) -> Message:
        self.send(request)
        return self.answer(request["id"], timeout_s)

    def stderr(self) -> str:
        self._stderr.flush()
        return self.log.read_text()[-4000:]

    def close(self) -> None:
        """Kills the engine if it still runs (a test's clean-up)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=60)
        self._stderr.close()

    def stop(self) -> int:
        """Closes stdin (the engine's loop ends and it exits 0) and returns the exit code."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            return self.proc.wait(timeout=60)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self._stderr.close()
