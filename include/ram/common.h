/* libram: export macro and basic includes shared by every public header. */
#ifndef RAM_COMMON_H
#define RAM_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* RAM_API marks a public symbol. The library is built with
 * -fvisibility=hidden and -DRAM_BUILDING, so only RAM_API symbols are
 * exported (and lib/ram.map lists them). */
#if defined(_WIN32) && defined(RAM_BUILDING_DLL)
#define RAM_API __declspec(dllexport)
#elif defined(_WIN32) && defined(RAM_SHARED)
#define RAM_API __declspec(dllimport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define RAM_API __attribute__((visibility("default")))
#else
#define RAM_API
#endif

/** Largest width of any layer (input or output) of any network. */
#define RAM_MAX_UNITS 65536
/** Largest number of rows (batch x steps) one forward or backward call
 *  takes, and the largest batch. */
#define RAM_MAX_ROWS 16777216

#endif /* RAM_COMMON_H */
