"""PyTorch reference for `largestep deep bench`: training throughput of the CIFAR ResNet-18
"plain" (post-activation BasicBlocks [2, 2, 2, 2], width 64, 3x3 stem, no max-pool) or
DenseNet-BC-100-12 at batch 256, SGD with momentum 0.9 and L2 5e-4 in the loss -- the same step
candle times.

Each step copies a host batch to the device (as candle does), runs forward/backward/update; the
device is synchronized before each clock read; warm-up steps are excluded; the median is reported.
Prints one CSV-ish line per precision: f32 (TF32 off), tf32, bf16 (autocast + channels_last), with
the peak memory PyTorch allocated (torch.cuda.max_memory_allocated).
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.sc = None
        if stride != 1 or cin != cout:
            self.sc = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        h = F.relu(self.b1(self.c1(x)))
        h = self.b2(self.c2(h))
        return F.relu(h + (x if self.sc is None else self.sc(x)))


class ResNet18(nn.Module):
    def __init__(self, width=64, classes=10):
        super().__init__()
        self.stem = nn.Conv2d(3, width, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(width)
        layers, cin = [], width
        for s in range(4):
            cout = width << s
            for b in range(2):
                layers.append(Block(cin, cout, 2 if (s > 0 and b == 0) else 1))
                cin = cout
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        h = self.layers(F.relu(self.bn(self.stem(x))))
        return self.fc(h.mean((2, 3)))


class Bottleneck(nn.Module):
    def __init__(self, cin, k):
        super().__init__()
        self.b1, self.c1 = nn.BatchNorm2d(cin), nn.Conv2d(cin, 4 * k, 1, bias=False)
        self.b2, self.c2 = nn.BatchNorm2d(4 * k), nn.Conv2d(4 * k, k, 3, 1, 1, bias=False)

    def forward(self, x):
        h = self.c1(F.relu(self.b1(x)))
        return torch.cat([x, self.c2(F.relu(self.b2(h)))], 1)


class DenseNetBC(nn.Module):
    """DenseNet-BC, depth 100, growth 12, compression 0.5 (as src/deep/densenet.rs)."""

    def __init__(self, depth=100, k=12, classes=10):
        super().__init__()
        n, c = (depth - 4) // 6, 2 * k
        self.stem = nn.Conv2d(3, c, 3, 1, 1, bias=False)
        mods = []
        for b in range(3):
            for _ in range(n):
                mods.append(Bottleneck(c, k))
                c += k
            if b < 2:
                mods += [nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, c // 2, 1, bias=False), nn.AvgPool2d(2)]
                c //= 2
        self.body = nn.Sequential(*mods)
        self.bn, self.fc = nn.BatchNorm2d(c), nn.Linear(c, classes)

    def forward(self, x):
        h = F.relu(self.bn(self.body(self.stem(x))))
        return self.fc(h.mean((2, 3)))


def bench(model_name, batch, warmup, steps, precision):
    tf32 = precision != "f32"
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.benchmark = True
    dev = torch.device("cuda")
    torch.manual_seed(0)
    model = (ResNet18() if model_name == "resnet18" else DenseNetBC()).to(dev).train()
    fmt = torch.channels_last if precision == "bf16" else torch.contiguous_format
    model = model.to(memory_format=fmt)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x_host = torch.rand(batch, 3, 32, 32)
    y_host = torch.randint(0, 10, (batch,))
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    times = []
    for i in range(warmup + steps):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        x, y = x_host.to(dev).to(memory_format=fmt), y_host.to(dev)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=precision == "bf16"):
            logits = model(x)
        loss = F.cross_entropy(logits.float(), y)
        loss = loss + 0.5 * 5e-4 * sum((p * p).sum() for p in model.parameters())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        torch.cuda.synchronize()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    peak = torch.cuda.max_memory_allocated() / 2**20
    print(f"pytorch {torch.__version__},{model_name},{precision},batch {batch},median step {med * 1e3:.2f} ms,"
          f"{batch / med:.0f} images/s (min step {min(times) * 1e3:.2f} ms, {len(times)} timed steps),"
          f"peak {peak:.0f} MiB", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--model", choices=["resnet18", "densenet100"], default="resnet18")
    p.add_argument("--precision", choices=["f32", "tf32", "bf16"], action="append")
    a = p.parse_args()
    print(f"device: {torch.cuda.get_device_name(0)}", flush=True)
    for precision in a.precision or ["f32", "tf32"]:
        bench(a.model, a.batch, a.warmup, a.steps, precision)


if __name__ == "__main__":
    main()
