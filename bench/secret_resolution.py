"""Benchmark: the cost of secrets in the local secrets manager.

Registers ``--count`` secrets in a ``local`` secrets manager (one encrypted,
fsync'ed file each), then resolves a ``{{name.key}}`` reference ``--repeat``
times (read the key, read the file, decrypt) as a component does right before a
client call. Uses a temporary ``CAIRN_CONFIG_DIR``; writes nothing to the
repository. Prints microseconds per operation.

Run: ``.venv/bin/python bench/secret_resolution.py [--count 200] [--repeat 2000]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="cairn-bench-secrets-")
    os.environ["CAIRN_CONFIG_DIR"] = folder
    try:
        from cairn.secrets_managers.local_secrets_manager import LocalSecretsManager
        from cairn.stack.secret_references import parse_reference
        from cairn.stack.stack_component import resolve_reference

        manager = LocalSecretsManager(name="bench")
        start = time.perf_counter()
        for i in range(args.count):
            manager.register_secret(f"s{i}", {"password": "x" * 32})
        register_us = (time.perf_counter() - start) / args.count * 1e6
        reference = parse_reference("{{s0.password}}")
        assert reference is not None
        start = time.perf_counter()
        for _ in range(args.repeat):
            resolve_reference(manager, reference, "bench")
        resolve_us = (time.perf_counter() - start) / args.repeat * 1e6
        start = time.perf_counter()
        names = manager.list_secrets()
        list_us = (time.perf_counter() - start) * 1e6
        print(f"register: {register_us:.0f} us/secret ({args.count} secrets)")
        print(f"resolve:  {resolve_us:.0f} us/reference ({args.repeat} times)")
        print(f"list:     {list_us:.0f} us for {len(names)} secrets")
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
              f"on {os.cpu_count()} CPUs")  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
