"""A notebook kernel without Jupyter: an IPython shell in a forked child, driven over pipes.

autograder.execute runs every cell of a submission here. A Jupyter kernel would cost a second
interpreter, ipykernel's imports, a ZMQ handshake and ZMQ traffic per output; this child is
forked from the executor after IPython is imported (trusted code, before any of the job's),
and speaks newline-delimited JSON on two pipes. What a cell shows comes back as nbformat
outputs: `stream` (sys.stdout, sys.stderr), `display_data` (`display`, inline figures),
`execute_result` (the cell's last value) and `error` (its traceback).

The child runs the student's code, so everything it sends is untrusted: `Kernel` reads it in
bounded pieces, keeps at most the output budget, and treats anything malformed as noise. A
child that stops answering in time is killed; one that dies (os._exit, a crash, the memory
limit) is noticed by its pipe closing.
"""

import io
import json
import os
import select
import signal
import sys
import time
import traceback

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

MAX_LINE = 1 << 22  # a message longer than this is dropped (what it carried is over budget)


class KernelDied(Exception):
    """The child exited, or closed its pipe, while a cell ran."""


class KernelTimeout(Exception):
    """The cell ran past its time; the child was killed."""


# ---- the child: runs the cells -------------------------------------------------------------

class _Channel:
    """The child's end: one JSON message per line."""

    def __init__(self, fd: int):
        self.fd = fd

    def send(self, message: dict) -> None:
        data = (json.dumps(message) + "\n").encode()
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]


class _Stream(io.TextIOBase):
    """sys.stdout / sys.stderr of the cells: text kept until a display, the cell's end, or
    64 KiB, then sent as one `stream` output."""

    def __init__(self, name: str, channel: _Channel, fd: int):
        self.name, self.channel, self._fd, self.parts, self.size = name, channel, fd, [], 0

    encoding, errors = "utf-8", "replace"

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:  # C code and subprocesses write to the executor's log
        return self._fd

    def write(self, text) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.parts.append(text)
        self.size += len(text)
        if self.size > 1 << 16:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self.parts:
            text, self.parts, self.size = "".join(self.parts), [], 0
            self.channel.send({"output_type": "stream", "name": self.name, "text": text})


def _flush_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, _Stream):
            stream.flush()


class _Publisher(DisplayPublisher):
    """`display(...)` and inline figures become `display_data` outputs."""

    channel: _Channel = None

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False,
                **kwargs):
        _flush_streams()
        self.channel.send({"output_type": "display_data", "data": data,
                           "metadata": metadata or {}})

    def clear_output(self, wait=False):
        _flush_streams()
        self.channel.send({"clear_output": True})


class _Result(DisplayHook):
    """The cell's last expression becomes an `execute_result` output."""

    channel: _Channel = None

    def start_displayhook(self):
        _flush_streams()

    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        self.channel.send({"output_type": "execute_result", "data": format_dict,
                           "metadata": md_dict or {}, "execution_count": self.prompt_count})

    def finish_displayhook(self):
        pass


class _Shell(InteractiveShell):
    """IPython's shell, its tracebacks sent as `error` outputs."""

    channel: _Channel = None
    display_pub_class = _Publisher
    displayhook_class = _Result

    def enable_gui(self, gui=None):
        """No event loop to hook: figures are shown inline, at the end of each cell."""

    def _showtraceback(self, etype, evalue, stb):
        _flush_streams()
        self.channel.send({"output_type": "error", "ename": getattr(etype, "__name__", "Error"),
                           "evalue": str(evalue), "traceback": list(stb)})


def _serve(requests: int, replies: int, cwd: str) -> None:
    """The child's life: run each cell it is sent, answer `{"done": n}` after each."""
    channel = _Channel(replies)
    os.chdir(cwd)
    sys.path.insert(0, "")  # the job's folder, as a kernel started there has it
    sys.dont_write_bytecode = True
    sys.argv = ["autograder-kernel"]
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for cls in (_Shell, _Publisher, _Result):
        cls.channel = channel
    config = Config()
    config.HistoryManager.enabled = False  # no sqlite, no saving thread
    shell = _Shell.instance(config=config)
    shell.display_pub.channel = shell.displayhook.channel = channel
    sys.stdout = _Stream("stdout", channel, 1)
    sys.stderr = _Stream("stderr", channel, 2)
    with os.fdopen(requests, "r", encoding="utf-8") as incoming:
        for line in incoming:
            request = json.loads(line)
            shell.run_cell(request["source"], store_history=True)
            _flush_streams()
            channel.send({"done": request["n"]})


# ---- the executor's side -------------------------------------------------------------------

class Kernel:
    """The executor's handle on one child. `execute` returns the cell's outputs (within
    `budget`, shared by every cell of the notebook), or raises KernelTimeout / KernelDied."""

    def __init__(self, cwd: str, budget: "Budget", close_in_child: tuple[int, ...] = ()):
        from_parent, to_child = os.pipe()
        from_child, to_parent = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns
            code = 0
            try:
                for fd in (to_child, from_child, *close_in_child):
                    os.close(fd)
                _serve(from_parent, to_parent, cwd)
            except BaseException:  # noqa: BLE001 (a child must never unwind into the executor)
                code = 1
                os.write(2, traceback.format_exc().encode(errors="replace"))
            finally:
                os._exit(code)
        os.close(from_parent)
        os.close(to_parent)
        self.requests, self.replies, self.budget = to_child, from_child, budget
        self.pending, self.count = b"", 0

    def execute(self, source: str, timeout: float) -> tuple[list[dict], bool]:
        """Run `source`; its outputs and whether any were dropped for the budget."""
        self.count += 1
        try:
            os.write(self.requests, (json.dumps({"source": source, "n": self.count}) + "\n")
                     .encode())
        except (BrokenPipeError, OSError) as error:
            raise KernelDied() from error
        outputs, truncated = [], False
        deadline = time.monotonic() + timeout
        for message in self._messages(deadline):
            if message.get("done") == self.count:
                return outputs, truncated
            if message.get("clear_output") is True:
                outputs.clear()
            elif (output := clean(message)) is None:
                continue
            elif not self.budget.take(output):
                truncated = True
            elif (output["output_type"] == "stream" and outputs
                    and outputs[-1]["output_type"] == "stream"
                    and outputs[-1]["name"] == output["name"]):
                outputs[-1]["text"] += output["text"]
            else:
                outputs.append(output)
        raise KernelDied()

    def _messages(self, deadline: float):
        """The child's messages until its pipe closes; KernelTimeout at the deadline."""
        while True:
            *lines, self.pending = self.pending.split(b"\n")
            for line in lines:
                try:
                    message = json.loads(line)
                except (ValueError, RecursionError):
                    continue
                if isinstance(message, dict):
                    yield message
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.replies], [], [], left)[0]:
                raise KernelTimeout()
            chunk = os.read(self.replies, 1 << 16)
            if not chunk:
                return
            self.pending += chunk
            if len(self.pending) > MAX_LINE and b"\n" not in self.pending:
                self.pending = b""  # one message larger than any budget: dropped

    def close(self) -> None:
        """Kill the child and reap it."""
        for fd in (self.requests, self.replies):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


class Budget:
    """The bytes of output a notebook may keep, over all its cells and kernels."""

    def __init__(self, limit: int):
        self.limit, self.used = limit, 0

    def take(self, output: dict) -> bool:
        """Count `output` (a clean one: `clean`); whether it still fits."""
        self.used += sum(len(str(value)) for key, value in output.items()
                         if key in ("text", "evalue", "data", "traceback"))
        return self.used <= self.limit


_STRINGS = {"stream": ("name", "text"), "error": ("ename", "evalue"),
            "display_data": (), "execute_result": ()}


def clean(message: dict) -> dict | None:
    """The nbformat output that a child's message stands for, built from checked fields only;
    None for anything else."""
    kind = message.get("output_type")
    if kind not in _STRINGS or not all(isinstance(message.get(k), str) for k in _STRINGS[kind]):
        return None
    output = {"output_type": kind, **{key: message[key] for key in _STRINGS[kind]}}
    if kind == "stream" and output["name"] not in ("stdout", "stderr"):
        return None
    if kind == "error":
        lines = message.get("traceback")
        output["traceback"] = [str(line) for line in lines] if isinstance(lines, list) else []
    if kind in ("display_data", "execute_result"):
        data, metadata = message.get("data"), message.get("metadata")
        if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
            return None
        output["data"] = data
        output["metadata"] = metadata if isinstance(metadata, dict) else {}
    if kind == "execute_result":
        count = message.get("execution_count")
        output["execution_count"] = count if isinstance(count, int) else None
    return output
