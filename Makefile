# SPDX-License-Identifier: GPL-2.0
# Entry points. Builds and unpacked trees live in $(CFUR_WORK), default
# /var/tmp/cfur, outside the repo.

SHELL := /bin/bash
KERNEL ?=
BASE ?= cfur-base

.PHONY: help setup series export check format test kernel vmtest vmtest-upstream rootfs demo mutation bench bench-host vmtest-debug stress pystack-demo pystack-profile kmod-test kmod-mutation clean

help:
	@echo "make vmtest-upstream  upstream vmtest.sh, unchanged, with a rootfs built here (-l) and TCG"
	@echo "make rootfs           build that rootfs with debootstrap ($$CFUR_WORK/rootfs.tar.zst)"
	@echo "make setup            install the Debian packages the project needs"
	@echo "make demo [STOCK=1]   the main job: boot the patched kernel, read another process's secret"
	@echo "                      (STOCK=1: Debian 12's own kernel, through the kfunc module)"
	@echo "make series           overlay -> commits on a pristine 6.12 tree -> out/series/*.patch"
	@echo "make export KERNEL=T  write tree T's commits (BASE..HEAD, BASE=$(BASE)) back into the overlay"
	@echo "make kernel           build the patched kernel (bzImage + modules, allnoconfig + tooling/config.lean)"
	@echo "make check            shellcheck + clang-format (tests/run.sh style alone), checkpatch, bpf_doc.py, W=1 + sparse, the bzImage build"
	@echo "make format           clang-format -i on the project's own C and C++ (tooling/style.sh)"
	@echo "make vmtest           boot the patched kernel under QEMU, run the helper's tests (both runners)"
	@echo "make test             every test the project has; ends with 'N passed, N failed'"
	@echo "make bench [PERF=1]   the helper against 4 other ways to read a process, in the patched kernel (out/bench/)"
	@echo "make bench-host       the same on the running kernel (paths it lacks are skipped)"
	@echo "make vmtest-debug     the helper's tests, fuzzer and stress in a KASAN/kmemleak/lockdep kernel"
	@echo "make stress [DURATION=s] [DEBUG=1]  the churn stress alone, longer (default 300 s)"
	@echo "make mutation [MUTATION=all|NAME...] [DEBUG=1]  one kernel per plausible helper bug (tests/mutations/): the checks that catch each"
	@echo "make pystack-demo [PERF=1]  sample a Python process's stacks from BPF and with process_vm_readv, in the patched kernel"
	@echo "make pystack-profile [PERF=1] [WALKER=bpf] [RATE=10000]  where a pystack walker's time goes at RATE, by perf, in the patched kernel"
	@echo "make kmod-test        the kfunc module (kmod/) on Debian 12's stock kernel: build, boot it, the kfunc's tests, rmmod"
	@echo "make kmod-mutation [KMOD_MUTATION=NAME...]  one module per plausible kfunc bug (kmod/mutations/): the cases that catch each"

setup:
	@tooling/setup.sh

series: setup
	@tooling/series.sh make

export:
	@test -n "$(KERNEL)" || { echo "error: usage: make export KERNEL=<kernel tree> [BASE=<base commit>]" >&2; exit 2; }
	@tooling/series.sh export "$(KERNEL)" "$(BASE)"

kernel: series
	@tooling/build-kernel.sh

check: series
	@tests/run.sh style static kernel

# The project's own C (kernel style) and C++ (common/.clang-format); not the
# overlay's upstream kernel files, which checkpatch checks in make check.
format:
	@tooling/style.sh format

STOCK ?=
demo: series
	@tooling/demo.sh $(if $(STOCK),--stock)

vmtest-upstream: series
	@tooling/upstream-vmtest.sh

mutation: series
	@tests/mutation.sh $(if $(DEBUG),--debug) $(MUTATION)

rootfs: setup
	@tooling/mkrootfs.sh

vmtest: series
	@tests/run.sh vm

BENCH_ARGS ?=
PERF ?=
bench: series
	@tooling/bench.sh $(if $(PERF),--perf) -- $(BENCH_ARGS)

bench-host: series
	@tooling/bench.sh --host --out out/bench-host -- $(BENCH_ARGS)

vmtest-debug: series
	@tests/run.sh debug

DURATION ?= 300
DEBUG ?=
stress: series
	@tooling/stress.sh $(if $(DEBUG),--debug) $(DURATION)

PYSTACK_SAMPLES ?= 500
pystack-demo: series
	@tooling/pystack-demo.sh $(if $(PERF),--perf) $(PYSTACK_SAMPLES)

WALKER ?= bpf
RATE ?= 10000
pystack-profile: series
	@tooling/pystack-profile.sh $(if $(PERF),--perf) --walker $(WALKER) --rate $(RATE)

test: setup
	@tests/run.sh

clean:
	rm -rf out

# The kfunc module on Debian 12's own kernel (kmod/README.md). It needs the
# series' tree (libbpf, the uapi), not its kernel build.
kmod-test: series
	@tests/run.sh kmod

KMOD_MUTATION ?=
kmod-mutation: series
	@tooling/kmod-mutation.sh $(KMOD_MUTATION)
