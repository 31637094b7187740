// SPDX-License-Identifier: GPL-2.0
// What walk_host.hpp needs, included before it at namespace scope.
#pragma once

#include <sys/cdefs.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "proc_ns.hpp"
#include "walker.hpp"
