"""An engine template: imports dbt once, then forks ready engines on request.

A fork starts in milliseconds (dbt is imported, the reach-ins installed) and shares the
template's memory pages until it writes them (gc.freeze keeps the collector from touching
them: forked engines keep the frozen objects frozen). Protocol on the template's stdin/stdout (JSON lines):
  {"op": "fork", "token", "socket"} -> {"type": "forked", "token", "pid"}
The forked engine connects twice to the worker's Unix socket `socket`, each time first sending
{"token", "kind", "pid"}: kind "output" becomes its stdout and stderr, kind "protocol" carries
the engine protocol (engine.py), which it then serves as a spawned engine does.
"""
import json
import os
import signal
import socket
import sys
import time


def _connect(path, token, kind):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall((json.dumps({"token": token, "kind": kind, "pid": os.getpid()}) + "\n").encode())
    return s


def _become_engine(req, template_proto, serve, die_with_parent, warnings):
    t0 = time.perf_counter()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()  # its own process group: the worker kills the engine and whatever it forks
    template_proto.close()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    out = _connect(req["socket"], req["token"], "output")
    os.dup2(out.fileno(), 1)
    os.dup2(out.fileno(), 2)
    out.close()
    sys.stdout = sys.stderr = os.fdopen(os.dup(2), "w", buffering=1)
    chan = _connect(req["socket"], req["token"], "protocol")
    lines = os.fdopen(os.dup(chan.fileno()), "r")
    proto = os.fdopen(os.dup(chan.fileno()), "w", buffering=1)
    chan.close()
    die_with_parent()  # the template is its parent; the template dies with the worker
    serve(proto, lines, warnings, t0)


def template_main(boot, serve, protocol_stream, die_with_parent, rss_mb):
    proto = protocol_stream()
    die_with_parent()
    t0 = time.perf_counter()
    warnings = boot()  # ends with gc.freeze
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked engines are reaped by the kernel
    proto.write(json.dumps({"type": "ready", "pid": os.getpid(), "import_ms": (time.perf_counter() - t0) * 1000,
                            "warnings": warnings, "rss_mb": rss_mb()}) + "\n")
    proto.flush()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        if req.get("op") != "fork":
            continue
        pid = os.fork()
        if pid == 0:
            try:
                _become_engine(req, proto, serve, die_with_parent, warnings)
            finally:
                os._exit(5)
        proto.write(json.dumps({"type": "forked", "token": req["token"], "pid": pid}) + "\n")
        proto.flush()
    os._exit(0)
