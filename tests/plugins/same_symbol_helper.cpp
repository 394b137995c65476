// Fixture "same_symbol_a" / "same_symbol_b", helpers: both libraries define functions with the
// SAME names and different answers (FIXTURE_LETTER is "A" or "B").
//
// fixture_helper() is an ordinary non-static function: hidden by the SDK helper's
// -fvisibility=hidden, so each library binds to its own copy at link time.
// fixture_exported_helper() is deliberately exported (default visibility, so calls go through
// the PLT and are resolved by the dynamic linker): only RTLD_LOCAL keeps library B from binding
// to library A's copy. loader_test checks both, and shows in a child process that RTLD_GLOBAL
// would get the exported one wrong, so the fixture really detects a host loading GLOBAL.
#include "same_symbol_helper.hpp"

extern "C" const char* fixture_helper() { return FIXTURE_LETTER; }

extern "C" TLM_EXPORT const char* fixture_exported_helper() { return FIXTURE_LETTER; }
