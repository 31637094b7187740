# SPDX-License-Identifier: GPL-2.0
# `make test`: a tool's gtest unit tests, built and run without a kernel
# tree (no vmlinux.h, skeletons or libbpf), so they can run before any
# kernel is built. Every tests/*_test.cpp is linked with UNIT_SRCS (the
# tool's sources the tests need, archived so a test pulls only what it
# uses) and UNIT_LIBS (libraries the tool builds itself). The run writes
# its verdicts to UNIT_REPORT (gtest's JSON) for tests/unit.sh to read.
#
# Set before including: OUT, CXXFLAGS, UNIT_SRCS and optionally UNIT_LIBS,
# UNIT_CXXFLAGS and UNIT_LDLIBS (read in recipes only, so they may use
# UNIT_DIR). A prerequisite a test needs at run time (a fixture) goes on
# `test:`.

UNIT_TOOL := $(notdir $(CURDIR))
UNIT_DIR := $(OUT)/unit
UNIT_BIN := $(UNIT_DIR)/$(UNIT_TOOL)-unit
UNIT_REPORT := $(OUT)/$(UNIT_TOOL)-unit.json
UNIT_TEST_OBJS := $(patsubst %.cpp,$(UNIT_DIR)/%.o,$(wildcard tests/*_test.cpp))
UNIT_SRC_OBJS := $(patsubst %.cpp,$(UNIT_DIR)/%.o,$(UNIT_SRCS))
UNIT_LIB := $(if $(UNIT_SRCS),$(UNIT_DIR)/lib$(UNIT_TOOL)-unit.a)

# -O1 as the tests were always built: at -O2 GCC 12 warns of bounds it
# cannot see in tests that build byte vectors (-Warray-bounds).
$(UNIT_DIR)/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) -O1 $(UNIT_CXXFLAGS) -MMD -MP -c $< -o $@

$(UNIT_LIB): $(UNIT_SRC_OBJS)
	rm -f $@ && ar rcs $@ $^

# The test objects linked last, rewritten only when the set changes: a
# test file removed is gone from the binary too.
UNIT_LIST := $(UNIT_DIR)/tests.list
$(UNIT_LIST): unit-force
	@mkdir -p $(@D)
	@echo '$(UNIT_TEST_OBJS)' | cmp -s - $@ || echo '$(UNIT_TEST_OBJS)' >$@

$(UNIT_BIN): $(UNIT_TEST_OBJS) $(UNIT_LIB) $(UNIT_LIBS) $(UNIT_LIST)
	$(CXX) -o $@ $(filter %.o %.a,$^) $(UNIT_LDLIBS) -lgtest -lgtest_main -pthread

# A report is only ever this run's: a binary that dies leaves none.
test: $(UNIT_BIN)
	@rm -f $(UNIT_REPORT)
	$(UNIT_BIN) --gtest_output=json:$(UNIT_REPORT)

.PHONY: test unit-force

-include $(UNIT_TEST_OBJS:.o=.d) $(UNIT_SRC_OBJS:.o=.d)
