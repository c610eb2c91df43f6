#!/usr/bin/env bash
# Makes docs/status-page.png: the status page (`tgwatch run --http`) of a run against the Bot API sandbox, after messages
# into three chats, as headless chromium shows it at a desktop's size. Needs the Release build
# (dotnet build Tgwatch.sln -c Release) and Debian's chromium. Usage: tools/status-page-screenshot.sh [OUTPUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-docs/status-page.png}")
tgwatch=(dotnet src/Tgwatch.Cli/bin/Release/net10.0/tgwatch.dll)
token=123456789:AAsandbox-screenshot-token
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait
  rm -rf "$work"
}
trap cleanup EXIT

# Waits until the file $1 has a line matching $2; prints the match.
await_line() {
  for _ in $(seq 300); do
    if grep -oE "$2" "$1" 2>/dev/null | head -1 | grep .; then return; fi
    sleep 0.1
  done
  echo "status-page-screenshot: no '$2' in $1:" >&2
  cat "$1" >&2
  exit 1
}

"${tgwatch[@]}" sandbox --token "$token" >"$work/sandbox.log" 2>&1 &
pids+=($!)
bot_api=$(await_line "$work/sandbox.log" 'http://127\.0\.0\.1:[0-9]+/')

"${tgwatch[@]}" run --bot-token "$token" --bot-api-url "$bot_api" --state "$work/state.db" \
  --sink "jsonl:$work/messages.jsonl" --sink "sqlite:$work/messages.db" --http 127.0.0.1:0 2>"$work/run.log" &
pids+=($!)
page=$(await_line "$work/run.log" 'HTTP: serving .* on http://[0-9.:]+' | grep -oE 'http://[0-9.:]+$')

inject() { # chat id, chat json, count
  for i in $(seq "$3"); do
    curl -sS --fail-with-body "${bot_api}sandbox/messages" -H 'Content-Type: application/json' \
      -d "{\"chat_id\":$1,\"chat\":$2,\"text\":\"message $i\"}" >/dev/null
  done
}
inject -1001000000001 '{"type":"supergroup","title":"Ops alerts"}' 12
inject -1001000000002 '{"type":"supergroup","title":"Releases"}' 5
inject 4242 '{"type":"private","first_name":"Eve"}' 3
for _ in $(seq 300); do
  curl -sf "$page/api/status" | grep -q '"written":20,' && break
  sleep 0.1
done

HOME="$work" chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --hide-scrollbars \
  --user-data-dir="$work/chromium" --window-size=1200,900 --screenshot="$out" "$page/" 2>/dev/null
echo "status-page-screenshot: $out"
