/* libram: CRC-32 for the model format. The library core depends on CBLAS and
 * libm only, so it cannot use zlib's crc32(); the tests check this one
 * against zlib's. */
#include "internal.h"

uint32_t ram__crc32(uint32_t crc, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    crc = ~crc;
    while (len--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (UINT32_C(0xedb88320) & (0u - (crc & 1u)));
    }
    return ~crc;
}
