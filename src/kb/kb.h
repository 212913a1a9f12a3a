// The knowledge base (kennisbank): publications and recommendations, their attached files, and
// a Xapian full-text index that searches them in Dutch (stems, compound parts, folded
// diacritics, synonyms, spelling suggestions, facets, snippets). The store is the system of
// record; the index follows it and is rebuilt from it whenever the two disagree.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/domain.h"
#include "core/result.h"
#include "store/store.h"

namespace rapporteur::kb {

struct KbOptions {
  // Holds index/ (Xapian), this node's replica of the search index. Created when absent.
  // (Attached files are kept in the store; a files/ folder an earlier version kept here is
  // moved into the store on open.)
  std::filesystem::path folder;
  // Dutch word list for compound splitting (Debian package wdutch).
  std::filesystem::path word_list = "/usr/share/dict/dutch";
  // Files larger than this are refused (kInvalidArgument) before they are read.
  std::uintmax_t max_file_bytes = 128ull << 20;
  // Only the first this many bytes of a body are indexed (the whole body is stored); a
  // warning says so. Positions beyond would make one document dominate the index.
  std::size_t max_indexed_bytes = 8u << 20;
};

// Metadata given on the command line or in a side-car file; unset fields come from the file
// (title) or from defaults (slug from the file name, language nl, date today).
// The store's meta key counting the changes to the knowledge base (publications and their
// recommendations): a reader caching what it derived from them compares it.
inline constexpr const char* kGenerationKey = "kb.generation";

struct Metadata {
  std::optional<std::string> slug;
  std::optional<std::string> title;
  std::optional<PublicationType> type;
  std::optional<std::string> date;  // YYYY-MM-DD.
  std::optional<std::string> language;
  std::optional<std::vector<Mandate>> mandates;
  std::optional<std::vector<ExploitationForm>> forms;
  std::optional<std::string> summary;
  // The name the file is offered under for download; empty: the file's own name (an upload
  // kept under a generated name gives the sender's name here).
  std::optional<std::string> file_name;
  // A document of ours the publication was made from (HTML, Markdown or text, e.g. the annual
  // report's HTML beside its PDF): its text is indexed and shown instead of what extraction
  // from the file (a PDF's lines, tables interleaved) would give; the file stays the download.
  std::optional<std::filesystem::path> text_source;
  // The published monitor tables the publication reports on, by name (Publication::tables).
  std::optional<std::vector<std::string>> tables;
  // Recommendations made in the publication; their publication_slug is filled in.
  std::vector<Recommendation> recommendations;
};

// Reads a side-car TOML file (keys slug, title, type, date, language, themes, forms, summary,
// tables (table names: lower-case letters, digits and hyphens) and [[recommendation]] tables with number, text,
// addressee, year, status and
// [[recommendation.follow_up]] date/status/note). Fails with kInvalidArgument naming the file,
// the key and the reason.
Result<Metadata> read_sidecar(const std::filesystem::path& path);

enum class AddOutcome { kAdded, kUpdated, kUnchanged };

struct AddResult {
  std::string slug;
  AddOutcome outcome = AddOutcome::kAdded;
  std::size_t recommendations = 0;
  std::vector<std::string> warnings;
};

enum class SortOrder { kRelevance, kDate };

struct SearchQuery {
  std::string text;                 // Words, "phrases", AND/OR/NOT, +word -word; empty lists everything.
  std::optional<std::string> type;  // Publication type code, or "recommendation".
  std::optional<int> year;
  std::optional<std::string> theme;   // Mandate code.
  std::optional<std::string> form;    // Exploitation form code.
  std::optional<std::string> status;  // Response status of recommendations.
  std::optional<std::string> language;
  SortOrder sort = SortOrder::kRelevance;
  int offset = 0;
  int limit = 10;
};

// A piece of a snippet; highlighted pieces matched the query.
struct SnippetPart {
  std::string text;
  bool highlighted = false;
};

struct Hit {
  std::string id;    // "slug" for a publication, "slug#n" for recommendation n.
  std::string kind;  // "publication" or "recommendation".
  std::string slug;  // The publication (of the recommendation).
  int number = 0;    // The recommendation's number, 0 for a publication.
  std::string title;
  std::string type;  // Publication type code, or "recommendation".
  std::string date;
  std::string status;  // Recommendations only.
  double score = 0;    // 0..100 relative to the best hit.
  std::vector<SnippetPart> snippet;
};

struct FacetCount {
  std::string value;
  std::int64_t count = 0;
};

struct SearchResult {
  std::int64_t total = 0;  // Exact number of matches.
  std::vector<Hit> hits;
  // Facet name (type, year, theme, form, status, language) to values, most frequent first
  // (years newest first).
  std::map<std::string, std::vector<FacetCount>> facets;
  // "Bedoelde u": a corrected query when words were not found in the corpus.
  std::optional<std::string> suggestion;
  // True when the query found nothing and the hits are those of `suggestion`.
  bool corrected = false;
};

// The result as JSON: total, hits (id, kind, slug, title, type, date, score, snippet as plain
// text, snippet_html: escaped with <mark> around matches, highlights: the matched words; number and status for
// recommendations), facets (name -> [{value, count}]), suggestion (or null) and corrected.
std::string to_json(const SearchResult& result);

// Share adopted and open follow-up per year or addressee.
struct RecommendationSummary {
  std::string key;  // The year or the addressee.
  std::int64_t total = 0;
  std::int64_t adopted = 0;
  std::int64_t partly = 0;
  std::int64_t rejected = 0;
  std::int64_t pending = 0;
  std::int64_t answered = 0;  // total - pending: those the government has replied to.
  double adopted_share = 0;   // adopted / answered (fully adopted only); 0 when none is answered.
};

struct RecommendationOverview {
  std::vector<RecommendationSummary> by_year;
  std::vector<RecommendationSummary> by_addressee;
};

// Per-year and per-addressee shares from `recommendations`.
RecommendationOverview summarise(const std::vector<Recommendation>& recommendations);

// The overview as JSON: {by_year: [...], by_addressee: [...]}, each row with key, total,
// adopted, partly_adopted, rejected, pending, answered and adopted_share.
std::string to_json(const RecommendationOverview& overview);

// Thread safety: search(), overview() and file() may be called concurrently with each
// other; the methods that write (add_*, follow_up, rebuild) must be serialised by the caller
// and also take the index's writer lock, so a second process writing fails with kStorage.
class KnowledgeBase {
 public:
  // Opens the knowledge base of `store` in `options.folder` and loads the word list. When the
  // index is missing, unreadable or behind the store (a crash between the two commits), it
  // is rebuilt from the store. Fails with kIo when the folder or word list cannot be used.
  static Result<std::unique_ptr<KnowledgeBase>> open(store::Store& store, KbOptions options);
  ~KnowledgeBase();
  KnowledgeBase(const KnowledgeBase&) = delete;
  KnowledgeBase& operator=(const KnowledgeBase&) = delete;

  // Ingests one file (PDF, HTML, Markdown or text): extracts its text, stores the file by
  // its hash, writes the publication (and the metadata's recommendations) in one store
  // transaction, then updates the index. The same slug, or a file with the same bytes, updates
  // rather than duplicates. A side-car FILE.toml, when present, supplies metadata that
  // `metadata` overrides. Fails with kInvalidArgument (naming the file and reason) for a
  // corrupt, encrypted, empty, oversized or unsupported file; nothing is then written.
  Result<AddResult> add_file(const std::filesystem::path& file, const Metadata& metadata);

  // Ingests every supported file of `folder` (sorted by name), continuing past
  // files that fail: their errors are returned beside the results. Side-car files override
  // `defaults`.
  struct FolderResult {
    std::vector<AddResult> added;
    std::vector<Error> errors;
  };
  Result<FolderResult> add_folder(const std::filesystem::path& folder, const Metadata& defaults);

  // Changes a publication's metadata (the set fields of `changes`; its recommendations are
  // ignored) and reindexes it. kNotFound for an unknown slug, kInvalidArgument for an empty
  // title or a date that is not YYYY-MM-DD.
  Result<void> update(const std::string& slug, const Metadata& changes);

  // Appends a follow-up event to a recommendation and reindexes it. kNotFound when unknown.
  Result<void> follow_up(const std::string& slug, int number, const Recommendation::Event& event);

  // Drops the index and builds it again from the store. Returns the documents indexed.
  Result<std::int64_t> rebuild();
  // Brings the index into step when another process on the same store (a second server node
  // with its own folder) has changed the knowledge base since: rebuilds it when its generation
  // differs from the store's. A write: serialise it with the others. Returns whether it rebuilt.
  Result<bool> catch_up();
  // True when open() found the index out of step with the store (missing, unreadable or at
  // another generation) and rebuilt it; a new, empty knowledge base does not count.
  bool rebuilt_on_open() const;

  // Fails with kInvalidArgument for a query Xapian cannot parse and kStorage when the index
  // cannot be read.
  Result<SearchResult> search(const SearchQuery& query) const;

  // The bytes of the attached file with this hash, kept in the store (so every node serves
  // it); kNotFound when absent or when `sha256` is not 64 hexadecimal digits.
  Result<std::string> file(const std::string& sha256) const;

  struct Impl;

 private:
  explicit KnowledgeBase(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rapporteur::kb
