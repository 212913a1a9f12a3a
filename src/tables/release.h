// Releases: the set of published tables the public side serves.
//
// The store holds them (store/file_store.h): publish_release(store, ...) adds a release, its
// files kept by their SHA-256, and makes it the served one in one transaction, so every web
// node on the database serves the same release, and a crash leaves the old one served or the
// new one, never a mix. served(store) is what the public side reads.
//
// The published folder is a copy of the served release for people and scripts that open a
// table by its file name (mirror_release), written after the store's commit under the same
// release id: a folder published/releases/<id>/ with a MANIFEST of its files and their
// SHA-256, then the symbolic link published/current switched to it in one rename, so a crash
// leaves the folder at the old release whole or the new one. published/<name>.<ext> are
// links through current.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/file_store.h"

namespace rapporteur::tables {

struct ReleaseTable {
  std::string name;  // File-name safe.
  std::string csv;
  std::string json;
  // Writes the workbook to the path it is given (libxlsxwriter writes by path).
  std::function<Result<void>(const std::filesystem::path&)> write_xlsx;
};

// A file of a release that is not a table (e.g. ESTIMATES.json, the published estimates):
// written with the tables, listed in the MANIFEST with its SHA-256, carried over by later
// releases that do not replace it.
struct ReleaseDocument {
  // A stem in capitals and one extension, e.g. "ESTIMATES.json": like MANIFEST, never the
  // name of a table's file (lower case), so the public side never takes it for a table.
  std::string name;
  std::string bytes;
};

struct Release {
  std::string id;                   // Sorts by time of writing, e.g. "20261206T184500Z-3fa9c1".
  std::filesystem::path folder;     // published/releases/<id> for the folder's copy; else empty.
  std::vector<std::string> tables;  // Every table it holds, this run's and carried ones.
};

// The folder whose files the published folder serves: the release published/current points
// to, or `published_folder` itself for a folder written before releases existed.
std::filesystem::path served_folder(const std::filesystem::path& published_folder);

// The id of the release the published folder serves; empty when there is none.
std::string served_release(const std::filesystem::path& published_folder);

// --- Releases in the store (what the public side serves) ---

// Writes `tables` and `documents` as a new release in `store` and makes it the one served;
// tables and documents of the served release that this one does not replace are carried over.
// `within` (if given) runs inside the same transaction once the release is added, e.g. to
// write its audit record: both or neither. Keeps the three releases before it and removes
// older ones and the files no longer referred to. Publications are serialised by
// store.lock_releases, also between nodes. Fails with kInvalidArgument when both sets are
// empty or a name is not safe (a table's: a-z, 0-9, '-', '_'; a document's: a capitalised
// stem and one extension), kIo when a workbook cannot be written, with `within`'s error and
// with the store's; on any failure the served release is unchanged.
Result<Release> publish_release(store::FileStore& store, const std::vector<ReleaseTable>& tables,
                                const std::vector<ReleaseDocument>& documents = {},
                                const std::function<Result<void>(const Release&)>& within = {});

// Runs `change` on the document `name` of the store's served release (nullopt when it has
// none) and publishes what it returns as a new release, all under the releases' lock, so two
// changes at once both count. Fails as publish_release does and with `change`'s error.
Result<Release> change_document(store::FileStore& store, const std::string& name,
                                const std::function<Result<std::string>(const std::optional<std::string>&)>& change);

// The release the store serves, read once so that one request reads one release.
struct ServedRelease {
  std::string id;                                    // Empty when nothing is published.
  std::map<std::string, store::ReleaseEntry> files;  // By file name.
  // The tables it holds (those with a .json file), by name.
  std::vector<std::string> tables() const;
};
Result<ServedRelease> served(store::FileStore& store);
// Only the id of the release the store serves (one read of a setting); empty when none.
// A release never changes, so a reader may keep what served() gave for an id.
Result<std::string> served_release_id(store::FileStore& store);

// The bytes of file `name` of `release`; nullopt when it has no such file.
Result<std::optional<std::string>> read_file(store::FileStore& store, const ServedRelease& release,
                                             const std::string& name);

// The bytes of document `name` in the store's served release; nullopt when it has none.
Result<std::optional<std::string>> read_served_document(store::FileStore& store, const std::string& name);

// Makes the store's served release the one `published_folder` serves, written whole as a new
// release of the folder (nothing when the folder already serves it). Fails with kIo.
Result<void> mirror_release(store::FileStore& store, const std::filesystem::path& published_folder);

// Brings a published folder's served release into a store that has none yet (an instance
// published before releases were kept in the database, or a folder of files in the layout
// before releases), under the same id, and makes it served. Returns whether it did. Two
// processes adopting at once adopt once.
Result<bool> adopt_folder_release(store::FileStore& store, const std::filesystem::path& published_folder);

}  // namespace rapporteur::tables
