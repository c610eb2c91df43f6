#!/usr/bin/env python3
"""Drive TDLib (libtdjson) with no route to Telegram so that it logs its real
connection-failure output to stderr.

Everything TDLib logs goes to fd 2 (TDLib's default log stream); this driver
itself writes only to stdout, so `2> file` captures TDLib's bytes and nothing
else.

Modes
  offline  no route to any Telegram address (loopback-only namespace):
           connect() fails with ENETUNREACH.
  proxy    addProxy(SOCKS5 127.0.0.1:<port>) where an in-process server
           accepts each connection and resets it at once (SO_LINGER 0).
  refused  addProxy(SOCKS5 127.0.0.1:<port>) on a port nobody listens on
           (ECONNREFUSED).

The script re-executes itself in a loopback-only network namespace
(`unshare -n`) unless already inside one, so TDLib can reach nothing but
127.0.0.1.

libtdjson is taken from --lib, $TDJSON, /tmp/tdlib/package/libtdjson.so, or
fetched with `npm pack @prebuilt-tdlib/linux-x64-glibc@0.1008065.0`
(TDLib 1.8.65, commit 062f26052623) into /tmp/tdlib.

Usage:
  tdlib_capture.py [--mode offline|proxy|refused] [--seconds 15]
                   [--verbosity 3] [--connections-verbosity N] [--lib PATH]
"""

import argparse
import ctypes
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # keep __pycache__ out of the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402

NPM_SPEC = "@prebuilt-tdlib/linux-x64-glibc@0.1008065.0"
DEFAULT_DIR = "/tmp/tdlib"
# Telegram's public test credentials (used by TDLib's own examples).
API_ID = 94575
API_HASH = "a3406de8d171bb422bb6ddf3bbd800e2"


def say(msg):
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


def locate_lib(arg):
    for cand in (arg, os.environ.get("TDJSON"), os.path.join(DEFAULT_DIR, "package", "libtdjson.so")):
        if cand and os.path.isfile(cand):
            return cand
    # Fetch through npm (the registry is reachable only outside the netns,
    # so this runs before ensure_loopback_only re-execs us).
    os.makedirs(DEFAULT_DIR, exist_ok=True)
    say(f"fetching {NPM_SPEC} with npm pack into {DEFAULT_DIR}")
    out = subprocess.run(["npm", "pack", NPM_SPEC], cwd=DEFAULT_DIR, check=True,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=300, text=True)
    tgz = out.stdout.strip().splitlines()[-1]
    subprocess.run(["tar", "xzf", tgz], cwd=DEFAULT_DIR, check=True, timeout=120)
    path = os.path.join(DEFAULT_DIR, "package", "libtdjson.so")
    if not os.path.isfile(path):
        say("libtdjson.so not found after npm pack")
        sys.exit(2)
    return path


class ResetServer(threading.Thread):
    """Accepts on 127.0.0.1 and resets every connection immediately."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0

    def run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["offline", "proxy", "refused"], default="offline")
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--verbosity", type=int, default=3)
    ap.add_argument("--connections-verbosity", type=int, default=None,
                    help="setLogTagVerbosityLevel for tag 'connections'")
    ap.add_argument("--lib", default=None)
    args = ap.parse_args()

    lib_path = locate_lib(args.lib)
    netns.ensure_loopback_only()
    say(f"network namespace interfaces: {netns.interfaces()}; lib={lib_path}")

    td = ctypes.CDLL(lib_path)
    td.td_create_client_id.restype = ctypes.c_int
    td.td_send.argtypes = [ctypes.c_int, ctypes.c_char_p]
    td.td_receive.argtypes = [ctypes.c_double]
    td.td_receive.restype = ctypes.c_char_p  # const char*, owned by TDLib
    td.td_execute.argtypes = [ctypes.c_char_p]
    td.td_execute.restype = ctypes.c_char_p

    def execute(q):
        r = td.td_execute(json.dumps(q).encode())
        return json.loads(r) if r else None

    say(str(execute({"@type": "setLogVerbosityLevel", "new_verbosity_level": args.verbosity})))
    if args.connections_verbosity is not None:
        say(str(execute({"@type": "setLogTagVerbosityLevel", "tag": "connections",
                         "new_verbosity_level": args.connections_verbosity})))

    server = None
    proxy_port = None
    if args.mode == "proxy":
        server = ResetServer()
        server.start()
        proxy_port = server.port
    elif args.mode == "refused":
        proxy_port = netns.free_port()

    db = tempfile.mkdtemp(prefix="tdlib-noise-")
    cid = td.td_create_client_id()

    def send(q):
        td.td_send(cid, json.dumps(q).encode())

    send({"@type": "getOption", "name": "version"})
    deadline = time.monotonic() + args.seconds
    sent_phone = False
    try:
        while time.monotonic() < deadline:
            r = td.td_receive(0.5)
            if not r:
                continue
            ev = json.loads(r)
            t = ev.get("@type")
            if t == "updateAuthorizationState":
                st = ev["authorization_state"]["@type"]
                say("auth state: " + st)
                if st == "authorizationStateWaitTdlibParameters":
                    if proxy_port is not None:
                        send({"@type": "addProxy", "enable": True, "comment": "noise-sample",
                              "proxy": {"@type": "proxy", "server": "127.0.0.1", "port": proxy_port,
                                        "type": {"@type": "proxyTypeSocks5", "username": "", "password": ""}}})
                    send({"@type": "setTdlibParameters", "use_test_dc": False,
                          "database_directory": db, "files_directory": db,
                          "database_encryption_key": "", "use_file_database": False,
                          "use_chat_info_database": False, "use_message_database": False,
                          "use_secret_chats": False, "api_id": API_ID, "api_hash": API_HASH,
                          "system_language_code": "en", "device_model": "noise-sample",
                          "system_version": "linux", "application_version": "1.0"})
                elif st == "authorizationStateWaitPhoneNumber" and not sent_phone:
                    sent_phone = True
                    # Any request that needs the network makes TDLib open connections.
                    send({"@type": "setAuthenticationPhoneNumber", "phone_number": "+10000000000",
                          "settings": None})
            elif t in ("updateConnectionState", "option", "error", "addedProxy", "ok"):
                say(json.dumps(ev)[:300])
        say("closing")
        send({"@type": "close"})
        end = time.monotonic() + 5
        while time.monotonic() < end:
            r = td.td_receive(0.5)
            if r and b"authorizationStateClosed" in r:
                say("closed")
                break
    finally:
        if server is not None:
            say(f"proxy server accepted {server.accepted} connections on port {proxy_port}")
            server.sock.close()
        shutil.rmtree(db, ignore_errors=True)
    sys.stdout.flush()
    os._exit(0)  # do not run TDLib's static destructors concurrently with its threads


if __name__ == "__main__":
    main()
