// The knowledge base's search (kb/kb.h: our query rewriting, then Xapian's QueryParser) on
// arbitrary query text over a small index: an error for a query it cannot parse, or hits
// within the requested page.
#include <memory>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "fuzz/fuzz_support.h"
#include "kb/kb.h"
#include "store/store.h"

namespace {

namespace kb = rapporteur::kb;
using rapporteur::fuzz::require;

struct Instance {
  std::unique_ptr<rapporteur::store::Store> store;
  std::unique_ptr<kb::KnowledgeBase> knowledge_base;
};

// Three synthetic documents, so that stems, phrases, facets and suggestions have terms to find.
Instance open_instance() {
  spdlog::set_level(spdlog::level::off);  // One log line per request would drown the fuzzer's output.
  Instance instance;
  const auto folder = rapporteur::fuzz::temp_folder();
  auto store = rapporteur::store::open_sqlite_store(folder / "kb.db");
  require(store.has_value(), "the store opens");
  instance.store = std::move(*store);
  auto opened = kb::KnowledgeBase::open(*instance.store, {.folder = folder / "kb"});
  require(opened.has_value(), "the knowledge base opens");
  instance.knowledge_base = std::move(*opened);
  const char* documents[][2] = {
      {"mensenhandel.md",
       "# Mensenhandel in beeld\n\nSeksuele uitbuiting en arbeidsuitbuiting van kinderen; "
       "slachtoffers in de zorg en de kinderbescherming.\n"},
      {"rapport.md",
       "# Slachtoffermonitor\n\nDe rapporteur beveelt aan: meer opvang voor minderjarige slachtoffers.\n"},
      {"english.md", "# Trafficking report\n\nThe rapporteur recommends shelters for exploited children.\n"},
  };
  for (const auto& [name, text] : documents) {
    const auto path = rapporteur::fuzz::write_input(name, reinterpret_cast<const std::uint8_t*>(text),
                                                    std::char_traits<char>::length(text));
    const auto added = instance.knowledge_base->add_file(path, {.type = rapporteur::PublicationType::kMonitor});
    if (!added) std::fprintf(stderr, "%s\n", added.error().message.c_str());
    require(added.has_value(), "a seed document is added");
  }
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Instance instance = open_instance();
  if (size == 0) return 0;
  // The first byte picks the order and a page; the rest is the query (at most 500 bytes, as
  // the web's search form allows).
  kb::SearchQuery query;
  query.sort = (data[0] & 1) != 0 ? kb::SortOrder::kDate : kb::SortOrder::kRelevance;
  query.offset = (data[0] >> 1) & 3;
  query.limit = 1 + ((data[0] >> 3) & 7);
  if ((data[0] & 0x40) != 0) query.year = 2023;
  query.text = std::string(rapporteur::fuzz::as_text(data + 1, std::min<std::size_t>(size - 1, 500)));

  const auto result = instance.knowledge_base->search(query);

  if (!result) return 0;
  require(result->hits.size() <= static_cast<std::size_t>(query.limit), "no more hits than the page holds");
  // A page past the end is empty; a page with hits lies within the total.
  if (!result->corrected && !result->hits.empty() &&
      result->total < static_cast<std::int64_t>(query.offset + result->hits.size())) {
    std::fprintf(stderr, "total %lld, offset %d, hits %zu\n", static_cast<long long>(result->total), query.offset,
                 result->hits.size());
    require(false, "the total counts the page's hits");
  }
  require(nlohmann::json::accept(kb::to_json(*result)), "the API's JSON is well formed");
  return 0;
}
