/* libram: status codes. */
#ifndef RAM_STATUS_H
#define RAM_STATUS_H

#include "ram/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes returned by every libram function that can fail.
 *
 * The values are pinned: a value, once released, keeps its meaning forever
 * and is never reused. New codes are only ever added at the end. On any
 * status other than RAM_OK, the call changed nothing: outputs, handle state
 * and parameters are as they were before the call.
 *
 * Functions return `int` rather than `ram_status` so that the ABI does not
 * depend on the size of an enum. */
typedef enum ram_status {
    RAM_OK = 0,            /**< Success. */
    RAM_E_INVALID = 1,     /**< A required pointer is NULL, or an argument is
                                malformed (unknown key, unknown flag bit,
                                mismatched sizes). */
    RAM_E_RANGE = 2,       /**< A numeric argument is outside its documented
                                bounds (zero or absurd sizes, a location
                                outside [-1,1], a label outside [0,A)). */
    RAM_E_NOMEM = 3,       /**< Memory allocation failed. */
    RAM_E_STATE = 4,       /**< Call out of order (step before begin, update
                                before any gradient, more steps than the
                                configured maximum, ...). */
    RAM_E_NONFINITE = 5,   /**< NaN or infinity in an input (pixels the
                                sensor reads, locations, rewards, parameters
                                being loaded). */
    RAM_E_FORMAT = 6,      /**< A model buffer or file is not a libram model
                                (bad magic) or is structurally corrupt. */
    RAM_E_VERSION = 7,     /**< A model buffer or file has a format version
                                newer than this library reads. */
    RAM_E_CHECKSUM = 8,    /**< A model buffer or file fails its checksum. */
    RAM_E_TRUNCATED = 9,   /**< A model buffer or file ends early. */
    RAM_E_IO = 10,         /**< A file could not be opened, read, written or
                                renamed (see errno). */
    RAM_E_BUFFER = 11,     /**< A caller-provided output buffer is too small;
                                the needed size was reported where the
                                function documents it. */
    RAM_E_UNSUPPORTED = 12 /**< A valid request that this build or this
                                handle's configuration does not support. */
} ram_status;

/** A short, static, human-readable description of a status code
 *  ("invalid argument", ...). Unknown values give "unknown status".
 *  Never NULL. Thread-safe. Since 0.1.0. */
RAM_API const char *ram_strerror(int status);

/** The enumerator name of a status code ("RAM_E_INVALID", ...), for logs and
 *  bindings. Unknown values give "RAM_E_UNKNOWN". Never NULL. Thread-safe.
 *  Since 0.1.0. */
RAM_API const char *ram_status_name(int status);

/** A human-readable detail of the last failure of a libram call made by the
 *  calling thread: the function, the argument or condition, and the reason,
 *  for example "ram_agent_step: RAM_E_BUFFER: images_size is 1024 bytes,
 *  the input needs 4096". Every libram function that returns a status other
 *  than RAM_OK sets it before returning. A successful call leaves it as it
 *  was (as errno does), so read it right after the failing call.
 *
 *  Never NULL: "" before the first failure in this thread. The string lives
 *  in thread-local storage owned by the library; it stays valid, unchanged,
 *  until the next failing libram call in the same thread. Thread-safe: each
 *  thread sees only its own failures. Since 0.2.0. */
RAM_API const char *ram_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* RAM_STATUS_H */
