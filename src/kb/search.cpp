// Searching the knowledge base's index: the query rewritten with synonyms and compound parts,
// read with Dutch (and English) stems, filtered and faceted, with snippets and a spelling
// suggestion.
#include "kb/internal/index.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>
#include <xapian.h>
#include <nlohmann/json.hpp>

#include "kb/internal/index_schema.h"

namespace rapporteur::kb::internal {
namespace {

using nlohmann::json;

// Snippets and highlighting read at most this much of a document's text.
constexpr std::size_t kSnippetSource = 64u << 10;
constexpr std::size_t kSnippetWords = 32;

const std::unordered_set<std::string>& stopwords() {
  static const std::unordered_set<std::string> words = {
      "de",  "het", "een", "van",   "en",     "in",   "op",  "te",  "voor", "met",  "is",   "dat",  "die",
      "der", "den", "aan", "bij",   "of",     "om",   "als", "er",  "zijn", "door", "naar", "over", "dan",
      "ook", "nog", "wat", "wordt", "worden", "werd", "the", "and", "to",   "a",    "an",   "for",  "on"};
  return words;
}

// A stemmer for Xapian's QueryParser that applies our overrides, so query stems equal the
// indexed ones.
class OverrideStem : public Xapian::StemImplementation {
 public:
  std::string operator()(const std::string& word) override { return stem(word); }
  std::string get_description() const override { return "dutch+overrides"; }
};

Xapian::Stem make_stem() {
  // Xapian takes ownership through its intrusive reference count.
  return Xapian::Stem(new OverrideStem());
}

// Heterogeneous lookup, so counting a value seen before allocates nothing.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};
using Counts = std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>>;

// Counts facet values over every match, parsing the value slot in place: at 100,000
// documents a page visits every match, so this runs tens of thousands of times per query.
class FacetSpy : public Xapian::MatchSpy {
 public:
  void operator()(const Xapian::Document& doc, double) override {
    value_ = doc.get_value(kFacetSlot);
    std::string_view rest = value_;
    for (std::size_t field = 0; field < kFacetFields; ++field) {
      const std::size_t tab = rest.find('\t');
      std::string_view values = rest.substr(0, tab);
      while (!values.empty()) {
        const std::size_t comma = values.find(',');
        const std::string_view v = values.substr(0, comma);
        if (!v.empty()) {
          const auto found = counts[field].find(v);
          if (found != counts[field].end()) {
            ++found->second;
          } else {
            counts[field].emplace(std::string(v), 1);
          }
        }
        values = comma == std::string_view::npos ? std::string_view{} : values.substr(comma + 1);
      }
      if (tab == std::string_view::npos) break;
      rest.remove_prefix(tab + 1);
    }
  }
  std::string name() const override { return "rapporteur.facets"; }

  std::array<Counts, kFacetFields> counts;

 private:
  std::string value_;
};

// One expanded word (or multi-word synonym) of the query: matched as one term whose
// alternatives are its synonyms and, for a compound, its parts together.
struct Group {
  std::vector<std::vector<std::string>> forms;  // The words as typed, then each synonym.
  std::vector<std::string> parts;               // The compound's top-level split, or empty.
};

struct Rewritten {
  std::string query;  // For Xapian's QueryParser; groups as kbx:gN.
  std::vector<Group> groups;
  std::vector<std::string> plain_words;   // Unquoted words as typed (folded), for spelling.
  std::set<std::string> highlight_words;  // Folded words worth highlighting.
  std::set<std::string> highlight_stems;  // Of those words: a text word with the same stem matches.
  // Parts of compound query words (mensenhandel: mensen, handel). The query also matches a
  // text through its parts, so a part is highlighted, but only as itself: "handelen" shares
  // the stem of "handel" and is not what "mensenhandel" found.
  std::set<std::string> highlight_parts;
};

std::string quote_phrase(const std::vector<std::string>& words) {
  return words.size() == 1 ? words.front() : "\"" + join(words, ' ') + "\"";
}

void note_highlight(Rewritten& r, const Analyzer& analyzer, const std::vector<std::string>& words) {
  for (const auto& w : words) {
    if (stopwords().count(w) > 0) continue;
    r.highlight_words.insert(w);
    r.highlight_stems.insert(stem(w));
    for (const auto& part : analyzer.parts(w)) r.highlight_parts.insert(part);
  }
}

// Rewrites the user's query: diacritics folded and words lower-cased (operators stay), and each
// unquoted word (or multi-word synonym) expanded to its synonyms and, for a compound, to its
// parts: arbeidsuitbuiting -> (arbeidsuitbuiting OR (arbeid AND uitbuiting)).
Rewritten rewrite(std::string_view text, const Analyzer& analyzer) {
  Rewritten r;
  std::vector<std::string> out;
  std::vector<std::string> run;  // Consecutive plain words awaiting synonym matching.
  const auto flush = [&] {
    for (std::size_t i = 0; i < run.size();) {
      std::size_t length = analyzer.synonym_match(run, i);
      const bool multi = length > 1;
      if (length == 0) length = 1;
      const std::vector<std::string> words(run.begin() + static_cast<std::ptrdiff_t>(i),
                                           run.begin() + static_cast<std::ptrdiff_t>(i + length));
      Group group;
      group.forms.push_back(words);
      note_highlight(r, analyzer, words);
      for (const auto& synonym : analyzer.synonyms(words)) {
        group.forms.push_back(synonym);
        note_highlight(r, analyzer, synonym);
      }
      if (!multi) group.parts = analyzer.split(words.front());
      const bool stop = !multi && stopwords().count(words.front()) > 0;
      if (stop || (group.forms.size() == 1 && group.parts.empty())) {
        out.push_back(quote_phrase(words));
      } else {
        out.push_back(fmt::format("kbx:g{}", r.groups.size()));
        r.groups.push_back(std::move(group));
      }
      i += length;
    }
    run.clear();
  };
  std::size_t at = 0;
  while (at < text.size()) {
    const char c = text[at];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++at;
      continue;
    }
    if (c == '"') {
      flush();
      const std::size_t close = text.find('"', at + 1);
      const std::string_view inside =
          text.substr(at + 1, close == std::string_view::npos ? std::string_view::npos : close - at - 1);
      std::vector<std::string> words;
      for (auto& token : tokenize(inside)) words.push_back(std::move(token.word));
      if (!words.empty()) out.push_back("\"" + join(words, ' ') + "\"");
      note_highlight(r, analyzer, words);
      at = close == std::string_view::npos ? text.size() : close + 1;
      continue;
    }
    if (c == '(' || c == ')') {
      flush();
      out.emplace_back(1, c);
      ++at;
      continue;
    }
    std::size_t end = at;
    while (end < text.size() && std::string_view(" \t\n\r\"()").find(text[end]) == std::string_view::npos) ++end;
    const std::string_view raw = text.substr(at, end - at);
    at = end;
    if (raw == "AND" || raw == "OR" || raw == "NOT" || raw == "XOR" || raw == "NEAR") {
      flush();
      out.emplace_back(raw);
      continue;
    }
    if (raw[0] == '+' || raw[0] == '-') {
      flush();
      std::vector<std::string> words;
      for (auto& token : tokenize(raw.substr(1))) words.push_back(std::move(token.word));
      if (words.empty()) continue;
      out.push_back(std::string(1, raw[0]) + quote_phrase(words));
      if (raw[0] == '+') note_highlight(r, analyzer, words);
      continue;
    }
    for (auto& token : tokenize(raw)) {
      r.plain_words.push_back(token.word);
      run.push_back(std::move(token.word));
    }
  }
  flush();
  r.query = join(out, ' ');
  return r;
}

// Turns the rewritten query's groups into queries: OP_SYNONYM weights the alternatives as one
// term, so a rare synonym (an English word in a Dutch corpus) does not outweigh the word
// typed, and the compound's parts count as an occurrence of the compound.
class GroupProcessor : public Xapian::FieldProcessor {
 public:
  explicit GroupProcessor(const std::vector<Group>& groups) : groups_(groups) {}

  Xapian::Query operator()(const std::string& text) override {
    if (text.size() < 2 || text[0] != 'g') return Xapian::Query();
    const std::size_t index = std::stoul(text.substr(1));
    if (index >= groups_.size()) return Xapian::Query();
    const Group& group = groups_[index];
    std::vector<Xapian::Query> alternatives;
    for (const auto& words : group.forms) {
      if (words.size() == 1) {
        alternatives.emplace_back(kStemPrefix + stem(words.front()));
      } else {
        std::vector<Xapian::Query> terms;
        for (const auto& word : words) terms.emplace_back(word);
        alternatives.emplace_back(Xapian::Query::OP_PHRASE, terms.begin(), terms.end(), words.size());
      }
    }
    if (!group.parts.empty()) {
      std::vector<Xapian::Query> parts;
      for (const auto& part : group.parts) parts.emplace_back(kStemPrefix + stem(part));
      alternatives.emplace_back(Xapian::Query::OP_AND, parts.begin(), parts.end());
    }
    return Xapian::Query(Xapian::Query::OP_SYNONYM, alternatives.begin(), alternatives.end());
  }

 private:
  const std::vector<Group>& groups_;
};

Xapian::QueryParser make_parser(const Xapian::Database& db, bool english = false) {
  static const Xapian::SimpleStopper stopper(stopwords().begin(), stopwords().end());
  Xapian::QueryParser parser;
  parser.set_database(db);
  parser.set_stemmer(english ? Xapian::Stem("english") : make_stem());
  parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
  parser.set_stopper(&stopper);
  parser.set_default_op(Xapian::Query::OP_AND);
  return parser;
}

// The "bedoelde u" query: words found neither as such, by stem nor as compound parts are
// replaced by Xapian's spelling suggestion from the corpus (edit distance 2).
std::optional<std::string> suggest(const Xapian::Database& db, const Analyzer& analyzer, std::string_view text,
                                   const Rewritten& rewritten) {
  std::unordered_map<std::string, std::string> replace;
  for (const auto& word : rewritten.plain_words) {
    if (word.size() < 4 || stopwords().count(word) > 0) continue;
    if (db.term_exists(word) || db.term_exists(kStemPrefix + stem(word))) continue;
    const auto parts = analyzer.split(word);
    if (!parts.empty() && std::all_of(parts.begin(), parts.end(),
                                      [&](const std::string& p) { return db.term_exists(kStemPrefix + stem(p)); })) {
      continue;
    }
    std::string suggestion = db.get_spelling_suggestion(word, 2);
    if (!suggestion.empty() && suggestion != word) replace[word] = std::move(suggestion);
  }
  if (replace.empty()) return std::nullopt;
  std::string corrected;
  std::size_t last = 0;
  for (const Token& token : tokenize(text)) {
    const auto found = replace.find(token.word);
    if (found == replace.end()) continue;
    corrected.append(text.substr(last, token.begin - last));
    corrected += found->second;
    last = token.end;
  }
  corrected.append(text.substr(last));
  return corrected;
}

// The window of the text with the most distinct matched terms, as escaped-free pieces.
std::vector<SnippetPart> make_snippet(std::string_view text, const Rewritten& rewritten, const Analyzer& analyzer) {
  if (text.size() > kSnippetSource) text = text.substr(0, kSnippetSource);
  const auto tokens = tokenize(text);
  std::vector<int> key(tokens.size(), -1);  // Index of the matched query stem, or -1.
  // Keys of distinct matches: the query's stems, then its compounds' parts (as words).
  std::vector<std::string> stems(rewritten.highlight_stems.begin(), rewritten.highlight_stems.end());
  const std::vector<std::string> parts_of_query(rewritten.highlight_parts.begin(), rewritten.highlight_parts.end());
  const auto index_of = [&](const std::string& s) {
    const auto found = std::lower_bound(stems.begin(), stems.end(), s);
    return found != stems.end() && *found == s ? static_cast<int>(found - stems.begin()) : -1;
  };
  const auto part_index = [&](const std::string& word) {
    const auto found = std::lower_bound(parts_of_query.begin(), parts_of_query.end(), word);
    return found != parts_of_query.end() && *found == word
               ? static_cast<int>(stems.size() + static_cast<std::size_t>(found - parts_of_query.begin()))
               : -1;
  };
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& word = tokens[i].word;
    if ((stems.empty() && parts_of_query.empty()) || stopwords().count(word) > 0) continue;
    int k = index_of(stem(word));
    if (k < 0) k = part_index(word);
    if (k < 0 && word.size() >= 8) {
      for (const auto& part : analyzer.parts(word)) {
        if ((k = index_of(stem(part))) >= 0) break;
      }
    }
    key[i] = k;
  }
  // Slide a window of kSnippetWords tokens; keep the one covering most distinct stems.
  std::size_t best_start = 0;
  int best = 0;
  std::unordered_map<int, int> in_window;
  int distinct = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (key[i] >= 0 && in_window[key[i]]++ == 0) ++distinct;
    if (i >= kSnippetWords && key[i - kSnippetWords] >= 0 && --in_window[key[i - kSnippetWords]] == 0) --distinct;
    const std::size_t start = i >= kSnippetWords - 1 ? i + 1 - kSnippetWords : 0;
    if (distinct > best) {
      best = distinct;
      // Start a few words before the first match when the window allows.
      std::size_t first = start;
      while (first < i && key[first] < 0) ++first;
      best_start = first >= 4 ? std::max(start, first - 4) : start;
    }
  }
  std::vector<SnippetPart> parts;
  if (tokens.empty()) return parts;
  const std::size_t end_token = std::min(tokens.size(), best_start + kSnippetWords);
  std::size_t cursor = tokens[best_start].begin;
  if (best_start > 0) parts.push_back({"… ", false});
  for (std::size_t i = best_start; i < end_token; ++i) {
    if (key[i] < 0) continue;
    if (tokens[i].begin > cursor) parts.push_back({std::string(text.substr(cursor, tokens[i].begin - cursor)), false});
    parts.push_back({std::string(text.substr(tokens[i].begin, tokens[i].end - tokens[i].begin)), true});
    cursor = tokens[i].end;
  }
  const std::size_t stop = tokens[end_token - 1].end;
  if (stop > cursor) parts.push_back({std::string(text.substr(cursor, stop - cursor)), false});
  if (end_token < tokens.size()) parts.push_back({" …", false});
  for (auto& part : parts) {
    std::replace(part.text.begin(), part.text.end(), '\n', ' ');
  }
  return parts;
}

std::vector<FacetCount> sorted_counts(const Counts& counts, bool by_value) {
  std::vector<FacetCount> result;
  for (const auto& [value, count] : counts) {
    if (!value.empty()) result.push_back({value, count});
  }
  std::sort(result.begin(), result.end(), [&](const FacetCount& a, const FacetCount& b) {
    if (by_value) return a.value > b.value;
    return a.count != b.count ? a.count > b.count : a.value < b.value;
  });
  return result;
}

Result<SearchResult> run_search(const Xapian::Database& db, const Analyzer& analyzer, const SearchQuery& query,
                                const std::string& text) {
  const Rewritten rewritten = rewrite(text, analyzer);
  // Not Xapian::Query::MatchAll: that is one static object whose reference count Xapian does
  // not update atomically, so copying it on concurrent searches corrupted the count and
  // freed it under another thread (SIGSEGV under wrk, issue #25). The empty term matches all
  // documents too, and is this thread's own.
  Xapian::Query parsed{std::string()};
  if (!rewritten.query.empty()) {
    constexpr unsigned kFlags =
        Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_BOOLEAN | Xapian::QueryParser::FLAG_LOVEHATE;
    Xapian::QueryParser parser = make_parser(db);
    GroupProcessor groups(rewritten.groups);
    parser.add_prefix("kbx", &groups);
    try {
      parsed = parser.parse_query(rewritten.query, kFlags);
      if (db.get_termfreq("XLen") > 0) {
        // Read with English stems too: a document matches when either reading does.
        Xapian::QueryParser english = make_parser(db, true);
        english.add_prefix("kbx", &groups);
        const Xapian::Query english_parsed = english.parse_query(rewritten.query, kFlags);
        if (english_parsed.get_description() != parsed.get_description()) {
          parsed = Xapian::Query(Xapian::Query::OP_OR, parsed, english_parsed);
        }
      }
    } catch (const Xapian::QueryParserError& e) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("cannot read the query '{}': {}", text, e.get_msg()));
    }
  }
  std::vector<Xapian::Query> filters;
  const auto add_filter = [&](const char* prefix, const std::optional<std::string>& value) {
    if (value) filters.emplace_back(prefix + *value);
  };
  add_filter("XT", query.type);
  if (query.year) filters.emplace_back("XY" + std::to_string(*query.year));
  add_filter("XH", query.theme);
  add_filter("XF", query.form);
  add_filter("XS", query.status);
  add_filter("XL", query.language);
  if (!filters.empty()) {
    parsed = Xapian::Query(Xapian::Query::OP_FILTER, parsed,
                           Xapian::Query(Xapian::Query::OP_AND, filters.begin(), filters.end()));
  }
  Xapian::Enquire enquire(db);
  enquire.set_query(parsed);
  if (query.sort == SortOrder::kDate || rewritten.query.empty()) {
    enquire.set_sort_by_value_then_relevance(kDateSlot, true);
  }
  FacetSpy spy;
  enquire.add_matchspy(&spy);
  const Xapian::doccount offset = static_cast<Xapian::doccount>(std::max(0, query.offset));
  const Xapian::doccount limit = static_cast<Xapian::doccount>(std::clamp(query.limit, 0, 100));
  const Xapian::MSet mset = enquire.get_mset(offset, limit, db.get_doccount());

  SearchResult result;
  result.total = mset.get_matches_estimated();  // Exact: checkatleast covers every document.
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    const json data = json::parse(it.get_document().get_data(), nullptr, false);
    if (data.is_discarded()) return fail(ErrorCode::kStorage, "the search index holds a corrupt document");
    Hit hit;
    hit.id = data.value("id", "");
    hit.kind = data.value("kind", "");
    hit.slug = data.value("slug", "");
    hit.number = data.value("number", 0);
    hit.title = data.value("title", "");
    hit.type = data.value("type", "");
    hit.date = data.value("date", "");
    hit.status = data.value("status", "");
    hit.score = rewritten.query.empty() ? 0.0 : it.get_percent();
    hit.snippet = make_snippet(data.value("text", ""), rewritten, analyzer);
    result.hits.push_back(std::move(hit));
  }
  for (std::size_t f = 0; f < kFacetFields; ++f) {
    result.facets[kFacetNames[f]] = sorted_counts(spy.counts[f], f == kYear);
  }
  result.suggestion = suggest(db, analyzer, text, rewritten);
  return result;
}

// Opening the index costs several file opens and reads per search. Each thread keeps its own
// open reader per index folder (Xapian objects are not shared between threads), reopened
// when a writer has committed since; a folder replaced by a rebuild (another inode) is opened
// afresh, since reopen() would read the new folder's version through the old one's files.
Xapian::Database& reader(const std::filesystem::path& path) {
  struct Open {
    ino_t inode = 0;
    Xapian::Database db;
  };
  thread_local std::unordered_map<std::string, Open> open;
  struct stat info {};
  const ino_t inode = ::stat(path.c_str(), &info) == 0 ? info.st_ino : 0;
  auto found = open.find(path.string());
  if (found != open.end() && found->second.inode == inode && inode != 0) {
    found->second.db.reopen();
    return found->second.db;
  }
  if (open.size() > 8) open.clear();  // Tests open many indexes; a server has one.
  Open fresh{inode, Xapian::Database(path.string())};
  return open.insert_or_assign(path.string(), std::move(fresh)).first->second.db;
}

}  // namespace

Result<SearchResult> search_index(const std::filesystem::path& path, const Analyzer& analyzer,
                                  const SearchQuery& query) {
  const auto search = [&]() -> Result<SearchResult> {
    const Xapian::Database& db = reader(path);
    ASSIGN_OR_RETURN(SearchResult result, run_search(db, analyzer, query, query.text));
    if (result.total == 0 && result.suggestion) {
      ASSIGN_OR_RETURN(SearchResult corrected, run_search(db, analyzer, query, *result.suggestion));
      if (corrected.total > 0) {
        corrected.suggestion = result.suggestion;
        corrected.corrected = true;
        return corrected;
      }
    }
    return result;
  };
  try {
    try {
      return search();
    } catch (const Xapian::DatabaseModifiedError&) {
      return search();  // A writer committed twice during the search: once more, reopened.
    }
  } catch (const Xapian::Error& e) {
    return tl::unexpected(storage_error(e, "search"));
  }
}

}  // namespace rapporteur::kb::internal
