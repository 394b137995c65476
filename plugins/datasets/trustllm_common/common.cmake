# trustllm_data_common: helpers shared by the TrustLLM dataset plugins (and the replay model).
#   - NaN-tolerant JSON-array reader (include/trustllm_common/json_file.hpp)
#   - sha256 (OpenSSL EVP) and MANIFEST.tsv verification (include/trustllm_common/checksum.hpp)
#   - the table-driven dataset class of the six dimension plugins
#     (include/trustllm_common/table_dataset.hpp)
# A static, position-independent library with hidden visibility, linked into plugin modules.
#
# This folder has no CMakeLists.txt on purpose (the top level would add it as a plugin). Include
# this file from a plugin's CMakeLists.txt, guarded:
#   if(NOT TARGET trustllm_data_common)
#     include(${CMAKE_CURRENT_SOURCE_DIR}/../../datasets/trustllm_common/common.cmake)
#   endif()
#   target_link_libraries(<target> PRIVATE trustllm_data_common)
if(TARGET trustllm_data_common)
  return()
endif()

find_package(OpenSSL REQUIRED)

set(_tlm_common_dir "${CMAKE_CURRENT_LIST_DIR}")
add_library(trustllm_data_common STATIC
  ${_tlm_common_dir}/src/json_file.cpp
  ${_tlm_common_dir}/src/checksum.cpp
  ${_tlm_common_dir}/src/table_dataset.cpp)
target_include_directories(trustllm_data_common PUBLIC ${_tlm_common_dir}/include)
target_link_libraries(trustllm_data_common
  PUBLIC TrustLLM::sdk
  PRIVATE OpenSSL::Crypto trustllm_warnings)
target_compile_features(trustllm_data_common PUBLIC cxx_std_20)
set_target_properties(trustllm_data_common PROPERTIES
  POSITION_INDEPENDENT_CODE ON
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON)
unset(_tlm_common_dir)
