#!/usr/bin/env bash
# Issue 16 part 6a: resident memory after warm-up stays flat. For each target, RSS at step 1,000 and 10,000 and the growth.
#   tools/reliability/memory.sh [targets…]   (default: supervised protonet maml fomaml reptile anil metasgd onnx fewshot)
#   STEPS=10000 FIRST=1000 LIMIT=5 override the counts and the allowed growth in percent.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(supervised protonet maml fomaml reptile anil metasgd onnx fewshot)
status=0
for target in "${targets[@]}"; do
  reliability memory --target "$target" --steps "${STEPS:-10000}" --first "${FIRST:-1000}" --limit "${LIMIT:-5}" || status=1
done
exit $status
