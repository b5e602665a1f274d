#!/usr/bin/env python3
"""Times PyTorch's pooling on the cases of `clpool bench --sweep` and writes them as JSON for
`java -jar target/clpool.jar bench --sweep --compare-torch FILE.json`.

Needs PyTorch (it is not a dependency of clpool and is not installed by ci/setup.sh); run it on the
machine whose OpenCL device clpool times, e.g. on a GPU machine:

    python3 ci/torch_bench.py --out torch.json
    CLPOOL_DEVICE=gpu java -jar target/clpool.jar bench --sweep --compare-torch torch.json

What it times, per case (float32, NCHW, random normal input and gradient, PyTorch's defaults:
no dilation, floor mode, average counting padding):
  max  forward  F.max_pool2d(x, k, s, p, return_indices=True)        (values and int64 indices)
       backward aten.max_pool2d_with_indices_backward(dy, x, ..., indices)
  avg  forward  F.avg_pool2d(x, k, s, p)
       backward aten.avg_pool2d_backward(dy, x, k, s, p, ceil_mode=False, count_include_pad=True,
                divisor_override=None)
  min  forward  -F.max_pool2d(-x, ..., return_indices=True)          (PyTorch has no min pooling)
       backward what autograd runs for that: -aten.max_pool2d_with_indices_backward(-dy, -x, ..., indices)
The negations of min are part of its cost, as they are for a PyTorch user.

Method, as close to `clpool bench` as PyTorch allows: inputs made once; before each run a buffer of
twice the device's L2 cache is written (outside the timed interval) so that no run starts in cache;
3 untimed runs, then --runs timed ones; the figure is the median. On CUDA a run is timed by CUDA
events around the call (device time, as clpool's profiling events); with --device cpu by
time.perf_counter_ns around the call (wall time, PyTorch's CPU threads).

Output: a JSON array, one flat object per case:
  {"op": "max", "shape": [32, 64, 112, 112], "kernel": 2, "stride": 2, "padding": 0,
   "forward_ms": 0.095, "backward_ms": 0.302, "device": "NVIDIA H100 80GB HBM3",
   "runs": 50, "torch": "2.11.0+cu130", "dtype": "float32", "index_dtype": "int64",
   "timer": "cuda events"}
io.clpool.bench.TorchTimings reads it; keep the two in step.
"""

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time


def sweep_cases():
    """The cases of Benchmark.sweepCases, in its order: (op, (N, C, H, W), kernel, stride, padding)."""
    cases = []
    for size in (28, 56, 112, 224):
        for batch in (1, 8, 32):
            cases.append(("max", (batch, 64, size, size), 2, 2, 0))
    bench = (32, 64, 112, 112)
    cases += [
        ("max", bench, 3, 1, 1),
        ("max", bench, 3, 2, 1),  # ResNet's stem
        ("avg", bench, 2, 2, 0),
        ("min", bench, 2, 2, 0),
    ]
    return cases


def output_length(size, kernel, stride, padding):
    return (size + 2 * padding - kernel) // stride + 1


def passes(torch, op, x, k, s, p):
    """(forward, backward) callables for one case; backward reads what one forward left."""
    F = torch.nn.functional
    aten = torch.ops.aten
    ks, ss, ps, ds = [k, k], [s, s], [p, p], [1, 1]
    if op == "max":
        y, idx = F.max_pool2d(x, k, s, p, return_indices=True)
        dy = torch.randn(y.shape, device=x.device, dtype=x.dtype)

        def forward():
            return F.max_pool2d(x, k, s, p, return_indices=True)

        def backward():
            return aten.max_pool2d_with_indices_backward(dy, x, ks, ss, ps, ds, False, idx)

    elif op == "min":
        neg = torch.neg(x)
        y, idx = F.max_pool2d(neg, k, s, p, return_indices=True)
        dy = torch.randn(y.shape, device=x.device, dtype=x.dtype)

        def forward():
            m, i = F.max_pool2d(torch.neg(x), k, s, p, return_indices=True)
            return torch.neg(m), i

        def backward():
            return torch.neg(aten.max_pool2d_with_indices_backward(torch.neg(dy), neg, ks, ss, ps, ds, False, idx))

    elif op == "avg":
        y = F.avg_pool2d(x, k, s, p)
        dy = torch.randn(y.shape, device=x.device, dtype=x.dtype)

        def forward():
            return F.avg_pool2d(x, k, s, p)

        def backward():
            return aten.avg_pool2d_backward(dy, x, ks, ss, ps, False, True, None)

    else:
        raise ValueError("unknown op " + op)
    n, c, h, w = x.shape
    expected = (n, c, output_length(h, k, s, p), output_length(w, k, s, p))
    if tuple(y.shape) != expected:
        raise AssertionError("output shape %s, expected %s" % (tuple(y.shape), expected))
    return forward, backward


class CudaTimer:
    name = "cuda events"

    def __init__(self, torch, device):
        self.torch = torch
        self.device = device
        props = torch.cuda.get_device_properties(device)
        l2 = getattr(props, "L2_cache_size", 0) or (32 << 20)
        self.flush = torch.empty(2 * l2 // 4, dtype=torch.float32, device=device)

    def describe(self):
        return self.torch.cuda.get_device_name(self.device)

    def time_ms(self, fn):
        self.flush.zero_()  # enqueued before the start event: not timed
        start = self.torch.cuda.Event(enable_timing=True)
        end = self.torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        return start.elapsed_time(end)


class CpuTimer:
    name = "perf_counter (wall)"

    def __init__(self, torch, device):
        self.torch = torch
        self.flush = torch.empty(2 * (32 << 20) // 4, dtype=torch.float32)

    def describe(self):
        model = platform.processor() or platform.machine()
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("model name"):
                        model = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
        return "CPU: %s (PyTorch, %d threads)" % (model, self.torch.get_num_threads())

    def time_ms(self, fn):
        self.flush.zero_()
        start = time.perf_counter_ns()
        fn()
        return (time.perf_counter_ns() - start) / 1e6


def measure(timer, fn, warmup, runs):
    for _ in range(warmup):
        timer.time_ms(fn)
    return statistics.median(timer.time_ms(fn) for _ in range(runs))


def finite_or_none(v):
    return v if v is not None and math.isfinite(v) else None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="JSON file to write")
    parser.add_argument("--runs", type=int, default=50, help="timed runs per pass (median; default 50)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first (default 3)")
    parser.add_argument("--device", default="cuda", help="cuda, cuda:N or cpu (default cuda)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs should be at least 1 and --warmup at least 0")

    import torch  # here, so that --help works without PyTorch

    device = torch.device(args.device)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            sys.exit("torch_bench.py: CUDA is not available to PyTorch %s; use --device cpu to time the CPU"
                     % torch.__version__)
        if device.index is None:
            device = torch.device("cuda", torch.cuda.current_device())
        torch.cuda.set_device(device.index)  # the events record on this device's current stream
        timer = CudaTimer(torch, device)
    elif device.type == "cpu":
        timer = CpuTimer(torch, device)
    else:
        sys.exit("torch_bench.py: --device should be cuda, cuda:N or cpu, but got " + args.device)
    name = timer.describe()
    torch.manual_seed(args.seed)

    results = []
    with torch.no_grad():
        for op, shape, k, s, p in sweep_cases():
            x = torch.randn(shape, device=device, dtype=torch.float32)
            forward, backward = passes(torch, op, x, k, s, p)
            fwd = measure(timer, forward, args.warmup, args.runs)
            bwd = measure(timer, backward, args.warmup, args.runs)
            results.append({
                "op": op, "shape": list(shape), "kernel": k, "stride": s, "padding": p,
                "forward_ms": finite_or_none(fwd), "backward_ms": finite_or_none(bwd), "device": name,
                "runs": args.runs, "torch": torch.__version__, "dtype": "float32",
                "index_dtype": "int64" if op in ("max", "min") else None, "timer": timer.name,
            })
            print("%-4s %-16s %dx%d s%d p%d  forward %9.4f ms  backward %9.4f ms  (%s)"
                  % (op, "x".join(map(str, shape)), k, k, s, p, fwd, bwd, name), flush=True)
            del x, forward, backward
            if device.type == "cuda":
                torch.cuda.empty_cache()

    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(results, f, indent=2, allow_nan=False)
        f.write("\n")
    os.replace(tmp, args.out)
    print("wrote %s (%d cases, %s, PyTorch %s)" % (args.out, len(results), name, torch.__version__))


if __name__ == "__main__":
    main()
