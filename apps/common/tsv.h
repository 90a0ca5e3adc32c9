/* Reading the examples' numeric log files (log.tsv): a header line of
 * tab-separated column names, then one line of numbers per record, e.g.
 *
 *     epoch	loss	val_error
 *     1	1.93	0.43
 *
 * Every data line must have as many fields as the header and every field
 * must be a number (strtod; "nan" and "inf" are accepted and left to the
 * caller). Blank lines are skipped and a '\r' before the newline is
 * ignored. Nothing is global. */
#ifndef RAM_EXAMPLE_TSV_H
#define RAM_EXAMPLE_TSV_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tsv_table {
    int n_cols;
    char **names;  /* n_cols column names from the header */
    size_t n_rows; /* data lines */
    double *v;     /* n_rows x n_cols values, row-major */
} tsv_table;

/* Reads path into *t (which need not be initialised). The columns named in
 * required[0..n_required) must be in the header (required may be NULL when
 * n_required is 0). Returns 0, or -1 with *t empty and a message naming the
 * file and line in err, e.g. "runs/a/log.tsv:7: 3 fields, expected 14
 * (truncated or malformed line)". A file with a header and no data lines is
 * fine (n_rows 0). */
int tsv_read(const char *path, const char *const *required, int n_required,
             tsv_table *t, char *err, size_t errlen);

/* Frees what tsv_read allocated and empties *t (NULL is fine). */
void tsv_free(tsv_table *t);

/* Index of the column called name, or -1. */
int tsv_col(const tsv_table *t, const char *name);

/* Value at (row, col); NaN outside the table. */
double tsv_get(const tsv_table *t, size_t row, int col);

/* For command lines that take a run directory or a log file: if arg is a
 * directory, path gets "arg/<log_name>" and name the directory's base name
 * ("runs/catch-s1/" -> "catch-s1"); otherwise path gets arg and name its
 * base name without ".tsv" and then ".log" ("models/mnist28.log.tsv" ->
 * "mnist28"). Returns 0, or -1 if an argument is NULL/empty or a result
 * does not fit (path_cap, name_cap). */
int tsv_log_path(const char *arg, const char *log_name, char *path,
                 size_t path_cap, char *name, size_t name_cap);

/* Writing a log: appends line (one record, with its '\n') to path,
 * creating the file with header (the column names, with its '\n') first
 * when it is new or empty. Returns 0, or -1 with "PATH: cannot append:
 * REASON" in err. The one log writer of the apps (ram-mnist's and
 * ram-catch's log.tsv). */
int tsv_append(const char *path, const char *header, const char *line,
               char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* RAM_EXAMPLE_TSV_H */
