// SPDX-License-Identifier: GPL-2.0
#include "remote_objects.hpp"

#include <cstring>
#include <vector>

#include "symbols.hpp"

namespace pystack {
namespace {

constexpr unsigned kDictKeysGeneral = 0;       // DICT_KEYS_GENERAL
constexpr std::uint64_t kMaxEntries = 1 << 16; // more is not a dict we read

} // namespace

bool PyObjects::read(void *dst, std::size_t size, std::uint64_t addr)
{
	bytes_ += size;
	return addr && ++reads_ <= kReadBudget && bytes_ <= kByteBudget &&
	       mem_.read(dst, size, addr, pid_) == 0;
}

std::optional<std::uint64_t> PyObjects::word(std::uint64_t addr)
{
	std::uint64_t v;
	return read(&v, sizeof(v), addr) ? std::optional(v) : std::nullopt;
}

std::optional<std::uint32_t> PyObjects::word32(std::uint64_t addr)
{
	std::uint32_t v;
	return read(&v, sizeof(v), addr) ? std::optional(v) : std::nullopt;
}

std::optional<std::string> PyObjects::str(std::uint64_t obj, std::uint64_t max_length)
{
	auto length = word(obj + o_.str_length);
	auto state = word32(obj + o_.str_state);
	if (!length || !state || *length > max_length)
		return std::nullopt;
	unsigned shift = o_.str_state * 8;
	auto bit = [&](std::uint32_t pos) { return (*state >> ((pos - shift) & 31)) & 1; };
	unsigned kind = (*state >> ((o_.str_kind_bit - shift) & 31)) & 7;
	if (!bit(o_.str_compact_bit) || (kind != 1 && kind != 2 && kind != 4))
		return std::nullopt;
	std::uint64_t at = obj + (bit(o_.str_ascii_bit) ? o_.ascii_size : o_.compact_size);
	std::vector<char> chars(*length * kind);
	if (!chars.empty() && !read(chars.data(), chars.size(), at))
		return std::nullopt;
	return to_utf8(chars.data(), chars.size(), kind);
}

std::optional<std::int64_t> PyObjects::integer(std::uint64_t obj)
{
	std::int64_t n;
	if (PyOffsets::has(o_.long_tag)) {
		// 3.12+: lv_tag = digits << 3 | sign (0 positive, 1 zero, 2 negative)
		auto tag = word(obj + o_.long_tag);
		if (!tag)
			return std::nullopt;
		auto digits = static_cast<std::int64_t>(*tag >> 3);
		n = (*tag & 3) == 2 ? -digits : digits;
	} else {
		// 3.11: ob_size = +-digits
		auto size = word(obj + o_.var_size);
		if (!size)
			return std::nullopt;
		n = static_cast<std::int64_t>(*size);
	}
	std::uint64_t digits = static_cast<std::uint64_t>(n < 0 ? -n : n);
	if (digits > 3)
		return std::nullopt;
	std::uint32_t d[3] = {};
	if (digits && !read(d, digits * sizeof(d[0]), obj + o_.long_digits))
		return std::nullopt;
	std::uint64_t v = 0;
	for (std::uint64_t i = digits; i > 0; i--)
		v = (v << 30) | (d[i - 1] & 0x3fffffff);
	return n < 0 ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> PyObjects::items(std::uint64_t dict)
{
	std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
	auto keys = word(dict + o_.dict_keys);
	auto values = word(dict + o_.dict_values);
	if (!keys || !values)
		return out;
	std::uint8_t head[3];
	auto nentries = word(*keys + o_.keys_nentries);
	if (!nentries || *nentries > kMaxEntries || !read(head, 1, *keys + o_.keys_log2_size) ||
	    !read(head + 1, 1, *keys + o_.keys_log2_index_bytes) ||
	    !read(head + 2, 1, *keys + o_.keys_kind))
		return out;
	bool general = head[2] == kDictKeysGeneral;
	std::uint64_t esize = general ? o_.key_entry_size : o_.unicode_entry_size;
	std::uint64_t key_at = general ? o_.key_entry_key : o_.unicode_entry_key;
	std::uint64_t value_at = general ? o_.key_entry_value : o_.unicode_entry_value;
	std::uint64_t entries = *keys + o_.keys_indices + (1ULL << (head[1] & 63));
	std::vector<char> raw(*nentries * esize);
	if (raw.empty() || !read(raw.data(), raw.size(), entries))
		return out;
	std::vector<std::uint64_t> split(*values ? *nentries : 0);
	if (*values && !read(split.data(), split.size() * 8, *values))
		return out;
	for (std::uint64_t i = 0; i < *nentries; i++) {
		std::uint64_t k, v;
		std::memcpy(&k, raw.data() + i * esize + key_at, 8);
		std::memcpy(&v, raw.data() + i * esize + value_at, 8);
		if (*values)
			v = split[i];
		if (k && v)
			out.emplace_back(k, v);
	}
	return out;
}

std::optional<std::uint64_t> PyObjects::get(std::uint64_t dict, const std::string &key)
{
	// a key longer than `key` is not read
	for (auto [k, v] : items(dict))
		if (str(k, key.size()) == key)
			return v;
	return std::nullopt;
}

// name's value among an instance's values: the slot its key has in the
// class's cached keys.
std::optional<std::uint64_t> PyObjects::lookup(std::uint64_t keys, std::uint64_t values,
					       std::uint64_t first_value, std::uint64_t max_values,
					       const std::string &name)
{
	auto nentries = word(keys + o_.keys_nentries);
	std::uint8_t log2_index = 0;
	if (!nentries || *nentries > kMaxEntries ||
	    !read(&log2_index, 1, keys + o_.keys_log2_index_bytes))
		return std::nullopt;
	std::uint64_t entries = keys + o_.keys_indices + (1ULL << (log2_index & 63));
	for (std::uint64_t i = 0; i < *nentries && i < max_values; i++) {
		auto k = word(entries + i * o_.unicode_entry_size + o_.unicode_entry_key);
		if (k && *k && str(*k, name.size()) == name)
			return word(values + first_value + i * 8);
	}
	return std::nullopt;
}

std::optional<std::uint64_t> PyObjects::attribute(std::uint64_t obj, const std::string &name)
{
	auto type = word(obj + o_.object_type);
	auto flags = type ? word(*type + o_.type_flags) : std::nullopt;
	if (!flags || !(*flags & v_.managed_dict_flag))
		return std::nullopt;
	auto keys = word(*type + o_.heaptype_cached_keys);
	switch (v_.managed_dict) {
	case ManagedDict::values_before: {
		// 3.11: the values pointer 4 words before the object, its
		// dict, once made, 3 words before
		if (auto dict = word(obj - 3 * 8); dict && *dict)
			return get(*dict, name);
		auto values = word(obj - 4 * 8);
		if (!values || !*values || !keys || !*keys)
			return std::nullopt;
		return lookup(*keys, *values, 0, kMaxEntries, name);
	}
	case ManagedDict::tagged_before: {
		// 3.12: 3 words before, a dict, or its values - 1 (low bit set)
		auto dorv = word(obj - 3 * 8);
		if (!dorv || !*dorv)
			return std::nullopt;
		if (!(*dorv & 1))
			return get(*dorv, name);
		if (!keys || !*keys)
			return std::nullopt;
		return lookup(*keys, *dorv + 1, 0, kMaxEntries, name);
	}
	case ManagedDict::inline_values: {
		// 3.13: the dict 3 words before, if made; else the values
		// follow the object: capacity, size, embedded, valid, values[]
		if (auto dict = word(obj - 3 * 8); dict && *dict)
			return get(*dict, name);
		std::uint8_t head[4];
		std::uint64_t values = obj + 16;
		if (!(*flags & v_.inline_values_flag) || !read(head, sizeof(head), values) ||
		    !head[3] || !keys || !*keys)
			return std::nullopt;
		// values[] holds capacity (its first byte) slots: the class's
		// keys may have grown since this object's values were made
		return lookup(*keys, values, 8, head[0], name);
	}
	}
	return std::nullopt;
}

} // namespace pystack
