// A child process running the rapporteur binary (RAPPORTEUR_BIN) with its stdout and stderr
// on pipes, killed when the test ends without having waited for it.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rapporteur::testing {

class Process {
 public:
  explicit Process(std::vector<std::string> args) {
    args.insert(args.begin(), RAPPORTEUR_BIN);
    int out[2];
    int err[2];
    EXPECT_EQ(pipe(out), 0);
    EXPECT_EQ(pipe(err), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      dup2(err[1], STDERR_FILENO);
      close(out[0]);
      close(err[0]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    close(err[1]);
    out_ = fdopen(out[0], "r");
    err_fd_ = err[0];
  }
  ~Process() {
    if (pid_ > 0 && !waited_) {
      kill(pid_, SIGKILL);
      wait();
    }
    if (out_) fclose(out_);
    close(err_fd_);
  }

  // Reads one line of standard output (blocking).
  std::string read_line() {
    char buffer[512];
    return fgets(buffer, sizeof buffer, out_) ? std::string(buffer) : std::string();
  }
  std::string read_all_stdout() {
    std::string text;
    char buffer[4096];
    size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, out_)) > 0) text.append(buffer, n);
    return text;
  }
  std::string read_all_stderr() {
    std::string text;
    char buffer[4096];
    ssize_t n = 0;
    while ((n = read(err_fd_, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
    return text;
  }
  void signal(int number) { kill(pid_, number); }
  int wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    waited_ = true;
    return status;
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  int err_fd_ = -1;
  bool waited_ = false;
};

}  // namespace rapporteur::testing
