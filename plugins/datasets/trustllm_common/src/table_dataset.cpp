// The table-driven TrustLLM dataset (see table_dataset.hpp).
#include "trustllm_common/table_dataset.hpp"

#include <sstream>
#include <stdexcept>

namespace trustllm::data {
namespace {

const char* kNotFoundHint = "set TRUSTLLM_DATA_DIR or data_dir";

std::string item_error(const std::string& file, size_t index, const std::string& what) {
  return file + " item " + std::to_string(index) + ": " + what;
}

std::string quoted(const std::string& s) {
  return "'" + s + "'";
}

// item[key] as stratum text; throws std::runtime_error naming the key.
std::string scalar_text(const json& item, const std::string& key) {
  auto it = item.find(key);
  if (it == item.end()) throw std::runtime_error(quoted(key) + " is missing");
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number() || it->is_boolean()) return it->dump();
  throw std::runtime_error(quoted(key) + " must be a string or a number");
}

std::string format_temperature(double t) {
  std::ostringstream os;
  os << t;
  std::string s = os.str();
  return s.find('.') == std::string::npos ? s + ".0" : s;
}

// The item's fields after the variant's rename: fields[to] = fields[from], `from` removed.
json renamed(const json& src, const FileVariant& v) {
  json fields = src;
  json value = fields[v.rename_from];
  fields.erase(v.rename_from);
  fields[v.rename_to] = std::move(value);
  return fields;
}

}  // namespace

// ---- filters and strata ---------------------------------------------------------------------

std::string ItemFilter::describe() const {
  return key + (equal ? " == \"" : " != \"") + value + "\"";
}

namespace stratum {

StratumRule key(const std::string& key) {
  return [key](const json& item) { return scalar_text(item, key); };
}

StratumRule first(const std::string& key) {
  return [key](const json& item) -> std::string {
    auto it = item.find(key);
    if (it == item.end() || !it->is_array() || it->empty() || !(*it)[0].is_string()) {
      throw std::runtime_error(quoted(key) + " must be a list whose first element is a string");
    }
    return (*it)[0].get<std::string>();
  };
}

StratumRule join(const std::vector<std::string>& keys) {
  return [keys](const json& item) {
    std::string out;
    for (const std::string& k : keys) {
      if (!out.empty()) out += "/";
      out += scalar_text(item, k);
    }
    return out;
  };
}

StratumRule constant(const std::string& name) {
  return [name](const json&) { return name; };
}

}  // namespace stratum

// ---- builders ---------------------------------------------------------------------------------

FileVariant file(std::string path, size_t items) {
  FileVariant v;
  v.file = std::move(path);
  v.items = items;
  return v;
}

FileVariant file_where(std::string path, ItemFilter filter, size_t items) {
  FileVariant v = file(std::move(path), items);
  v.filter = std::move(filter);
  return v;
}

FileVariant with_rename(FileVariant v, std::string from, std::string to) {
  v.rename_from = std::move(from);
  v.rename_to = std::move(to);
  return v;
}

namespace group {

GroupRule consecutive(size_t size) {
  return [size](const json&, size_t position) { return std::to_string(position / size); };
}

GroupRule join(const std::vector<std::string>& keys) {
  StratumRule s = stratum::join(keys);
  return [s](const json& item, size_t) { return s(item); };
}

}  // namespace group

TaskSpec with_group(TaskSpec t, GroupRule group, std::string group_text) {
  t.group = std::move(group);
  t.group_text = std::move(group_text);
  return t;
}

TaskSpec task(std::string id, std::string dimension, double temperature, FileVariant current,
              StratumRule stratum, std::string stratum_text, std::optional<FileVariant> legacy) {
  TaskSpec t;
  t.id = std::move(id);
  t.dimension = std::move(dimension);
  t.temperature = temperature;
  t.current = std::move(current);
  t.legacy = std::move(legacy);
  t.stratum = std::move(stratum);
  t.stratum_text = std::move(stratum_text);
  return t;
}

// ---- the table --------------------------------------------------------------------------------

const TaskSpec* Table::find(const std::string& task) const {
  for (const TaskSpec& t : tasks) {
    if (t.id == task) return &t;
  }
  return nullptr;
}

bool Table::has_legacy() const {
  for (const TaskSpec& t : tasks) {
    if (t.legacy) return true;
  }
  return false;
}

std::string Table::task_list() const {
  std::string out;
  for (const TaskSpec& t : tasks) out += (out.empty() ? "" : ", ") + t.id;
  return out;
}

namespace {
std::string variant_text(const FileVariant& v) {
  std::string s = v.file;
  if (v.filter) s += " where " + v.filter->describe();
  s += " (" + std::to_string(v.items) + " items)";
  if (!v.rename_from.empty()) s += ", field " + v.rename_from + " -> " + v.rename_to;
  return s;
}
}  // namespace

std::string Table::description() const {
  std::string s = "TrustLLM " + dimension + " datasets: ";
  bool first_task = true;
  for (const TaskSpec& t : tasks) {
    s += (first_task ? "" : "; ") + t.id + " (" + std::to_string(t.current.items) + ")";
    first_task = false;
  }
  return s + ". One user message per item (the item's prompt), temperature per file (spec §3).";
}

std::string Table::schema() const {
  json task_enum = json::array();
  std::string task_doc = "Which task to read: ";
  for (const TaskSpec& t : tasks) {
    task_enum.push_back(t.id);
    task_doc += t.id + " -> " + variant_text(t.current) + ", temperature " +
                format_temperature(t.temperature) + ", stratum " + t.stratum_text + "; ";
  }
  task_doc.resize(task_doc.size() - 2);
  task_doc += ".";
  json props = {
      {"task", {{"type", "string"}, {"enum", task_enum}, {"description", task_doc}}},
      {"data_dir",
       {{"type", "string"},
        {"description",
         "Folder holding <dimension>/<file>.json: the TrustLLM data folder (TRUSTLLM_DATA_DIR) "
         "or an imported toolkit result tree of the same layout."}}},
      {"verify_checksum",
       {{"type", "boolean"},
        {"default", true},
        {"description",
         "Check the file's sha256 against <data_dir>/MANIFEST.tsv when that manifest exists "
         "(result trees have none, so nothing is checked there)."}}},
      {"max_tokens",
       {{"type", "integer"},
        {"minimum", 1},
        {"default", 512},
        {"description", "Maximum new tokens per generated answer (TrustLLM uses 512)."}}}};
  if (has_legacy()) {
    std::string doc = "Read the paper-era copy (legacy-2024-01-31) instead of the current file: ";
    for (const TaskSpec& t : tasks) {
      if (t.legacy) doc += t.id + " -> " + variant_text(*t.legacy) + "; ";
    }
    doc.resize(doc.size() - 2);
    doc += ". Other tasks have no legacy variant.";
    props["legacy"] = {{"type", "boolean"}, {"default", false}, {"description", doc}};
  }
  json schema = {{"type", "object"},
                 {"description", description()},
                 {"additionalProperties", false},
                 {"required", {"task", "data_dir"}},
                 {"properties", props}};
  return schema.dump(2);
}

std::string Table::example() const {
  std::string s = "# one dataset entry of a suite\ndataset:\n  plugin: " + plugin +
                  "\n  config:\n    task: " + tasks.front().id + "   # " + task_list() +
                  "\n    data_dir: ${TRUSTLLM_DATA_DIR}\n    verify_checksum: true\n"
                  "    max_tokens: 512\n";
  if (has_legacy()) s += "    legacy: false        # true: paper-era copy (legacy-2024-01-31)\n";
  return s;
}

Table& Table::finish() {
  meta_description = description();
  meta_schema = schema();
  meta_example = example();
  return *this;
}

sdk::Meta table_meta(const Table& table, const char* version) {
  sdk::Meta m{table.plugin.c_str(), version, table.meta_description.c_str()};
  m.config_schema = table.meta_schema.c_str();
  m.example_config = table.meta_example.c_str();
  return m;
}

// ---- the dataset ------------------------------------------------------------------------------

TableDataset::TableDataset(const Table& table, const json& config, sdk::Host host) {
  if (!config.is_object()) throw sdk::config_error("", "configuration must be an object");
  const bool legacy_allowed = table.has_legacy();
  const std::string allowed = std::string("task, data_dir, verify_checksum, max_tokens") +
                              (legacy_allowed ? ", legacy" : "");
  for (auto it = config.begin(); it != config.end(); ++it) {
    const std::string& k = it.key();
    bool known = k == "task" || k == "data_dir" || k == "verify_checksum" || k == "max_tokens" ||
                 (legacy_allowed && k == "legacy");
    if (!known) throw sdk::config_error("/" + k, "unknown key (allowed: " + allowed + ")");
  }
  auto task = config.find("task");
  const TaskSpec* spec =
      task != config.end() && task->is_string() ? table.find(task->get<std::string>()) : nullptr;
  if (spec == nullptr) {
    std::string got = task == config.end() ? "missing" : "got " + task->dump();
    throw sdk::config_error("/task", "required; one of " + table.task_list() + " (" + got +
                                         ") for plugin " + table.plugin);
  }
  spec_ = *spec;
  if (auto v = config.find("legacy"); v != config.end()) {
    if (!v->is_boolean()) throw sdk::config_error("/legacy", "must be true or false");
    legacy_ = v->get<bool>();
    if (legacy_ && !spec_.legacy) {
      std::string with;
      for (const TaskSpec& t : table.tasks) {
        if (t.legacy) with += (with.empty() ? "" : ", ") + t.id;
      }
      throw sdk::config_error("/legacy", "task " + spec_.id + " has no legacy variant (only " +
                                             with + "); remove the key or set it to false");
    }
  }
  auto dir = config.find("data_dir");
  if (dir == config.end() || !dir->is_string() || dir->get<std::string>().empty()) {
    throw sdk::config_error("/data_dir", "required: the folder holding " + variant().file +
                                             " (e.g. $TRUSTLLM_DATA_DIR)");
  }
  bool verify = true;
  if (auto v = config.find("verify_checksum"); v != config.end()) {
    if (!v->is_boolean()) throw sdk::config_error("/verify_checksum", "must be true or false");
    verify = v->get<bool>();
  }
  if (auto v = config.find("max_tokens"); v != config.end()) {
    if (!v->is_number_integer() || v->get<int64_t>() < 1 || v->get<int64_t>() > 1'000'000) {
      throw sdk::config_error("/max_tokens", "must be a positive integer");
    }
    max_tokens_ = static_cast<int>(v->get<int64_t>());
  }
  load(dir->get<std::string>(), verify, host);
}

void TableDataset::load(const std::string& data_dir, bool verify, sdk::Host& host) {
  const FileVariant& v = variant();
  file_ = load_data_file(data_dir, v.file, verify, kNotFoundHint);
  const std::string path = file_.path.string();
  for (size_t i = 0; i < file_.items.size(); ++i) {
    const json& it = file_.items[i];
    if (!it.is_object()) throw sdk::Error(TLM_E_INPUT, item_error(path, i, "not a JSON object"));
    auto p = it.find("prompt");
    if (p == it.end() || !p->is_string()) {
      throw sdk::Error(TLM_E_INPUT, item_error(path, i, "'prompt' must be a string"));
    }
    if (v.filter) {
      auto k = it.find(v.filter->key);
      if (k == it.end() || !k->is_string()) {
        throw sdk::Error(TLM_E_INPUT,
                         item_error(path, i,
                                    quoted(v.filter->key) + " must be a string (task " + spec_.id +
                                        " keeps items where " + v.filter->describe() + ")"));
      }
      if ((k->get<std::string>() == v.filter->value) != v.filter->equal) continue;
    }
    if (!v.rename_from.empty() && !it.contains(v.rename_from)) {
      throw sdk::Error(TLM_E_INPUT,
                       item_error(path, i,
                                  quoted(v.rename_from) + " is missing (task " + spec_.id +
                                      " maps it to " + quoted(v.rename_to) + ")"));
    }
    try {
      if (spec_.group) groups_.push_back(spec_.group(it, indices_.size()));
      strata_.push_back(spec_.stratum(v.rename_from.empty() ? it : renamed(it, v)));
    } catch (const std::runtime_error& e) {
      throw sdk::Error(TLM_E_INPUT,
                       item_error(path, i,
                                  std::string(e.what()) + " (stratum " + spec_.stratum_text +
                                      " of task " + spec_.id + ")"));
    }
    indices_.push_back(i);
  }
  if (indices_.empty()) {
    throw sdk::Error(TLM_E_INPUT, path + ": no items for task " + spec_.id +
                                      (v.filter ? " (none has " + v.filter->describe() + ")" : "") +
                                      " — check data_dir");
  }
  host.debug("loaded " + path + " (" + std::to_string(indices_.size()) + " of " +
             std::to_string(file_.items.size()) + " items for " + spec_.id + ", sha256 " +
             file_.sha256 + (file_.verified ? ", verified)" : ", unverified)"));
}

json TableDataset::info(sdk::Call&) {
  json out{{"task", spec_.id},
           {"dimension", spec_.dimension},
           {"files", json::array({json{{"path", file_.path.string()}, {"sha256", file_.sha256}}})},
           {"items", indices_.size()}};
  if (legacy_) out["legacy"] = true;
  if (variant().filter) out["filter"] = variant().filter->describe();
  return out;
}

uint64_t TableDataset::count(sdk::Call&) {
  return indices_.size();
}

json TableDataset::item(uint64_t position) const {
  const size_t index = indices_.at(position);
  const json& src = file_.items.at(index);
  const FileVariant& v = variant();
  json fields = v.rename_from.empty() ? src : renamed(src, v);
  json out{{"id", std::to_string(index)},
           {"prompt", src.at("prompt")},
           {"stratum", strata_[position]},
           {"generation", json{{"temperature", spec_.temperature}, {"max_tokens", max_tokens_}}},
           {"fields", std::move(fields)},
           {"source", json{{"file", file_.rel_path}, {"index", index}}}};
  if (!groups_.empty()) out["group"] = groups_[position];
  return out;
}

void TableDataset::read(uint64_t first, uint64_t max, const std::function<void(const json&)>& emit,
                        sdk::Call& call) {
  const uint64_t n = indices_.size();
  if (first >= n) return;
  const uint64_t last = max > n - first ? n : first + max;
  for (uint64_t i = first; i < last; ++i) {
    if ((i - first) % 64 == 0) call.throw_if_cancelled();
    emit(item(i));
  }
}

}  // namespace trustllm::data
