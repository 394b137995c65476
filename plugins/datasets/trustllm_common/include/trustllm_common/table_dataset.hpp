// A table-driven TrustLLM dataset: every dimension plugin (trustllm_truthfulness, _safety,
// _fairness, _robustness, _privacy, _ethics) declares a table of tasks and derives from
// TableDataset, which does the rest:
//
//   * config keys: task (required), data_dir (required), verify_checksum (default true),
//     max_tokens (default 512), legacy (default false; only in tables with a legacy variant);
//   * reads <data_dir>/<file> once (NaN-tolerant reader), checks its sha256 against
//     <data_dir>/MANIFEST.tsv when that manifest exists (imported result trees have none);
//   * keeps the items that pass the task's filter (e.g. sycophancy `source == "persona"`);
//   * emits items in the host's format:
//       {"id": "<index in the file>", "prompt": ..., "stratum": ...,
//        "generation": {"temperature": <spec §3>, "max_tokens": N},
//        "fields": <the original item, after the legacy field rename if any>,
//        "group": "<sampling group>" (only for tasks with a group rule),
//        "source": {"file": "<file relative to data_dir>", "index": <index in the file>}}
//     `id` and `source.index` are positions in the FILE, also when a filter skips items (the
//     replay model and imported parity trees address items by file order).
//
// Errors are one line and name the file / item / key and the fix.
#pragma once

#include <trustllm/plugin.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "trustllm_common/checksum.hpp"

namespace trustllm::data {

using json = nlohmann::json;

// Keeps an item when item[key] (a string) equals / differs from `value`. An item without a
// string `key` is an input error naming the item.
struct ItemFilter {
  std::string key;
  std::string value;
  bool equal = true;             // false: keep items whose key differs from value
  std::string describe() const;  // e.g. `source == "persona"`
};

// The sub-type of an item used by the host's seeded stratified --limit. Returns the stratum or
// throws std::runtime_error("<what is wrong with the item>"); the dataset adds file and index.
using StratumRule = std::function<std::string(const json& item)>;

namespace stratum {
// item[key] as text: strings verbatim, other scalars as JSON (e.g. 1, -2.0).
StratumRule key(const std::string& key);
// item[key][0] of a non-empty list (jailbreak `label`).
StratumRule first(const std::string& key);
// The values of several keys joined by '/' (e.g. "female/black").
StratumRule join(const std::vector<std::string>& keys);
// The same stratum for every item (files without a sub-type).
StratumRule constant(const std::string& name);
}  // namespace stratum

// The sampling group of an item: items that only make sense together (a preference pair, the
// original and perturbed versions of one instruction) share a group, and the host's --limit
// takes or leaves a group whole. `position` is the item's position among the task's kept items.
// Empty string: no group.
using GroupRule = std::function<std::string(const json& item, size_t position)>;

namespace group {
// Consecutive kept items form groups of `size` (sycophancy preference pairs: 2).
GroupRule consecutive(size_t size);
// The stratum keys joined by '/' (AdvGLUE: task/index; AdvInstruction: index).
GroupRule join(const std::vector<std::string>& keys);
}  // namespace group

// One way of reading a task's items: a file, an optional filter and an optional field rename
// (fields[to] = fields[from], `from` removed).
struct FileVariant {
  std::string file;  // relative to data_dir, e.g. "truthfulness/sycophancy.json"
  std::optional<ItemFilter> filter;
  std::string rename_from;  // empty: no rename
  std::string rename_to;
  size_t items = 0;  // expected item count after the filter (documentation and tests)
};

struct TaskSpec {
  std::string id;         // canonical task id (spec §1)
  std::string dimension;  // truthfulness | safety | fairness | robustness | privacy | ethics
  double temperature = 1.0;
  FileVariant current;
  std::optional<FileVariant> legacy;  // read with `legacy: true`
  StratumRule stratum;
  std::string stratum_text;  // e.g. "source", "label[0]" (documentation)
  GroupRule group;           // optional: sampling groups (see GroupRule)
  std::string group_text;
};

// Builders for the task tables of the plugins.
FileVariant file(std::string path, size_t items);
FileVariant file_where(std::string path, ItemFilter filter, size_t items);
FileVariant with_rename(FileVariant v, std::string from, std::string to);
TaskSpec with_group(TaskSpec t, GroupRule group, std::string group_text);
TaskSpec task(std::string id, std::string dimension, double temperature, FileVariant current,
              StratumRule stratum, std::string stratum_text,
              std::optional<FileVariant> legacy = std::nullopt);

struct Table {
  std::string plugin;     // e.g. "trustllm_truthfulness"
  std::string dimension;  // e.g. "truthfulness"
  std::vector<TaskSpec> tasks;

  const TaskSpec* find(const std::string& task) const;
  bool has_legacy() const;
  std::string task_list() const;  // "a, b, c"
  // Plugin texts built from the table (keep the returned strings alive: sdk::Meta holds pointers).
  std::string description() const;
  std::string schema() const;
  std::string example() const;

  // Filled by finish(): the texts above, kept for sdk::Meta (which holds raw pointers).
  std::string meta_description, meta_schema, meta_example;
  Table& finish();
};

// The plugin's Meta from a table that outlives it (a function-local static, after finish()).
sdk::Meta table_meta(const Table& table, const char* version = "1.0.0");

class TableDataset : public sdk::Dataset {
 public:
  TableDataset(const Table& table, const json& config, sdk::Host host);

  json info(sdk::Call& call) override;
  uint64_t count(sdk::Call& call) override;
  void read(uint64_t first, uint64_t max, const std::function<void(const json&)>& emit,
            sdk::Call& call) override;

  // Without the host (tests): the item at `position` among the kept items (0 .. count-1), in
  // the item format of the host.
  json item(uint64_t position) const;
  uint64_t size() const { return indices_.size(); }
  const std::string& task() const { return spec_.id; }
  const TaskSpec& spec() const { return spec_; }
  const FileVariant& variant() const { return legacy_ ? *spec_.legacy : spec_.current; }
  bool legacy() const { return legacy_; }
  const DataFile& file() const { return file_; }
  double temperature() const { return spec_.temperature; }

 private:
  void load(const std::string& data_dir, bool verify, sdk::Host& host);

  TaskSpec spec_;
  bool legacy_ = false;
  int max_tokens_ = 512;
  DataFile file_;
  std::vector<size_t> indices_;      // file index of every kept item
  std::vector<std::string> strata_;  // per kept item
  std::vector<std::string> groups_;  // per kept item, when the task has a group rule
};

}  // namespace trustllm::data
