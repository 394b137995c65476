// trustllm — the command line. Each subcommand is a thin layer over core/engine.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <trustllm/config/config.hpp>
#include <trustllm/engine/manifest.hpp>
#include <trustllm/engine/runner.hpp>
#include <trustllm/engine/suite.hpp>
#include <trustllm/plugin/registry.hpp>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <unistd.h>

#include "commands.hpp"

namespace {

std::atomic<bool> g_cancel{false};

void on_signal(int) {
  if (g_cancel.exchange(true)) {
    // Second Ctrl-C: leave now. Finished samples are already committed.
    const char msg[] = "\ninterrupted twice: exiting now\n";
    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
    _exit(130);
  }
  const char msg[] =
      "\ninterrupting: finishing the samples in flight (Ctrl-C again to quit at once)\n";
  (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("trustllm");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%^%l%$: %v");
  spdlog::set_level(spdlog::level::warn);

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);

  trustllm::cli::Context ctx;
  ctx.cancel = &g_cancel;
  for (int i = 0; i < argc; ++i) ctx.command_line += (i ? " " : "") + std::string(argv[i]);

  CLI::App app{"trustllm — measure how trustworthy a large language model is"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("trustllm ") + trustllm::engine::trustllm_version());
  app.add_option("--plugin-path", ctx.plugin_paths,
                 "extra folder to search for plugins (repeatable; also TRUSTLLM_PLUGIN_PATH)");
  app.add_flag("-v,--verbose", ctx.verbose, "log more (-vv for debug)");

  trustllm::cli::register_commands(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "error: %s — see trustllm --help\n", e.what());
    return 2;
  }
  return ctx.exit_code;
}
