/* Fuzz target: ram_agent_load() on raw bytes (mostly stopped by the
 * checksum: see fuzz_load_crc.c for the semantic checks). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    for (unsigned flags = 0; flags < 2; flags++) {
        ram_agent *a = (ram_agent *)(void *)&flags;
        int rc = ram_agent_load(&a, data, size, flags);
        fuzz_status(rc);
        if (rc != RAM_OK) {
            FUZZ_ASSERT(a == NULL, "out not cleared");
            continue;
        }
        fuzz_episode(a, data, size, 0, 1, NULL);
        ram_agent_free(a);
    }
    return 0;
}
