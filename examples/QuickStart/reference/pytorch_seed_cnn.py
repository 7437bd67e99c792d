"""The seed CNN in plain PyTorch, for side-by-side timing and accuracy against QuickStart.

Development-time reference only (not a test dependency). On Debian/Ubuntu:
    apt-get install python3-torch
    PYENV_VERSION=system python3 examples/QuickStart/reference/pytorch_seed_cnn.py DATA_DIR [EPOCHS]
Same network, initialization (Glorot uniform, zero bias), optimizer, batch size and data scaling as
examples/QuickStart; prints one JSON line with test accuracy and training seconds.
"""
import gzip
import json
import os
import sys
import time

import numpy as np
import torch


def read_idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load(directory, prefix):
    def find(name):
        for candidate in (name, name + ".gz"):
            if os.path.exists(os.path.join(directory, candidate)):
                return os.path.join(directory, candidate)
        raise FileNotFoundError(os.path.join(directory, name))

    images = read_idx(find(f"{prefix}-images-idx3-ubyte")).astype(np.float32) / 255.0
    labels = read_idx(find(f"{prefix}-labels-idx1-ubyte")).astype(np.int64)
    return torch.from_numpy(images).unsqueeze(1), torch.from_numpy(labels)


def main():
    directory = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(42)
    x_train, y_train = load(directory, "train")
    x_test, y_test = load(directory, "t10k")

    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(5408, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
    for module in model:
        if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
            torch.nn.init.xavier_uniform_(module.weight)
            torch.nn.init.zeros_(module.bias)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    start = time.time()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(x_train))
        for i in range(0, len(order), 32):
            rows = order[i:i + 32]
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x_train[rows]), y_train[rows])
            loss.backward()
            optimizer.step()
            loss.item()  # as QuickStart reads every loss (divergence check, progress)
    train_seconds = time.time() - start

    model.eval()
    with torch.no_grad():
        accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
    print(json.dumps({"framework": f"pytorch {torch.__version__}", "threads": torch.get_num_threads(),
                      "epochs": epochs, "accuracy": round(accuracy, 5), "train_seconds": round(train_seconds, 2)}))


if __name__ == "__main__":
    main()
