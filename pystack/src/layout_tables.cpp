// SPDX-License-Identifier: GPL-2.0
#include "layout_tables.hpp"

#include "py311_offsets.h"
#include "py312_offsets.h"

namespace pystack {

std::optional<LayoutTable> layout_table(int minor)
{
	std::optional<PyOffsets> o;
	const char *source = "";
	if (minor == 11) {
		o = layout_table_311();
		source = kLayoutTableSource311;
	} else if (minor == 12) {
		o = layout_table_312();
		source = kLayoutTableSource312;
	}
	if (!o)
		return std::nullopt;
	return LayoutTable{*o, source};
}

} // namespace pystack
