#!/usr/bin/env bash
# The ONNX checker's full check on every adaptive graph the tests export (MAML, FOMAML, Reptile, ANIL, Meta-SGD at 1 and
# 5 inner steps, regression) and on any files given (e.g. examples/FewShot's adaptive.onnx). Development-time only:
# needs Debian's python3-onnx (sudo apt-get install python3-onnx).
#   bash tools/dev/check-adaptive-onnx.sh [FILE.onnx ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
keep=$(mktemp -d)
trap 'rm -rf "$keep"' EXIT
SHARPSHOT_KEEP_ONNX="$keep" dotnet test tests/SharpShot.Tests -c Release --filter "FullyQualifiedName~AdaptiveExportTests" >/dev/null
PYENV_VERSION=system python3 tools/dev/check_onnx.py "$keep"/*.onnx "$@"
