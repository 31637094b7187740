// SPDX-License-Identifier: GPL-2.0
// An SVG flame graph, drawn as flamegraph.pl draws collapsed stacks: the
// root ("all") at the bottom, then the process, the thread and its frames
// upwards, each box as wide as its share of the samples, children sorted
// by name, boxes narrower than 0.1 px left out. Each box has a <title>
// (the tooltip: the frame and its samples) and, where it fits, its name.
// Static SVG: no script, so it shows the same in any viewer.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "strf.hpp"
#include "writers.hpp"

namespace pystack {
namespace {

constexpr double kWidth = 1200, kPad = 10, kFrameHeight = 16, kFontSize = 12;
constexpr double kCharWidth = kFontSize * 0.59; // flamegraph.pl's guess for Verdana
constexpr double kMinWidth = 0.1;
constexpr double kTop = 3 * kFrameHeight; // the title's room

struct Node {
	std::uint64_t count = 0;
	std::map<std::string, std::unique_ptr<Node>> children;

	Node &child(const std::string &name)
	{
		auto &c = children[name];
		if (!c)
			c = std::make_unique<Node>();
		return *c;
	}
	int depth() const
	{
		int d = 0;
		for (const auto &[name, c] : children)
			d = std::max(d, c->depth() + 1);
		return d;
	}
};

std::string xml_escape(const std::string &s)
{
	std::string out;
	for (char c : s) {
		switch (c) {
		case '&':
			out += "&amp;";
			break;
		case '<':
			out += "&lt;";
			break;
		case '>':
			out += "&gt;";
			break;
		case '"':
			out += "&quot;";
			break;
		case '\'':
			out += "&apos;";
			break;
		default:
			// XML 1.0 takes no control characters but tab and newline
			out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
		}
	}
	return out;
}

// The first n characters of s with ".." if cut, cut on a UTF-8 character.
std::string fit(const std::string &s, std::size_t n)
{
	if (s.size() <= n)
		return s;
	std::size_t end = n > 2 ? n - 2 : 0;
	while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xc0) == 0x80)
		end--;
	return s.substr(0, end) + "..";
}

// flamegraph.pl's "hot" palette, from a hash of the name: the same frame
// has the same colour in every graph. Processes and threads are grey.
std::string colour(const std::string &name, int level)
{
	if (level < 3)
		return level == 0 ? "rgb(200,200,200)" : "rgb(180,190,205)";
	std::uint32_t h = 2166136261u;
	for (unsigned char c : name)
		h = (h ^ c) * 16777619u;
	return cfur::strf("rgb(%u,%u,%u)", 205 + h % 50, (h >> 8) % 230, (h >> 16) % 55);
}

class Drawing {
public:
	Drawing(std::ostream &out, std::uint64_t total, double height)
		: out_(out), total_(total), height_(height)
	{
	}

	// A box for node at level (0: the root) from x, then its children.
	void draw(const std::string &name, const Node &n, int level, double x)
	{
		double w = (kWidth - 2 * kPad) * static_cast<double>(n.count) /
			   static_cast<double>(total_);
		if (w < kMinWidth)
			return;
		double y = height_ - kPad - (level + 1) * kFrameHeight;
		out_ << "<g><title>"
		     << xml_escape(cfur::strf("%s (%llu samples, %.2f%%)", name.c_str(),
					      static_cast<unsigned long long>(n.count),
					      100.0 * static_cast<double>(n.count) /
						      static_cast<double>(total_)))
		     << "</title>"
		     << cfur::strf("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
				   "rx=\"2\" ry=\"2\"/>",
				   x, y, w, kFrameHeight - 1, colour(name, level).c_str());
		auto chars = static_cast<std::size_t>((w - 6) / kCharWidth);
		if (chars >= 3)
			out_ << cfur::strf("<text x=\"%.1f\" y=\"%.1f\">", x + 3, y + kFrameHeight - 4.5)
			     << xml_escape(fit(name, chars)) << "</text>";
		out_ << "</g>\n";
		for (const auto &[cname, c] : n.children) {
			draw(cname, *c, level + 1, x);
			x += (kWidth - 2 * kPad) * static_cast<double>(c->count) /
			     static_cast<double>(total_);
		}
	}

private:
	std::ostream &out_;
	std::uint64_t total_;
	double height_;
};

} // namespace

void write_flamegraph(std::ostream &out, const Profile &p, const ProfileMeta &meta)
{
	Node root;
	for (const auto &[key, e] : p.entries()) {
		const ThreadSample &t = e->stack;
		root.count += e->count;
		Node *n = &root.child("P" + std::to_string(t.pid));
		n->count += e->count;
		n = &n->child(t.thread);
		n->count += e->count;
		for (const FrameInfo *f : t.frames) {
			n = &n->child(f->label());
			n->count += e->count;
		}
		if (p.idle_marker() && t.idle())
			n->child(kIdleFrame).count += e->count;
	}
	double height = kTop + (root.depth() + 1) * kFrameHeight + 2 * kPad;
	std::string title = "pystack " + meta.walker + (meta.cpu_mode ? " (cpu)" : " (wall)");
	out << "<?xml version=\"1.0\" standalone=\"no\"?>\n"
	    << cfur::strf("<svg version=\"1.1\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
			  "xmlns=\"http://www.w3.org/2000/svg\">\n",
			  kWidth, height, kWidth, height)
	    << "<style>text { font-family: Verdana, sans-serif; font-size: 12px; fill: black; }\n"
	       "g:hover rect { stroke: black; stroke-width: 0.5; }</style>\n"
	    << cfur::strf("<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#f8f8f0\"/>\n",
			  kWidth, height)
	    << cfur::strf("<text x=\"%.0f\" y=\"24\" text-anchor=\"middle\" style=\"font-size:17px\">",
			  kWidth / 2)
	    << xml_escape(title) << "</text>\n"
	    << cfur::strf("<text x=\"%.0f\" y=\"42\" text-anchor=\"middle\">", kWidth / 2)
	    << cfur::strf("%llu thread samples; hover over a frame for its samples",
			  static_cast<unsigned long long>(root.count))
	    << "</text>\n";
	if (root.count)
		Drawing(out, root.count, height).draw("all", root, 0, kPad);
	out << "</svg>\n";
}

} // namespace pystack
