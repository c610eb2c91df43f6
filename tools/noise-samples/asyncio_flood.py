#!/usr/bin/env python3
"""Make CPython's asyncio write its real connection-lost noise, then a
genuine error.

What it does (all on 127.0.0.1, bounded to a few seconds):
  1. starts a loopback TCP server that accepts and resets every connection
     (SO_LINGER 0 + close => RST);
  2. connection A: the client transport keeps reading, so recv() fails with
     ECONNRESET ("Fatal read error on socket transport", logged by asyncio
     only in debug mode, at DEBUG level, with traceback);
  3. connection B: reading paused, the client writes after the RST, so
     send() fails ("Fatal write error on socket transport", same condition);
  4. keeps writing to the lost transport B: from the 5th write on
     (asyncio.constants.LOG_THRESHOLD_FOR_CONNLOST_WRITES) every write()
     makes asyncio log WARNING 'socket.send() raised exception.';
  5. asyncio streams (what Pyrogram's TCP transport uses): write() + drain()
     on a closed StreamWriter raise ConnectionResetError('Connection lost')
     (the source of Pyrogram's 'Retrying "..." due to: Connection lost');
     caught, 4 times, adding no further asyncio records;
  6. prints a few genuine lines to stdout and stderr and ends with a genuine,
     unrelated error (ZeroDivisionError or OSError ENOSPC from /dev/full).

Only asyncio's logger and the interpreter write the noise; this script's own
genuine stderr lines are prefixed "sample-app:".

Usage:
  asyncio_flood.py [--count N] [--exit-code K]
                   [--logging lastresort|basic|debug]
                   [--genuine zerodiv|enospc|connlost|none] [--uncaught]

  --count N        number of 'socket.send() raised exception.' records (default 50)
  --logging        lastresort: no logging config (Python's last-resort handler
                   prints bare messages); basic: logging.basicConfig(level=INFO);
                   debug: basicConfig(level=DEBUG) + asyncio debug mode
                   (adds the Fatal read/write error records with tracebacks)
  --genuine        the error at the end (default zerodiv).  zerodiv and enospc
                   are genuine, unrelated errors; connlost re-raises the
                   ConnectionResetError('Connection lost') of step 5, i.e. a
                   network error, NOT a genuine one
  --uncaught       let the genuine error propagate (interpreter prints the
                   traceback, exit status 1); otherwise the traceback is
                   printed with traceback.print_exc() and the process exits
                   with --exit-code
  --exit-code K    exit status when not --uncaught (default 0)
"""

import argparse
import asyncio
import logging
import os
import socket
import struct
import sys
import traceback

THRESHOLD = 5  # asyncio.constants.LOG_THRESHOLD_FOR_CONNLOST_WRITES


def reset_server():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.setblocking(False)
    return srv


async def accept_and_reset(loop, srv):
    conn, _ = await loop.sock_accept(srv)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


class Proto(asyncio.Protocol):
    def __init__(self):
        self.lost = asyncio.get_running_loop().create_future()

    def connection_lost(self, exc):
        if not self.lost.done():
            self.lost.set_result(exc)


async def flood(count):
    loop = asyncio.get_running_loop()
    srv = reset_server()
    port = srv.getsockname()[1]

    # A: reading -> recv() gets ECONNRESET -> "Fatal read error on socket transport".
    # The kernel completes the handshake from the listen backlog; the server
    # accepts and resets only once the client transport is established.
    ta, pa = await loop.create_connection(Proto, "127.0.0.1", port)
    await asyncio.wait_for(accept_and_reset(loop, srv), 5)
    await asyncio.wait_for(pa.lost, 5)

    # B: not reading; write after the RST -> send() fails -> "Fatal write error on socket transport".
    tb, pb = await loop.create_connection(Proto, "127.0.0.1", port)
    tb.pause_reading()
    await asyncio.wait_for(accept_and_reset(loop, srv), 5)
    await asyncio.sleep(0.2)  # let the RST arrive
    tb.write(b"ping")
    # Every further write to the lost transport counts; from the THRESHOLD-th
    # on each one logs 'socket.send() raised exception.'.
    for _ in range(count + THRESHOLD - 1):
        tb.write(b"ping")
        await asyncio.sleep(0)
    await asyncio.wait_for(pb.lost, 5)
    ta.close()
    tb.close()

    # C: asyncio streams, as Pyrogram's TCP transport uses them: once the
    # writer is closed, write() + drain() raises
    # ConnectionResetError('Connection lost') (asyncio/streams.py).  Only
    # THRESHOLD - 1 writes, so this phase adds no 'socket.send()' records.
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    peer, _ = await asyncio.wait_for(loop.sock_accept(srv), 5)  # kept open
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass
    last = None
    for _ in range(THRESHOLD - 1):
        try:
            writer.write(b"ping")
            await writer.drain()
        except ConnectionResetError as e:
            last = e
    peer.close()
    srv.close()
    print("sample-app: drain() raised %r %d times" % (last, THRESHOLD - 1), flush=True)
    return last


def genuine_error(kind, connlost):
    if kind == "connlost":
        raise connlost
    if kind == "zerodiv":
        messages_per_chat = {"total": 12, "chats": 0}
        return messages_per_chat["total"] / messages_per_chat["chats"]
    if kind == "enospc":
        fd = os.open("/dev/full", os.O_WRONLY)
        try:
            os.write(fd, b"report\n")
        finally:
            os.close(fd)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--exit-code", type=int, default=0)
    ap.add_argument("--logging", choices=["lastresort", "basic", "debug"], default="lastresort")
    ap.add_argument("--genuine", choices=["zerodiv", "enospc", "connlost", "none"], default="zerodiv")
    ap.add_argument("--uncaught", action="store_true")
    args = ap.parse_args()

    if args.logging == "basic":
        logging.basicConfig(level=logging.INFO)
    elif args.logging == "debug":
        logging.basicConfig(level=logging.DEBUG)

    print("sample-app: starting, watching 3 chats", flush=True)
    connlost = asyncio.run(asyncio.wait_for(flood(max(0, args.count)), 10), debug=args.logging == "debug")
    print("sample-app: network loop finished", flush=True)
    sys.stderr.write("sample-app: giving up after connection loss, writing final report\n")
    sys.stderr.flush()

    if args.genuine == "none":
        sys.exit(args.exit_code)
    if args.uncaught:
        genuine_error(args.genuine, connlost)
        sys.exit(args.exit_code)
    try:
        genuine_error(args.genuine, connlost)
    except Exception:
        traceback.print_exc()
    sys.stderr.flush()
    sys.exit(args.exit_code)


if __name__ == "__main__":
    main()
