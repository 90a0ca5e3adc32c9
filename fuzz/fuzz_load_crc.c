/* Fuzz target: ram_agent_load() after the total size and the CRC-32 are
 * fixed up, so that mutations reach the parser's semantic checks (CONF,
 * TUNE, PARM, OPTM). A model that loads runs an inference and a training
 * episode with an update: a loaded model must never make a call return
 * RAM_OK with a NaN or infinite output. */
#include <stdint.h>

#include "fuzz.h"

#include <zlib.h>

static uint32_t crc32_ieee(const unsigned char *p, size_t n)
{
    return (uint32_t)crc32(0L, p, (uInt)n);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 28 || size > (1u << 24))
        return 0;
    unsigned char *m = malloc(size);
    if (!m)
        return 0;
    memcpy(m, data, size);
    memcpy(m, "RAMMODEL", 8);
    for (int i = 0; i < 8; i++)
        m[16 + i] = (unsigned char)((uint64_t)size >> (8 * i));
    uint32_t c = crc32_ieee(m, size - 4);
    for (int i = 0; i < 4; i++)
        m[size - 4 + i] = (unsigned char)(c >> (8 * i));
    for (unsigned flags = 0; flags < 2; flags++) {
        ram_agent *a;
        int rc = ram_agent_load(&a, m, size, flags);
        fuzz_status(rc);
        if (rc != RAM_OK)
            continue;
        /* Episodes on the small models only: a committed model of 1 to
         * 2.7 MB would take most of the time, on the same code. */
        if (size > (256u << 10)) {
            ram_agent_free(a);
            continue;
        }
        const float rewards[2] = {1.0f, -0.5f};
        fuzz_episode(a, data, size, 0, 2, NULL);
        if (!flags)
            fuzz_episode(a, data, size, 1, 2, rewards);
        ram_agent_free(a);
    }
    free(m);
    return 0;
}
