"""PyTorch peer of the FewShot example's training configurations, for pace comparisons (see benchmarks/README.md).

Times conv-4 Prototypical Networks episodes (20-way 1-shot 5-query, Adam 1e-3) or MAML tasks (5-way 1-shot
15-query, inner lr 0.4, one inner step, meta-batch 32, tasks backpropagated one by one; second or first order)
as plain PyTorch code would run them. Images are random 1x28x28 tensors: the pace of these nets does not
depend on the pixel values, and leaving out data loading can only favour the peer.

Run with Debian's PyTorch: PYENV_VERSION=system python3 benchmarks/peer/fewshot_peer.py protonet --episodes 300
Ends with one JSON line: algorithm, episodes, seconds, tasks_per_s, threads.
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F


def conv4_parameters(outputs):
    """Weights of four 3x3 conv blocks of 64 filters (with batch-norm scale and shift) and an optional head."""
    params = []
    channels = 1
    for _ in range(4):
        conv = torch.nn.Conv2d(channels, 64, 3, padding=1)
        params += [conv.weight, conv.bias, torch.ones(64), torch.zeros(64)]
        channels = 64
    if outputs:
        head = torch.nn.Linear(64, outputs)
        params += [head.weight, head.bias]
    return [p.detach().clone().requires_grad_(True) for p in params]


def conv4_forward(params, x, outputs):
    """The conv-4 forward on explicit weights: batch norm with batch statistics, as MAML and ProtoNet train."""
    for block in range(4):
        w, b, gamma, beta = params[4 * block:4 * block + 4]
        x = F.conv2d(x, w, b, padding=1)
        x = F.batch_norm(x, None, None, gamma, beta, training=True)
        x = F.max_pool2d(F.relu(x), 2)
    x = x.flatten(1)
    if outputs:
        x = F.linear(x, params[16], params[17])
    return x


def protonet_episode(params, optimizer, ways, shots, queries):
    support = torch.randn(ways * shots, 1, 28, 28)
    query = torch.randn(ways * queries, 1, 28, 28)
    labels = torch.arange(ways).repeat_interleave(queries)
    embedded = conv4_forward(params, torch.cat([support, query]), 0)
    prototypes = embedded[:ways * shots].reshape(ways, shots, -1).mean(1)
    distances = torch.cdist(embedded[ways * shots:], prototypes) ** 2
    loss = F.cross_entropy(-distances, labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def maml_meta_batch(params, optimizer, ways, shots, queries, inner_lr, meta_batch, second_order):
    optimizer.zero_grad()
    for _ in range(meta_batch):
        support = torch.randn(ways * shots, 1, 28, 28)
        support_labels = torch.arange(ways).repeat_interleave(shots)
        query = torch.randn(ways * queries, 1, 28, 28)
        query_labels = torch.arange(ways).repeat_interleave(queries)
        inner_loss = F.cross_entropy(conv4_forward(params, support, ways), support_labels)
        grads = torch.autograd.grad(inner_loss, params, create_graph=second_order)
        adapted = [p - inner_lr * g for p, g in zip(params, grads)]
        outer_loss = F.cross_entropy(conv4_forward(adapted, query, ways), query_labels) / meta_batch
        outer_loss.backward()
    optimizer.step()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("algorithm", choices=["protonet", "maml", "fomaml"])
    parser.add_argument("--episodes", type=int, default=300, help="timed episodes (ProtoNet) or tasks (MAML)")
    parser.add_argument("--warmup", type=int, help="untimed steps first (default 10 episodes for ProtoNet, 1 meta-batch for MAML)")
    parser.add_argument("--threads", type=int, default=2, help="PyTorch intra-op threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)

    if args.algorithm == "protonet":
        params = conv4_parameters(0)
        optimizer = torch.optim.Adam(params, lr=1e-3)
        step = lambda: protonet_episode(params, optimizer, 20, 1, 5)
        tasks_per_step = 1
    else:
        params = conv4_parameters(5)
        optimizer = torch.optim.Adam(params, lr=1e-3)
        second_order = args.algorithm == "maml"
        step = lambda: maml_meta_batch(params, optimizer, 5, 1, 15, 0.4, 32, second_order)
        tasks_per_step = 32

    for _ in range(args.warmup if args.warmup is not None else (10 if tasks_per_step == 1 else 1)):
        step()
    steps = max(1, -(-args.episodes // tasks_per_step))
    start = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = time.perf_counter() - start
    tasks = steps * tasks_per_step
    print(f"{args.algorithm}: {tasks} tasks in {seconds:.1f} s, {tasks / seconds:.2f} tasks/s on {torch.get_num_threads()} thread(s)")
    print(json.dumps({"algorithm": args.algorithm, "episodes": tasks, "seconds": round(seconds, 1),
                      "tasks_per_s": round(tasks / seconds, 2), "threads": torch.get_num_threads()}, separators=(",", ":")))


if __name__ == "__main__":
    main()
