# SPDX-License-Identifier: GPL-2.0
"""pystack's moving target: a stack that changes all the time, by a rule
that tells every possible stack from every impossible one.

The main thread calls churn(), which forever picks a depth (or, with
--depth N, always N: a busy recursion to N and back) and descends
through step_a and step_b, choosing at each level, from a pseudo-random
number, which of the two to call next; one innermost call in 128
sleeps a millisecond (not with --depth: busy all the time). A line marked "# -> NAME" calls NAME. The rule: a
stack is <module>, main, churn and then step frames; every frame but the
innermost stands on one of its function's call lines, and the frame after
it runs the function that line calls; the innermost stands on any line of
its function. A sample torn while the thread ran (frames from two moments)
breaks the rule with near certainty.

usage: /usr/bin/python3.11 moving.py [--depth N]    runs (prints "ready <pid>")
       /usr/bin/python3.11 moving.py --check FILE...  judges collapsed stacks:
           prints per file "moving-check FILE: N samples, M impossible (P%)"
           and up to three impossible stacks
"""
import os
import re
import sys
import time

MAX_DEPTH = 40
FIXED_DEPTH = None  # --depth N


def next_random(x):
    return (x * 1103515245 + 12345) & 0x7fffffff


def leaf(x):
    if x & 0x7f0 == 0 and FIXED_DEPTH is None:
        time.sleep(0.001)
    return x


def step_a(n, x):
    if n == 0:
        return leaf(x)  # -> leaf
    x = next_random(x)  # -> next_random
    if x & 0x10000:
        return step_a(n - 1, x)  # -> step_a
    return step_b(n - 1, x)  # -> step_b


def step_b(n, x):
    if n == 0:
        return leaf(x)  # -> leaf
    x = next_random(x)  # -> next_random
    if x & 0x20000:
        return step_b(n - 1, x)  # -> step_b
    return step_a(n - 1, x)  # -> step_a


def churn():
    x = os.getpid()
    print(f"ready {os.getpid()}", flush=True)
    while True:
        x = next_random(x)  # -> next_random
        step_a(x % MAX_DEPTH if FIXED_DEPTH is None else FIXED_DEPTH, x)  # -> step_a


def main():
    churn()  # -> churn


def rules():
    """{function: (its lines, {call line: callee})} from this file."""
    source = open(__file__).read().splitlines()
    functions = {}
    for name in ("leaf", "step_a", "step_b", "churn", "main", "next_random"):
        code = globals()[name].__code__
        lines = {line for _, _, line in code.co_lines() if line} | {code.co_firstlineno}
        calls = {}
        for line in lines:
            m = re.search(r"# -> (\w+)$", source[line - 1])
            if m:
                calls[line] = m.group(1)
        functions[name] = (lines, calls)
    module_calls = {i + 1: m.group(1) for i, text in enumerate(source)
                    if (m := re.match(r"\s+main\(\)  # -> (\w+)$", text))}
    functions["<module>"] = (set(module_calls), module_calls)
    return functions


def possible(frames, functions):
    """frames: [(file, function, line)], outermost first."""
    if not frames or frames[0][1] != "<module>":
        return False
    for i, (file, function, line) in enumerate(frames):
        if file not in (__file__, os.path.basename(__file__)) or function not in functions:
            return False
        lines, calls = functions[function]
        if i == len(frames) - 1:
            return line in lines
        if calls.get(line) != frames[i + 1][1]:
            return False
    return len(frames) <= MAX_DEPTH + 5


def parse(line):
    """A collapsed line's frames and count; None for a line of another form.
    A frame is "function (file.py:line)" (pystack's collapsed file: the
    file's short name) or "file:function:line" (the --expect form)."""
    stack, _, count = line.rpartition(" ")
    parts = stack.split(";")
    if len(parts) < 2 or not parts[0].startswith("P") or not count.isdigit():
        return None
    frames = []
    for part in parts[2:]:
        if part == "[idle]":
            continue
        m = re.fullmatch(r"(.*) \((.*?)(?::(-?\d+))?\)", part)
        if m:
            function, file, line = m.group(1), m.group(2), m.group(3) or "0"
        else:
            file, function, line = part.rsplit(":", 2)
        frames.append((file, function, int(line) if line.lstrip("-").isdigit() else 0))
    return frames, int(count)


def check(paths):
    functions = rules()
    for path in paths:
        total = impossible = 0
        examples = []
        with open(path) as f:
            for text in f:
                parsed = parse(text.rstrip("\n"))
                if parsed is None:
                    continue
                frames, count = parsed
                total += count
                if not possible(frames, functions):
                    impossible += count
                    examples.append(text.strip())
        pct = 100.0 * impossible / total if total else 0.0
        print(f"moving-check {path}: {total} samples, {impossible} impossible ({pct:.2f}%)")
        for example in examples[:3]:
            print(f"  impossible: {example}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--check"]:
        check(sys.argv[2:])
    elif sys.argv[1:2] == ["--depth"]:
        FIXED_DEPTH = min(int(sys.argv[2]), MAX_DEPTH)
        main()  # -> main
    else:
        main()  # -> main
