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
  std::vector<std::filesystem::path> specs;               // Table definitions, protected together.
  std::filesystem::path folder;                           // The published folder (releases/, current).
  std::string date;                                       // Publication date YYYY-MM-DD; empty: today.
  std::string actor = "cli";                              // Who publishes, for the audit log.
  LinkageMethod linkage = LinkageMethod::kProbabilistic;  // How persons are counted (table_persons).
};

struct PublishResult {
  tables::ProtectionReport report;
  tables::Release release;
};

// Builds the tables from `store` (persons counted by table_persons(request.linkage)), protects and audits them
// together, writes them as a new release and makes it the one served, then records "publish" with the release id in the
// audit log. Nothing is released when the audit fails (kConflict) or a definition is wrong (kInvalidArgument); kIo when
// the release cannot be written (the served one is unchanged). A release served but not yet recorded (a crash between
// the two) is recorded by the next publish.
Result<PublishResult> publish(store::Store& store, const PublishRequest& request);

// Records "publish" for the release `folder` serves when the audit log lacks it (a crash
// between a release's switch and its record, by a table or an estimate publication). Fails
// with the store's error.
Result<void> record_unrecorded_release(store::Store& store, const std::filesystem::path& folder,
                                       const std::string& actor);

}  // namespace rapporteur::app
