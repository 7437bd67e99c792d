#!/usr/bin/env bash
# Training pace side by side: the PyTorch peer (fewshot_peer.py) and SharpShot's examples/FewShot on the same
# configurations (conv-4 ProtoNet 20-way 1-shot 5-query; MAML and first-order MAML 5-way 1-shot 15-query,
# meta-batch 32), one right after the other on this machine. Prints each pace and SharpShot's ratio to the peer.
#   bash benchmarks/peer/compare.sh [OMNIGLOT_DIR] [ALGORITHM ...]
# Needs Debian's python3-torch (apt-get install python3-torch). Takes about 10 minutes for all three.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:-../shared/datasets/omniglot}
shift || true
algorithms=${*:-protonet maml fomaml}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet build examples/FewShot -c Release -v quiet -nologo > /dev/null

pace() { sed -n 's/.*"tasks_per_s":\([0-9.]*\).*/\1/p' | tail -1; }
for algorithm in $algorithms; do
    case $algorithm in
        protonet) episodes=600 ;;
        maml) episodes=320 ;;
        fomaml) episodes=480 ;;
        *) echo "unknown algorithm '$algorithm' (protonet, maml or fomaml)" >&2; exit 2 ;;
    esac
    peer=$(PYENV_VERSION=system python3 benchmarks/peer/fewshot_peer.py "$algorithm" --episodes "$episodes" | pace)
    ours=$(dotnet run --project examples/FewShot -c Release --no-build -- --data "$data" --algorithm "$algorithm" \
        --episodes "$episodes" --test-episodes 20 --out "$out/$algorithm" --json | pace)
    awk -v a="$algorithm" -v n="$episodes" -v p="$peer" -v o="$ours" \
        'BEGIN { printf "%-8s %4d tasks: PyTorch %6.2f tasks/s, SharpShot %6.2f tasks/s, ratio %.2f\n", a, n, p, o, o / p }'
done
