/* The run directory of the apps' training commands (ram-mnist train,
 * ram-catch train): mkdir -p, files replaced atomically, a growable text
 * buffer to build them in, the clock, and the stop signal (Ctrl-C or
 * SIGTERM: finish the step, write a checkpoint, exit).
 *
 * One copy for both apps. Nothing is global except the stop flag, which a
 * signal handler can only reach through a global. */
#ifndef RAM_APPS_RUNDIR_H
#define RAM_APPS_RUNDIR_H

#include <signal.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Seconds on the monotonic clock (for durations and rates). */
double run_now(void);

/* mkdir -p: creates path and its missing parents (mode 0777 & ~umask).
 * Returns 0 if path is (now) a directory, else -1 with a message in err:
 * "DIR: cannot create directory: REASON", "PATH: not a directory" or
 * "empty directory name". */
int run_mkdirs(const char *path, char *err, size_t errlen);

/* Replaces path by text atomically: writes a temporary file beside it
 * (path.tmp-XXXXXX, mode 0644), syncs it, renames it over path, then syncs
 * the directory (best effort). A reader sees the old file or the new one,
 * never a part. Returns 0, or -1 with "PATH: cannot write: REASON" in err
 * (and no temporary file left). */
int run_write_atomic(const char *path, const char *text, char *err,
                     size_t errlen);

/* "dir/name" into out[cap]. Returns 0, or -1 if it does not fit. */
int run_join(char *out, size_t cap, const char *dir, const char *name);

/* "dir/name" in a new malloc'd string (free it), or NULL (out of memory). */
char *run_path(const char *dir, const char *name);

/* 1 if path exists (any kind of file), else 0. */
int run_exists(const char *path);

/* 1 if path is a directory, else 0. */
int run_is_dir(const char *path);

/* A growable string: zero-initialise, strbuf_printf into it, then use s
 * (NUL-terminated; NULL if nothing was added) unless oom is set; free(s).
 */
typedef struct strbuf {
    char *s;
    size_t len, cap;
    int oom; /* an allocation failed: s is incomplete */
} strbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void strbuf_printf(strbuf *b, const char *fmt, ...);

/* Installs the stop handler for SIGINT and SIGTERM (SA_RESETHAND: a second
 * signal ends the program at once, which is safe because every file of a
 * run is replaced atomically) and returns the flag it sets to 1. message
 * (may be NULL) is written to stderr when the signal arrives; it must stay
 * valid (a string literal). The training loops poll the flag and stop with
 * a checkpoint. */
const volatile sig_atomic_t *run_stop_install(const char *message);

#ifdef __cplusplus
}
#endif

#endif /* RAM_APPS_RUNDIR_H */
