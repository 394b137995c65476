# openai_backend: the HTTP side of the OpenAI-compatible / TEI model backends.
# Included by plugins/models/openai/CMakeLists.txt (and by the backend's unit tests).
include_guard(GLOBAL)
if(NOT TARGET openai_backend)
  add_library(openai_backend STATIC ${CMAKE_CURRENT_LIST_DIR}/openai_backend.cpp)
  # Goes into a MODULE plugin: PIC, and nothing of it exported from the plugin .so.
  set_target_properties(openai_backend PROPERTIES
    POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_compile_features(openai_backend PUBLIC cxx_std_20)
  target_include_directories(openai_backend PUBLIC ${CMAKE_CURRENT_LIST_DIR})
  target_link_libraries(openai_backend
    PUBLIC nlohmann_json::nlohmann_json
    PRIVATE CURL::libcurl Threads::Threads trustllm_warnings)
endif()
