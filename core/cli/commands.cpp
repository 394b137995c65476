#include "commands.hpp"

#include <spdlog/spdlog.h>
#include <trustllm/config/config.hpp>
#include <trustllm/engine/host_services.hpp>
#include <trustllm/engine/manifest.hpp>
#include <trustllm/engine/model_client.hpp>
#include <trustllm/engine/runner.hpp>
#include <trustllm/engine/suite.hpp>
#include <trustllm/plugin/registry.hpp>
#include <trustllm/report/outputs.hpp>
#include <trustllm/report/run_report.hpp>
#include <trustllm/util/time.hpp>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

namespace trustllm::cli {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

fs::path exe_dir() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : p.parent_path();
}

// build/bin/trustllm -> the source tree two levels up, when run from a build folder.
std::vector<fs::path> config_roots() {
  std::vector<fs::path> roots;
  if (const char* d = std::getenv("TRUSTLLM_CONFIG_DIR")) roots.emplace_back(d);
  roots.push_back(fs::current_path() / "configs");
  roots.push_back(exe_dir() / ".." / "share" / "trustllm" / "configs");
  roots.push_back(exe_dir() / ".." / ".." / "configs");
  return roots;
}

fs::path find_config(const std::string& relative) {
  for (const auto& r : config_roots()) {
    if (fs::exists(r / relative)) return fs::weakly_canonical(r / relative);
  }
  throw config::ConfigError("trustllm: cannot find configs/" + relative +
                            " — run from the repository or set TRUSTLLM_CONFIG_DIR");
}

// Asset folders: the environment variable, else a sibling ../shared folder.
std::map<std::string, std::string> asset_variables() {
  std::map<std::string, std::string> vars;
  const std::pair<const char*, const char*> assets[] = {
      {"TRUSTLLM_DATA_DIR", "trustllm-data"}, {"TRUSTLLM_MODEL_DIR", "models"}};
  for (const auto& [var, sub] : assets) {
    if (std::getenv(var)) continue;
    for (const fs::path& base : {fs::current_path() / ".." / "shared",
                                 exe_dir() / ".." / ".." / ".." / "shared"}) {
      std::error_code ec;
      if (fs::is_directory(base / sub, ec)) {
        vars[var] = fs::weakly_canonical(base / sub).string();
        break;
      }
    }
  }
  return vars;
}

plugin::Registry make_registry(const Context& ctx, const std::vector<fs::path>& suite_paths = {}) {
  plugin::Registry r;
  for (const auto& d : plugin::default_search_dirs()) r.add_search_dir(d);
  for (const auto& d : ctx.plugin_paths) r.add_search_dir(d);
  for (const auto& d : suite_paths) r.add_search_dir(d);
  return r;
}

void set_verbosity(const Context& ctx) {
  if (ctx.verbose >= 2) spdlog::set_level(spdlog::level::debug);
  else if (ctx.verbose == 1) spdlog::set_level(spdlog::level::info);
}

// Runs `fn`, turning every error into one line on stderr and an exit code.
int guarded(const std::function<int()>& fn) {
  try {
    return fn();
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return engine::kExitConfig;
  } catch (const plugin::PluginError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return engine::kExitConfig;
  } catch (const host::CallError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    if (e.status() == TLM_E_CANCELLED) return engine::kExitInterrupted;
    return e.status() == TLM_E_CONFIG ? engine::kExitConfig : engine::kExitFailure;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return engine::kExitFailure;
  }
}

struct SuiteArgs {
  std::string suite;
  std::string model, judge;
  std::vector<std::string> roles;  // name=FILE
  std::vector<std::string> sets;
};

void add_suite_args(CLI::App* cmd, SuiteArgs& a, bool suite_required = true) {
  auto* opt = cmd->add_option("suite", a.suite, "suite YAML file");
  if (suite_required) opt->required();
  cmd->add_option("--model", a.model, "model file bound to the 'model' role (configs/models/*.yaml)");
  cmd->add_option("--judge", a.judge, "model file bound to the 'judge' role");
  cmd->add_option("--role", a.roles, "bind any role: NAME=FILE.yaml (repeatable)");
  cmd->add_option("--set", a.sets, "override a suite value: a.b.c=value (repeatable)");
}

engine::SuiteOptions suite_options(const SuiteArgs& a) {
  engine::SuiteOptions o;
  o.overrides = a.sets;
  if (!a.model.empty()) o.role_files["model"] = a.model;
  if (!a.judge.empty()) o.role_files["judge"] = a.judge;
  for (const auto& r : a.roles) {
    auto eq = r.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == r.size()) {
      throw config::ConfigError("--role " + r + ": expected NAME=FILE.yaml, e.g. --role embedder=configs/models/openai.yaml");
    }
    o.role_files[r.substr(0, eq)] = r.substr(eq + 1);
  }
  o.variables = asset_variables();
  return o;
}

json suite_args_of(const engine::SuiteOptions& o) {
  json roles = json::object();
  for (const auto& [role, f] : o.role_files) roles[role] = fs::absolute(f).string();
  return {{"set", o.overrides}, {"roles", roles}};
}

std::string default_out(const std::string& suite_name) {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", std::gmtime(&t));
  return "runs/" + (suite_name.empty() ? std::string("run") : suite_name) + "-" + buf;
}

engine::Suite load(const Context& ctx, const SuiteArgs& a, plugin::Registry& registry,
                   engine::SuiteOptions opts) {
  engine::Suite s = engine::load_suite(a.suite, registry, opts);
  (void)ctx;
  return s;
}

// ---- report.html at the end of run / score (docs/reports.md) ------------------------------
// A report failure never loses the run: it is a warning, the exit code stays.
void write_report_of_run(const fs::path& out, const fs::path& sample_block = {}) {
  struct RemoveBlock {
    const fs::path& path;
    ~RemoveBlock() {
      std::error_code ec;
      if (!path.empty()) fs::remove(path, ec);
    }
  } remove_block{sample_block};
  try {
    const fs::path html = report::write_run_html(out, sample_block);
    std::fprintf(stdout, "report: %s\n", html.string().c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr,
                 "warning: report.html not written (%s); the run itself is complete — "
                 "retry with: trustllm report %s\n",
                 e.what(), out.string().c_str());
  }
}

int finish_run(const engine::RunResult& r, const fs::path& out, bool quiet) {
  if (r.exit_code == engine::kExitInterrupted) {
    std::fprintf(stderr,
                 "interrupted: finished samples are saved in %s — continue with the same "
                 "command and --resume\n",
                 out.string().c_str());
    return r.exit_code;
  }
  if (!quiet) std::fprintf(stdout, "\noutput: %s\n", out.string().c_str());
  if (r.exit_code == engine::kExitOk) {
    write_report_of_run(out, r.sample_block);
  } else if (!r.sample_block.empty()) {
    std::error_code ec;
    fs::remove(r.sample_block, ec);
  }
  return r.exit_code;
}

// Release gates of the suite and of --fail-under, checked on a finished run: one line per failed
// gate on stderr and exit code 3.
constexpr int kExitGateFailed = 3;

std::vector<engine::Gate> gates_of(const engine::Suite& suite,
                                   const std::vector<std::string>& fail_under) {
  std::vector<engine::Gate> gates = suite.gates;
  for (const auto& g : fail_under) gates.push_back(engine::parse_gate(g, "--fail-under"));
  return gates;
}

int apply_gates(int exit_code, const std::vector<engine::Gate>& gates, const json& summary) {
  if (exit_code != 0 || gates.empty()) return exit_code;
  const std::vector<std::string> failed = engine::failed_gates(gates, summary);
  for (const auto& line : failed) std::fprintf(stderr, "%s\n", line.c_str());
  if (!failed.empty()) return kExitGateFailed;
  std::fprintf(stderr, "gates: all %zu passed\n", gates.size());
  return exit_code;
}

}  // namespace

void register_commands(CLI::App& app, Context& ctx) {
  // ---- run -------------------------------------------------------------------------------
  {
    auto* cmd = app.add_subcommand("run", "run a suite against a model");
    auto a = std::make_shared<SuiteArgs>();
    auto out = std::make_shared<std::string>();
    auto limit = std::make_shared<std::optional<uint64_t>>();
    auto jobs = std::make_shared<unsigned>(8);
    auto resume = std::make_shared<bool>(false);
    auto quiet = std::make_shared<bool>(false);
    auto cache = std::make_shared<std::string>();
    add_suite_args(cmd, *a);
    cmd->add_option("--out", *out, "output folder (default runs/<suite>-<time>)");
    cmd->add_option("--limit", *limit, "at most N items per task (seeded, stratified sample)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--jobs", *jobs, "requests in flight (capped by each model's max_concurrency)")
        ->check(CLI::Range(1u, 4096u));
    cmd->add_flag("--resume", *resume, "keep the finished samples in --out and do the rest");
    cmd->add_flag("--quiet", *quiet, "no progress bar and no table");
    auto bootstrap = std::make_shared<uint32_t>(1000);
    cmd->add_option("--bootstrap", *bootstrap,
                    "bootstrap resamples for each metric's 95% interval (0: no intervals)")
        ->check(CLI::Range(0u, 1000000u));
    cmd->add_option("--cache", *cache, "response cache shared between runs (SQLite file)");
    auto fail_under = std::make_shared<std::vector<std::string>>();
    cmd->add_option("--fail-under", *fail_under,
                    "release gate, repeatable: TASK.METRIC=MIN or TASK.METRIC<=MAX (exit code 3 "
                    "when one fails), e.g. jailbreak.rta=0.9");
    cmd->callback([&ctx, a, out, limit, jobs, resume, quiet, cache, fail_under, bootstrap] {
      set_verbosity(ctx);
      ctx.exit_code = guarded([&] {
        plugin::Registry registry = make_registry(ctx);
        engine::SuiteOptions so = suite_options(*a);
        engine::Suite suite = load(ctx, *a, registry, so);
        const std::vector<engine::Gate> gates = gates_of(suite, *fail_under);
        engine::RunOptions o;
        o.suite_args = suite_args_of(so);
        o.out_dir = out->empty() ? default_out(suite.name) : *out;
        o.limit = *limit;
        o.jobs = *jobs;
        o.bootstrap_resamples = *bootstrap;
        o.resume = *resume;
        o.quiet = *quiet;
        if (!cache->empty()) {
          o.cache_file = *cache;
          o.suite_args["cache"] = fs::absolute(*cache).string();  // score RUN_DIR finds it
        }
        o.command_line = ctx.command_line;
        if (o.resume && !fs::exists(o.out_dir / "run.sqlite")) {
          std::fprintf(stderr, "note: %s has no earlier run; starting from the beginning\n",
                       o.out_dir.string().c_str());
        }
        auto r = engine::run_suite(suite, registry, o, *ctx.cancel);
        return apply_gates(finish_run(r, o.out_dir, o.quiet), gates, r.summary);
      });
    });
  }

  // ---- validate --------------------------------------------------------------------------
  {
    auto* cmd = app.add_subcommand("validate", "check a suite without running it");
    auto a = std::make_shared<SuiteArgs>();
    add_suite_args(cmd, *a);
    cmd->callback([&ctx, a] {
      set_verbosity(ctx);
      ctx.exit_code = guarded([&] {
        plugin::Registry registry = make_registry(ctx);
        engine::Suite suite = load(ctx, *a, registry, suite_options(*a));
        std::printf("%s: ok — %zu task(s), roles:", a->suite.c_str(), suite.tasks.size());
        for (const auto& [role, b] : suite.roles) std::printf(" %s=%s", role.c_str(), b.model.plugin.c_str());
        std::printf("\n");
        return 0;
      });
    });
  }

  // ---- plugins ---------------------------------------------------------------------------
  {
    auto* cmd = app.add_subcommand("plugins", "list plugins (from their sidecars; no plugin code runs)");
    auto as_json = std::make_shared<bool>(false);
    cmd->add_flag("--json", *as_json, "machine-readable output");
    auto* describe = cmd->add_subcommand("describe", "show a plugin's config schema and an example");
    auto name = std::make_shared<std::string>();
    describe->add_option("name", *name, "plugin component name")->required();
    describe->callback([&ctx, name] {
      ctx.exit_code = guarded([&] {
        plugin::Registry registry = make_registry(ctx);
        bool found = false;
        for (const auto& c : registry.list()) {
          if (c.name != *name) continue;
          found = true;
          std::printf("%s (%s %s) — %s\nlibrary: %s\nlicense: %s\n\nconfig schema:\n%s\n",
                      c.name.c_str(), plugin::kind_name(c.kind), c.version.c_str(),
                      c.description.c_str(), c.library.string().c_str(), c.license.c_str(),
                      c.config_schema.dump(2).c_str());
          if (!c.example_config.empty()) std::printf("\nexample:\n%s\n", c.example_config.c_str());
        }
        if (!found) {
          // Reuse the registry's "did you mean" for any kind.
          for (tlm_kind k : {TLM_KIND_DATASET, TLM_KIND_MODEL, TLM_KIND_METRIC}) {
            try {
              registry.find(*name, k);
            } catch (const plugin::PluginError& e) {
              if (k == TLM_KIND_METRIC) throw;
            }
          }
        }
        return 0;
      });
    });
    cmd->callback([&ctx, cmd, as_json] {
      if (cmd->got_subcommand("describe")) return;
      ctx.exit_code = guarded([&] {
        plugin::Registry registry = make_registry(ctx);
        auto list = registry.list();
        if (*as_json) {
          json out = json::array();
          for (const auto& c : list) {
            out.push_back({{"name", c.name}, {"kind", plugin::kind_name(c.kind)},
                           {"version", c.version}, {"description", c.description},
                           {"library", c.library.string()}});
          }
          std::printf("%s\n", out.dump(2).c_str());
        } else {
          size_t wn = 4, wk = 4, wv = 7;
          for (const auto& c : list) {
            wn = std::max(wn, c.name.size());
            wv = std::max(wv, c.version.size());
          }
          wk = 7;
          std::printf("%-*s  %-*s  %-*s  %s\n", int(wn), "NAME", int(wk), "KIND", int(wv), "VERSION", "DESCRIPTION");
          for (const auto& c : list) {
            std::printf("%-*s  %-*s  %-*s  %s\n", int(wn), c.name.c_str(), int(wk),
                        plugin::kind_name(c.kind), int(wv), c.version.c_str(), c.description.c_str());
          }
          if (list.empty()) {
            std::printf("(no plugins found in:");
            for (const auto& d : registry.search_dirs()) std::printf(" %s", d.string().c_str());
            std::printf(")\n");
          }
        }
        for (const auto& w : registry.warnings()) std::fprintf(stderr, "warning: %s\n", w.c_str());
        return 0;
      });
    });
  }

  // ---- generate --------------------------------------------------------------------------
  {
    auto* cmd = app.add_subcommand("generate", "print one completion from a model file (to check a backend)");
    auto model = std::make_shared<std::string>();
    auto prompt = std::make_shared<std::string>();
    auto max_tokens = std::make_shared<int>(256);
    auto temperature = std::make_shared<double>(0.0);
    auto seed = std::make_shared<uint64_t>(0);
    auto sets = std::make_shared<std::vector<std::string>>();
    cmd->add_option("--model", *model, "model file (configs/models/*.yaml)")->required();
    cmd->add_option("--max-tokens", *max_tokens, "maximum new tokens")->check(CLI::PositiveNumber);
    cmd->add_option("--temperature", *temperature, "sampling temperature (0 = greedy)")->check(CLI::Range(0.0, 10.0));
    cmd->add_option("--seed", *seed, "sampling seed");
    cmd->add_option("--set", *sets, "override a model file value: key=value");
    cmd->add_option("prompt", *prompt, "the prompt")->required();
    cmd->callback([&ctx, model, prompt, max_tokens, temperature, seed, sets] {
      set_verbosity(ctx);
      ctx.exit_code = guarded([&] {
        plugin::Registry registry = make_registry(ctx);
        engine::SuiteOptions so;
        so.overrides = *sets;
        so.variables = asset_variables();
        auto binding = engine::load_role_file("model", *model, registry, so);
        auto comp = registry.load(binding.model.plugin, TLM_KIND_MODEL);
        engine::ModelClient client(binding, comp, 1, nullptr, ctx.cancel);
        json req = {{"op", "chat"},
                    {"messages", json::array({{{"role", "user"}, {"content", *prompt}}})},
                    {"temperature", *temperature},
                    {"max_tokens", *max_tokens},
                    {"seed", *seed}};
        auto r = client.call(req);
        json resp = json::parse(r.response_json);
        if (resp.contains("text") && resp["text"].is_string()) {
          std::printf("%s\n", resp["text"].get<std::string>().c_str());
        } else {
          std::printf("%s\n", resp.dump().c_str());
        }
        if (resp.value("refused_by_provider", false)) {
          std::fprintf(stderr, "note: the provider refused this request (%s)\n",
                       resp.value("finish_reason", "").c_str());
        }
        return 0;
      });
    });
  }

  // ---- score -----------------------------------------------------------------------------
  {
    auto* cmd = app.add_subcommand(
        "score", "score recorded answers: a TrustLLM toolkit result tree (--import-trustllm) or a finished run folder");
    auto import_dir = std::make_shared<std::string>();
    auto run_dir = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    auto suite = std::make_shared<std::string>();
    auto judge = std::make_shared<std::string>();
    auto sets = std::make_shared<std::vector<std::string>>();
    auto jobs = std::make_shared<unsigned>(8);
    auto quiet = std::make_shared<bool>(false);
    auto cache = std::make_shared<std::string>();
    cmd->add_option("run_dir", *run_dir, "a finished run folder to re-score");
    cmd->add_option("--import-trustllm", *import_dir,
                    "folder laid out as <dimension>/<file>.json in the toolkit's result format")
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--out", *out, "output folder");
    cmd->add_option("--suite", *suite, "suite to score with (default configs/trustllm/all.yaml)");
    cmd->add_option("--judge", *judge, "model file bound to the 'judge' role");
    auto roles = std::make_shared<std::vector<std::string>>();
    cmd->add_option("--role", *roles, "bind any evaluator role: NAME=FILE.yaml (repeatable)");
    cmd->add_option("--set", *sets, "override a suite value: a.b.c=value");
    cmd->add_option("--jobs", *jobs, "evaluations in flight")->check(CLI::Range(1u, 4096u));
    cmd->add_flag("--quiet", *quiet, "no progress bar and no table");
    auto bootstrap = std::make_shared<uint32_t>(1000);
    cmd->add_option("--bootstrap", *bootstrap,
                    "bootstrap resamples for each metric's 95% interval (0: no intervals)")
        ->check(CLI::Range(0u, 1000000u));
    cmd->add_option("--cache", *cache,
                    "response cache shared between runs (SQLite file); default: the run's own "
                    "cache, or the --cache file the run used");
    cmd->callback([&ctx, import_dir, run_dir, out, suite, judge, roles, sets, jobs, quiet, cache,
                   bootstrap] {
      set_verbosity(ctx);
      ctx.exit_code = guarded([&]() -> int {
        if (import_dir->empty() == run_dir->empty()) {
          throw config::ConfigError(
              "score: give either --import-trustllm DIR or a run folder — e.g. trustllm score "
              "--import-trustllm results/ --out out/");
        }
        plugin::Registry registry = make_registry(ctx);
        engine::SuiteOptions so;
        so.overrides = *sets;
        so.variables = asset_variables();
        if (!judge->empty()) so.role_files["judge"] = *judge;
        for (const auto& r : *roles) {
          const auto eq = r.find('=');
          if (eq == std::string::npos || eq == 0 || eq + 1 == r.size()) {
            throw config::ConfigError("--role " + r +
                                      ": expected NAME=FILE.yaml, e.g. --role "
                                      "embedder=configs/models/openai-embeddings.yaml");
          }
          so.role_files[r.substr(0, eq)] = r.substr(eq + 1);
        }
        engine::RunOptions o;
        o.jobs = *jobs;
        o.bootstrap_resamples = *bootstrap;
        o.quiet = *quiet;
        o.command_line = ctx.command_line;
        fs::path suite_file;
        if (!import_dir->empty()) {
          fs::path dir = fs::weakly_canonical(*import_dir);
          so.variables["TRUSTLLM_DATA_DIR"] = dir.string();
          so.role_inline["model"] = json{{"plugin", "replay"}, {"dir", dir.string()}};
          suite_file = suite->empty() ? find_config("trustllm/all.yaml") : fs::path(*suite);
          o.skip_missing_datasets = true;
          o.out_dir = out->empty() ? default_out("import") : *out;
        } else {
          // Re-score: same suite and answers, evaluations redone (judge replies come from the
          // cache unless the judge changed).
          fs::path rd = *run_dir;
          std::ifstream mf(rd / "manifest.json");
          if (!mf) throw config::ConfigError((rd / "manifest.json").string() + ": not found — is " + rd.string() + " a run folder?");
          json manifest = json::parse(mf);
          suite_file = suite->empty() ? fs::path(manifest["suite"]["file"].get<std::string>()) : fs::path(*suite);
          // The run's own --set and role files first; this command's flags win.
          json args = manifest.value("suite_args", json::object());
          std::vector<std::string> sets = args.value("set", std::vector<std::string>());
          sets.insert(sets.end(), so.overrides.begin(), so.overrides.end());
          so.overrides = sets;
          const json roles = args.value("roles", json::object());
          for (auto& [role, f] : roles.items()) {
            if (!so.role_files.count(role)) so.role_files[role] = f.get<std::string>();
          }
          o.out_dir = out->empty() ? rd : fs::path(*out);
          o.rescore = true;
          // The judge replies of the run live in its cache: the shared one if it used --cache.
          if (cache->empty() && args.contains("cache") && args["cache"].is_string()) {
            o.cache_file = args["cache"].get<std::string>();
          }
          if (o.out_dir != rd) {
            fs::create_directories(o.out_dir);
            fs::copy_file(rd / "run.sqlite", o.out_dir / "run.sqlite",
                          fs::copy_options::overwrite_existing);
          }
        }
        if (!cache->empty()) o.cache_file = *cache;
        engine::Suite s = engine::load_suite(suite_file, registry, so);
        o.suite_args = suite_args_of(so);
        auto r = engine::run_suite(s, registry, o, *ctx.cancel);
        return finish_run(r, o.out_dir, o.quiet);
      });
    });
  }

  // ---- report (HTML / Markdown / CSV of a finished run; docs/reports.md) -------------------
  {
    auto* cmd =
        app.add_subcommand("report", "write the report of a finished run (HTML, Markdown or CSV)");
    auto run_dir = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("html");
    cmd->add_option("run_dir", *run_dir, "a finished run folder (the --out of run or score)")
        ->required();
    cmd->add_option("--out", *out,
                    "output file (default: RUN_DIR/report.html; md and csv go to standard output)");
    cmd->add_option("--format", *format, "html, md or csv")
        ->check(CLI::IsMember({"html", "md", "csv"}));
    cmd->callback([&ctx, run_dir, out, format] {
      ctx.exit_code = guarded([&] {
        try {
          auto path = report::report_command(*run_dir, *out, *format, std::cout);
          if (path) std::printf("report: %s\n", path->string().c_str());
          return 0;
        } catch (const report::RunFolderError& e) {
          throw config::ConfigError(e.what());
        }
      });
    });
  }

  register_compare(app, ctx);  // compare_command.cpp: leaderboard of several runs
}

}  // namespace trustllm::cli
