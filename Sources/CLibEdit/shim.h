#ifndef TERN_CLIBEDIT_SHIM_H
#define TERN_CLIBEDIT_SHIM_H
#include <stdio.h>
#include <editline/readline.h>

/* libedit's settings are global variables; these setters keep Swift's
 * strict concurrency checking off them (they are set once, before the
 * first readline). */
static inline void tern_set_completion(rl_compentry_func_t *f) { rl_completion_entry_function = f; }
#endif
