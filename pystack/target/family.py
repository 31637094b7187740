# SPDX-License-Identifier: GPL-2.0
"""pystack's process-tree target: a parent Python process and N children,
each sleeping in a function of its own, for pystack --children.

usage: /usr/bin/python3.11 family.py N
Prints "child <pid>" for each child, then "ready <pid>" (the parent's),
and sleeps until killed (SIGTERM); the children die with it.
"""
import os
import signal
import subprocess
import sys
import time


def child_sleeps():
    print("up", flush=True)
    while True: time.sleep(1)  # noqa: E701


def parent_waits(children):
    # killed (SIGTERM), the parent takes its children with it
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"ready {os.getpid()}", flush=True)
    try:
        while True: time.sleep(1)  # noqa: E701
    finally:
        for c in children:
            c.kill()


def main():
    if sys.argv[1:] == ["--child"]:
        child_sleeps()
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    children = [subprocess.Popen([sys.executable, __file__, "--child"], stdout=subprocess.PIPE)
                for _ in range(n)]
    for c in children:
        c.stdout.readline()
        print(f"child {c.pid}", flush=True)
    parent_waits(children)


if __name__ == "__main__":
    main()
