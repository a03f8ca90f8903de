// SPDX-License-Identifier: Apache-2.0
// Runs a benchmark program under busy cores, as on a shared machine: when the
// environment variable NACS_BENCH_BUSY=n (n >= 1) is set, the program forks n
// child processes that spin at normal priority for as long as it runs (each
// child dies with its parent: PR_SET_PDEATHSIG, plus a kill at exit). The
// children are separate processes, not threads, so they compete for cores the
// way another program does and never share the benchmark's OpenMP or nacs
// thread state. The context line "nacs.busy_processes" records n in the JSON.
//
//   NACS_BENCH_BUSY=1 build-x/bench/bench_model --benchmark_filter=deepfm
#pragma once

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#if defined(__linux__)
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace nacs_bench {

/// Starts the spinning processes NACS_BENCH_BUSY asks for (none when unset); returns how many.
inline int start_busy_processes() {
  const char* env = std::getenv("NACS_BENCH_BUSY");
  if (env == nullptr || *env == '\0') return 0;
  char* end = nullptr;
  const long n = std::strtol(env, &end, 10);
  if (*end != '\0' || n < 0 || n > 256) {
    std::fprintf(stderr, "NACS_BENCH_BUSY=%s: expected a count of spinning processes in [0, 256]\n", env);
    std::exit(2);
  }
#if defined(__linux__)
  static std::vector<pid_t> children;
  const pid_t parent = getpid();
  for (long i = 0; i < n; ++i) {
    const pid_t pid = fork();
    if (pid < 0) {
      std::perror("NACS_BENCH_BUSY: fork");
      std::exit(2);
    }
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(0);  // the parent is already gone
      volatile unsigned long spin = 0;
      for (;;) spin = spin + 1;
    }
    children.push_back(pid);
  }
  std::atexit([] {
    for (const pid_t pid : children) kill(pid, SIGKILL);
    for (const pid_t pid : children) waitpid(pid, nullptr, 0);
  });
  return static_cast<int>(n);
#else
  std::fprintf(stderr, "NACS_BENCH_BUSY: spinning processes need Linux; running without them\n");
  return 0;
#endif
}

}  // namespace nacs_bench
