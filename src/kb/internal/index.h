// The Xapian index of the knowledge base. Internal to kb.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "kb/internal/analyzer.h"
#include "kb/kb.h"

namespace rapporteur::kb::internal {

// One searchable document: a publication or a recommendation.
struct IndexItem {
  std::string id;
  std::string kind;  // "publication" or "recommendation".
  std::string slug;
  int number = 0;
  std::string title;
  std::string type;
  std::string date;
  std::string language;
  std::vector<std::string> themes;
  std::vector<std::string> forms;
  std::string status;
  std::string text;  // Summary and body (or the recommendation and its follow-up).
};

// The documents of a publication and its recommendations.
std::vector<IndexItem> items_of(const Publication& publication, const std::vector<Recommendation>& recommendations);

struct IndexOptions {
  std::size_t max_indexed_bytes = 8u << 20;
};

// Writes to the index at `path`. Not thread safe; one writer per index (Xapian's lock).
class IndexWriter {
 public:
  // Opens or creates the index; kStorage when it is locked by another writer or unreadable.
  static Result<IndexWriter> open(const std::filesystem::path& path, const Analyzer& analyzer, IndexOptions options,
                                  bool overwrite);
  IndexWriter(IndexWriter&&) noexcept;
  IndexWriter& operator=(IndexWriter&&) noexcept;
  ~IndexWriter();

  // Replaces every document of `slug` by `items` (none: removes the publication).
  Result<void> replace_publication(const std::string& slug, const std::vector<IndexItem>& items);
  // Adds documents without looking for old ones (bulk building of a fresh index).
  Result<void> add(const std::vector<IndexItem>& items);
  // Commits with the store generation the index now reflects.
  Result<void> commit(std::int64_t generation);

 private:
  struct Impl;
  explicit IndexWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The store generation the index at `path` reflects; kNotFound when it has none or is absent,
// kStorage when it cannot be read.
Result<std::int64_t> index_generation(const std::filesystem::path& path);

// Thread safe: opens its own reader.
Result<SearchResult> search_index(const std::filesystem::path& path, const Analyzer& analyzer,
                                  const SearchQuery& query);

}  // namespace rapporteur::kb::internal
