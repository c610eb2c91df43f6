"""Loopback-only guard shared by the noise-sample generators.

Generators that drive a network client (TDLib, Telethon) must never reach
anything but 127.0.0.1.  `ensure_loopback_only()` re-executes the calling
script inside a fresh network namespace that has only `lo` (via
`unshare -n`, needs root or user namespaces) unless it is already running in
one.  Inside such a namespace every non-loopback destination fails with
ENETUNREACH, so no packet can leave the machine.
"""

import os
import shutil
import socket
import sys

_MARK = "TGWATCH_NOISE_NETNS"


def interfaces():
    """Interface names of the current network namespace (/proc/net/dev is per-netns)."""
    try:
        with open("/proc/net/dev") as f:
            return sorted(ln.split(":")[0].strip() for ln in f.readlines()[2:])
    except OSError:
        return []


def in_loopback_only_namespace():
    ifs = interfaces()
    return ifs == ["lo"]


def ensure_loopback_only():
    """Re-exec sys.argv inside `unshare -n` unless already loopback-only."""
    if in_loopback_only_namespace():
        return
    if os.environ.get(_MARK):
        sys.stdout.write("refusing to run: not in a loopback-only network namespace\n")
        sys.exit(97)
    unshare = shutil.which("unshare")
    if unshare is None:
        sys.stdout.write("refusing to run: unshare(1) not found, cannot isolate network\n")
        sys.exit(97)
    env = dict(os.environ)
    env[_MARK] = "1"
    argv = [unshare, "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "_",
            sys.executable] + sys.argv
    os.execve(unshare, argv, env)


def free_port():
    """A loopback TCP port nobody listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
