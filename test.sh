#!/usr/bin/env bash
# Restores and builds everything, then runs all tests inside a network namespace that holds only
# loopback, so no test (nor TDLib, nor a Telegram client library run by a test) can reach past 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")"
dotnet build Tgwatch.sln -c Release -nologo -clp:ErrorsOnly
if [ "$(id -u)" = 0 ]; then isolate=(unshare -n); else isolate=(unshare -r -n); fi
exec "${isolate[@]}" bash -c 'ip link set lo up && exec dotnet test Tgwatch.sln -c Release --no-build -nologo "$@"' _ "$@"
