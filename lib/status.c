/* libram: status codes and the last-error detail. */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

/* The detail of the calling thread's last failure (ram_last_error()).
 * Thread-local, so it is not shared mutable state. */
static _Thread_local char last_error[RAM__LAST_ERROR_MAX];

int ram__fail(int status, const char *func, const char *fmt, ...)
{
    int n = snprintf(last_error, sizeof last_error, "%s: %s: ",
                     func ? func : "libram", ram_status_name(status));
    if (n < 0)
        n = 0;
    if (fmt != NULL && (size_t)n < sizeof last_error) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(last_error + n, sizeof last_error - (size_t)n, fmt, ap);
        va_end(ap);
    } else if ((size_t)n < sizeof last_error && n >= 2) {
        last_error[n - 2] = '\0'; /* no detail: drop the ": " */
    }
    return status;
}

const char *ram_last_error(void)
{
    return last_error;
}

const char *ram_strerror(int status)
{
    switch (status) {
    case RAM_OK: return "success";
    case RAM_E_INVALID: return "invalid argument";
    case RAM_E_RANGE: return "argument out of range";
    case RAM_E_NOMEM: return "out of memory";
    case RAM_E_STATE: return "call out of order";
    case RAM_E_NONFINITE: return "NaN or infinity in input";
    case RAM_E_FORMAT: return "not a libram model, or corrupt";
    case RAM_E_VERSION: return "model format newer than this library";
    case RAM_E_CHECKSUM: return "model checksum mismatch";
    case RAM_E_TRUNCATED: return "model data truncated";
    case RAM_E_IO: return "input/output error";
    case RAM_E_BUFFER: return "output buffer too small";
    case RAM_E_UNSUPPORTED: return "not supported by this agent or build";
    default: return "unknown status";
    }
}

const char *ram_status_name(int status)
{
    switch (status) {
    case RAM_OK: return "RAM_OK";
    case RAM_E_INVALID: return "RAM_E_INVALID";
    case RAM_E_RANGE: return "RAM_E_RANGE";
    case RAM_E_NOMEM: return "RAM_E_NOMEM";
    case RAM_E_STATE: return "RAM_E_STATE";
    case RAM_E_NONFINITE: return "RAM_E_NONFINITE";
    case RAM_E_FORMAT: return "RAM_E_FORMAT";
    case RAM_E_VERSION: return "RAM_E_VERSION";
    case RAM_E_CHECKSUM: return "RAM_E_CHECKSUM";
    case RAM_E_TRUNCATED: return "RAM_E_TRUNCATED";
    case RAM_E_IO: return "RAM_E_IO";
    case RAM_E_BUFFER: return "RAM_E_BUFFER";
    case RAM_E_UNSUPPORTED: return "RAM_E_UNSUPPORTED";
    default: return "RAM_E_UNKNOWN";
    }
}
