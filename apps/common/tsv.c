/* Numeric TSV log files. See tsv.h. */
#include "tsv.h"
#include "errbuf.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


/* Strips the line end; returns 1 if the line is blank. */
static int chomp(char *line)
{
    line[strcspn(line, "\r\n")] = '\0';
    return line[strspn(line, " \t")] == '\0';
}

static int parse_header(tsv_table *t, char *line)
{
    int n = 1;
    for (const char *p = line; *p != '\0'; p++)
        n += *p == '\t';
    t->names = calloc((size_t)n, sizeof *t->names);
    if (t->names == NULL)
        return -1;
    char *field = line;
    for (int i = 0; i < n; i++) {
        char *tab = strchr(field, '\t');
        if (tab != NULL)
            *tab = '\0';
        if ((t->names[i] = strdup(field)) == NULL)
            return -1;
        t->n_cols = i + 1;
        field = tab != NULL ? tab + 1 : field + strlen(field);
    }
    return 0;
}

/* Parses one data line into row[0..n_cols). */
static int parse_row(const tsv_table *t, char *line, double *row,
                     const char *path, long lineno, char *err, size_t errlen)
{
    int fields = 1;
    for (const char *p = line; *p != '\0'; p++)
        fields += *p == '\t';
    if (fields != t->n_cols)
        return errbuf_fail(err, errlen,
                    "%s:%ld: %d field%s, expected %d (truncated or malformed "
                    "line)", path, lineno, fields, fields == 1 ? "" : "s",
                    t->n_cols);
    char *field = line;
    for (int i = 0; i < t->n_cols; i++) {
        char *tab = strchr(field, '\t');
        if (tab != NULL)
            *tab = '\0';
        char *end = NULL;
        errno = 0;
        row[i] = strtod(field, &end);
        if (end == field || *end != '\0' || (errno == ERANGE && row[i] != 0))
            return errbuf_fail(err, errlen,
                        "%s:%ld: column %d (%s) is not a number: '%.40s'",
                        path, lineno, i + 1, t->names[i], field);
        field = tab != NULL ? tab + 1 : field + strlen(field);
    }
    return 0;
}

int tsv_read(const char *path, const char *const *required, int n_required,
             tsv_table *t, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (t == NULL)
        return errbuf_fail(err, errlen, "tsv_read: no table");
    memset(t, 0, sizeof *t);
    if (path == NULL || path[0] == '\0' || n_required < 0 ||
        (n_required > 0 && required == NULL))
        return errbuf_fail(err, errlen, "tsv_read: bad arguments");
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return errbuf_fail(err, errlen, "%s: cannot open: %s", path,
                    strerror(errno));
    char *line = NULL;
    size_t cap = 0, rows_cap = 0;
    long lineno = 0;
    int rc = 0;
    while (rc == 0 && getline(&line, &cap, f) >= 0) {
        lineno++;
        if (chomp(line))
            continue;
        if (t->names == NULL) { /* the header */
            if (parse_header(t, line) != 0) {
                rc = errbuf_fail(err, errlen, "%s: out of memory", path);
                break;
            }
            for (int i = 0; i < t->n_cols && rc == 0; i++)
                for (int j = 0; j < i && rc == 0; j++)
                    if (strcmp(t->names[i], t->names[j]) == 0)
                        rc = errbuf_fail(err, errlen,
                                  "%s:%ld: column '%s' appears twice", path,
                                  lineno, t->names[i]);
            for (int k = 0; k < n_required && rc == 0; k++)
                if (required[k] == NULL || tsv_col(t, required[k]) < 0)
                    rc = errbuf_fail(err, errlen,
                              "%s:%ld: no column '%s' in the header line",
                              path, lineno,
                              required[k] ? required[k] : "(null)");
            continue;
        }
        if (t->n_rows == rows_cap) {
            size_t nc = rows_cap ? 2 * rows_cap : 64;
            double *nv = realloc(t->v, nc * (size_t)t->n_cols * sizeof *nv);
            if (nv == NULL) {
                rc = errbuf_fail(err, errlen, "%s: out of memory", path);
                break;
            }
            t->v = nv;
            rows_cap = nc;
        }
        rc = parse_row(t, line, t->v + t->n_rows * (size_t)t->n_cols, path,
                       lineno, err, errlen);
        if (rc == 0)
            t->n_rows++;
    }
    if (rc == 0 && ferror(f))
        rc = errbuf_fail(err, errlen, "%s: read error: %s", path, strerror(errno));
    if (rc == 0 && t->names == NULL)
        rc = errbuf_fail(err, errlen, "%s:1: empty file (expected a header line)",
                  path);
    free(line);
    fclose(f);
    if (rc != 0)
        tsv_free(t);
    return rc;
}

void tsv_free(tsv_table *t)
{
    if (t == NULL)
        return;
    if (t->names != NULL)
        for (int i = 0; i < t->n_cols; i++)
            free(t->names[i]);
    free(t->names);
    free(t->v);
    memset(t, 0, sizeof *t);
}

int tsv_col(const tsv_table *t, const char *name)
{
    if (t == NULL || t->names == NULL || name == NULL)
        return -1;
    for (int i = 0; i < t->n_cols; i++)
        if (strcmp(t->names[i], name) == 0)
            return i;
    return -1;
}

double tsv_get(const tsv_table *t, size_t row, int col)
{
    if (t == NULL || t->v == NULL || row >= t->n_rows || col < 0 ||
        col >= t->n_cols)
        return NAN;
    return t->v[row * (size_t)t->n_cols + (size_t)col];
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n > k && strncmp(s + n - k, suffix, k) == 0;
}

int tsv_log_path(const char *arg, const char *log_name, char *path,
                 size_t path_cap, char *name, size_t name_cap)
{
    if (arg == NULL || arg[0] == '\0' || log_name == NULL || path == NULL ||
        name == NULL || path_cap == 0 || name_cap == 0)
        return -1;
    struct stat st;
    int dir = stat(arg, &st) == 0 && S_ISDIR(st.st_mode);
    /* Trailing slashes are ignored ("/" stays). */
    size_t end = strlen(arg);
    while (end > 1 && arg[end - 1] == '/')
        end--;
    int n = dir ? snprintf(path, path_cap, "%.*s%s%s", (int)end, arg,
                           arg[end - 1] == '/' ? "" : "/", log_name)
                : snprintf(path, path_cap, "%s", arg);
    if (n < 0 || (size_t)n >= path_cap)
        return -1;
    /* The name: the last path component. */
    size_t start = end;
    while (start > 0 && arg[start - 1] != '/')
        start--;
    size_t len = end - start;
    if (!dir && ends_with(arg + start, len, ".tsv"))
        len -= 4;
    if (!dir && ends_with(arg + start, len, ".log"))
        len -= 4;
    if (len >= name_cap)
        return -1;
    memcpy(name, arg + start, len);
    name[len] = '\0';
    return 0;
}

int tsv_append(const char *path, const char *header, const char *line,
               char *err, size_t errlen)
{
    FILE *f = fopen(path, "a");
    int ok = f != NULL;
    if (ok && fseek(f, 0, SEEK_END) == 0 && ftell(f) == 0)
        ok = fputs(header, f) >= 0;
    if (ok)
        ok = fputs(line, f) >= 0;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok)
        return errbuf_fail(err, errlen, "%s: cannot append: %s", path,
                           strerror(errno));
    return 0;
}
