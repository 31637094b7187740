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

# One build directory serves one source tree. Objects and their .d files
# name their sources by absolute path, so after a build of another checkout
# (a CI clone) into the same OUT, make would check that checkout's headers
# and keep objects compiled from them: mixed struct layouts. Start over
# when the tree changes.
SOURCE_STAMP := $(OUT)/.source-tree
ifneq ($(wildcard $(OUT)/*),)
ifneq ($(shell cat $(SOURCE_STAMP) 2>/dev/null),$(CURDIR))
$(info $(notdir $(CURDIR)): $(OUT) holds a build of another tree ($(or $(shell cat $(SOURCE_STAMP) 2>/dev/null),unknown)); building again from $(CURDIR))
$(shell rm -rf $(OUT))
endif
endif
$(shell mkdir -p $(OUT) && echo $(CURDIR) >$(SOURCE_STAMP))
include $(CURDIR)/../mk/bpf.mk

CXXFLAGS := $(TOOL_CXXFLAGS)
BPF_CFLAGS += -I$(CURDIR)/bpf

.PHONY: all clean
.SECONDARY:
