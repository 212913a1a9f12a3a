// Converting an extract's rows into registrations: columns found by the profile, values coded
// through its labels, dates checked, identifiers pseudonymised, duplicates and bad rows sent to
// quarantine without identifying values. Internal to intake.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "core/domain.h"
#include "core/result.h"
#include "intake/intake.h"
#include "intake/internal/tables.h"
#include "store/registration_store.h"

namespace rapporteur::intake::internal {

// Converts the rows of one extract. Not thread safe: one converter per load, used by the
// thread that reads the file.
class RowConverter {
 public:
  // All arguments must outlive the converter.
  RowConverter(store::RegistrationStore& store, const PseudonymKey& key, const SourceProfile& profile,
               const LoadOptions& options);
  ~RowConverter();
  RowConverter(const RowConverter&) = delete;
  RowConverter& operator=(const RowConverter&) = delete;

  // Finds the profile's columns in the reader's header and reads the municipalities from the
  // store. Fails with kInvalidArgument naming a missing column (never the header's cells).
  Result<void> prepare(const RowReader& reader);
  // Converts one row; returns the registration, or nothing with the reasons added to `errors`.
  std::optional<Registration> convert(const Row& row, std::vector<store::RowError>& errors);
  // Whether the row last converted was kept with a name only (no id number, no date of birth).
  bool converted_weak() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rapporteur::intake::internal
