"""PyTorch CPU reference for `largestep deep bench --device cpu`: training throughput of one
model in one setting, with the same step candle times (experiments/cpu_side_by_side.sh runs both).

The models are those of experiments/gpu/torch_throughput.py (ResNet-18 "plain" of a given width,
DenseNet-BC-100-12). Settings as src/deep/train.rs: basic = SGD, no momentum, no L2, no
augmentation; sota = momentum 0.9, L2 5e-4, random crop (pad 4) + horizontal flip on the host.
Each step builds the batch from uint8 pixels (as candle's `ImageSet::batch`), runs forward,
cross-entropy, backward and the update; warm-up steps are excluded and the median is reported,
with the process's peak resident memory (ru_maxrss).
"""
import argparse
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpu"))
from torch_throughput import DenseNetBC, ResNet18  # noqa: E402


def batch(pixels, augment, gen):
    x = pixels.float().div_(255.0)
    if augment:
        n = x.shape[0]
        padded = F.pad(x, (4, 4, 4, 4))
        dy = torch.randint(0, 9, (n,), generator=gen)
        dx = torch.randint(0, 9, (n,), generator=gen)
        flip = torch.rand(n, generator=gen) < 0.5
        out = torch.empty_like(x)
        for i in range(n):
            img = padded[i, :, dy[i]:dy[i] + 32, dx[i]:dx[i] + 32]
            out[i] = img.flip(2) if flip[i] else img
        x = out
    return x


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=["resnet18", "densenet100"], default="resnet18")
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--setting", choices=["basic", "sota"], default="basic")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = (ResNet18(a.width) if a.model == "resnet18" else DenseNetBC()).train()
    sota = a.setting == "sota"
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9 if sota else 0.0,
                          weight_decay=5e-4 if sota else 0.0)
    gen = torch.Generator().manual_seed(0)
    pixels = torch.randint(0, 256, (a.batch, 3, 32, 32), dtype=torch.uint8, generator=gen)
    labels = torch.randint(0, 10, (a.batch,), generator=gen)
    times = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        x = batch(pixels, sota, gen)
        loss = F.cross_entropy(model(x), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if i >= a.warmup:
            times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pytorch {torch.__version__},{a.model},{a.setting},batch {a.batch},threads {torch.get_num_threads()},"
          f"median step {med * 1e3:.2f} ms,{a.batch / med:.1f} images/s,peak RSS {peak:.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
