#!/usr/bin/env bash
# Installs what the tests need when it can (Debian packages as root, the npm emulator with npm), restores and
# builds everything, then runs all tests inside network and mount namespaces that hold only loopback (and
# private mounts), so no test (nor TDLib, nor a Telegram client library run by a test) can reach past 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages: `ip` and `unshare` for the namespaces, python3 for the noise gate's tests (Tgwatch.Noise.Tests
# classify what real Python prints) and with Telethon for `tgwatch quiet`'s (Tgwatch.Cli.Tests: a real MTProto
# client's connection noise), node and npm for the Bot API cross-check against telegram-test-api,
# systemd-analyze to check the example unit file, chromium (headless) for the status page's tests, postgresql (15) for
# the PostgreSQL state store's and sink's tests.
missing=()
command -v ip >/dev/null || missing+=(iproute2)
command -v unshare >/dev/null || missing+=(util-linux)
[ -x /usr/bin/python3 ] || missing+=(python3)
/usr/bin/python3 -c 'import telethon' 2>/dev/null || missing+=(python3-telethon)
{ command -v node && command -v npm; } >/dev/null || missing+=(nodejs npm)
[ -x /usr/bin/systemd-analyze ] || missing+=(systemd) # checks examples/tgwatch.service
[ -x /usr/bin/chromium ] || missing+=(chromium)        # StatusPageTests run it from there
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql) # Tgwatch.Postgres.Tests start a cluster of their own (TestKit's PostgresCluster)
command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ] || missing+=(nats-server) # JetStream for Tgwatch.Nats.Tests
# The native executable (published with PublishAot, and the program's tests run on it) is linked by the C compiler, with zlib.
command -v gcc >/dev/null || command -v clang >/dev/null || missing+=(gcc)
[ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "test.sh: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elif ! command -v ip >/dev/null || ! command -v unshare >/dev/null; then
    echo "test.sh: missing ${missing[*]}; install them (sudo apt-get install ${missing[*]}) or run as root" >&2
    exit 1
  else
    # The tests that need them fail, each with one line naming what is missing.
    echo "test.sh: missing ${missing[*]} (sudo apt-get install ${missing[*]}); the tests that need them will fail" >&2
  fi
fi
if command -v npm >/dev/null && [ ! -d tools/telegram-test-api/node_modules/telegram-test-api ]; then
  npm ci --prefix tools/telegram-test-api --no-audit --no-fund --loglevel=error >/dev/null
fi

dotnet build Tgwatch.sln -c Release -nologo -clp:ErrorsOnly
# What is shipped as one executable: the program compiled ahead of time. The tests that start tgwatch (Tgwatch.Cli.Tests,
# the PostgreSQL runners) start this one (TGWATCH_PROGRAM); the others load the built assemblies.
dotnet publish src/Tgwatch.Cli -c Release -r linux-x64 -p:PublishAot=true -nologo -clp:ErrorsOnly -o artifacts/native
export TGWATCH_PROGRAM="$PWD/artifacts/native/tgwatch"
if [ "$(id -u)" = 0 ]; then isolate=(unshare -n -m); else isolate=(unshare -r -n -m); fi
# Tests send SIGINT, SIGTERM and SIGHUP to the programs they start, which inherit what this script was given: started
# under nohup or as a background job, those signals would be ignored from the start (and a program cannot take back a
# signal ignored before it began). They are reset to their defaults here.
isolate=(env --default-signal=HUP,INT,QUIT,TERM "${isolate[@]}")
exec "${isolate[@]}" bash -c 'ip link set lo up && exec dotnet test Tgwatch.sln -c Release --no-build -nologo "$@"' _ "$@"
