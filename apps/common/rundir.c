/* The run directory: see rundir.h. */
#include "rundir.h"
#include "errbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

double run_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int run_mkdirs(const char *path, char *err, size_t errlen)
{
    if (!path || !*path)
        return errbuf_fail(err, errlen, "empty directory name");
    size_t len = strlen(path);
    char *p = malloc(len + 1);
    if (!p)
        return errbuf_fail(err, errlen, "out of memory");
    memcpy(p, path, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            errbuf_fail(err, errlen, "%s: cannot create directory: %s", p,
                        strerror(errno));
            free(p);
            return -1;
        }
        p[i] = c;
    }
    free(p);
    if (!run_is_dir(path))
        return errbuf_fail(err, errlen, "%s: not a directory", path);
    return 0;
}

/* fsync the directory that holds path, so that a rename is durable too
 * (best effort: errors are ignored). */
static void sync_parent(const char *path)
{
    char *dir = malloc(strlen(path) + 1);
    if (!dir)
        return;
    strcpy(dir, path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        int dfd = open(*dir ? dir : "/", O_RDONLY);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    free(dir);
}

int run_write_atomic(const char *path, const char *text, char *err,
                     size_t errlen)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp)
        return errbuf_fail(err, errlen, "%s: cannot write: out of memory",
                           path);
    snprintf(tmp, n, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        errbuf_fail(err, errlen, "%s: cannot write: %s", path,
                    strerror(errno));
        free(tmp);
        return -1;
    }
    fchmod(fd, 0644); /* mkstemp makes it 0600 */
    size_t len = strlen(text), done = 0;
    int e = 0;
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            e = errno;
            break;
        }
        done += (size_t)w;
    }
    if (done == len && fsync(fd) != 0)
        e = errno;
    if (close(fd) != 0 && !e)
        e = errno;
    if (!e && done == len && rename(tmp, path) != 0)
        e = errno;
    if (e || done != len) {
        errbuf_fail(err, errlen, "%s: cannot write: %s", path,
                    strerror(e ? e : EIO));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    sync_parent(path);
    return 0;
}

int run_join(char *out, size_t cap, const char *dir, const char *name)
{
    int k = snprintf(out, cap, "%s/%s", dir, name);
    return k >= 0 && (size_t)k < cap ? 0 : -1;
}

char *run_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

int run_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int run_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void strbuf_printf(strbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL,
                          b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap ? b->cap * 2 : 1024) + (size_t)n;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
}

/* The one global of the apps' common code: a signal handler can reach
 * nothing else. */
static volatile sig_atomic_t g_stop = 0;
static const char *g_stop_message = NULL;

static void on_stop_signal(int sig)
{
    (void)sig;
    g_stop = 1;
    if (g_stop_message) {
        ssize_t w = write(STDERR_FILENO, g_stop_message,
                          strlen(g_stop_message));
        (void)w;
    }
}

const volatile sig_atomic_t *run_stop_install(const char *message)
{
    g_stop = 0;
    g_stop_message = message;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = (int)SA_RESETHAND;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return &g_stop;
}
