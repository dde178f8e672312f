#pragma once
// A table for the human view: typed columns, cells escaped on entry, fitted to the terminal,
// coloured only when Output says so. JSON never comes from a Table: tools serialise their
// model (DESIGN.md; the iproute2 lesson of keys drifting between text and JSON).
#include "meshops/cli/output.hpp"

#include <string>
#include <vector>

namespace meshops::cli {

enum class Align { left, right };
enum class Style { none, good, warn, bad, dim, bold };

/// Where a cell too wide for its column loses characters.
enum class Elide {
  end,     ///< names: the start says what it is ("kernelc…")
  middle,  ///< paths and addresses: both ends matter ("direct 198…:41641")
};

struct Column {
  std::string header;
  Align align = Align::left;
  /// Elastic columns give up width (their cells elided) when the table is wider than the
  /// terminal; the others keep theirs.
  bool elastic = false;
  Elide elide = Elide::end;
};

struct Cell {
  Cell(std::string t = {}, Style s = Style::none) : text(std::move(t)), style(s) {}
  Cell(const char* t, Style s = Style::none) : text(t), style(s) {}
  std::string text;
  Style style;
};

class Table {
public:
  explicit Table(std::vector<Column> columns);

  /// Adds a row; each cell's text is passed through terminal_safe. Missing cells print as "-".
  void add_row(std::vector<Cell> cells);
  std::size_t rows() const { return rows_.size(); }

  /// The table as text: header (when out.legend), rows, two spaces between columns, no
  /// trailing blanks, fitted to out.width when that is set.
  std::string render(const Output& out) const;

private:
  std::vector<Column> columns_;
  std::vector<std::vector<Cell>> rows_;
};

/// Wraps s in the ANSI colour of style when color is on.
std::string paint(std::string_view s, Style style, bool color);

/// Shortens s to at most width columns, "…" replacing its end or its middle.
std::string elide(std::string_view s, std::size_t width, Elide where = Elide::end);

} // namespace meshops::cli
