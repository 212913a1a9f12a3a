// The table explorer: a view of a published table (which dimension in the rows, which in the
// columns, the others filtered to one code each, how deep the rows' hierarchy opens), read
// from and written to a query string so every view has a permalink, and the view's grid as
// the page, CSV and JSON show it. Pure: plain data in and out. Internal to web.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "web/internal/pages.h"

namespace rapporteur::web::internal {

// A published table as `rapporteur publish` writes its JSON (tables::to_json).
struct PublishedTable {
  struct Code {
    std::string code;
    std::string label;   // Dutch, as published.
    std::string parent;  // Empty for the root.
    int depth = 0;       // 0 for the root.
    bool has_children = false;
  };
  struct Dimension {
    std::string name;
    std::vector<Code> codes;  // Parents before their children, the root first.
    int max_depth = 0;
    // The index of `code` in `codes`, or nullopt.
    std::optional<std::size_t> find(std::string_view code) const;
  };
  struct Cell {
    std::optional<std::int64_t> value;  // Nothing when suppressed.
    std::string status;                 // "safe", "primary", "secondary", "perturbed"...
  };
  std::string name;
  std::string origin;  // Set by the reader: the file and its version, for caches.
  std::string title;
  std::string title_en;
  std::string date;
  std::string method;   // "suppression" or "cell_key".
  std::string mandate;  // "human_trafficking", "sexual_violence_against_children".
  std::string role;     // "victim", "suspect".
  std::vector<std::string> sources;
  std::vector<std::string> footnotes;
  std::int64_t min_frequency = 0;
  double protection_percent = 0;
  std::vector<Dimension> dimensions;
  std::map<std::vector<std::string>, Cell> cells;  // By coordinates, in dimension order.

  // The index of the dimension named `name`, or nullopt.
  std::optional<std::size_t> dimension(std::string_view name) const;
};

// Reads a published table's JSON. Fails with kInvalidArgument naming what is missing or
// malformed (a dimension without codes, a parent that comes after its child, a cell whose
// key does not have one code per dimension).
Result<PublishedTable> parse_published_table(std::string_view json_text);

struct ExplorerView {
  std::size_t rows = 0;                // Dimension in the rows.
  std::optional<std::size_t> columns;  // Dimension in the columns, if any.
  std::vector<std::size_t> filter;     // Per dimension, the code its cells are read at.
  int depth = 0;                       // Rows open down to this depth...
  std::set<std::string> toggled;       // ...except these row codes, whose state is flipped.

  // Whether the row code at `index` of the rows' dimension shows its children.
  bool expanded(const PublishedTable& table, std::size_t index) const;
};

// The view that `parameters` ask for: rows, cols, depth, open (comma-separated row codes to
// toggle) and one parameter per dimension name choosing its code. Anything missing or
// unknown falls back to the default: rows the first dimension other than year, columns the
// year, the others at their roots, rows open to the police units (depth 1) when there are
// deeper levels, else fully.
ExplorerView choose_view(const PublishedTable& table, const Parameters& parameters);

// The query string (without "?") that gives `view` back through choose_view, with `lang`;
// only what differs from the default is written, in a fixed order. `toggle`, when given,
// flips that row code's state in the link.
std::string view_query(const PublishedTable& table, const ExplorerView& view, std::string_view lang,
                       std::optional<std::string_view> toggle = std::nullopt);

struct Grid {
  struct Row {
    std::size_t code = 0;  // Index into the rows' dimension codes.
    bool expandable = false;
    bool expanded = false;
    std::vector<const PublishedTable::Cell*> cells;  // Per column; null when the table has no such cell.
  };
  std::vector<std::size_t> columns;  // Indices into the columns' dimension codes (its root last).
  std::vector<Row> rows;             // Visible rows, in hierarchy order.
  bool has_primary = false;          // Any visible cell suppressed by the rule itself...
  bool has_secondary = false;        // ...or to protect another.
  bool has_perturbed = false;        // Any visible cell perturbed (cell-key method).
};

// The visible grid of `view`: the rows whose ancestors are all expanded; columns the
// columns' dimension's codes at depth 1 then its root (years in order, then the total), or
// one column when there are no columns.
Grid make_grid(const PublishedTable& table, const ExplorerView& view);

// The grid as CSV (UTF-8, comma-separated, a header row; the level and label of each row,
// then one column per grid column; 'x' for suppressed cells) and as JSON (the view, the
// columns, the rows with depth, label and values, null when suppressed, and the statuses).
std::string grid_csv(Language language, const PublishedTable& table, const ExplorerView& view, const Grid& grid);
std::string grid_json(Language language, const PublishedTable& table, const ExplorerView& view, const Grid& grid);

// The explorer's page of one published table in `view` (figure_pages.cpp): the form that
// chooses the view, a chart holder with the view's data, the grid with its hierarchy as
// indentation and links that open or close a level, the footnotes that explain suppressed
// cells, the sources by their full names (`source_names`: code to name) and the downloads of
// the view and of the whole table, and the publications that report on the table
// (`publications`: slug and title, newest first).
std::string render_figure(Language language, const PublishedTable& table, const ExplorerView& view, const Grid& grid,
                          const std::map<std::string, std::string>& source_names, bool chart_available,
                          const std::vector<std::pair<std::string, std::string>>& publications = {});

}  // namespace rapporteur::web::internal
