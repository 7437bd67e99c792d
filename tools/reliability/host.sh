#!/usr/bin/env bash
# Issue 16 part 6b and 6c: the ONNX host under threads and under Dispose.
#   16 threads × 10,000 Predict calls on one OnnxModel and one FewShotClassifier: answers identical to serial ones;
#   1,000 disposes under load per model kind: every call ends with ObjectDisposedException (a native crash ends the script).
#   THREADS=16 CALLS=10000 TRIES=1000 override the counts.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
status=0
reliability threads --threads "${THREADS:-16}" --calls "${CALLS:-10000}" || status=1
reliability dispose --tries "${TRIES:-1000}" --threads 8 || status=1
exit $status
