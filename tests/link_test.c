/* libram: link test. Built by 'make check' three times against the public
 * headers only (-Iinclude, never lib/): as C99 and as C++11 against
 * lib/libram.so, and as C99 against lib/libram.a. It checks that the
 * umbrella header is enough and that the header and library versions agree. */
#include <ram/ram.h>

#include <stdio.h>
#include <string.h>

#ifndef LINK_TEST_KIND
#define LINK_TEST_KIND "shared"
#endif

int main(void)
{
    const char *v = ram_version_string();
    unsigned n = ram_version_number();

    if (n != (unsigned)RAM_VERSION_NUMBER) {
        fprintf(stderr, "link test: library version %u, headers %u\n", n,
                (unsigned)RAM_VERSION_NUMBER);
        return 1;
    }
    if (v == NULL || strcmp(v, RAM_VERSION_STRING) != 0) {
        fprintf(stderr, "link test: library version string '%s', headers '%s'\n",
                v ? v : "(null)", RAM_VERSION_STRING);
        return 1;
    }
    if (ram_strerror(0) == NULL) {
        fprintf(stderr, "link test: ram_strerror(0) is NULL\n");
        return 1;
    }
    printf("link test (%s, %s): libram %s OK\n",
#ifdef __cplusplus
           "C++",
#else
           "C",
#endif
           LINK_TEST_KIND, v);
    return 0;
}
