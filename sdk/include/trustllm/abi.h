/*
 * trustllm plugin ABI — the only binary contract between the host and a plugin.
 *
 * Rules (see docs/sdk.md):
 *  - C only: POD structs, function pointers, (pointer, length) UTF-8 strings.
 *  - Every struct starts with `uint32_t struct_size`; tables only grow at the end.
 *    A reader treats fields beyond the writer's struct_size as absent.
 *  - ABI major must equal the host's; the plugin's minor must be <= the host's.
 *  - One exported symbol per library: TLM_ENTRY_SYMBOL.
 *  - Nothing allocated on one side is freed on the other: results flow through
 *    tlm_sink callbacks and the receiver copies them.
 *  - No exception crosses: every call returns a tlm_status; the message goes to
 *    host->set_error(call, ...).
 */
#ifndef TRUSTLLM_ABI_H
#define TRUSTLLM_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TLM_ABI_MAJOR 1
#define TLM_ABI_MINOR 1

#define TLM_ENTRY_SYMBOL "trustllm_plugin_entry_v1"

#if defined(_WIN32)
#define TLM_EXPORT __declspec(dllexport)
#else
#define TLM_EXPORT __attribute__((visibility("default")))
#endif

/* Borrowed UTF-8 text; not NUL-terminated unless stated. Valid for the duration of the call. */
typedef struct tlm_str {
  const char* data;
  size_t size;
} tlm_str;

typedef enum tlm_status {
  TLM_OK = 0,
  TLM_E_CONFIG = 1,      /* bad configuration (message names the key, as a JSON pointer) */
  TLM_E_RUNTIME = 2,     /* anything else that failed; not worth retrying */
  TLM_E_UNSUPPORTED = 3, /* the component cannot do this (e.g. embeddings on a chat-only model) */
  TLM_E_CANCELLED = 4,   /* host->is_cancelled() became true */
  TLM_E_RETRYABLE = 5,   /* transient: rate limit, 5xx, timeout, dropped connection */
  TLM_E_REQUEST = 6,     /* the remote side rejected the request (400/401/403/404): do not retry */
  TLM_E_INPUT = 7,       /* a data item is malformed (message names the item) */
  TLM_E_NOT_FOUND = 8    /* a file the component needs does not exist (message names it) */
} tlm_status;

typedef enum tlm_kind { TLM_KIND_DATASET = 1, TLM_KIND_MODEL = 2, TLM_KIND_METRIC = 3 } tlm_kind;

typedef enum tlm_log_level {
  TLM_LOG_DEBUG = 0,
  TLM_LOG_INFO = 1,
  TLM_LOG_WARN = 2,
  TLM_LOG_ERROR = 3
} tlm_log_level;

/* Capability bits of a component. */
#define TLM_CAP_CONCURRENT_CALLS (1ull << 0) /* model: one instance may serve calls from many threads */
#define TLM_CAP_MULTI_INSTANCE (1ull << 1)   /* model: not concurrent, but one instance per worker */
#define TLM_CAP_CHAT (1ull << 8)             /* model: op "chat" */
#define TLM_CAP_EMBED (1ull << 9)            /* model: op "embed" */
#define TLM_CAP_CLASSIFY (1ull << 10)        /* model: op "classify" */

/* Opaque per-call context owned by the host. */
typedef struct tlm_call tlm_call;

/* A host- or plugin-provided receiver of text; the receiver copies what it needs. */
typedef struct tlm_sink {
  void* ctx;
  void (*emit)(void* ctx, tlm_str data);
} tlm_sink;

/* Services the host offers to plugins. Thread-safe. Append-only. */
typedef struct tlm_host_api {
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;
  void (*log)(tlm_log_level level, tlm_str component, tlm_str message);
  /* Per-call error text; the last one set before a non-OK return is reported. */
  void (*set_error)(tlm_call* call, tlm_str message);
  /* Non-zero once the user interrupted the run or the call's deadline passed. */
  int (*is_cancelled)(tlm_call* call);
  /* A transient failure may say how long to wait (seconds, from Retry-After). */
  void (*set_retry_after)(tlm_call* call, double seconds);
  /* Call the model bound to `role` (e.g. "judge", "refusal_classifier", "embedder").
   * request/response are JSON text in the model request format of docs/sdk.md.
   * Goes through the host's cache, retries and concurrency limits. */
  tlm_status (*call_model)(tlm_call* call, tlm_str role, tlm_str request_json, tlm_sink* response);
} tlm_host_api;

/* ---- component tables ------------------------------------------------------------------ */

/* Common to every kind: lifecycle. create() receives validated JSON config text. */
typedef struct tlm_dataset_vt {
  uint32_t struct_size;
  tlm_status (*create)(tlm_str config_json, const tlm_host_api* host, void** self, tlm_call* call);
  void (*destroy)(void* self);
  /* Describe what the configured dataset is: JSON {"task":..., "dimension":..., "files":[...]} */
  tlm_status (*info)(void* self, tlm_sink* out, tlm_call* call);
  /* Number of items. */
  tlm_status (*count)(void* self, uint64_t* n, tlm_call* call);
  /* Emit items [first, first+max) as one JSON object each (see docs/sdk.md, "Items"). */
  tlm_status (*read)(void* self, uint64_t first, uint64_t max, tlm_sink* items, tlm_call* call);
} tlm_dataset_vt;

typedef struct tlm_model_vt {
  uint32_t struct_size;
  tlm_status (*create)(tlm_str config_json, const tlm_host_api* host, void** self, tlm_call* call);
  void (*destroy)(void* self);
  /* JSON {"backend":..., "model":..., "endpoint":...}: what identifies answers in the cache. */
  tlm_status (*identity)(void* self, tlm_sink* out, tlm_call* call);
  /* One request (JSON) -> one response (JSON), see docs/sdk.md "Model requests". */
  tlm_status (*call)(void* self, tlm_str request_json, tlm_sink* response, tlm_call* call);
} tlm_model_vt;

typedef struct tlm_metric_vt {
  uint32_t struct_size;
  tlm_status (*create)(tlm_str config_json, const tlm_host_api* host, void** self, tlm_call* call);
  void (*destroy)(void* self);
  /* Per-item evaluation: sample JSON in, evaluation record JSON out. May call models through
   * host->call_model. Must be safe to call from several threads at once. */
  tlm_status (*evaluate)(void* self, tlm_str sample_json, tlm_sink* record, tlm_call* call);
  /* Aggregation over the records: begin, add each (sample, record) pair in dataset order,
   * finish. Calls on one accumulator never overlap, but a fresh run adds pairs while it still
   * generates, so aggregate_add may run while evaluate runs on other threads. */
  tlm_status (*aggregate_begin)(void* self, void** acc, tlm_call* call);
  tlm_status (*aggregate_add)(void* self, void* acc, tlm_str sample_json, tlm_str record_json,
                              tlm_call* call);
  /* Emits JSON {"metrics":[{"metric":..,"value":..,"n":..,"direction":..,"status":..}, ...]}
   * and releases acc. */
  tlm_status (*aggregate_end)(void* self, void* acc, tlm_sink* summary, tlm_call* call);
  /* Since ABI 1.1. Options for one aggregation, called after aggregate_begin and before the
   * first aggregate_add: JSON {"bootstrap":{"resamples":N,"seed":S}}. With resamples > 0 the
   * metric adds "replicates":[...] (its statistic on each resample) to every ok entry. A host
   * reads this field only when struct_size covers it. */
  tlm_status (*aggregate_configure)(void* self, void* acc, tlm_str options_json, tlm_call* call);
} tlm_metric_vt;

typedef struct tlm_component_desc {
  uint32_t struct_size;
  uint32_t kind; /* tlm_kind */
  const char* name;
  const char* version; /* semver of the component */
  const char* description;
  const char* license;
  const char* config_schema_json; /* JSON Schema (subset, see docs/config.md) */
  const char* example_config_yaml;
  uint64_t capabilities;
  uint32_t max_concurrency; /* 0 = no limit of its own */
  const void* vtable;       /* tlm_dataset_vt / tlm_model_vt / tlm_metric_vt by kind */
} tlm_component_desc;

typedef struct tlm_plugin_info {
  uint32_t struct_size;
  uint16_t abi_major; /* what the plugin was built against */
  uint16_t abi_minor;
  const char* sdk_version;
  size_t component_count;
  const tlm_component_desc* const* components;
} tlm_plugin_info;

/* The one exported symbol. Must do no work besides returning static data. */
typedef const tlm_plugin_info* (*tlm_entry_fn)(uint16_t host_abi_major, uint16_t host_abi_minor);

#ifdef __cplusplus
}
#endif

#endif /* TRUSTLLM_ABI_H */
