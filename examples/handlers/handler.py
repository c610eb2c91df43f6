#!/usr/bin/env python3
"""A Tgwatch handler: one JSON line per message on stdin, one answer per message on stdout.

Run it with: tgwatch run --handler 'exec:python3 examples/handlers/handler.py' ...
Tgwatch may send a message again (after a crash or a time-out): key side effects on "key".
"""
import json
import sys

for line in sys.stdin:                      # EOF on stdin: the run stops; finish and exit
    request = json.loads(line)
    key, record = request["key"], request["record"]
    try:
        text = record.get("text") or ""
        if "urgent" in text.lower():
            print(f"urgent in chat {record['chat_id']}: {text[:80]}", file=sys.stderr)
        answer = {"key": key, "ok": True}
    except Exception as e:                  # refuse this message: it goes to the dead letters
        answer = {"key": key, "ok": False, "error": str(e), "retry": False}
    print(json.dumps(answer), flush=True)   # one line per message, flushed
