# SPDX-License-Identifier: GPL-2.0
# The common head of the C++ tools' Makefiles (demo/, bench/, reliability/,
# pystack/): where things are built by default, mk/bpf.mk, the tools' C++
# flags and BPF include path. Include it first; OUT defaults to
# /var/tmp/cfur/<tool folder>.

KERNEL ?= /var/tmp/cfur/linux
OUT ?= /var/tmp/cfur/$(notdir $(CURDIR))
BPF_OUT ?= /var/tmp/cfur/bpf
CXX ?= g++

.DEFAULT_GOAL := all

include $(CURDIR)/../mk/one-tree.mk
include $(CURDIR)/../mk/bpf.mk

CXXFLAGS := $(TOOL_CXXFLAGS)
BPF_CFLAGS += -I$(CURDIR)/bpf

.PHONY: all clean
.SECONDARY:
