/* libram: runtime version. */
#include "internal.h"

unsigned ram_version_number(void)
{
    return RAM_VERSION_NUMBER;
}

const char *ram_version_string(void)
{
    return RAM_VERSION_STRING;
}
