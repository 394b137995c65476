// Declarations shared by same_symbol.cpp and same_symbol_helper.cpp.
#pragma once

#include <trustllm/abi.h>

extern "C" const char* fixture_helper();
extern "C" TLM_EXPORT const char* fixture_exported_helper();
