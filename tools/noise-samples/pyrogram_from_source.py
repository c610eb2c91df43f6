#!/usr/bin/env python3
"""Pyrogram log lines built strictly from Pyrogram's own format strings.

NOT a capture: Pyrogram cannot be installed on this machine (no PyPI), so
this script emits, through Python's real `logging` module, the records that
Pyrogram 2.0.106 (pyrogram/pyrogram @ 30de1e21e3e8b5949971ba0bba56bb818ba43b71;
identical for these lines in the fork KurimuzonAkuma/pyrogram 2.1.35 @
e29c7bcfcf03dc6579f8545a8226db9ce5c8097d) writes on a connection loss, using
  * Pyrogram's exact logger names (logging.getLogger(__name__) of each module),
  * Pyrogram's exact format strings and argument expressions (quoted below
    with file:line),
  * real exception objects made here by CPython: ConnectionResetError
    ('Connection lost') from asyncio streams, OSError from a connect() that
    fails inside a loopback-only network namespace (ENETUNREACH; no packet
    leaves), TimeoutError("Request timed out") as Pyrogram raises it,
  * asyncio's own 'socket.send() raised exception.' record, produced for real
    by writing to a closed asyncio transport (as Pyrogram's TCP.send does).
The ORDER and COUNT of records follow Pyrogram's control flow (Session.start /
stop / restart / invoke, Connection.connect) but are illustrative, not a
capture.  See tests/Tgwatch.Noise.Tests/Samples/FORMATS.md.

Usage: pyrogram_from_source.py [--logging basic|lastresort]
  basic       logging.basicConfig(level=logging.INFO) (what Pyrogram's docs show)
  lastresort  no logging configuration: Python's last-resort handler prints
              WARNING and above, message only
Output goes to stderr (as Python logging does by default).
"""

import argparse
import asyncio
import logging
import os
import platform
import socket
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402

# Logger names = module __name__ (pyrogram/<path>.py: log = logging.getLogger(__name__))
L_SESSION = logging.getLogger("pyrogram.session.session")           # session/session.py:38
L_CONNECTION = logging.getLogger("pyrogram.connection.connection")  # connection/connection.py:26
L_TCP = logging.getLogger("pyrogram.connection.transport.tcp.tcp")  # connection/transport/tcp/tcp.py:27
L_DISPATCHER = logging.getLogger("pyrogram.dispatcher")             # dispatcher.py

PYROGRAM_VERSION = "2.0.106"
LAYER = 158                      # compiler/api/source/main_api.tl: "// LAYER 158"
DC2 = ("149.154.167.51", 443)    # session/internals/data_center.py PROD[2]
MAX_RETRIES = 10                 # session/session.py:51


def session_started():
    # connection/connection.py:47, 54-58
    L_CONNECTION.info("Connecting...")
    L_CONNECTION.info("Connected! %s DC%s%s - IPv%s", "Production", 2, "", "4")
    # session/session.py:294, 272, 139-141, 155
    L_SESSION.info("NetworkTask started")
    L_SESSION.info("PingTask started")
    L_SESSION.info("Session initialized: Layer %s", LAYER)
    # client.py:182-184 defaults
    device_model = f"{platform.python_implementation()} {platform.python_version()}"
    app_version = f"Pyrogram {PYROGRAM_VERSION}"
    system_version = f"{platform.system()} {platform.release()}"
    L_SESSION.info("Device: %s - %s", device_model, app_version)
    L_SESSION.info("System: %s (%s)", system_version, "en")
    L_SESSION.info("Session started")


def session_stopped():
    # session/session.py:291 (ping_worker ends), connection/connection.py:66, session/session.py:180
    L_SESSION.info("PingTask stopped")
    L_CONNECTION.info("Disconnected")
    L_SESSION.info("Session stopped")


def retrying(retries, query_name, e):
    # session/session.py:404-408
    (L_SESSION.warning if retries < 2 else L_SESSION.info)(
        '[%s] Retrying "%s" due to: %s',
        MAX_RETRIES - retries + 1,
        query_name, str(e) or repr(e)
    )


async def real_connection_lost():
    """ConnectionResetError('Connection lost') exactly as asyncio raises it
    from StreamWriter.drain() on a closed transport; the writes also make
    asyncio log 'socket.send() raised exception.' for real (from the 5th)."""
    srv = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()
    await writer.wait_closed()
    excs = []
    for _ in range(8):
        try:
            writer.write(b"\xef")  # connection/transport/tcp/tcp.py:100-101
            await writer.drain()
        except Exception as e:  # tcp.py:102-104
            L_TCP.info("Send exception: %s %s", type(e).__name__, e)
            excs.append(OSError(e))
    srv.close()
    await srv.wait_closed()
    return excs


async def real_connect_error():
    """OSError of a direct connect to DC2, as Pyrogram's TCP.connect does it
    (loop.sock_connect, tcp.py:82), inside a loopback-only namespace."""
    sock = socket.socket(socket.AF_INET)
    sock.setblocking(False)
    try:
        await asyncio.wait_for(asyncio.get_running_loop().sock_connect(sock, DC2), 10)
    except OSError as e:
        return e
    finally:
        sock.close()
    raise RuntimeError("connect unexpectedly succeeded")


async def main_async():
    L_DISPATCHER.info("Started %s HandlerTasks", min(32, (os.cpu_count() or 0) + 4))  # dispatcher.py:154
    session_started()

    # The server side goes away: recv() returns None -> session/session.py:315, 309 restart()
    L_SESSION.info("NetworkTask stopped")
    # A concurrent invoke() writes to the dead connection:
    send_errors = await real_connection_lost()
    retrying(MAX_RETRIES, "messages.GetHistory", send_errors[0])
    session_stopped()

    # Session.start() loop (session.py:102-151): Connection.connect() tries 3 times
    connect_error = await real_connect_error()
    for _ in range(2):
        for _ in range(3):  # connection/connection.py:30, 43-52
            L_CONNECTION.info("Connecting...")
            L_CONNECTION.warning("Unable to connect due to network issues: %s", connect_error)
        L_CONNECTION.warning("Connection failed! Trying again...")  # connection.py:61
        L_CONNECTION.info("Disconnected")   # Session.stop() -> Connection.close()
        L_SESSION.info("Session stopped")

    # Meanwhile invoke() keeps retrying; with no connection the request times out
    # (session.py:350-351 raises TimeoutError("Request timed out"))
    for retries in range(MAX_RETRIES - 1, 0, -1):
        retrying(retries, "messages.GetHistory", TimeoutError("Request timed out"))

    session_started()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--logging", choices=["basic", "lastresort"], default="basic")
    args = ap.parse_args()
    netns.ensure_loopback_only()
    if args.logging == "basic":
        logging.basicConfig(level=logging.INFO)
    asyncio.run(asyncio.wait_for(main_async(), 20))


if __name__ == "__main__":
    main()
