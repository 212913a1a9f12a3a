// What every role of the store shares: the schema version, transactions and the instance's
// settings. Each role interface (registration_store.h, publication_store.h, account_store.h,
// staff_store.h) inherits it virtually, so a caller holding one role can still run its writes
// in one transaction; store.h joins the roles into the whole store and opens one.
#pragma once

#include <functional>
#include <string>

#include "core/result.h"

namespace rapporteur::store {

// Thread safety (of every role): all methods may be called from any thread; calls are
// serialised, and a transaction holds the store for its whole duration.
class MetaStore {
 public:
  virtual ~MetaStore() = default;

  // Returns the schema version of the open database.
  virtual int schema_version() const = 0;

  // Runs `work` in one transaction: commits when it succeeds, rolls back everything it wrote
  // when it fails (returning its error). Nested calls form savepoints inside the outer one.
  virtual Result<void> transact(const std::function<Result<void>()>& work) = 0;

  // Instance settings (key/value). get_meta fails with kNotFound for an absent key.
  virtual Result<void> set_meta(const std::string& key, const std::string& value) = 0;
  virtual Result<std::string> get_meta(const std::string& key) = 0;
};

}  // namespace rapporteur::store
