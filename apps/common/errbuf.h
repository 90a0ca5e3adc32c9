/* Error messages of the example helpers: format into a caller's buffer. */
#ifndef RAM_EXAMPLES_ERRBUF_H
#define RAM_EXAMPLES_ERRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* printf-style message into err (if err and errlen > 0); returns -1, so
 * that a failing function can end with `return errbuf_fail(...)`. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static inline int errbuf_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

#endif /* RAM_EXAMPLES_ERRBUF_H */
