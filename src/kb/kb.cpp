#include "kb/kb.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/crash_point.h"
#include "core/files.h"
#include "core/time.h"
#include "kb/internal/analyzer.h"
#include "kb/internal/extract.h"
#include "kb/internal/index.h"

namespace rapporteur::kb {
namespace {

bool valid_date(const std::string& date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return false;
  for (const std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (date[i] < '0' || date[i] > '9') return false;
  }
  const std::chrono::year_month_day day{std::chrono::year{std::stoi(date.substr(0, 4))},
                                        std::chrono::month{static_cast<unsigned>(std::stoi(date.substr(5, 2)))},
                                        std::chrono::day{static_cast<unsigned>(std::stoi(date.substr(8, 2)))}};
  return day.ok();
}

// A URL-safe slug from a file name: lower-case ASCII letters, digits and single hyphens.
std::string slug_of(const std::filesystem::path& file) {
  const std::string folded = internal::fold(file.stem().string());
  std::string slug;
  for (const char c : folded) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (keep) {
      slug += c;
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug;
}

bool valid_slug(const std::string& slug) {
  return !slug.empty() && slug.size() <= 120 &&
         slug.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
}

bool same_publication(const Publication& a, const Publication& b) {
  return a.slug == b.slug && a.title == b.title && a.type == b.type && a.date == b.date && a.language == b.language &&
         a.mandates == b.mandates && a.summary == b.summary && a.forms == b.forms && a.body == b.body &&
         a.file_sha256 == b.file_sha256 && a.file_name == b.file_name && a.media_type == b.media_type &&
         a.source_sha256 == b.source_sha256 && a.tables == b.tables;
}

bool same_recommendation(const Recommendation& a, const Recommendation& b) {
  if (a.history.size() != b.history.size()) return false;
  for (std::size_t i = 0; i < a.history.size(); ++i) {
    if (a.history[i].date != b.history[i].date || a.history[i].status != b.history[i].status ||
        a.history[i].note != b.history[i].note) {
      return false;
    }
  }
  return a.publication_slug == b.publication_slug && a.number == b.number && a.text == b.text &&
         a.addressee == b.addressee && a.year == b.year && a.status == b.status;
}

Metadata merge(Metadata base, const Metadata& over) {
  if (over.slug) base.slug = over.slug;
  if (over.title) base.title = over.title;
  if (over.type) base.type = over.type;
  if (over.date) base.date = over.date;
  if (over.language) base.language = over.language;
  if (over.mandates) base.mandates = over.mandates;
  if (over.forms) base.forms = over.forms;
  if (over.summary) base.summary = over.summary;
  if (over.file_name) base.file_name = over.file_name;
  if (over.text_source) base.text_source = over.text_source;
  if (over.tables) base.tables = over.tables;
  if (!over.recommendations.empty()) base.recommendations = over.recommendations;
  return base;
}

Result<std::string> read_file(const std::filesystem::path& path, std::uintmax_t limit) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail(ErrorCode::kIo, fmt::format("{}: cannot read: {}", path.string(), ec.message()));
  if (size > limit) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: {} MiB is larger than the limit of {} MiB", path.string(), size >> 20, limit >> 20));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kIo, fmt::format("{}: cannot open", path.string()));
  std::string bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::uintmax_t>(in.gcount()) != size) {
    return fail(ErrorCode::kIo, fmt::format("{}: the file changed while it was read", path.string()));
  }
  return bytes;
}

}  // namespace

struct KnowledgeBase::Impl {
  store::Store* store = nullptr;
  KbOptions options;
  std::unique_ptr<internal::Analyzer> analyzer;
  bool rebuilt_on_open = false;

  std::filesystem::path index_path() const { return options.folder / "index"; }
  internal::IndexOptions index_options() const { return {options.max_indexed_bytes}; }

  Result<std::int64_t> store_generation() {
    auto value = store->get_meta(kGenerationKey);
    if (!value) {
      if (value.error().code == ErrorCode::kNotFound) return 0;
      return tl::unexpected(value.error());
    }
    try {
      return std::stoll(*value);
    } catch (const std::exception&) {
      return fail(ErrorCode::kStorage, fmt::format("corrupt meta value {} = '{}'", kGenerationKey, *value));
    }
  }

  // Bumps the generation inside the caller's store transaction.
  Result<std::int64_t> bump_generation() {
    ASSIGN_OR_RETURN(const std::int64_t generation, store_generation());
    RETURN_IF_ERROR(store->set_meta(kGenerationKey, std::to_string(generation + 1)));
    return generation + 1;
  }

  // Attached files kept in a files/ folder by an earlier version (files/ab/<sha256>) are moved
  // into the store, checked against their hash; the folder goes once all are in.
  Result<void> import_folder_files() {
    const auto folder = options.folder / "files";
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec)) return ok();
    std::int64_t imported = 0;
    for (std::filesystem::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      const std::string name = it->path().filename().string();
      if (name.size() != 64 || name.find_first_not_of("0123456789abcdef") != std::string::npos) continue;
      ASSIGN_OR_RETURN(const std::string bytes, read_file(it->path(), std::numeric_limits<std::uintmax_t>::max()));
      ASSIGN_OR_RETURN(const std::string sha256, store->put_file(bytes));
      if (sha256 != name) {
        spdlog::warn("knowledge base: {} does not hold the bytes its name promises; left out", it->path().string());
        continue;
      }
      ++imported;
    }
    if (ec) return fail(ErrorCode::kIo, fmt::format("{}: cannot list: {}", folder.string(), ec.message()));
    spdlog::info("knowledge base: {} attached file(s) moved from {} into the store", imported, folder.string());
    std::filesystem::remove_all(folder, ec);
    return ok();
  }

  // Learns, from the texts of `items`, the names and loanwords that may head a compound
  // (internal::Analyzer::learn_heads).
  void learn_heads(const std::vector<internal::IndexItem>& items) {
    std::unordered_map<std::string, int> counts;
    for (const auto& item : items) {
      analyzer->count_head_candidates(item.title, counts);
      analyzer->count_head_candidates(item.text, counts);
    }
    analyzer->learn_heads(analyzer->head_candidates(counts));
  }

  // The heads learned from every publication in the store.
  Result<void> learn_heads_from_store() {
    ASSIGN_OR_RETURN(const auto publications, store->publications());
    ASSIGN_OR_RETURN(const auto recommendations, store->recommendations());
    std::vector<internal::IndexItem> items;
    for (const auto& publication : publications) {
      for (auto& item : internal::items_of(publication, recommendations)) items.push_back(std::move(item));
    }
    learn_heads(items);
    return ok();
  }

  Result<void> reindex(const std::string& slug, std::int64_t generation) {
    auto publication = store->publication(slug);
    std::vector<internal::IndexItem> items;
    if (publication) {
      ASSIGN_OR_RETURN(const auto recommendations, store->recommendations());
      items = internal::items_of(*publication, recommendations);
    } else if (publication.error().code != ErrorCode::kNotFound) {
      return tl::unexpected(publication.error());
    }
    // Heads the new publication brings apply to it now; compounds with them in earlier
    // publications are split at the next rebuild.
    learn_heads(items);
    auto written = [&]() -> Result<void> {
      ASSIGN_OR_RETURN(auto writer, internal::IndexWriter::open(index_path(), *analyzer, index_options(),
                                                                /*overwrite=*/false));
      RETURN_IF_ERROR(writer.replace_publication(slug, items));
      return writer.commit(generation);
    }();
    if (!written) {
      // The store has committed: bring the index back in step rather than leave it behind.
      spdlog::warn("search index update failed ({}); rebuilding it from the store", written.error().message);
      RETURN_IF_ERROR(rebuild().map([](std::int64_t) {}));
    }
    return ok();
  }

  Result<AddResult> add(const std::filesystem::path& file, const Metadata& defaults, const Metadata& flags);

  // Builds a fresh index beside the old one and swaps it in, so a crash leaves either.
  Result<std::int64_t> rebuild() {
    ASSIGN_OR_RETURN(const std::int64_t generation, store_generation());
    ASSIGN_OR_RETURN(const auto publications, store->publications());
    ASSIGN_OR_RETURN(const auto recommendations, store->recommendations());
    const auto fresh = options.folder / "index.new";
    const auto old = options.folder / "index.old";
    std::error_code ec;
    std::filesystem::remove_all(fresh, ec);
    std::int64_t documents = 0;
    std::vector<std::vector<internal::IndexItem>> all;
    for (const auto& publication : publications) all.push_back(internal::items_of(publication, recommendations));
    {
      std::vector<internal::IndexItem> flat;
      for (const auto& items : all) flat.insert(flat.end(), items.begin(), items.end());
      learn_heads(flat);
    }
    {
      ASSIGN_OR_RETURN(auto writer, internal::IndexWriter::open(fresh, *analyzer, index_options(), /*overwrite=*/true));
      for (const auto& items : all) {
        RETURN_IF_ERROR(writer.add(items));
        documents += static_cast<std::int64_t>(items.size());
        crash_point();
      }
      RETURN_IF_ERROR(writer.commit(generation));
    }
    crash_point();
    std::filesystem::remove_all(old, ec);
    if (std::filesystem::exists(index_path(), ec)) std::filesystem::rename(index_path(), old, ec);
    if (ec) return fail(ErrorCode::kIo, fmt::format("{}: {}", index_path().string(), ec.message()));
    crash_point();  // No index at all: the next open rebuilds it.
    std::filesystem::rename(fresh, index_path(), ec);
    if (ec) return fail(ErrorCode::kIo, fmt::format("{}: {}", index_path().string(), ec.message()));
    std::filesystem::remove_all(old, ec);
    return documents;
  }
};

KnowledgeBase::KnowledgeBase(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KnowledgeBase::~KnowledgeBase() = default;

Result<std::unique_ptr<KnowledgeBase>> KnowledgeBase::open(store::Store& store, KbOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(options.folder, ec);
  if (ec) return fail(ErrorCode::kIo, fmt::format("{}: cannot create: {}", options.folder.string(), ec.message()));
  auto impl = std::make_unique<Impl>();
  impl->store = &store;
  impl->options = std::move(options);
  ASSIGN_OR_RETURN(impl->analyzer, internal::Analyzer::load(impl->options.word_list, internal::builtin_lists()));
  RETURN_IF_ERROR(impl->import_folder_files());
  ASSIGN_OR_RETURN(const std::int64_t stored, impl->store_generation());
  const auto indexed = internal::index_generation(impl->index_path());
  if (indexed && *indexed == stored) RETURN_IF_ERROR(impl->learn_heads_from_store());  // A rebuild learns them.
  if (!indexed || *indexed != stored) {
    const bool fresh = !indexed && indexed.error().code == ErrorCode::kNotFound && stored == 0;
    spdlog::log(fresh ? spdlog::level::debug : spdlog::level::warn,
                "search index {} (store generation {}); rebuilding it from the store",
                indexed ? fmt::format("at generation {}", *indexed) : indexed.error().message, stored);
    ASSIGN_OR_RETURN(const std::int64_t documents, impl->rebuild());
    spdlog::log(fresh ? spdlog::level::debug : spdlog::level::info, "search index rebuilt: {} documents", documents);
    impl->rebuilt_on_open = !fresh;
  }
  return std::unique_ptr<KnowledgeBase>(new KnowledgeBase(std::move(impl)));
}

bool KnowledgeBase::rebuilt_on_open() const { return impl_->rebuilt_on_open; }

Result<std::int64_t> KnowledgeBase::rebuild() { return impl_->rebuild(); }

Result<AddResult> KnowledgeBase::add_file(const std::filesystem::path& file, const Metadata& metadata) {
  return impl_->add(file, Metadata{}, metadata);
}

Result<AddResult> KnowledgeBase::Impl::add(const std::filesystem::path& file, const Metadata& defaults,
                                           const Metadata& flags) {
  const auto bad = [&](const std::string& reason) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: {}", file.string(), reason));
  };
  const std::string media_type = internal::media_type_of(file.filename().string());
  if (media_type.empty()) return bad("unsupported file type (expected .pdf, .html, .htm, .md, .markdown or .txt)");
  Metadata metadata = defaults;
  std::error_code ec;
  const auto sidecar = std::filesystem::path(file.string() + ".toml");
  if (std::filesystem::exists(sidecar, ec)) {
    ASSIGN_OR_RETURN(Metadata from_sidecar, read_sidecar(sidecar));
    metadata = merge(std::move(metadata), from_sidecar);
  }
  metadata = merge(std::move(metadata), flags);

  ASSIGN_OR_RETURN(const std::string bytes, read_file(file, options.max_file_bytes));
  auto extracted = internal::extract(media_type, bytes);
  if (metadata.text_source) {
    const std::string text_type = internal::media_type_of(metadata.text_source->filename().string());
    if (text_type.empty() || text_type == "application/pdf") {
      return bad(
          fmt::format("text source {}: expected .html, .htm, .md, .markdown or .txt", metadata.text_source->string()));
    }
    ASSIGN_OR_RETURN(const std::string text_bytes, read_file(*metadata.text_source, options.max_file_bytes));
    extracted = internal::extract(text_type, text_bytes);
    if (!extracted)
      return bad(fmt::format("text source {}: {}", metadata.text_source->string(), extracted.error().message));
  }
  if (!extracted) return bad(extracted.error().message);
  const std::string sha256 = sha256_hex(bytes);

  Publication p;
  ASSIGN_OR_RETURN(const auto previous_slug, store->publication_from_source(sha256));
  p.slug = metadata.slug ? *metadata.slug : previous_slug ? *previous_slug : slug_of(file);
  if (!valid_slug(p.slug)) return bad(fmt::format("slug '{}' is not lower-case letters, digits and hyphens", p.slug));
  p.title = metadata.title ? *metadata.title : extracted->title;
  if (p.title.empty()) p.title = file.stem().string();
  if (!metadata.type) return bad("no publication type: pass --type or set 'type' in the side-car file");
  p.type = *metadata.type;
  p.date = metadata.date ? *metadata.date : utc_today();
  if (!valid_date(p.date)) return bad(fmt::format("date '{}' is not a calendar date YYYY-MM-DD", p.date));
  p.language = metadata.language ? *metadata.language : "nl";
  if (p.language != "nl" && p.language != "en") return bad(fmt::format("language '{}' is not nl or en", p.language));
  p.mandates = metadata.mandates.value_or(std::vector<Mandate>{});
  p.forms = metadata.forms.value_or(std::vector<ExploitationForm>{});
  p.summary = metadata.summary.value_or("");
  p.body = std::move(extracted->text);
  p.file_sha256 = sha256;
  p.file_name = metadata.file_name && !metadata.file_name->empty() ? *metadata.file_name : file.filename().string();
  p.media_type = media_type;
  p.source_sha256 = sha256;
  p.tables = metadata.tables.value_or(std::vector<std::string>{});
  for (const std::string& name : p.tables) {
    if (!valid_table_name(name)) {
      return bad(fmt::format("tables: '{}' is not a table name (lower-case letters, digits, hyphens)", name));
    }
  }
  for (auto& r : metadata.recommendations) {
    r.publication_slug = p.slug;
    if (r.text.empty() || r.addressee.empty() || r.year < 1990 || r.year > 2100) {
      return bad(fmt::format("recommendation {}: needs text, addressee and a year in 1990..2100", r.number));
    }
    // A recommendation is made in its publication: not in another year, and followed up after it.
    if (std::to_string(r.year) != p.date.substr(0, 4)) {
      return bad(
          fmt::format("recommendation {}: year {} is not the year of its publication ({})", r.number, r.year, p.date));
    }
    for (const auto& event : r.history) {
      if (!valid_date(event.date)) {
        return bad(fmt::format("recommendation {}: follow-up date '{}' is not YYYY-MM-DD", r.number, event.date));
      }
      if (event.date < p.date) {
        return bad(fmt::format("recommendation {}: follow-up date {} is before its publication ({})", r.number,
                               event.date, p.date));
      }
    }
  }

  AddResult result;
  result.slug = p.slug;
  result.recommendations = metadata.recommendations.size();
  if (p.body.size() > options.max_indexed_bytes) {
    result.warnings.push_back(fmt::format("{}: only the first {} MiB of its {} MiB of text are searchable",
                                          file.string(), options.max_indexed_bytes >> 20, p.body.size() >> 20));
  }
  const auto existing = store->publication(p.slug);
  if (existing) {
    result.outcome = AddOutcome::kUpdated;
    if (same_publication(*existing, p)) {
      ASSIGN_OR_RETURN(const auto stored_recommendations, store->recommendations());
      const bool same =
          std::all_of(metadata.recommendations.begin(), metadata.recommendations.end(), [&](const auto& r) {
            return std::any_of(stored_recommendations.begin(), stored_recommendations.end(),
                               [&](const auto& s) { return same_recommendation(r, s); });
          });
      if (same) {
        result.outcome = AddOutcome::kUnchanged;
        return result;
      }
    }
  } else if (existing.error().code != ErrorCode::kNotFound) {
    return tl::unexpected(existing.error());
  }

  std::int64_t generation = 0;
  RETURN_IF_ERROR(store->transact([&]() -> Result<void> {
    // The attached file, kept in the store by its hash: every node serves it.
    ASSIGN_OR_RETURN(const std::string stored, store->put_file(bytes));
    (void)stored;
    RETURN_IF_ERROR(store->put_publication(p));
    for (const auto& r : metadata.recommendations) RETURN_IF_ERROR(store->put_recommendation(r));
    ASSIGN_OR_RETURN(generation, bump_generation());
    return ok();
  }));
  RETURN_IF_ERROR(reindex(p.slug, generation));
  return result;
}

Result<KnowledgeBase::FolderResult> KnowledgeBase::add_folder(const std::filesystem::path& folder,
                                                              const Metadata& defaults) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file() && !internal::media_type_of(it->path().filename().string()).empty()) {
      files.push_back(it->path());
    }
  }
  if (ec) return fail(ErrorCode::kIo, fmt::format("{}: cannot list: {}", folder.string(), ec.message()));
  std::sort(files.begin(), files.end());
  FolderResult result;
  for (const auto& file : files) {
    auto added = impl_->add(file, defaults, Metadata{});
    if (added) {
      result.added.push_back(std::move(*added));
    } else {
      result.errors.push_back(added.error());
    }
  }
  return result;
}

Result<void> KnowledgeBase::update(const std::string& slug, const Metadata& changes) {
  ASSIGN_OR_RETURN(Publication p, impl_->store->publication(slug));
  if (changes.title) p.title = *changes.title;
  if (changes.type) p.type = *changes.type;
  if (changes.date) p.date = *changes.date;
  if (changes.language) p.language = *changes.language;
  if (changes.mandates) p.mandates = *changes.mandates;
  if (changes.forms) p.forms = *changes.forms;
  if (changes.summary) p.summary = *changes.summary;
  if (changes.tables) p.tables = *changes.tables;
  for (const std::string& name : p.tables) {
    if (!valid_table_name(name)) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("publication {}: '{}' is not a table name", slug, name));
    }
  }
  if (p.title.empty())
    return fail(ErrorCode::kInvalidArgument, fmt::format("publication {}: the title is empty", slug));
  if (!valid_date(p.date)) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("publication {}: date '{}' is not YYYY-MM-DD", slug, p.date));
  }
  std::int64_t generation = 0;
  RETURN_IF_ERROR(impl_->store->transact([&]() -> Result<void> {
    RETURN_IF_ERROR(impl_->store->put_publication(p));
    ASSIGN_OR_RETURN(generation, impl_->bump_generation());
    return ok();
  }));
  return impl_->reindex(slug, generation);
}

Result<void> KnowledgeBase::follow_up(const std::string& slug, int number, const Recommendation::Event& event) {
  if (!valid_date(event.date)) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("follow-up date '{}' is not YYYY-MM-DD", event.date));
  }
  std::int64_t generation = 0;
  RETURN_IF_ERROR(impl_->store->transact([&]() -> Result<void> {
    RETURN_IF_ERROR(impl_->store->add_recommendation_event(slug, number, event));
    ASSIGN_OR_RETURN(generation, impl_->bump_generation());
    return ok();
  }));
  return impl_->reindex(slug, generation);
}

Result<bool> KnowledgeBase::catch_up() {
  ASSIGN_OR_RETURN(const std::int64_t stored, impl_->store_generation());
  const auto indexed = internal::index_generation(impl_->index_path());
  if (indexed && *indexed == stored) return false;
  spdlog::info("search index {} behind the store's generation {}; rebuilding it",
               indexed ? fmt::format("at generation {}", *indexed) : indexed.error().message, stored);
  ASSIGN_OR_RETURN(const std::int64_t documents, impl_->rebuild());
  spdlog::info("search index rebuilt: {} documents", documents);
  return true;
}

Result<SearchResult> KnowledgeBase::search(const SearchQuery& query) const {
  auto result = internal::search_index(impl_->index_path(), *impl_->analyzer, query);
  if (result || result.error().code != ErrorCode::kStorage) return result;
  // A rebuild swaps the new index in with two renames; a search that came between them finds
  // no index. Once more, after the swap.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return internal::search_index(impl_->index_path(), *impl_->analyzer, query);
}

Result<std::string> KnowledgeBase::file(const std::string& sha256) const {
  if (sha256.size() != 64 || sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return fail(ErrorCode::kNotFound, "no such file");
  }
  ASSIGN_OR_RETURN(auto bytes, impl_->store->file(sha256));
  if (!bytes) return fail(ErrorCode::kNotFound, "no such file");
  return std::move(*bytes);
}

}  // namespace rapporteur::kb
