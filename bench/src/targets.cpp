// SPDX-License-Identifier: GPL-2.0
#include "targets.hpp"

#include <optional>

#include "strf.hpp"

namespace cfur::bench {

namespace {

const Row *find(const std::vector<Row> &rows, const std::string &wl, const std::string &path)
{
	for (const auto &r : rows)
		if (r.workload == wl && r.path == path)
			return &r;
	return nullptr;
}

TargetCheck na(std::string what, std::string why)
{
	return {std::move(what), "n/a", std::move(why)};
}

} // namespace

std::vector<TargetCheck> check_targets(const std::vector<Row> &rows, bool under_kvm)
{
	std::vector<TargetCheck> out;
	const Row *helper = find(rows, "chase", "helper");
	const Row *each = find(rows, "chase", "task-each");
	const Row *pvm = find(rows, "chase", "pvm_readv");

	std::string what = "chase: helper <= 0.9x task-each per read";
	if (!helper || !each) {
		out.push_back(na(what, "needs both paths in this run"));
	} else {
		double r = helper->ns_per_read.median / each->ns_per_read.median;
		out.push_back({what, r <= 0.9 ? "met" : "missed", strf("%.2fx", r)});
	}

	what = "chase: helper's advantage over pvm_readv > task-each's";
	if (!helper || !each || !pvm) {
		out.push_back(na(what, "needs the three paths in this run"));
	} else {
		double h = pvm->ns_per_read.median / helper->ns_per_read.median;
		double t = pvm->ns_per_read.median / each->ns_per_read.median;
		out.push_back({what, h > t ? "met" : "missed", strf("%.2fx vs %.2fx", h, t)});
	}

	what = "chase under KVM: helper >= 3.5x faster than pvm_readv";
	if (!under_kvm) {
		out.push_back(na(what, "this run is not under KVM"));
	} else if (!helper || !pvm) {
		out.push_back(na(what, "needs both paths in this run"));
	} else {
		double h = pvm->ns_per_read.median / helper->ns_per_read.median;
		out.push_back({what, h >= 3.5 ? "met" : "missed", strf("%.2fx", h)});
	}

	what = "read-64K: helper GB/s >= 0.8x pvm_readv's";
	const Row *h64 = find(rows, "read-64K", "helper");
	const Row *p64 = find(rows, "read-64K", "pvm_readv");
	if (!h64 || !p64 || !h64->gb_per_s || !p64->gb_per_s) {
		out.push_back(na(what, "needs both paths in this run"));
	} else {
		double r = *h64->gb_per_s / *p64->gb_per_s;
		out.push_back({what, r >= 0.8 ? "met" : "missed",
			       strf("%.2f vs %.2f GB/s = %.2fx", *h64->gb_per_s, *p64->gb_per_s, r)});
	}
	return out;
}

} // namespace cfur::bench
