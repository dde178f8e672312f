#include "meshops/cli/table.hpp"

#include "meshops/cli/escape.hpp"

#include <algorithm>
#include <numeric>

namespace meshops::cli {
namespace {

constexpr std::size_t kGap = 2;
constexpr std::size_t kMinElastic = 8;

const char* ansi(Style s) {
  switch (s) {
  case Style::good: return "\x1b[32m";
  case Style::warn: return "\x1b[33m";
  case Style::bad: return "\x1b[31m";
  case Style::dim: return "\x1b[2m";
  case Style::bold: return "\x1b[1m";
  case Style::none: break;
  }
  return "";
}

/// Byte offset of the n-th code point of s (s.size() past the end).
std::size_t offset_of(std::string_view s, std::size_t n) {
  std::size_t cp = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (cp++ == n) return i;
  }
  return s.size();
}

} // namespace

std::string paint(std::string_view s, Style style, bool color) {
  if (!color || style == Style::none) return std::string(s);
  return std::string(ansi(style)) + std::string(s) + "\x1b[0m";
}

std::string elide(std::string_view s, std::size_t width, Elide where) {
  std::size_t w = display_width(s);
  if (w <= width) return std::string(s);
  if (width == 0) return {};
  if (width == 1) return "…";
  std::size_t keep = width - 1;
  if (where == Elide::end) return std::string(s.substr(0, offset_of(s, keep))) + "…";
  std::size_t head = (keep + 1) / 2, tail = keep - head;
  return std::string(s.substr(0, offset_of(s, head))) + "…" + std::string(s.substr(offset_of(s, w - tail)));
}

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::add_row(std::vector<Cell> cells) {
  cells.resize(columns_.size(), Cell("-"));
  for (auto& c : cells) c.text = c.text.empty() ? "-" : terminal_safe(c.text);
  rows_.push_back(std::move(cells));
}

std::string Table::render(const Output& out) const {
  std::size_t n = columns_.size();
  std::vector<std::size_t> width(n, 0);
  for (std::size_t c = 0; c < n; ++c) {
    if (out.legend) width[c] = display_width(columns_[c].header);
    for (const auto& row : rows_) width[c] = std::max(width[c], display_width(row[c].text));
  }

  // Fit: take columns from the widest elastic column first, never below kMinElastic.
  if (out.width > 0) {
    auto total = [&] { return std::accumulate(width.begin(), width.end(), std::size_t{0}) + kGap * (n ? n - 1 : 0); };
    while (total() > out.width) {
      std::size_t widest = n;
      for (std::size_t c = 0; c < n; ++c)
        if (columns_[c].elastic && width[c] > kMinElastic && (widest == n || width[c] > width[widest])) widest = c;
      if (widest == n) break;
      width[widest] -= std::min(width[widest] - kMinElastic, total() - out.width);
    }
  }

  std::string text;
  auto emit_row = [&](auto cell_text, auto cell_style) {
    std::string line;
    for (std::size_t c = 0; c < n; ++c) {
      std::string t = elide(cell_text(c), width[c], columns_[c].elide);
      std::size_t pad = width[c] - display_width(t);
      bool last = c + 1 == n;
      if (columns_[c].align == Align::right) line.append(pad, ' ');
      line += paint(t, cell_style(c), out.color);
      if (columns_[c].align == Align::left && !last) line.append(pad, ' ');
      if (!last) line.append(kGap, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    text += line;
    text += '\n';
  };
  if (out.legend)
    emit_row([&](std::size_t c) { return std::string_view(columns_[c].header); },
             [&](std::size_t) { return Style::bold; });
  for (const auto& row : rows_)
    emit_row([&](std::size_t c) { return std::string_view(row[c].text); },
             [&](std::size_t c) { return row[c].style; });
  return text;
}

} // namespace meshops::cli
