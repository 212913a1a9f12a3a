// Runs a program in a child process for the kill tests (publish_crash_test, write_crash_test),
// optionally killed at a crash point through RAPPORTEUR_CRASH_AT, and reads files whole.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace rapporteur::testing {

struct Exit {
  bool killed = false;  // Ended by SIGKILL (a crash point was reached).
  int status = -1;      // The exit status when not killed.
};

struct RunOptions {
  long crash_at = 0;        // > 0: RAPPORTEUR_CRASH_AT.
  std::string stdin_file;   // Read as standard input when set.
  std::string stdout_file;  // Standard output goes here when set, else nowhere.
};

// Runs `program` with `args` and waits for it; standard error is discarded.
inline Exit run_program(const std::string& program, const std::vector<std::string>& args, const RunOptions& options) {
  std::fflush(nullptr);  // Or the child's freopen writes the parent's buffered output again.
  const pid_t pid = fork();
  if (pid == 0) {
    if (options.crash_at > 0) setenv("RAPPORTEUR_CRASH_AT", std::to_string(options.crash_at).c_str(), 1);
    const std::string out = options.stdout_file.empty() ? "/dev/null" : options.stdout_file;
    if (std::freopen(out.c_str(), "w", stdout) == nullptr || std::freopen("/dev/null", "w", stderr) == nullptr)
      _exit(126);
    if (!options.stdin_file.empty() && std::freopen(options.stdin_file.c_str(), "r", stdin) == nullptr) _exit(126);
    std::vector<std::string> all = {program};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) return {WTERMSIG(status) == SIGKILL, -1};
  return {false, WEXITSTATUS(status)};
}

// The bytes of a file; empty when it cannot be read.
inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace rapporteur::testing
