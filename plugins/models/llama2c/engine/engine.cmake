# llama2c_engine: the in-process llama2.c-format inference engine (static library).
# Included by plugins/models/llama2c/CMakeLists.txt, tests/unit/llama2c and bench/llama2c:
#   if(NOT TARGET llama2c_engine)
#     include(${PROJECT_SOURCE_DIR}/plugins/models/llama2c/engine/engine.cmake)
#   endif()
# Consumers get the include directory so that `#include "llama2c.hpp"` works.
include_guard(GLOBAL)

set(_llama2c_engine_dir ${CMAKE_CURRENT_LIST_DIR})
add_library(llama2c_engine STATIC
  ${_llama2c_engine_dir}/weights.cpp
  ${_llama2c_engine_dir}/tokenizer.cpp
  ${_llama2c_engine_dir}/session.cpp)
target_include_directories(llama2c_engine PUBLIC ${_llama2c_engine_dir})
target_compile_features(llama2c_engine PUBLIC cxx_std_20)
target_link_libraries(llama2c_engine PRIVATE trustllm_warnings)
set_target_properties(llama2c_engine PROPERTIES
  POSITION_INDEPENDENT_CODE ON
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON)
# The forward pass is the hot loop: optimise it even in Debug builds (unless sanitizing, where
# the build type's flags are kept so reports stay readable). No fast-math: results must be
# reproducible, and the explicit vector code already gives the speed.
if(NOT TRUSTLLM_SANITIZE)
  target_compile_options(llama2c_engine PRIVATE -O2 -ffp-contract=off)
else()
  target_compile_options(llama2c_engine PRIVATE -ffp-contract=off)
endif()
unset(_llama2c_engine_dir)
