// Runs the rapporteur command in-process for the CLI tests, capturing its streams.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"

namespace rapporteur::cli::test_support {

struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
};

// `args` after the program name.
inline Outcome run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "rapporteur");
  std::ostringstream out;
  std::ostringstream err;
  const int status = run(args, out, err);
  return {status, out.str(), err.str()};
}

}  // namespace rapporteur::cli::test_support
