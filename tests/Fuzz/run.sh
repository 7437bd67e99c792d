#!/usr/bin/env bash
# The long fuzzing run: every format (or one) for N seconds each, each in its own process so that a native crash or a
# hang ends only its own format. Prints per format: inputs tried, untyped exceptions, hangs over 1 s, inputs over
# +256 MB, peak resident-memory growth, seconds; saves each finding's input under tests/Fuzz/crashers/<format>/, where
# the unit tests replay it. The formats are the entries of tests/SharpShot.Fuzz.Tests/Formats.cs (--list prints them).
#
#   tests/Fuzz/run.sh --seconds 60 [--format png] [--seed 42] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=60 format="" seed="" build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --format) format="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "usage: $0 --seconds N [--format F] [--seed S] [--no-build]" >&2; exit 2 ;;
  esac
done

project=tests/SharpShot.Fuzz.Tests
dll=$project/bin/Release/net10.0/SharpShot.Fuzz.Tests.dll
if [ "$build" -eq 1 ]; then
  dotnet build "$project" -c Release -v quiet -nologo >/dev/null
fi

formats=$format
[ -n "$formats" ] || formats=$(dotnet "$dll" --list)

status=0
for f in $formats; do
  args=(--format "$f" --seconds "$seconds" --save tests/Fuzz/crashers)
  [ -z "$seed" ] || args+=(--seed "$seed")
  # ONNX Runtime's console warnings about the mutated models are noise here: keep our lines only.
  set +e
  dotnet "$dll" "${args[@]}" 2>/dev/null | grep -E '^(  |[a-z-]+ +inputs)'
  rc=${PIPESTATUS[0]}
  set -e
  inflight=tests/Fuzz/crashers/$f/in-flight.bin
  if [ "$rc" -ne 0 ]; then
    [ "$rc" -eq 1 ] || echo "$f: the fuzzing process ended with exit code $rc (a crash is a finding)"
    if [ -f "$inflight" ]; then
      kept=tests/Fuzz/crashers/$f/crash-$(sha256sum "$inflight" | cut -c1-16).bin
      mv "$inflight" "$kept"
      echo "  the input it was reading: $kept"
    fi
    status=1
  fi
  rm -f "$inflight"
  rmdir tests/Fuzz/crashers/$f 2>/dev/null || true
done
exit $status
