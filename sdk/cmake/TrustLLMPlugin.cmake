# trustllm_add_plugin(<name> SOURCES <src>... [LIBRARIES <lib>...] [OUTPUT_DIRECTORY <dir>])
#
# Builds a plugin library exactly as the host expects it:
#   - a MODULE library named <name>.so (no "lib" prefix), C++20, hidden visibility;
#   - linked with --no-undefined (host services come through the ABI table, not symbols)
#     and --exclude-libs,ALL (static dependencies do not leak symbols);
#   - RUNPATH $ORIGIN, so private shared libraries can ship next to it;
#   - a sidecar <name>.plugin.json (names, kinds, versions, descriptions, config schemas)
#     generated from the built library, so the host can list plugins without loading them.
# First-party plugins use this same helper.
include_guard(GLOBAL)
include(GNUInstallDirs)

set_property(GLOBAL PROPERTY TRUSTLLM_PLUGIN_HELPER_DIR "${CMAKE_CURRENT_LIST_DIR}")

function(_trustllm_meta_dump_target out_var)
  if(NOT TARGET trustllm_plugin_meta_dump)
    get_property(_TRUSTLLM_PLUGIN_HELPER_DIR GLOBAL PROPERTY TRUSTLLM_PLUGIN_HELPER_DIR)
    set(_src "${_TRUSTLLM_PLUGIN_HELPER_DIR}/../tools/plugin_meta_dump.cpp")
    if(NOT EXISTS "${_src}")
      set(_src "${_TRUSTLLM_PLUGIN_HELPER_DIR}/plugin_meta_dump.cpp")
    endif()
    add_executable(trustllm_plugin_meta_dump "${_src}")
    target_link_libraries(trustllm_plugin_meta_dump PRIVATE TrustLLM::sdk ${CMAKE_DL_LIBS})
    set_target_properties(trustllm_plugin_meta_dump PROPERTIES
      RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/sdk-tools")
  endif()
  set(${out_var} trustllm_plugin_meta_dump PARENT_SCOPE)
endfunction()

function(trustllm_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "SOURCES;LIBRARIES" ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "trustllm_add_plugin(${name}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "trustllm_add_plugin(${name}): SOURCES is required")
  endif()
  if(NOT ARG_OUTPUT_DIRECTORY)
    if(DEFINED TRUSTLLM_PLUGIN_OUTPUT_DIR)
      set(ARG_OUTPUT_DIRECTORY "${TRUSTLLM_PLUGIN_OUTPUT_DIR}")
    else()
      set(ARG_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
    endif()
  endif()

  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE TrustLLM::sdk ${ARG_LIBRARIES})
  target_compile_features(${name} PRIVATE cxx_std_20)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}"
    BUILD_WITH_INSTALL_RPATH ON
    INSTALL_RPATH "$ORIGIN")
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang" AND NOT APPLE)
    target_link_options(${name} PRIVATE "LINKER:--no-undefined" "LINKER:--exclude-libs,ALL"
                                        "LINKER:--enable-new-dtags")
    # Export exactly the entry point: -fvisibility=hidden cannot hide template instantiations
    # of the standard library (typeinfo, unique statics), a version script can.
    set(_map "${CMAKE_CURRENT_BINARY_DIR}/${name}.exports.map")
    file(CONFIGURE OUTPUT "${_map}"
         CONTENT "{\n  global: trustllm_plugin_entry_v1;\n  local: *;\n};\n")
    target_link_options(${name} PRIVATE "LINKER:--version-script=${_map}")
    set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS "${_map}")
  endif()

  _trustllm_meta_dump_target(_dump)
  add_custom_command(TARGET ${name} POST_BUILD
    COMMAND $<TARGET_FILE:${_dump}> $<TARGET_FILE:${name}> ${name}
            "${ARG_OUTPUT_DIRECTORY}/${name}.plugin.json"
    COMMENT "Writing ${name}.plugin.json"
    VERBATIM)
  add_dependencies(${name} ${_dump})
  set_property(TARGET ${name} PROPERTY TRUSTLLM_SIDECAR "${ARG_OUTPUT_DIRECTORY}/${name}.plugin.json")
  set_property(GLOBAL APPEND PROPERTY TRUSTLLM_PLUGIN_TARGETS ${name})
endfunction()

# Installs a plugin and its sidecar into DESTINATION (default lib/trustllm/plugins).
function(trustllm_install_plugin name)
  cmake_parse_arguments(ARG "" "DESTINATION" "" ${ARGN})
  if(NOT ARG_DESTINATION)
    set(ARG_DESTINATION "${CMAKE_INSTALL_LIBDIR}/trustllm/plugins")
  endif()
  install(TARGETS ${name} LIBRARY DESTINATION "${ARG_DESTINATION}")
  get_target_property(_sidecar ${name} TRUSTLLM_SIDECAR)
  install(FILES "${_sidecar}" DESTINATION "${ARG_DESTINATION}")
endfunction()
