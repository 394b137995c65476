// Subcommands of the trustllm CLI.
#pragma once

#include <CLI/CLI.hpp>
#include <atomic>
#include <string>
#include <vector>

namespace trustllm::cli {

struct Context {
  std::atomic<bool>* cancel = nullptr;
  std::vector<std::string> plugin_paths;
  int verbose = 0;
  std::string command_line;
  int exit_code = 0;
};

void register_commands(CLI::App& app, Context& ctx);

// `trustllm compare` (compare_command.cpp): the leaderboard of several runs, baseline gate.
void register_compare(CLI::App& app, Context& ctx);

}  // namespace trustllm::cli
