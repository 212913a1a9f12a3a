// Rotation of the pseudonymisation key: a new layer re-keys every stored keyed value in one
// transaction, and the key file then holds the new key (see docs/key-handling.md for what a
// rotation protects against and what it does not).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "core/result.h"
#include "store/store.h"

namespace rapporteur::intake {

struct RotationReport {
  std::string old_key_id;
  std::string new_key_id;
  std::int64_t registrations = 0;  // Rows re-keyed.
  // A previous rotation had committed the database but was stopped before it replaced the key
  // file; this call only finished it (registrations is then 0).
  bool finished_interrupted = false;
};

// Rotates the key in `key_file` for the instance in `store`:
//  1. writes the current key plus a new random layer to `key_file` + ".next" (mode 0600),
//  2. re-keys every registration's keyed values through the new layer and records the new
//     key's id on every batch and on the instance, all in one transaction,
//  3. renames the ".next" file over `key_file`, which retires the old key.
// A crash before 2 commits leaves the old key in force (the ".next" file is discarded by the
// next call); a crash between 2 and 3 is finished by the next call. Fails with kConflict when
// the instance's pseudonyms were made with another key, kIo when a file cannot be written,
// kInvalidArgument when a stored value has an unexpected form (nothing is then changed).
//
// `hooks` run inside that one transaction, before and after the stored values are re-keyed:
// for what the caller derives from keyed values and keeps (linkage's record fingerprints).
// A hook's failure rolls the rotation back.
struct RotationHooks {
  std::function<Result<void>()> before_rekey;
  std::function<Result<void>()> after_rekey;
};
Result<RotationReport> rotate_key(store::Store& store, const std::filesystem::path& key_file,
                                  const RotationHooks& hooks = {});

}  // namespace rapporteur::intake
