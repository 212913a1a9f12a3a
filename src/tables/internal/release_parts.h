// What the folder releases (release.cpp) and the store's releases (release_store.cpp) share.
// Internal to tables.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "tables/release.h"

namespace rapporteur::tables::internal {

// A table's name: a-z, 0-9, '-', '_', at most 100 characters, not starting with '.'.
bool file_name_safe(const std::string& name);

// A document's name: a stem in capitals (like MANIFEST, so it never collides with a table's
// files, whose names are lower case) and one lower-case extension.
bool document_name_safe(const std::string& name);

// kInvalidArgument naming the first table or document whose name is not safe, or when both
// sets are empty.
Result<void> check_names(const std::vector<ReleaseTable>& tables, const std::vector<ReleaseDocument>& documents);

// A new release id: the UTC time to the second and a random suffix, so ids sort by time.
std::string new_release_id();

// The three file extensions of a table.
inline constexpr std::array<const char*, 3> kTableExtensions = {".csv", ".json", ".xlsx"};

// Writes a folder release with id `id` under the folder's lock (publish_release's work).
Result<Release> write_folder_release(const std::filesystem::path& published_folder,
                                     const std::vector<ReleaseTable>& tables,
                                     const std::vector<ReleaseDocument>& documents, const std::string& id);

}  // namespace rapporteur::tables::internal
