#include "kb/internal/index.h"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <xapian.h>
#include <nlohmann/json.hpp>

#include "kb/internal/index_schema.h"

namespace rapporteur::kb::internal {
namespace {

using nlohmann::json;

constexpr Xapian::termcount kTitleWeight = 3;
// What a document keeps of its text for snippets.
constexpr std::size_t kStoredText = 256u << 10;

// English documents are indexed with the English stems too (the Dutch stemmer leaves
// "trafficked" and "trafficking", "studies" and "study" apart), and a query is also read with
// English stems when the index holds English documents.
std::string english_stem(const std::string& word) {
  thread_local Xapian::Stem snowball("english");
  return snowball(word);
}

std::string facet_value(const IndexItem& item) {
  const std::string year = item.date.size() >= 4 ? item.date.substr(0, 4) : "";
  return fmt::format("{}\t{}\t{}\t{}\t{}\t{}", item.type, year, join(item.themes, ','), join(item.forms, ','),
                     item.status, item.language);
}

// What indexing a word adds besides the word itself; cached per writer, since a corpus
// repeats a limited vocabulary and stemming and splitting dominate the indexing time.
struct WordTerms {
  std::string stem_term;
  // The English stem's term when it differs (English documents add it); computed on first use.
  std::optional<std::string> english_term;
  std::vector<std::pair<std::string, std::string>> parts;  // (part, its stem term)
  bool spell = false;
};
using WordCache = std::unordered_map<std::string, WordTerms>;

struct PostingState {
  Xapian::Document& doc;
  const Analyzer& analyzer;
  WordCache& cache;
  bool english = false;  // Also index each word's English stem.
  Xapian::termpos position = 0;
  std::unordered_map<std::string, Xapian::termcount> spelling;
};

WordTerms& terms_of(PostingState& state, const std::string& word) {
  auto found = state.cache.find(word);
  if (found != state.cache.end()) return found->second;
  if (state.cache.size() > 1'000'000) state.cache.clear();
  WordTerms terms;
  terms.stem_term = kStemPrefix + stem(word);
  for (auto& part : state.analyzer.parts(word)) {
    std::string stem_term = kStemPrefix + stem(part);
    terms.parts.emplace_back(std::move(part), std::move(stem_term));
  }
  terms.spell = word.size() >= 3 && word.find_first_not_of("0123456789") != std::string::npos;
  return state.cache.emplace(word, std::move(terms)).first->second;
}

// Indexes `text`: each word with its position (phrases), its stem (Z) and, for compounds, the
// parts at the compound's position with a lower weight than the whole word.
void index_text(PostingState& state, std::string_view text, Xapian::termcount weight) {
  for (const Token& token : tokenize(text)) {
    const std::string& word = token.word;
    if (word.size() > 64) continue;  // Xapian's term limit is 245 bytes; long runs are noise.
    ++state.position;
    WordTerms& terms = terms_of(state, word);
    state.doc.add_posting(word, state.position, weight);
    state.doc.add_term(terms.stem_term, weight);
    if (state.english) {
      if (!terms.english_term) terms.english_term = kStemPrefix + english_stem(word);
      if (*terms.english_term != terms.stem_term) state.doc.add_term(*terms.english_term, weight);
    }
    if (terms.spell) ++state.spelling[word];
    for (const auto& [part, stem_term] : terms.parts) {
      state.doc.add_posting(part, state.position, 1);
      state.doc.add_term(stem_term, 1);
    }
  }
  state.position += 10;  // No phrase spans two fields.
}

Xapian::Document make_document(const IndexItem& item, const Analyzer& analyzer, const IndexOptions& options,
                               WordCache& cache, std::unordered_map<std::string, Xapian::termcount>& spelling) {
  Xapian::Document doc;
  PostingState state{doc, analyzer, cache, item.language == "en", 0, {}};
  index_text(state, item.title, kTitleWeight);
  std::string_view text = item.text;
  if (text.size() > options.max_indexed_bytes) text = text.substr(0, options.max_indexed_bytes);
  index_text(state, text, 1);
  for (auto& [word, count] : state.spelling) spelling[word] += count;

  doc.add_boolean_term("Q" + item.id);
  doc.add_boolean_term("XP" + item.slug);
  doc.add_boolean_term("XK" + item.kind);
  doc.add_boolean_term("XT" + item.type);
  if (item.date.size() >= 4) doc.add_boolean_term("XY" + item.date.substr(0, 4));
  for (const auto& theme : item.themes) doc.add_boolean_term("XH" + theme);
  for (const auto& form : item.forms) doc.add_boolean_term("XF" + form);
  if (!item.status.empty()) doc.add_boolean_term("XS" + item.status);
  doc.add_boolean_term("XL" + item.language);
  doc.add_value(kFacetSlot, facet_value(item));
  doc.add_value(kDateSlot, item.date);

  std::string stored = item.text.substr(0, std::min(item.text.size(), kStoredText));
  while (!stored.empty() && (static_cast<unsigned char>(stored.back()) & 0xC0) == 0x80) stored.pop_back();
  if (!stored.empty() && static_cast<unsigned char>(stored.back()) >= 0xC0) stored.pop_back();
  doc.set_data(json{
      {"id", item.id},
      {"kind", item.kind},
      {"slug", item.slug},
      {"number", item.number},
      {"title", item.title},
      {"type", item.type},
      {"date", item.date},
      {"status", item.status},
      {"text",
       stored}}.dump());
  return doc;
}

}  // namespace

std::vector<IndexItem> items_of(const Publication& publication, const std::vector<Recommendation>& recommendations) {
  std::vector<IndexItem> items;
  IndexItem p;
  p.id = publication.slug;
  p.kind = "publication";
  p.slug = publication.slug;
  p.title = publication.title;
  p.type = std::string(to_code(publication.type));
  p.date = publication.date;
  p.language = publication.language;
  for (const auto m : publication.mandates) p.themes.emplace_back(to_code(m));
  for (const auto f : publication.forms) p.forms.emplace_back(to_code(f));
  p.text = publication.summary.empty() ? publication.body : publication.summary + "\n\n" + publication.body;
  for (const auto& r : recommendations) {
    if (r.publication_slug != publication.slug) continue;
    IndexItem item;
    item.id = fmt::format("{}#{}", publication.slug, r.number);
    item.kind = "recommendation";
    item.slug = publication.slug;
    item.number = r.number;
    item.title = fmt::format("Aanbeveling {}: {}", r.number, publication.title);
    item.type = "recommendation";
    item.date = fmt::format("{}-01-01", r.year);
    if (!r.history.empty()) item.date = std::max(item.date, r.history.front().date);
    item.language = publication.language;
    item.themes = p.themes;
    item.forms = p.forms;
    item.status = std::string(to_code(r.status));
    item.text = r.text + "\n\n" + r.addressee;
    for (const auto& event : r.history) item.text += "\n\n" + event.note;
    items.push_back(std::move(item));
  }
  items.insert(items.begin(), std::move(p));
  return items;
}

struct IndexWriter::Impl {
  Xapian::WritableDatabase db;
  const Analyzer* analyzer = nullptr;
  IndexOptions options;
  WordCache cache;
};

IndexWriter::IndexWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IndexWriter::IndexWriter(IndexWriter&&) noexcept = default;
IndexWriter& IndexWriter::operator=(IndexWriter&&) noexcept = default;
IndexWriter::~IndexWriter() = default;

Result<IndexWriter> IndexWriter::open(const std::filesystem::path& path, const Analyzer& analyzer, IndexOptions options,
                                      bool overwrite) {
  try {
    auto impl = std::make_unique<Impl>();
    impl->db =
        Xapian::WritableDatabase(path.string(), overwrite ? Xapian::DB_CREATE_OR_OVERWRITE : Xapian::DB_CREATE_OR_OPEN);
    impl->analyzer = &analyzer;
    impl->options = options;
    return IndexWriter(std::move(impl));
  } catch (const Xapian::DatabaseLockError& e) {
    return fail(ErrorCode::kStorage, fmt::format("{}: the search index is being written by another process ({})",
                                                 path.string(), e.get_msg()));
  } catch (const Xapian::Error& e) {
    return tl::unexpected(storage_error(e, path.string()));
  }
}

Result<void> IndexWriter::add(const std::vector<IndexItem>& items) {
  try {
    std::unordered_map<std::string, Xapian::termcount> spelling;
    for (const auto& item : items) {
      impl_->db.replace_document("Q" + item.id,
                                 make_document(item, *impl_->analyzer, impl_->options, impl_->cache, spelling));
    }
    for (const auto& [word, count] : spelling) impl_->db.add_spelling(word, count);
    return ok();
  } catch (const Xapian::Error& e) {
    return tl::unexpected(storage_error(e, "search index"));
  }
}

Result<void> IndexWriter::replace_publication(const std::string& slug, const std::vector<IndexItem>& items) {
  try {
    impl_->db.delete_document("XP" + slug);
  } catch (const Xapian::Error& e) {
    return tl::unexpected(storage_error(e, "search index"));
  }
  return add(items);
}

Result<void> IndexWriter::commit(std::int64_t generation) {
  try {
    impl_->db.set_metadata("generation", std::to_string(generation));
    impl_->db.commit();
    return ok();
  } catch (const Xapian::Error& e) {
    return tl::unexpected(storage_error(e, "search index"));
  }
}

Result<std::int64_t> index_generation(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return fail(ErrorCode::kNotFound, "no search index");
  try {
    const Xapian::Database db(path.string());
    const std::string value = db.get_metadata("generation");
    if (value.empty()) return fail(ErrorCode::kNotFound, "the search index has no generation");
    return std::stoll(value);
  } catch (const Xapian::Error& e) {
    return tl::unexpected(storage_error(e, path.string()));
  } catch (const std::exception&) {
    return fail(ErrorCode::kStorage, "the search index's generation is corrupt");
  }
}

}  // namespace rapporteur::kb::internal
