#!/usr/bin/env python3
"""Make Telethon log its real connection-failure lines against loopback
servers that refuse, reset or drop its connections.

Runs inside a loopback-only network namespace (re-executes itself under
`unshare -n` unless already in one) and uses an interpreter that has
Telethon (re-executes under /usr/bin/python3, Debian's python3-telethon, if
the current one lacks it).  A throwaway SQLite session lives in a temp dir;
api_id/api_hash are Telegram's public test credentials; the session's DC is
pointed at 127.0.0.1 with session.set_dc(...) before the client is created.

Scenarios, run in this order (each bounded):
  refused  set_dc to a port nobody listens on: TCP connect is refused
           -> "Attempt N at connecting failed: ConnectionRefusedError: ..."
  authgen  server accepts and resets at once, session has no auth key:
           the failure happens during auth key generation
           -> "Connection error N during auth_key gen: ..."
  vanish   session has a (fake) auth key; the server drops the first
           connection and stops listening, so every reconnect is refused
           -> "Failed reconnection attempt N with ConnectionError",
           "Automatic reconnection failed N time(s)" (ERROR)
  drop     session has a (fake) auth key, so Telethon connects at once
           ("Connection to 127.0.0.1:P/TcpFull complete!"); the server then
           alternately closes (FIN) and resets (RST) each connection 0.25 s
           after the first bytes arrive -> "The server closed the connection",
           "Connection closed while receiving data", "Closing current
           connection to begin reconnect...", ... until --seconds runs out.

Telethon and Python logging write to stderr.  This script's own lines are
prefixed "sample-app:" (stdout, and one on stderr at the end).

Usage:
  telethon_flaky.py [--scenario all|refused|authgen|vanish|drop] [--seconds 10]
                    [--level INFO|DEBUG|WARNING] [--format default|telethon-docs]
                    [--exit-code K]

  --format default        logging.basicConfig(level=...) ("%(levelname)s:%(name)s:%(message)s")
  --format telethon-docs  the format Telethon's docs recommend:
                          '[%(levelname) 5s/%(asctime)s] %(name)s: %(message)s'
"""

import os
import sys

if __name__ == "__main__":
    try:
        import telethon  # noqa: F401
    except ImportError:
        if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
            os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
        sys.stdout.write("telethon is not installed (apt-get install python3-telethon)\n")
        sys.exit(2)

sys.dont_write_bytecode = True  # keep __pycache__ out of the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402

import argparse  # noqa: E402
import asyncio  # noqa: E402
import logging  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import struct  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

# Telegram's public test credentials (used by TDLib's examples); nothing can
# leave the loopback-only namespace anyway.
API_ID = 94575
API_HASH = "a3406de8d171bb422bb6ddf3bbd800e2"
TELETHON_DOCS_FORMAT = "[%(levelname) 5s/%(asctime)s] %(name)s: %(message)s"


def say(msg):
    sys.stdout.write("sample-app: " + msg + "\n")
    sys.stdout.flush()


class Server:
    """Loopback server: 'reset' resets on accept; 'drop' waits for the first
    bytes and `hold` seconds more, then alternately closes (FIN) and resets (RST)."""

    def __init__(self, behaviour, hold=0.0):
        self.behaviour = behaviour
        self.hold = hold
        self.count = 0
        self.server = None

    async def start(self):
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def handle(self, reader, writer):
        self.count += 1
        sock = writer.get_extra_info("socket")
        if self.behaviour == "drop":
            try:
                await asyncio.wait_for(reader.read(64), 1.0)
            except (asyncio.TimeoutError, OSError):
                pass
            await asyncio.sleep(self.hold)
            if self.count % 2 == 1:
                writer.close()  # FIN
                return
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()  # RST

    async def stop(self):
        self.server.close()
        await self.server.wait_closed()


def make_client(tmp, name, port, retries, delay, fake_key):
    from telethon import TelegramClient
    from telethon.crypto import AuthKey
    from telethon.sessions import SQLiteSession

    session = SQLiteSession(os.path.join(tmp, name))
    session.set_dc(2, "127.0.0.1", port)
    if fake_key:
        # A stored auth key makes Telethon skip key generation and report
        # the connection as complete as soon as TCP connects.
        session.auth_key = AuthKey(os.urandom(256))
    return TelegramClient(session, API_ID, API_HASH,
                          connection_retries=retries, retry_delay=delay,
                          timeout=2, request_retries=1, receive_updates=False)


async def run_connect(client, seconds):
    try:
        await asyncio.wait_for(client.connect(), seconds)
        say("connected")
    except asyncio.TimeoutError:
        say("connect() still not done after %.1fs, giving up" % seconds)
    except Exception as e:  # ConnectionError etc.: report, go on
        say("connect() failed: %s: %s" % (type(e).__name__, e))
    finally:
        try:
            await asyncio.wait_for(client.disconnect(), 3)
        except Exception as e:
            say("disconnect() failed: %s: %s" % (type(e).__name__, e))


async def scenario_refused(tmp, seconds):
    port = netns.free_port()
    say("scenario refused: port %d" % port)
    client = make_client(tmp, "refused", port, retries=3, delay=0.3, fake_key=False)
    await run_connect(client, seconds)


async def scenario_authgen(tmp, seconds):
    srv = Server("reset")
    port = await srv.start()
    say("scenario authgen: reset server on port %d" % port)
    client = make_client(tmp, "authgen", port, retries=3, delay=0.3, fake_key=False)
    await run_connect(client, seconds)
    await srv.stop()
    say("authgen server saw %d connections" % srv.count)


async def scenario_drop(tmp, seconds):
    srv = Server("drop", hold=0.25)
    port = await srv.start()
    say("scenario drop: close/reset server on port %d" % port)
    client = make_client(tmp, "drop", port, retries=100, delay=0.3, fake_key=True)
    await run_connect(client, seconds)
    await srv.stop()
    say("drop server saw %d connections" % srv.count)


async def scenario_vanish(tmp, seconds):
    srv = Server("drop", hold=0.25)
    port = await srv.start()
    say("scenario vanish: server on port %d drops the first connection, then stops listening" % port)
    client = make_client(tmp, "vanish", port, retries=1, delay=0.2, fake_key=True)

    async def stop_after_first():
        while srv.count < 1:
            await asyncio.sleep(0.02)
        srv.server.close()  # stop listening: reconnects are refused

    stopper = asyncio.ensure_future(stop_after_first())
    await run_connect(client, seconds)
    stopper.cancel()
    await srv.stop()
    say("vanish server saw %d connections" % srv.count)


async def main_async(args):
    tmp = tempfile.mkdtemp(prefix="telethon-noise-")
    try:
        total = args.seconds
        t0 = time.monotonic()
        if args.scenario in ("all", "refused"):
            await scenario_refused(tmp, min(4.0, total))
        if args.scenario in ("all", "authgen"):
            await scenario_authgen(tmp, min(4.0, max(1.0, total - (time.monotonic() - t0))))
        if args.scenario in ("all", "vanish"):
            await scenario_vanish(tmp, 4.0)
        if args.scenario in ("all", "drop"):
            left = total - (time.monotonic() - t0) - 1.0
            await scenario_drop(tmp, max(1.0, left))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", choices=["all", "refused", "authgen", "vanish", "drop"], default="all")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--level", choices=["DEBUG", "INFO", "WARNING"], default="INFO")
    ap.add_argument("--format", choices=["default", "telethon-docs"], default="default")
    ap.add_argument("--exit-code", type=int, default=0)
    args = ap.parse_args()

    netns.ensure_loopback_only()

    level = getattr(logging, args.level)
    if args.format == "default":
        logging.basicConfig(level=level)
    else:
        logging.basicConfig(format=TELETHON_DOCS_FORMAT, level=level)

    import telethon
    say("telethon %s, python %s, interfaces %s" % (telethon.__version__, sys.version.split()[0],
                                                   netns.interfaces()))
    asyncio.run(asyncio.wait_for(main_async(args), args.seconds + 15))
    say("done")
    sys.stderr.write("sample-app: finished with exit code %d\n" % args.exit_code)
    sys.stderr.flush()
    sys.exit(args.exit_code)


if __name__ == "__main__":
    main()
