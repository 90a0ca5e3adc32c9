/* The apps' state files: the small text file beside a run's checkpoint
 * that says where the run is and with which options (ram-mnist's
 * state.txt, "key=value" lines; ram-catch's state.txt, "key value" lines
 * after a magic first line). Lines starting with '#' and blank lines are
 * comments. The file is built in a strbuf (rundir.h) and replaced
 * atomically (statefile_write); statefile_read hands each key and value to
 * the app, which knows what they mean. Nothing is global. */
#ifndef RAM_APPS_STATEFILE_H
#define RAM_APPS_STATEFILE_H

#include <stddef.h>
#include <stdint.h>

#include "rundir.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Called per key: returns 0 (taken), 1 (unknown key: ignored, e.g. one
 * written by a later version) or -1 (bad value: reading fails). */
typedef int (*statefile_fn)(void *user, const char *key, const char *value);

/* Reads path: when magic is not NULL the first line must be magic
 * exactly; every other line that is not a comment is KEY sep VALUE (split
 * at the first sep; a '\r' before the newline is ignored). Returns 0, or
 * -1 with one of these in err:
 *     "PATH: cannot open: REASON"
 *     "PATH: the first line is not 'MAGIC' (not this program's state file)"
 *     "PATH: empty file"                     (with a magic line)
 *     "PATH:LINE: expected key=value"        (sep '=', or "key value")
 *     "PATH:LINE: bad value for KEY: 'VALUE'"
 *     "PATH: read error" */
int statefile_read(const char *path, char sep, const char *magic,
                   statefile_fn fn, void *user, char *err, size_t errlen);

/* Writes the text of b to path atomically (run_write_atomic). Returns 0,
 * or -1 with a message in err (also when b ran out of memory). */
int statefile_write(const char *path, const strbuf *b, char *err,
                    size_t errlen);

/* Typed keys held in a struct, for apps that describe their state as a
 * table: KEY (sep) VALUE as "%d", "%" PRIu64, "%zu" or "%.17g" (which
 * reads back to the same double). */
typedef enum { SF_INT, SF_U64, SF_SIZE, SF_DBL } sf_type;

typedef struct sf_key {
    const char *name;
    sf_type type;
    size_t off; /* offsetof the field in the struct */
} sf_key;

/* Appends "prefix name sep value\n" for each of keys[0..n) of base. */
void statefile_put(strbuf *b, char sep, const char *prefix,
                   const sf_key *keys, size_t n, const void *base);

/* Sets the field of base that key names from value: 0 (set), 1 (no such
 * key in keys) or -1 (bad value: not an int, a non-negative integer, or a
 * number; NaN and infinities are taken, as a diverged run writes them). */
int statefile_set(const sf_key *keys, size_t n, void *base, const char *key,
                  const char *value);

#ifdef __cplusplus
}
#endif

#endif /* RAM_APPS_STATEFILE_H */
