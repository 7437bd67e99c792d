#!/usr/bin/env bash
# Reproduces a finding of the kill-and-resume check: with oneDNN on (the default), each process's ConvolutionGuard decides
# anew, on random trials, whether a convolution configuration runs on oneDNN (1) or in float64 (0). Because oneDNN's errors
# come and go, processes can decide differently, and the same seeded run then ends with different weights; a resumed
# process can so differ from the one that wrote the checkpoint. Seen here: "guard 1 0" in 2 of 16 ProtoNet runs, each time
# with the other hash. With SHARPSHOT_ONEDNN=0 every process uses LibTorch's own kernels and the runs agree.
#   tools/reliability/guard-verdicts.sh [runs=16] [workload=protonet]
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for _ in $(seq 1 "${1:-16}"); do
  reliability train --workload "${2:-protonet}" --size tiny | tail -n 2 | tr '\n' ' '
  echo
done | sort | uniq -c
