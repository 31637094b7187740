# SPDX-License-Identifier: GPL-2.0
# Included by the C++ tools' Makefiles once OUT is set.
#
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
