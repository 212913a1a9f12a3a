// The publish use case: protect a set of linked tables together, audit them, and release them
// to the public side all at once (see tables/release.h), with a record in the audit log.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/store.h"
#include "tables/release.h"
#include "tables/tables.h"

namespace rapporteur::app {

struct PublishRequest {
  std::vector<std::filesystem::path> specs;  // Table definitions, protected together.
  std::filesystem::path folder;              // The published folder (releases/, current).
  std::string date;                          // Publication date YYYY-MM-DD; empty: today.
  std::string actor = "cli";                 // Who publishes, for the audit log.
};

struct PublishResult {
  tables::ProtectionReport report;
  tables::Release release;
};

// Builds the tables from `store`, protects and audits them together, writes them as a new
// release and makes it the one served, then records "publish" with the release id in the audit
// log. Nothing is released when the audit fails (kConflict) or a definition is wrong
// (kInvalidArgument); kIo when the release cannot be written (the served one is unchanged).
// A release served but not yet recorded (a crash between the two) is recorded by the next
// publish.
Result<PublishResult> publish(store::Store& store, const PublishRequest& request);

// Records "publish" for the release `folder` serves when the audit log lacks it (a crash
// between a release's switch and its record, by a table or an estimate publication). Fails
// with the store's error.
Result<void> record_unrecorded_release(store::Store& store, const std::filesystem::path& folder, const std::string& actor);

}  // namespace rapporteur::app
