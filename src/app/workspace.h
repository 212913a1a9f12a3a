// The staff workspace's work as typed calls, shared by the web's background jobs and the CLI:
// loading an extract, estimating, protecting and publishing tables, rebuilding the search
// index, importing a year of the account, and the annual report. Each writes its result to
// `out` as the workspace and the CLI show it (an estimate as JSON for the web's page).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "app/estimate.h"
#include "app/publish.h"
#include "app/published_estimate.h"
#include "core/result.h"
#include "intake/intake.h"
#include "kb/kb.h"
#include "store/store.h"
#include "tables/tables.h"

namespace rapporteur::app {

// Where an instance keeps what is not in its database.
struct InstancePaths {
  std::filesystem::path key;        // The pseudonymisation key file.
  std::filesystem::path profiles;   // Source profiles.
  std::filesystem::path tables;     // Table definitions.
  std::filesystem::path published;  // Releases served to the public (tables/release.h).
  std::filesystem::path reports;    // Annual reports and protection reviews (staff only).
  std::filesystem::path uploads;    // Uploaded files while their job runs.
};

struct LoadExtractRequest {
  std::filesystem::path file;
  std::string profile;  // A profile file, or a name in the profiles folder.
  int year = 0;
  intake::ReplaceMode replace = intake::ReplaceMode::kRefuse;
  intake::Encodings encodings = intake::Encodings::kWithBloomFilters;
  std::function<void(double fraction, std::int64_t rows)> progress;
  // Who loads, for the audit log: a batch stored is recorded as "intake_batch" with its number,
  // profile, year and row counts. Empty: not recorded.
  std::string actor;
};

enum class Intervals { kCertified, kExact };

struct ProtectRequest {
  std::vector<std::string> specs;  // Table definitions (files or names), protected together.
  std::filesystem::path review;    // Per-cell review CSV (mode 0600); empty: none.
  Intervals intervals = Intervals::kCertified;
  LinkageMethod linkage = LinkageMethod::kProbabilistic;  // How persons are counted (table_persons).
};

enum class ReportOutput { kHtml, kPdf, kPublish };

struct AnnualReportRequest {
  int year = 0;
  ReportOutput output = ReportOutput::kHtml;
  std::filesystem::path folder;  // Empty: the instance's reports folder.
  std::string chart_script;      // The chart library, inlined into the report.
};

// The summary lines of a protection: suppressions and the audit's verdict.
std::string describe_protection(const tables::ProtectionReport& report);

// A publication uploaded through the staff pages: the file kept under a generated name, the
// name its sender gave it (for the slug and the messages, never used as a path) and the
// metadata from the form.
struct PublicationUpload {
  std::filesystem::path file;
  std::string original_name;
  kb::Metadata metadata;
};

// Opens a connection to the instance's store.
using StoreOpener = std::function<Result<std::unique_ptr<store::Store>>()>;

// The typed calls. Each call works on a connection of its own (opened by `open_store`), as a
// separate process would, so a long load or protection does not hold the connection that
// serves pages. Thread safety: calls may run concurrently; knowledge-base writes are
// serialised by kb_write_mutex().
class Workspace {
 public:
  // `knowledge_base` (may be null: the calls that need it fail) must outlive the workspace.
  Workspace(StoreOpener open_store, kb::KnowledgeBase* knowledge_base, InstancePaths paths);

  const InstancePaths& paths() const { return paths_; }
  // Serialises writes to the knowledge base (its index has one writer at a time); the web's
  // own knowledge-base forms take it too.
  std::mutex& kb_write_mutex() { return kb_write_mutex_; }
  // The definition file of a table given by file or name.
  std::filesystem::path spec_path(const std::string& spec) const;
  // A source profile given by file or by name in the profiles folder; fails as
  // intake::load_profile does.
  Result<intake::SourceProfile> find_profile(const std::string& profile) const;

  // Loads one extract as a batch. Fails as intake::load_extract does, with kNotFound for an
  // unknown profile, and with kInvalidArgument when no row could be loaded.
  Result<void> load_extract(const LoadExtractRequest& request, std::ostream& out);
  // Estimates and writes the report as JSON.
  Result<void> estimate_json(const EstimateRequest& request, std::ostream& out);
  // Publishes an estimate (app::publish_estimate) into the instance's published folder unless
  // request.folder is given, and writes its record as JSON.
  Result<PublishedEstimate> publish_estimate(PublishEstimateRequest request, std::ostream& out);
  // Protects and audits the tables together; writes the review when asked.
  Result<tables::ProtectionReport> protect(const ProtectRequest& request, std::ostream& out);
  // Protects, audits and releases (app::publish) into the instance's published folder unless
  // `folder` is given, counting persons by `linkage` (table_persons).
  Result<PublishResult> publish(const std::vector<std::string>& specs, const std::string& date,
                                const std::filesystem::path& folder, std::ostream& out,
                                LinkageMethod linkage = LinkageMethod::kProbabilistic);
  Result<void> rebuild_index(std::ostream& out);
  // Adds an uploaded publication to the knowledge base (kb::KnowledgeBase::add_file) under the
  // knowledge-base write lock. Unless the metadata sets one, the slug comes from the title, else
  // from the original name. Fails with kAlreadyExists when a publication has that slug (an
  // upload never replaces one), as add_file does otherwise (kInvalidArgument for a corrupt,
  // empty or unsupported file, its message naming the original name instead of the generated
  // one), and with kNotFound without a knowledge base. The caller keeps and removes the file.
  Result<kb::AddResult> add_publication(const PublicationUpload& upload);
  Result<void> import_account(const std::filesystem::path& file, std::ostream& out);
  Result<void> annual_report(const AnnualReportRequest& request, std::ostream& out);

 private:
  StoreOpener open_store_;
  kb::KnowledgeBase* knowledge_base_;
  InstancePaths paths_;
  std::mutex kb_write_mutex_;  // The knowledge base's writes must be serialised.
};

}  // namespace rapporteur::app
