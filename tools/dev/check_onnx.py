#!/usr/bin/env python3
"""Runs ONNX's full checker (structure, types, strict shape inference) on each file given.

A development-time check with Debian's python3-onnx, not a test dependency:
    sudo apt-get install python3-onnx
    PYENV_VERSION=system python3 tools/dev/check_onnx.py FILE.onnx [...]
Exit status 0 when every file passes, 1 otherwise; one line per file.
"""
import sys

import onnx


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        try:
            model = onnx.load(path)
            onnx.checker.check_model(model, full_check=True)
            opsets = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in model.opset_import)
            print(f"PASS {path} (IR {model.ir_version}, {opsets}, {len(model.graph.node)} nodes)")
        except Exception as error:  # the checker raises several kinds; each is a failure of this file
            failed += 1
            print(f"FAIL {path}: {type(error).__name__}: {error}")
    print(f"onnx {onnx.__version__}: {len(paths) - failed} of {len(paths)} passed the full check")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
