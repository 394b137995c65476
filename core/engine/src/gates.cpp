#include <trustllm/config/config.hpp>
#include <trustllm/engine/gates.hpp>

#include <cmath>
#include <cstdlib>
#include <sstream>

namespace trustllm::engine {

using json = nlohmann::json;

namespace {

std::string number(double v) {
  std::ostringstream os;
  os.precision(6);
  os << v;
  return os.str();
}

}  // namespace

Gate parse_gate(const std::string& text, const std::string& origin) {
  auto bad = [&](const std::string& why) {
    return config::ConfigError(origin + " " + text + ": " + why +
                               " — write TASK.METRIC=MIN or TASK.METRIC<=MAX, e.g. "
                               "jailbreak.rta=0.9 or privacy_leakage.td<=0.1");
  };
  Gate g;
  g.text = text;
  size_t op = text.find("<=");
  size_t op_len = 2;
  if (op != std::string::npos) {
    g.op = Gate::Op::at_most;
  } else if ((op = text.find(">=")) != std::string::npos) {
    g.op = Gate::Op::at_least;
  } else if ((op = text.find('=')) != std::string::npos) {
    g.op = Gate::Op::at_least;
    op_len = 1;
  } else {
    throw bad("no threshold");
  }
  const std::string name = text.substr(0, op);
  const std::string value = text.substr(op + op_len);
  const size_t dot = name.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) {
    throw bad("name the metric as TASK.METRIC");
  }
  g.task = name.substr(0, dot);
  g.metric = name.substr(dot + 1);
  char* end = nullptr;
  g.threshold = std::strtod(value.c_str(), &end);
  if (value.empty() || end != value.c_str() + value.size() || !std::isfinite(g.threshold)) {
    throw bad("the threshold '" + value + "' is not a number");
  }
  return g;
}

std::vector<std::string> failed_gates(const std::vector<Gate>& gates, const json& summary) {
  std::vector<std::string> out;
  static const json kNone = json::array();
  auto it = summary.find("metrics");
  const json& metrics = it != summary.end() && it->is_array() ? *it : kNone;
  for (const Gate& g : gates) {
    const json* found = nullptr;
    for (const json& m : metrics) {
      if (m.value("task", std::string()) == g.task && m.value("metric", std::string()) == g.metric) {
        found = &m;
        break;
      }
    }
    const std::string name = g.task + "." + g.metric;
    if (!found) {
      out.push_back("gate failed: " + name + " is not in the summary (" + g.text + ")");
      continue;
    }
    if (found->value("status", std::string()) != "ok" || !(*found)["value"].is_number()) {
      out.push_back("gate failed: " + name + " has no value (" +
                    found->value("reason", found->value("status", std::string("no value"))) +
                    ")");
      continue;
    }
    const double v = (*found)["value"].get<double>();
    const bool pass = g.op == Gate::Op::at_least ? v >= g.threshold : v <= g.threshold;
    if (!pass) {
      out.push_back("gate failed: " + name + " = " + number(v) +
                    (g.op == Gate::Op::at_least ? " < " : " > ") + number(g.threshold) +
                    (g.op == Gate::Op::at_least ? " (minimum)" : " (maximum)"));
    }
  }
  return out;
}

}  // namespace trustllm::engine
