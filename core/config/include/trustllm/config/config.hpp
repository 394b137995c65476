// The configuration layer of the trustllm host (everything in one include).
#pragma once

#include <trustllm/config/document.hpp>
#include <trustllm/config/error.hpp>
#include <trustllm/config/redact.hpp>
#include <trustllm/config/schema.hpp>
#include <trustllm/config/suggest.hpp>
