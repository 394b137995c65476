# trustllm_metrics_common: helpers shared by the TrustLLM metric plugins.
#   pytext.hpp  Python string semantics on UTF-8 (code points, Unicode predicates via ICU,
#               lower/split/strip/count, first \d+ run, str() of a JSON value)
#   stats.hpp   round half-even, numpy rounding, macro-F1, chi-square contingency p, Pearson,
#               exact mean (statistics.mean), cosine similarity; weighted Pearson and
#               crosstab chi-square p for bootstrap resamples
#   resample.hpp bootstrap replicates of several statistics on the same resamples (header-only)
#   sample.hpp  reading a sample (fields, response, recorded eval_res), JSON pointers, summary
#               entries (ok / skipped with a reason)
#   judge.hpp   judge prompt templates and judge calls through the host's `judge` role
#   refusal.hpp the refusal evaluator (keyword rules, judge, classifier, recorded LABEL_0/1)
#
# This folder has no CMakeLists.txt on purpose (the top level would add it as a plugin). Include
# this file from a plugin's CMakeLists.txt, guarded:
#   if(NOT TARGET trustllm_metrics_common)
#     include(${CMAKE_CURRENT_SOURCE_DIR}/../metrics_common/common.cmake)
#   endif()
#   target_link_libraries(<target> PRIVATE trustllm_metrics_common)
if(TARGET trustllm_metrics_common)
  return()
endif()

find_package(ICU REQUIRED COMPONENTS uc)
# Boost.Math (gamma_q) and Boost.Multiprecision (cpp_int): header-only.
find_package(Boost 1.71 REQUIRED)

set(_tlm_mc_dir "${CMAKE_CURRENT_LIST_DIR}")
set(_tlm_mc_sources
  ${_tlm_mc_dir}/src/pytext.cpp
  ${_tlm_mc_dir}/src/stats.cpp
  ${_tlm_mc_dir}/src/sample.cpp
  ${_tlm_mc_dir}/src/judge.cpp)
# refusal.cpp is written by another helper; build without it until it exists.
if(EXISTS ${_tlm_mc_dir}/src/refusal.cpp)
  list(APPEND _tlm_mc_sources ${_tlm_mc_dir}/src/refusal.cpp)
endif()
add_library(trustllm_metrics_common STATIC ${_tlm_mc_sources})
target_include_directories(trustllm_metrics_common PUBLIC ${_tlm_mc_dir}/include)
target_link_libraries(trustllm_metrics_common
  PUBLIC TrustLLM::sdk
  PRIVATE ICU::uc Boost::headers trustllm_warnings)
target_compile_features(trustllm_metrics_common PUBLIC cxx_std_20)
set_target_properties(trustllm_metrics_common PROPERTIES
  POSITION_INDEPENDENT_CODE ON
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON)
unset(_tlm_mc_dir)
unset(_tlm_mc_sources)
