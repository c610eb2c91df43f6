"""A handler that misbehaves the way real ones do, for ExecHandlerRunTests.

Each message's text says what to do: "refuse" answers ok:false (retry false), "die" exits once (the first time),
"hang" never answers once (the first time), "flaky" answers ok:false with retry true once; anything else is handled.
Every message it handles is appended to HANDLED (the file named by the first argument). Before each answer it writes
connection noise to stderr, as a client library losing its connection does. With ACCEPT_ALL=1 it refuses nothing.
"""
import json
import os
import sys
import time

handled_path = sys.argv[1]
marks = os.path.dirname(handled_path)
accept_all = os.environ.get("ACCEPT_ALL") == "1"


def once(name):
    """True the first time NAME is asked for, across restarts."""
    mark = os.path.join(marks, name + ".done")
    if os.path.exists(mark):
        return False
    open(mark, "w").close()
    return True


def noise():
    sys.stderr.write(
        "Traceback (most recent call last):\n"
        '  File "/usr/lib/python3/dist-packages/client/network.py", line 212, in send\n'
        "    self._socket.send(data)\n"
        "ConnectionResetError: [Errno 104] Connection reset by peer\n")
    sys.stderr.flush()


for line in sys.stdin:
    request = json.loads(line)
    key, text = request["key"], request["record"].get("text") or ""
    noise()
    if "die" in text and once("die"):
        os._exit(3)
    if "hang" in text and once("hang"):
        time.sleep(3600)
    if "refuse" in text and not accept_all:
        print(json.dumps({"key": key, "ok": False, "error": "refused: " + text, "retry": False}), flush=True)
        continue
    if "flaky" in text and once("flaky"):
        print(json.dumps({"key": key, "ok": False, "error": "try again", "retry": True}), flush=True)
        continue
    print("a line that is no answer", flush=True)
    with open(handled_path, "a") as f:
        f.write(key + "\n")
    print(json.dumps({"key": key, "ok": True}), flush=True)
