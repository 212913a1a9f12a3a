// The publish use case: protect a set of linked tables together, audit them, and release them
// to the public side all at once (see tables/release.h), with a record in the audit log.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "app/linkage.h"
#include "core/result.h"
#include "store/store.h"
#include "tables/release.h"
#include "tables/tables.h"

namespace rapporteur::app {

// The persons of the monitor tables found as the estimate finds them: each year's
// registrations linked with `method` by link_registrations, over the sources that registered
// someone (as run_linkage lists them), so a table and an estimate of the same year, mandate and
// role count the same persons. kDeterministic is tables::exact_keys's counting. Remembers the
// clusters of the registration sets it linked (a publish builds several tables of the same
// years); not thread safe, one per build. A probabilistic linkage follows the clerical review's
// decisions stored in `store` for the year, mandate and role (as run_linkage does); a build
// whose registrations changed meanwhile fails with kConflict. `store` must outlive the result.
tables::PersonClustering table_persons(store::Store& store, LinkageMethod method);

struct PublishRequest {
  std::vector<std::filesystem::path> specs;  // Table definitions, protected together.
  // The published folder: the copy of the served release for people and scripts (releases/,
  // current, <table>.csv); empty for none.
  std::filesystem::path folder;
  std::string date;                                       // Publication date YYYY-MM-DD; empty: today.
  std::string actor = "cli";                              // Who publishes, for the audit log.
  LinkageMethod linkage = LinkageMethod::kProbabilistic;  // How persons are counted (table_persons).
};

struct PublishResult {
  tables::ProtectionReport report;
  tables::Release release;
  std::string warning;  // Why the published folder's copy was not updated; empty when it was.
};

// Builds the tables from `store` (persons counted by table_persons(request.linkage)), protects
// and audits them together, and publishes them as a new release in the store, served from then
// on, with "publish" and the release id in the audit log in the same transaction. Then copies
// the release into request.folder (a failure there is a warning: the release is served).
// Nothing is released when the audit fails (kConflict) or a definition is wrong
// (kInvalidArgument); on a store failure the served release is unchanged.
Result<PublishResult> publish(store::Store& store, const PublishRequest& request);

// Records "publish" for the release the store serves when the audit log lacks it (a release
// adopted from a folder). Fails with the store's error.
Result<void> record_unrecorded_release(store::Store& store, const std::string& actor);

// Brings the release `folder` serves into a store that serves none yet (an instance published
// before releases were kept in the database; tables::adopt_folder_release) and records it.
Result<void> adopt_published_folder(store::Store& store, const std::filesystem::path& folder, const std::string& actor);

// Copies the store's served release into `folder` (tables::mirror_release); returns why it
// could not, or "" (also for an empty folder path).
std::string mirror_published_folder(store::Store& store, const std::filesystem::path& folder);

}  // namespace rapporteur::app
