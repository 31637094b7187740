# SPDX-License-Identifier: GPL-2.0
# Included by the C++ tools' Makefiles once OUT is set, after .DEFAULT_GOAL.
#
# One build directory serves one source tree. Objects and their .d files
# name their sources by absolute path, so after a build of another checkout
# (a CI clone) into the same OUT, make would check that checkout's headers
# and keep objects compiled from them: mixed struct layouts. Start over
# when the tree changes.
#
# The stamp is a makefile naming the tree OUT was built from. When it names
# another tree (or is missing), its rule empties OUT and writes it again;
# make then restarts on the new stamp, before it has judged any target, so
# every one is seen missing and built again. make remakes makefiles even
# under -n, so a dry run (n in MAKEFLAGS' first word) gets no such rule and
# deletes nothing.
SOURCE_STAMP := $(OUT)/.source-tree.mk
BUILT_FROM :=
-include $(SOURCE_STAMP)
DRY_RUN := $(findstring n,$(firstword -$(MAKEFLAGS)))

ifneq ($(BUILT_FROM),$(CURDIR))
ifeq ($(DRY_RUN),)
$(SOURCE_STAMP): one-tree-force
	@if [ -n "$$(ls -A $(OUT) 2>/dev/null)" ]; then \
		echo "$(notdir $(CURDIR)): $(OUT) holds a build of another tree ($(or $(BUILT_FROM),unknown)); building again from $(CURDIR)"; \
	fi
	@rm -rf $(OUT) && mkdir -p $(OUT)
	@echo 'BUILT_FROM := $(CURDIR)' >$@

.PHONY: one-tree-force
endif
endif
