// How both backends store the domain's enums and lists: as their codes, lists joined by
// commas, and read back with a kStorage error for a code this binary does not know.
// Internal to store.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/domain.h"
#include "core/result.h"

namespace rapporteur::store::internal {

inline std::string join_mandates(const std::vector<Mandate>& mandates) {
  std::string joined;
  for (const Mandate mandate : mandates) {
    joined += joined.empty() ? "" : ",";
    joined += to_code(mandate);
  }
  return joined;
}

inline std::string join_forms(const std::vector<ExploitationForm>& forms) {
  std::string joined;
  for (const ExploitationForm form : forms) {
    joined += joined.empty() ? "" : ",";
    joined += to_code(form);
  }
  return joined;
}

// A publication's table names (publications.tables): space-separated.
inline std::string join_table_names(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) {
    joined += joined.empty() ? "" : " ";
    joined += name;
  }
  return joined;
}

inline Result<std::vector<std::string>> split_table_names(std::string_view joined) {
  std::vector<std::string> names;
  while (!joined.empty()) {
    const auto space = joined.find(' ');
    const std::string_view name = joined.substr(0, space);
    if (!valid_table_name(name)) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("'{}' is not a table name", name));
    }
    names.emplace_back(name);
    joined = space == std::string_view::npos ? std::string_view{} : joined.substr(space + 1);
  }
  return names;
}

inline Result<std::vector<ExploitationForm>> split_forms(std::string_view joined) {
  std::vector<ExploitationForm> forms;
  while (!joined.empty()) {
    const auto comma = joined.find(',');
    ASSIGN_OR_RETURN(const ExploitationForm form, parse_exploitation_form(joined.substr(0, comma)));
    forms.push_back(form);
    joined = comma == std::string_view::npos ? std::string_view{} : joined.substr(comma + 1);
  }
  return forms;
}

inline Result<std::vector<Mandate>> split_mandates(std::string_view joined) {
  std::vector<Mandate> mandates;
  while (!joined.empty()) {
    const auto comma = joined.find(',');
    ASSIGN_OR_RETURN(const Mandate mandate, parse_mandate(joined.substr(0, comma)));
    mandates.push_back(mandate);
    joined = comma == std::string_view::npos ? std::string_view{} : joined.substr(comma + 1);
  }
  return mandates;
}

// Reads a stored enum code back; a bad code means the database was edited by hand or a bug.
template <typename T>
Result<T> stored(Result<T> parsed, std::string_view column) {
  if (!parsed) {
    return fail(ErrorCode::kStorage, fmt::format("corrupt value in column {}: {}", column, parsed.error().message));
  }
  return parsed;
}

template <typename T, typename Parser>
Result<std::optional<T>> stored_optional(const std::optional<std::string>& code, Parser parser,
                                         std::string_view column) {
  if (!code) {
    return std::optional<T>();
  }
  ASSIGN_OR_RETURN(T value, stored(parser(*code), column));
  return std::optional<T>(value);
}

// The code of an optional enum value; views static text.
inline std::optional<std::string_view> optional_code(const auto& value) {
  if (!value) {
    return std::nullopt;
  }
  return to_code(*value);
}

}  // namespace rapporteur::store::internal
