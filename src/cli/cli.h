// The command-line interface: parses arguments and wires the capabilities together.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace rapporteur::cli {

// Exit statuses: 0 success, 1 failure (one line on `err`), 2 bad usage (one line on `err`).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Runs the command line `args` (args[0] is the program name). Data goes to `out`, messages and
// logs to `err`. Returns the exit status.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace rapporteur::cli
