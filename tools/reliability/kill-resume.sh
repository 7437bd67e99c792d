#!/usr/bin/env bash
# Issue 16 part 4: supervised training and meta-training (ProtoNet, MAML) killed with SIGKILL at seeded random moments,
# resumed in a fresh process each time, final weights compared (SHA-256 of the state dict) with an unbroken run.
#   tools/reliability/kill-resume.sh [--kills 24] [--seed 1] [--workloads supervised,protonet,maml] [--size full|tiny] [--onednn off|on]
# Prints one "kill-resume <workload>: kills survived K/N, … identical yes|no" line per workload; exit 0 when all are identical.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
reliability kill-resume "$@"
