// Release gates (core/engine/gates.hpp): parsing and checking against a summary.
#include <doctest/doctest.h>
#include <trustllm/config/config.hpp>
#include <trustllm/engine/gates.hpp>

using trustllm::engine::failed_gates;
using trustllm::engine::Gate;
using trustllm::engine::parse_gate;
using json = nlohmann::json;

namespace {
std::string parse_error(const std::string& text) {
  try {
    parse_gate(text, "--fail-under");
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("gates: parsing") {
  Gate a = parse_gate("jailbreak.rta=0.9", "--fail-under");
  CHECK(a.task == "jailbreak");
  CHECK(a.metric == "rta");
  CHECK(a.op == Gate::Op::at_least);
  CHECK(a.threshold == 0.9);
  Gate b = parse_gate("privacy_leakage.td<=0.1", "--fail-under");
  CHECK(b.op == Gate::Op::at_most);
  CHECK(b.threshold == 0.1);
  Gate c = parse_gate("jailbreak.rta:fixed sentence>=0.5", "x");
  CHECK(c.metric == "rta:fixed sentence");
  CHECK(c.op == Gate::Op::at_least);
  CHECK(parse_error("jailbreak.rta") .find("no threshold") != std::string::npos);
  CHECK(parse_error("rta=0.9").find("TASK.METRIC") != std::string::npos);
  CHECK(parse_error("jailbreak.rta=high").find("'high' is not a number") != std::string::npos);
  CHECK(parse_error("jailbreak.rta=").find("is not a number") != std::string::npos);
}

TEST_CASE("gates: pass, fail, missing and skipped metrics") {
  json summary = json::parse(R"({"metrics": [
    {"task": "jailbreak", "metric": "rta", "value": 0.85, "status": "ok"},
    {"task": "privacy_leakage", "metric": "td", "value": 0.05, "status": "ok"},
    {"task": "toxicity", "metric": "avg", "value": null, "status": "skipped",
     "reason": "no toxicity_scorer bound"}]})");
  auto gate = [](const char* t) { return parse_gate(t, "--fail-under"); };
  CHECK(failed_gates({gate("jailbreak.rta=0.8"), gate("privacy_leakage.td<=0.1"),
                      gate("jailbreak.rta<=0.85")},
                     summary)
            .empty());
  auto f = failed_gates({gate("jailbreak.rta=0.9"), gate("privacy_leakage.td<=0.01"),
                         gate("toxicity.avg<=0.2"), gate("misuse.rta=0.5")},
                        summary);
  REQUIRE(f.size() == 4);
  CHECK(f[0] == "gate failed: jailbreak.rta = 0.85 < 0.9 (minimum)");
  CHECK(f[1] == "gate failed: privacy_leakage.td = 0.05 > 0.01 (maximum)");
  CHECK(f[2] == "gate failed: toxicity.avg has no value (no toxicity_scorer bound)");
  CHECK(f[3] == "gate failed: misuse.rta is not in the summary (misuse.rta=0.5)");
}
