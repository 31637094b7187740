# SPDX-License-Identifier: GPL-2.0
# Shared by the C++ tools (runner/, demo/, bench/, reliability/, pystack/): libbpf and
# bootstrap bpftool built from the kernel tree, vmlinux.h from its vmlinux,
# and the rules that turn a BPF C file into an object and a skeleton. Set
# KERNEL and BPF_OUT before including.

KERNEL ?= /var/tmp/cfur/linux
BPF_OUT ?= /var/tmp/cfur/bpf
CLANG ?= /usr/lib/llvm-19/bin/clang

SELFTESTS := $(KERNEL)/tools/testing/selftests/bpf
UAPI := $(KERNEL)/tools/include/uapi
LIBBPF_A := $(BPF_OUT)/libbpf/libbpf.a
BPFTOOL := $(BPF_OUT)/bpftool/bootstrap/bpftool
BPF_INC := $(BPF_OUT)/include
VMLINUX_H := $(BPF_OUT)/vmlinux.h
# The BTF vmlinux.h is dumped from; /sys/kernel/btf/vmlinux builds the tools
# for the running kernel instead.
VMLINUX_BTF ?= $(KERNEL)/vmlinux

BPF_CFLAGS := -g -O2 -Wall -Werror --target=bpf -mcpu=v3 -mlittle-endian \
	-D__TARGET_ARCH_x86 -I$(BPF_OUT) -I$(BPF_INC) -I$(SELFTESTS) -I$(UAPI) \
	-idirafter /usr/include -idirafter /usr/include/x86_64-linux-gnu
BPF_LDLIBS := $(LIBBPF_A) -lelf -lz -lpthread

# The C++ tools' (demo/, bench/, reliability/, pystack/) flags: their src/ and bpf/,
# common/, the skeletons in OUT, libbpf's headers and the uapi. Set OUT
# before including.
TOOL_CXXFLAGS := -std=c++20 -g -O2 -Wall -Wextra -Werror -I$(CURDIR)/src -I$(CURDIR)/../common \
	-I$(CURDIR)/bpf -I$(OUT) -I$(BPF_INC) -I$(UAPI)

$(BPF_OUT)/libbpf $(BPF_OUT)/bpftool:
	mkdir -p $@

$(LIBBPF_A): | $(BPF_OUT)/libbpf
	$(MAKE) -s -C $(KERNEL)/tools/lib/bpf OUTPUT=$(BPF_OUT)/libbpf/ DESTDIR=$(BPF_OUT) \
		prefix= EXTRA_CFLAGS='-g -O2' $(LIBBPF_A) install_headers

$(BPFTOOL): | $(BPF_OUT)/bpftool
	$(MAKE) -s -C $(KERNEL)/tools/bpf/bpftool OUTPUT=$(BPF_OUT)/bpftool/ bootstrap

# The kernel build makes vmlinux; no rule here may. Without this empty rule
# make's built-in '%: %.o' link rule takes it on whenever vmlinux.o is the
# newer, as it is while the kernel relinks, and overwrites vmlinux.
$(VMLINUX_BTF): ;

$(VMLINUX_H): $(VMLINUX_BTF) $(BPFTOOL)
	$(BPFTOOL) btf dump file $< format c >$@.tmp && mv $@.tmp $@

# bpf_skel OUT_DIR, SRC_DIR: OUT_DIR/x.bpf.o and x.skel.h from SRC_DIR/x.c
define bpf_skel
$(1)/%.bpf.o: $(2)/%.c $$(VMLINUX_H) $$(LIBBPF_A)
	@mkdir -p $$(@D)
	$$(CLANG) $$(BPF_CFLAGS) -c $$< -o $$@

$(1)/%.skel.h: $(1)/%.bpf.o $$(BPFTOOL)
	$$(BPFTOOL) gen object $(1)/$$*.linked.o $$<
	$$(BPFTOOL) gen skeleton $(1)/$$*.linked.o name $$* >$$@.tmp && mv $$@.tmp $$@
endef
