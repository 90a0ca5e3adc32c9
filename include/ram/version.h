/* libram: version of the headers. The Makefile reads the three numbers below. */
#ifndef RAM_VERSION_H
#define RAM_VERSION_H

#include "ram/common.h"

#define RAM_VERSION_MAJOR 0
#define RAM_VERSION_MINOR 2
#define RAM_VERSION_PATCH 0

#define RAM_VERSION_NUMBER \
    (RAM_VERSION_MAJOR * 10000 + RAM_VERSION_MINOR * 100 + RAM_VERSION_PATCH)

#define RAM_STR_(x) #x
#define RAM_XSTR_(x) RAM_STR_(x)
#define RAM_VERSION_STRING                                                     \
    RAM_XSTR_(RAM_VERSION_MAJOR) "." RAM_XSTR_(RAM_VERSION_MINOR) "."          \
        RAM_XSTR_(RAM_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif

/** Runtime version of the library, as RAM_VERSION_NUMBER of the library that
 *  was built (compare with RAM_VERSION_NUMBER to catch a header/library
 *  mismatch). Thread-safe. Since 0.1.0. */
RAM_API unsigned ram_version_number(void);

/** Runtime version string of the library, e.g. "0.1.0". Static storage,
 *  never NULL. Thread-safe. Since 0.1.0. */
RAM_API const char *ram_version_string(void);

#ifdef __cplusplus
}
#endif

#endif /* RAM_VERSION_H */
