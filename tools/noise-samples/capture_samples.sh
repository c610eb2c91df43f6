#!/usr/bin/env bash
# Regenerates the noise-gate sample files in tests/Tgwatch.Noise.Tests/Samples/.
#
#   tools/noise-samples/capture_samples.sh [all|asyncio|telethon|tdlib|dotnet|from-source]...
#
# Every sample file is the raw bytes one library (or the Python / .NET runtime)
# wrote to one stream; nothing is added.  Network clients run in a
# loopback-only network namespace (`unshare -n`, needs root); every run is
# bounded by `timeout`.  Provenance: Samples/README.md.
#
# Environment:
#   PY_PYENV   interpreter for the asyncio captures      (default: python3 on PATH)
#   PY_DEBIAN  Debian's interpreter (has python3-telethon) (default: /usr/bin/python3)
#   TDJSON     path of libtdjson.so (else /tmp/tdlib/package/libtdjson.so, else npm pack)
#   OUT        output folder (default: tests/Tgwatch.Noise.Tests/Samples)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="${OUT:-$REPO/tests/Tgwatch.Noise.Tests/Samples}"
PY_PYENV="${PY_PYENV:-python3}"
PY_DEBIAN="${PY_DEBIAN:-/usr/bin/python3}"
DOTNET_WORK="${DOTNET_WORK:-/tmp/tgwatch-noise-dotnet}"
mkdir -p "$OUT"

step() { printf '== %s\n' "$*"; }

# run CMD..., expecting exit status $1; anything else aborts
expect_rc() {
    local want="$1"; shift
    set +e; "$@"; local rc=$?; set -e
    if [ "$rc" != "$want" ]; then
        echo "unexpected exit status $rc (wanted $want): $*" >&2
        exit 1
    fi
}

asyncio_samples() {
    local v; v="$("$PY_PYENV" -c 'import platform; print(platform.python_version())')"
    local f="$HERE/asyncio_flood.py"
    step "asyncio (CPython $v)"
    expect_rc 1 timeout 30 "$PY_PYENV" "$f" --count 20 --uncaught \
        >/dev/null 2>"$OUT/asyncio.cpython-$v.lastresort.stderr.txt"
    expect_rc 3 timeout 30 "$PY_PYENV" "$f" --count 20 --logging basic --genuine enospc --exit-code 3 \
        >/dev/null 2>"$OUT/asyncio.cpython-$v.basicconfig.stderr.txt"
    expect_rc 2 timeout 30 "$PY_PYENV" "$f" --count 10 --logging debug --exit-code 2 \
        >/dev/null 2>"$OUT/asyncio.cpython-$v.debug.stderr.txt"
    expect_rc 1 timeout 30 "$PY_PYENV" "$f" --count 8 --logging basic --genuine connlost --uncaught \
        >/dev/null 2>"$OUT/asyncio.cpython-$v.connlost.stderr.txt"
    local vd; vd="$("$PY_DEBIAN" -c 'import platform; print(platform.python_version())')"
    step "asyncio (Debian CPython $vd)"
    expect_rc 2 timeout 30 "$PY_DEBIAN" "$f" --count 10 --logging debug --exit-code 2 \
        >/dev/null 2>"$OUT/asyncio.cpython-$vd-debian.debug.stderr.txt"
}

telethon_samples() {
    local v; v="$("$PY_DEBIAN" -c 'import telethon; print(telethon.__version__)')"
    local f="$HERE/telethon_flaky.py"
    step "telethon $v"
    expect_rc 0 timeout 60 "$PY_DEBIAN" "$f" --level INFO \
        >/dev/null 2>"$OUT/telethon-$v.basicconfig-info.stderr.txt"
    expect_rc 0 timeout 60 "$PY_DEBIAN" "$f" --level DEBUG --seconds 8 \
        >/dev/null 2>"$OUT/telethon-$v.basicconfig-debug.stderr.txt"
    expect_rc 5 timeout 60 "$PY_DEBIAN" "$f" --format telethon-docs --level WARNING --exit-code 5 \
        >/dev/null 2>"$OUT/telethon-$v.docs-format-warning.stderr.txt"
}

tdlib_samples() {
    local f="$HERE/tdlib_capture.py" lib=()
    [ -n "${TDJSON:-}" ] && lib=(--lib "$TDJSON")
    step "tdlib offline, verbosity 3"
    timeout 60 "$PY_PYENV" "$f" "${lib[@]}" --mode offline --seconds 20 --verbosity 3 \
        2>"$OUT/tdlib-1.8.65.offline.v3.stderr.txt"
    step "tdlib offline, verbosity 2"
    timeout 60 "$PY_PYENV" "$f" "${lib[@]}" --mode offline --seconds 20 --verbosity 2 \
        2>"$OUT/tdlib-1.8.65.offline.v2.stderr.txt"
    step "tdlib SOCKS5 proxy that resets, verbosity 3"
    timeout 60 "$PY_PYENV" "$f" "${lib[@]}" --mode proxy --seconds 20 --verbosity 3 \
        2>"$OUT/tdlib-1.8.65.socks5-reset.v3.stderr.txt"
    step "tdlib SOCKS5 proxy refused, verbosity 2, tag connections 2"
    timeout 60 "$PY_PYENV" "$f" "${lib[@]}" --mode refused --seconds 15 --verbosity 2 --connections-verbosity 2 \
        2>"$OUT/tdlib-1.8.65.socks5-refused.v2-connections2.stderr.txt"
    step "tdlib offline on a tty (script), verbosity 2"
    # script(1) gives TDLib a pty as stderr; the driver's own stdout goes to /dev/null,
    # so the pty carries only TDLib's bytes (with the pty's \r\n line ends).
    local cmd
    cmd="$(printf '%q ' timeout 60 "$PY_PYENV" "$f" "${lib[@]}" --mode offline --seconds 10 --verbosity 2)"
    timeout 90 script -q -e -c "$cmd >/dev/null" /dev/null </dev/null \
        >"$OUT/tdlib-1.8.65.offline.v2.tty.txt"
}

dotnet_build() {
    step "dotnet: build $HERE/dotnet in $DOTNET_WORK"
    rm -rf "$DOTNET_WORK"
    mkdir -p "$DOTNET_WORK"
    cp "$HERE/dotnet/Directory.Build.props" "$HERE/dotnet/Directory.Packages.props" \
       "$HERE/dotnet/NoiseSamples.csproj" "$HERE/dotnet/Program.cs" "$DOTNET_WORK/"
    timeout 600 dotnet build "$DOTNET_WORK/NoiseSamples.csproj" -c Release -nologo -v q >/dev/null
}

# the generator, run inside a loopback-only network namespace
DOTNET_RUN=(env -C "$DOTNET_WORK" unshare -n sh -c 'ip link set lo up && exec "$@"' _
            dotnet bin/Release/net10.0/NoiseSamples.dll)

dotnet_samples() {
    dotnet_build
    local v; v="$(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ {v=$2} END {print v}')"
    step "dotnet $v samples"
    local m
    for m in http-refused http-reset stream-reset socket-reset; do
        expect_rc 0 timeout 60 "${DOTNET_RUN[@]}" "tostring-$m" >"$OUT/dotnet-$v.$m.tostring.txt"
    done
    expect_rc 0 timeout 60 "${DOTNET_RUN[@]}" logger >"$OUT/dotnet-$v.console-logger.stdout.txt"
    expect_rc 134 timeout 60 "${DOTNET_RUN[@]}" unhandled-http-refused \
        >/dev/null 2>"$OUT/dotnet-$v.unhandled-http-refused.stderr.txt"
    expect_rc 0 timeout 60 "${DOTNET_RUN[@]}" telegrambot-refused >"$OUT/telegram.bot-22.10.3.3.getme-refused.tostring.txt"
    expect_rc 0 timeout 60 "${DOTNET_RUN[@]}" telegrambot-reset >"$OUT/telegram.bot-22.10.3.3.getme-reset.tostring.txt"
    expect_rc 0 timeout 60 "${DOTNET_RUN[@]}" telegrambot-logger >"$OUT/telegram.bot-22.10.3.3.console-logger.stdout.txt"
}

from_source_samples() {
    step "pyrogram (from source)"
    expect_rc 0 timeout 30 "$PY_PYENV" "$HERE/pyrogram_from_source.py" --logging basic \
        2>"$OUT/pyrogram-2.0.106.basicconfig-info.from-source.txt"
    expect_rc 0 timeout 30 "$PY_PYENV" "$HERE/pyrogram_from_source.py" --logging lastresort \
        2>"$OUT/pyrogram-2.0.106.lastresort.from-source.txt"
    step "WTelegramClient (from source)"
    [ -f "$DOTNET_WORK/bin/Release/net10.0/NoiseSamples.dll" ] || dotnet_build
    expect_rc 0 timeout 60 "${DOTNET_RUN[@]}" wtelegram-from-source default \
        >"$OUT/wtelegramclient.default-logger.from-source.txt"
    expect_rc 0 timeout 60 "${DOTNET_RUN[@]}" wtelegram-from-source file \
        >"$OUT/wtelegramclient.examples-file-logger.from-source.txt"
    # On a terminal .NET's Console.ForegroundColor emits colour sequences (from terminfo of TERM).
    local cmd
    cmd="$(printf '%q ' "${DOTNET_RUN[@]}" wtelegram-from-source default)"
    TERM=xterm-256color timeout 90 script -q -e -c "$cmd" /dev/null </dev/null \
        >"$OUT/wtelegramclient.default-logger.tty.from-source.txt"
}

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(all)
for t in "${targets[@]}"; do
    case "$t" in
        all) asyncio_samples; telethon_samples; tdlib_samples; dotnet_samples; from_source_samples ;;
        asyncio) asyncio_samples ;;
        telethon) telethon_samples ;;
        tdlib) tdlib_samples ;;
        dotnet) dotnet_samples ;;
        from-source) from_source_samples ;;
        *) echo "unknown target $t" >&2; exit 2 ;;
    esac
done
step "done: $OUT"
