// The store's one factory: the backend follows from where the database is.
#include "store/store.h"

#include <algorithm>

namespace rapporteur::store {

bool is_postgresql_url(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::string printable_location(std::string_view location) {
  std::string printable(location);
  if (!is_postgresql_url(location)) return printable;
  // postgresql://user:password@host/...: the password runs from the first ':' after the
  // scheme to the '@' that ends the user part.
  const std::size_t user = printable.find("://") + 3;
  const std::size_t at = printable.find('@', user);
  const std::size_t slash = printable.find('/', user);
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
    const std::size_t colon = printable.find(':', user);
    if (colon != std::string::npos && colon < at) printable.replace(colon + 1, at - colon - 1, "***");
  }
  // ...?password=secret&...: the parameter's value up to the next '&'.
  for (std::size_t key = printable.find("password="); key != std::string::npos;
       key = printable.find("password=", key + 1)) {
    const std::size_t value = key + 9;
    const std::size_t end = std::min(printable.find('&', value), printable.size());
    printable.replace(value, end - value, "***");
  }
  return printable;
}

Result<std::unique_ptr<Store>> open_store(const std::string& location, const StoreOptions& options) {
  if (is_postgresql_url(location)) return open_postgresql_store(location, options);
  return open_sqlite_store(location, options);
}

}  // namespace rapporteur::store
