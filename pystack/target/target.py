# SPDX-License-Identifier: GPL-2.0
"""pystack's test target: threads parked in known, deterministic stacks.

The main thread recurses through alternating functions until its stack is
DEPTH frames deep (the module's frame included) and sleeps in the leaf; a
second thread, started through threading.Thread, sits in a different chain.
Each thread records its own stack as the interpreter sees it
(sys._getframe); once both are parked, the main thread writes them to the
expected-stacks file in pystack's collapsed form, "T<native tid>;file:
function;..." outermost first, prints "ready <pid>" and sleeps until
killed.

usage: /usr/bin/python3.11 target.py EXPECTED_FILE [DEPTH] [--busy] [--alone]
--busy: the second thread spins in its leaf instead of sleeping.
--alone: no second thread; the main thread's stack is all there is.
"""
import os
import sys
import threading
import time

lines = []
lock = threading.Lock()
parked = None


def record(frame):
    """Writes the stack that ends at frame, outermost first."""
    frames = []
    while frame is not None:
        code = frame.f_code
        frames.append(f"{code.co_filename}:{code.co_name}")
        frame = frame.f_back
    with lock:
        lines.append(";".join([f"T{threading.get_native_id()}"] + frames[::-1]))


def leaf(expected):
    record(sys._getframe())
    parked.wait()
    write_expected(expected)
    while True:
        time.sleep(1)


def descend_odd(n, expected):
    if n == 0:
        leaf(expected)
    descend_even(n - 1, expected)


def descend_even(n, expected):
    if n == 0:
        leaf(expected)
    descend_odd(n - 1, expected)


def worker_leaf(busy):
    record(sys._getframe())
    parked.wait()
    spins = 0
    while True:
        if busy:
            spins += 1
        else:
            time.sleep(1)


def worker_middle(busy):
    worker_leaf(busy)


def worker(busy):
    worker_middle(busy)


def main(expected, depth, busy, alone):
    global parked
    parked = threading.Barrier(1 if alone else 2)
    if not alone:
        threading.Thread(target=worker, args=(busy,), daemon=True).start()
    # <module>, main, depth - 3 descend_* frames and leaf: depth frames.
    descend_even(depth - 4, expected)


def write_expected(expected):
    with open(expected + ".tmp", "w") as f:
        f.write("\n".join(sorted(lines)) + "\n")
    os.rename(expected + ".tmp", expected)
    print(f"ready {os.getpid()}", flush=True)


if __name__ == "__main__":
    flags = {"--busy", "--alone"}
    args = [a for a in sys.argv[1:] if a not in flags]
    if not args:
        sys.exit(__doc__)
    depth = int(args[1]) if len(args) > 1 else 50
    if depth < 4:
        sys.exit("DEPTH is at least 4")
    main(args[0], depth, "--busy" in sys.argv[1:], "--alone" in sys.argv[1:])
