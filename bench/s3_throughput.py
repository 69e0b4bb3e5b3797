"""Throughput of the ``s3`` artifact store: a 200 MB numpy array through a step, on moto.

Two numbers, measured in the same run against the same moto S3 server (started
on 127.0.0.1 in a child process):

* **plain s3fs**: ``put_file`` of the array's bytes from a local file, then
  ``get_file`` back (s3fs's own transfers, with its concurrency);
* **through a step**: a pipeline whose first step returns the array (saved by
  the numpy materializer to the ``s3`` store) and whose second step loads it
  and returns its sum; the time is the two steps' own durations (the
  materializer's save and load), not the pipeline's set-up.

throughput = 2 x bytes / seconds (written once and read once).

Usage: python bench/s3_throughput.py [--mb 200] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from cairn import pipeline, step

#: The array, made once before timing (steps run in this process on the default
#: orchestrator), so that the step's duration is the materializer's save.
ARRAY: list[Any] = []


@step
def produce() -> np.ndarray:  # type: ignore[type-arg]
    return ARRAY[0]  # type: ignore[no-any-return]


@step
def consume(array: np.ndarray) -> int:  # type: ignore[type-arg]
    return int(array[:: 1024 * 1024].sum())


@pipeline(name="s3_throughput", enable_cache=False)
def through_a_step() -> None:
    consume(produce())


def plain_s3fs(endpoint: str, data: bytes, repeats: int) -> float:
    import s3fs

    fs = s3fs.S3FileSystem(key="bench", secret="bench", endpoint_url=endpoint,
                           skip_instance_cache=True)  # fmt: skip
    bucket = f"plain-{uuid.uuid4().hex[:8]}"
    fs.mkdir(bucket)
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "src.bin", Path(tmp) / "dst.bin"
        src.write_bytes(data)
        for i in range(repeats):
            start = time.perf_counter()
            fs.put_file(str(src), f"{bucket}/obj-{i}")
            fs.get_file(f"{bucket}/obj-{i}", str(dst))
            times.append(time.perf_counter() - start)
            fs.rm_file(f"{bucket}/obj-{i}")
    return statistics.median(times)


def step_run(endpoint: str, repeats: int) -> float:
    from cairn.enums import StackComponentType as T
    from cairn.stack import StackRegistry

    registry = StackRegistry()
    bucket = f"steps-{uuid.uuid4().hex[:8]}"
    params = {"path": f"s3://{bucket}/cairn", "endpoint_url": endpoint,
              "key": "bench", "secret": "bench"}  # fmt: skip
    store = registry.register_component(T.ARTIFACT_STORE, "bench_s3", "s3", params)
    store.provision()
    components = dict(registry.store.get_stack("default").components)
    components[T.ARTIFACT_STORE] = "bench_s3"
    registry.register_stack("bench_s3", components, activate=True)
    times = []
    for _ in range(repeats):
        run: Any = through_a_step().run()
        steps = run.steps
        times.append(sum(steps[n].record.duration or 0.0 for n in ("produce", "consume")))
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from cairn.testing.emulators import moto_s3

    nbytes = args.mb * 1024 * 1024
    ARRAY.append(np.random.default_rng(0).integers(0, 255, size=nbytes, dtype=np.uint8))
    data = ARRAY[0].tobytes()
    with tempfile.TemporaryDirectory() as config, moto_s3() as endpoint:
        os.environ["CAIRN_CONFIG_DIR"] = config
        os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
        plain = plain_s3fs(endpoint, data, args.repeats)
        del data
        stepped = step_run(endpoint, args.repeats)
    mb = nbytes / 1e6
    print(f"{args.mb} MiB array, moto S3 on 127.0.0.1, median of {args.repeats}, "
          f"load {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(f"  plain s3fs put_file + get_file : {plain:6.2f} s  {2 * mb / plain:7.1f} MB/s")
    print(f"  through a step (save + load)   : {stepped:6.2f} s  {2 * mb / stepped:7.1f} MB/s")
    print(f"  step / plain throughput        : {plain / stepped:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
