/* The apps' state files: see statefile.h. */
#include "statefile.h"
#include "args.h"
#include "errbuf.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int statefile_read(const char *path, char sep, const char *magic,
                   statefile_fn fn, void *user, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return errbuf_fail(err, errlen, "%s: cannot open: %s", path,
                           strerror(errno));
    int ret = 0, lineno = 0;
    char line[1024];
    while (ret == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (lineno == 1 && magic) {
            if (strcmp(line, magic) != 0)
                ret = errbuf_fail(err, errlen, "%s: the first line is not "
                                  "'%s' (not this program's state file)",
                                  path, magic);
            continue;
        }
        if (line[0] == '\0' || line[0] == '#')
            continue;
        char *eq = strchr(line, sep);
        if (!eq) {
            ret = errbuf_fail(err, errlen, "%s:%d: expected key%cvalue", path,
                              lineno, sep);
            break;
        }
        *eq = '\0';
        if (fn(user, line, eq + 1) < 0)
            ret = errbuf_fail(err, errlen, "%s:%d: bad value for %s: '%s'",
                              path, lineno, line, eq + 1);
    }
    if (ret == 0 && ferror(f))
        ret = errbuf_fail(err, errlen, "%s: read error", path);
    fclose(f);
    if (ret == 0 && magic && lineno == 0)
        ret = errbuf_fail(err, errlen, "%s: empty file", path);
    return ret;
}

int statefile_write(const char *path, const strbuf *b, char *err,
                    size_t errlen)
{
    if (b->oom || !b->s)
        return errbuf_fail(err, errlen, "%s: cannot write: out of memory",
                           path);
    return run_write_atomic(path, b->s, err, errlen);
}

void statefile_put(strbuf *b, char sep, const char *prefix,
                   const sf_key *keys, size_t n, const void *base)
{
    for (size_t i = 0; i < n; i++) {
        const char *p = (const char *)base + keys[i].off;
        switch (keys[i].type) {
        case SF_INT:
            strbuf_printf(b, "%s%s%c%d\n", prefix, keys[i].name, sep,
                          *(const int *)(const void *)p);
            break;
        case SF_U64:
            strbuf_printf(b, "%s%s%c%" PRIu64 "\n", prefix, keys[i].name, sep,
                          *(const uint64_t *)(const void *)p);
            break;
        case SF_SIZE:
            strbuf_printf(b, "%s%s%c%zu\n", prefix, keys[i].name, sep,
                          *(const size_t *)(const void *)p);
            break;
        default:
            strbuf_printf(b, "%s%s%c%.17g\n", prefix, keys[i].name, sep,
                          *(const double *)(const void *)p);
            break;
        }
    }
}

int statefile_set(const sf_key *keys, size_t n, void *base, const char *key,
                  const char *value)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(keys[i].name, key) != 0)
            continue;
        char *p = (char *)base + keys[i].off;
        long l;
        int rc;
        switch (keys[i].type) {
        case SF_INT:
            rc = num_long(value, INT_MIN, INT_MAX, &l);
            if (rc == 0)
                *(int *)(void *)p = (int)l;
            break;
        case SF_U64:
            rc = num_u64(value, (uint64_t *)(void *)p);
            break;
        case SF_SIZE:
            rc = num_size(value, (size_t *)(void *)p);
            break;
        default:
            rc = num_double_any(value, (double *)(void *)p);
            break;
        }
        return rc == 0 ? 0 : -1;
    }
    return 1;
}
