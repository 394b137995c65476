// Stand-in for parsers_ethics.cpp (fairness and machine-ethics parsers), compiled only while that
// file does not exist: the ethics parser group is empty.
#include "parser.hpp"

namespace trustllm::labels {

std::unique_ptr<Parser> make_ethics_parser(const std::string&, const json&) {
  return nullptr;
}

std::vector<ParserInfo> ethics_parsers() {
  return {};
}

}  // namespace trustllm::labels
