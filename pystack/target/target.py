# SPDX-License-Identifier: GPL-2.0
"""pystack's test target: threads parked in known, deterministic stacks.

The main thread recurses through alternating functions until its stack is
DEPTH frames deep (the module's frame included) and parks in the last line
of its leaf; a second thread, started through threading.Thread as "worker",
parks in the last line of a different chain. Once both are parked, the main
thread writes their stacks as the interpreter sees them (sys._getframe and
sys._current_frames, with line numbers) to the expected-stacks file in
pystack's collapsed form, outermost first:

    P<pid>;T<native tid> [<OS thread name>] <Python thread name>;file:function:line;...

the same with ";[idle]" after the stacks of the threads that sleep to
EXPECTED.idle (what pystack --idle shows), and only the threads that do
not sleep to EXPECTED.cpu (what pystack --mode cpu shows), prints
"ready <pid>" and parks.

usage: /usr/bin/python3.11 target.py EXPECTED_FILE [DEPTH] [--busy] [--alone]
--busy: the second thread spins in its leaf instead of sleeping.
--alone: no second thread; the main thread's stack is all there is.
"""
import os
import sys
import threading
import time

parked = None


def last_line(function):
    """The last line of a function: where its thread parks."""
    return max(line for _, _, line in function.__code__.co_lines() if line)


def comm(native_id):
    with open(f"/proc/self/task/{native_id}/comm") as f:
        return f.read().strip()


def collapsed(frame, thread, leaf_line, idle):
    """The stack that ends at frame, outermost first, the innermost frame
    at leaf_line."""
    frames = []
    line = leaf_line
    while frame is not None:
        code = frame.f_code
        frames.append(f"{code.co_filename}:{code.co_name}:{line}")
        frame = frame.f_back
        line = frame.f_lineno if frame is not None else 0
    label = f"P{os.getpid()};T{thread.native_id} [{comm(thread.native_id)}] {thread.name}"
    return ";".join([label] + frames[::-1] + (["[idle]"] if idle else []))


def leaf(expected, busy, alone):
    parked.wait()
    write_expected(expected, sys._getframe(), busy, alone)
    while True: time.sleep(1000)  # noqa: E701 (parks here: one line)


def descend_odd(n, expected, busy, alone):
    if n == 0:
        leaf(expected, busy, alone)
    descend_even(n - 1, expected, busy, alone)


def descend_even(n, expected, busy, alone):
    if n == 0:
        leaf(expected, busy, alone)
    descend_odd(n - 1, expected, busy, alone)


def worker_leaf(busy):
    spins = 0
    parked.wait()
    while True: spins += 1 if busy else time.sleep(1000) or 0  # noqa: E701 (one line)


class Middle:
    """The worker's middle frame: an __init__ called from a call site run
    often enough to be specialized, which 3.13 runs under a shim frame
    (_Py_InitCleanup) that CPython's own stacks leave out."""

    def __init__(self, busy, last):
        if last:
            worker_leaf(busy)


def worker_middle(busy):
    for i in range(64):
        Middle(busy, i == 63)


def worker(busy):
    worker_middle(busy)


def worker_frame(thread):
    """The worker's innermost frame once it is parked in its last line."""
    for _ in range(3000):
        frame = sys._current_frames().get(thread.ident)
        if frame is not None and frame.f_code is worker_leaf.__code__ and \
                frame.f_lineno == last_line(worker_leaf):
            return frame
        time.sleep(0.01)
    sys.exit("the worker thread did not park")


def write_expected(expected, own_frame, busy, alone):
    main = threading.current_thread()
    # (thread, its innermost frame, where it parks, whether it sleeps there)
    threads = [(main, own_frame, last_line(leaf), True)]
    if not alone:
        worker_thread = next(t for t in threading.enumerate() if t.name == "worker")
        threads.append((worker_thread, worker_frame(worker_thread), last_line(worker_leaf),
                        not busy))
    files = {expected: [], expected + ".idle": [], expected + ".cpu": []}
    for thread, frame, line, sleeps in threads:
        files[expected].append(collapsed(frame, thread, line, False))
        files[expected + ".idle"].append(collapsed(frame, thread, line, sleeps))
        if not sleeps:
            files[expected + ".cpu"].append(collapsed(frame, thread, line, False))
    for path, stacks in files.items():
        with open(path + ".tmp", "w") as f:
            f.write("\n".join(sorted(stacks)) + "\n")
        os.rename(path + ".tmp", path)
    print(f"ready {os.getpid()}", flush=True)


def main(expected, depth, busy, alone):
    global parked
    parked = threading.Barrier(1 if alone else 2)
    if not alone:
        threading.Thread(target=worker, args=(busy,), name="worker", daemon=True).start()
    # <module>, main, depth - 3 descend_* frames and leaf: depth frames.
    descend_even(depth - 4, expected, busy, alone)


if __name__ == "__main__":
    flags = {"--busy", "--alone"}
    args = [a for a in sys.argv[1:] if a not in flags]
    if not args:
        sys.exit(__doc__)
    depth = int(args[1]) if len(args) > 1 else 50
    if depth < 4:
        sys.exit("DEPTH is at least 4")
    main(args[0], depth, "--busy" in sys.argv[1:], "--alone" in sys.argv[1:])
