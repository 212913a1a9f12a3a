// The published capture-history tables of ../shared/data/mse, read for the mse tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "mse/mse.h"

namespace rapporteur::mse::test_support {

// The table `name` (e.g. "Korea.csv"); a failed read fails the test and gives an empty table.
inline CaptureTable read_table(const std::string& name) {
  std::ifstream file(RAPPORTEUR_SHARED_DATA "/mse/" + name);
  std::stringstream text;
  text << file.rdbuf();
  auto table = parse_capture_table(text.str(), name);
  EXPECT_TRUE(table.has_value()) << (table ? "" : table.error().message);
  return table.value_or(CaptureTable{});
}

}  // namespace rapporteur::mse::test_support
