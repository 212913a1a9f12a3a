#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <toml.hpp>

#include "core/html.h"
#include "core/utf8.h"
#include "kb/kb.h"

namespace rapporteur::kb {
namespace {

template <typename T, typename Parse>
Result<std::vector<T>> parse_list(const std::vector<std::string>& codes, Parse parse) {
  std::vector<T> values;
  for (const auto& code : codes) {
    ASSIGN_OR_RETURN(T value, parse(code));
    values.push_back(value);
  }
  return values;
}

Result<Recommendation> parse_recommendation(const toml::value& table, std::size_t index) {
  Recommendation r;
  r.number = toml::find_or<int>(table, "number", static_cast<int>(index + 1));
  r.text = toml::find<std::string>(table, "text");
  r.addressee = toml::find<std::string>(table, "addressee");
  r.year = toml::find<int>(table, "year");
  ASSIGN_OR_RETURN(r.status, parse_response_status(toml::find_or<std::string>(table, "status", "pending")));
  if (table.contains("follow_up")) {
    for (const auto& event_table : toml::find(table, "follow_up").as_array()) {
      Recommendation::Event event;
      event.date = toml::find<std::string>(event_table, "date");
      event.note = toml::find_or<std::string>(event_table, "note", "");
      if (event_table.contains("status")) {
        ASSIGN_OR_RETURN(const ResponseStatus status,
                         parse_response_status(toml::find<std::string>(event_table, "status")));
        event.status = status;
      }
      r.history.push_back(std::move(event));
    }
    std::stable_sort(r.history.begin(), r.history.end(), [](const auto& a, const auto& b) { return a.date < b.date; });
    // The current status is the latest one the follow-up recorded.
    for (const auto& event : r.history) {
      if (event.status) r.status = *event.status;
    }
  }
  return r;
}

}  // namespace

Result<Metadata> read_sidecar(const std::filesystem::path& path) {
  const auto bad = [&](const std::string& reason) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: {}", path.string(), reason));
  };
  std::ifstream file(path, std::ios::binary);
  if (!file) return fail(ErrorCode::kIo, fmt::format("{}: cannot read", path.string()));
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  // TOML is UTF-8; toml11 reads past the end of its buffer on some invalid UTF-8 inside a
  // string (found by fuzzing), so such a file never reaches it.
  if (const auto invalid = first_invalid_utf8(text)) {
    return bad(fmt::format("not UTF-8 at byte {}; side-car files must be UTF-8", *invalid));
  }
  try {
    std::istringstream in(text);
    const toml::value root = toml::parse(in, path.string());
    Metadata m;
    if (root.contains("slug")) m.slug = toml::find<std::string>(root, "slug");
    if (root.contains("title")) m.title = toml::find<std::string>(root, "title");
    if (root.contains("type")) {
      auto type = parse_publication_type(toml::find<std::string>(root, "type"));
      if (!type) return bad("type: " + type.error().message);
      m.type = *type;
    }
    if (root.contains("date")) m.date = toml::find<std::string>(root, "date");
    if (root.contains("language")) m.language = toml::find<std::string>(root, "language");
    if (root.contains("themes")) {
      auto mandates = parse_list<Mandate>(toml::find<std::vector<std::string>>(root, "themes"), parse_mandate);
      if (!mandates) return bad("themes: " + mandates.error().message);
      m.mandates = *mandates;
    }
    if (root.contains("forms")) {
      auto forms =
          parse_list<ExploitationForm>(toml::find<std::vector<std::string>>(root, "forms"), parse_exploitation_form);
      if (!forms) return bad("forms: " + forms.error().message);
      m.forms = *forms;
    }
    if (root.contains("summary")) m.summary = toml::find<std::string>(root, "summary");
    if (root.contains("tables")) {
      m.tables = toml::find<std::vector<std::string>>(root, "tables");
      for (const std::string& name : *m.tables) {
        if (!valid_table_name(name)) {
          return bad(fmt::format("tables: '{}' is not a table name (lower-case letters, digits, hyphens)", name));
        }
      }
    }
    if (root.contains("recommendation")) {
      const auto& tables = toml::find(root, "recommendation").as_array();
      for (std::size_t i = 0; i < tables.size(); ++i) {
        auto r = parse_recommendation(tables[i], i);
        if (!r) return bad(fmt::format("recommendation {}: {}", i + 1, r.error().message));
        m.recommendations.push_back(std::move(*r));
      }
    }
    return m;
  } catch (const std::exception& e) {
    // toml11's messages name the key, line and column.
    return bad(e.what());
  }
}

std::string to_json(const SearchResult& result) {
  using nlohmann::json;
  json hits = json::array();
  for (const auto& hit : result.hits) {
    std::string snippet;
    std::string snippet_html;
    json highlights = json::array();
    for (const auto& part : hit.snippet) {
      if (part.highlighted) highlights.push_back(part.text);
      snippet += part.text;
      const std::string escaped = escape_html(part.text);
      snippet_html += part.highlighted ? "<mark>" + escaped + "</mark>" : escaped;
    }
    json item{{"id", hit.id},
              {"kind", hit.kind},
              {"slug", hit.slug},
              {"title", hit.title},
              {"type", hit.type},
              {"date", hit.date},
              {"score", hit.score},
              {"snippet", snippet},
              {"snippet_html", snippet_html},
              {"highlights", highlights}};
    if (hit.kind == "recommendation") {
      item["number"] = hit.number;
      item["status"] = hit.status;
    }
    hits.push_back(std::move(item));
  }
  json facets = json::object();
  for (const auto& [name, counts] : result.facets) {
    json values = json::array();
    for (const auto& c : counts) values.push_back({{"value", c.value}, {"count", c.count}});
    facets[name] = std::move(values);
  }
  json body{{"total", result.total}, {"hits", hits}, {"facets", facets}, {"corrected", result.corrected}};
  body["suggestion"] = result.suggestion ? json(*result.suggestion) : json(nullptr);
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

RecommendationOverview summarise(const std::vector<Recommendation>& recommendations) {
  std::map<std::string, RecommendationSummary> by_year;
  std::map<std::string, RecommendationSummary> by_addressee;
  const auto count = [](RecommendationSummary& s, ResponseStatus status) {
    ++s.total;
    switch (status) {
      case ResponseStatus::kAdopted:
        ++s.adopted;
        break;
      case ResponseStatus::kPartlyAdopted:
        ++s.partly;
        break;
      case ResponseStatus::kRejected:
        ++s.rejected;
        break;
      case ResponseStatus::kPending:
        ++s.pending;
        break;
    }
  };
  for (const auto& r : recommendations) {
    count(by_year[std::to_string(r.year)], r.status);
    count(by_addressee[r.addressee], r.status);
  }
  RecommendationOverview overview;
  const auto finish = [](std::map<std::string, RecommendationSummary>& groups,
                         std::vector<RecommendationSummary>& out) {
    for (auto& [key, s] : groups) {
      s.key = key;
      // Over the answered ones: a reply still awaited is neither adopted nor not.
      s.answered = s.total - s.pending;
      s.adopted_share = s.answered == 0 ? 0.0 : static_cast<double>(s.adopted) / static_cast<double>(s.answered);
      out.push_back(s);
    }
  };
  finish(by_year, overview.by_year);
  finish(by_addressee, overview.by_addressee);
  return overview;
}

std::string to_json(const RecommendationOverview& overview) {
  using nlohmann::json;
  const auto rows = [](const std::vector<RecommendationSummary>& summaries) {
    json list = json::array();
    for (const auto& s : summaries) {
      list.push_back({{"key", s.key},
                      {"total", s.total},
                      {"adopted", s.adopted},
                      {"partly_adopted", s.partly},
                      {"rejected", s.rejected},
                      {"pending", s.pending},
                      {"answered", s.answered},
                      {"adopted_share", s.adopted_share}});
    }
    return list;
  };
  return json{{"by_year", rows(overview.by_year)}, {"by_addressee", rows(overview.by_addressee)}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
}

}  // namespace rapporteur::kb
