/* IDX file reader (the MNIST / Fashion-MNIST file format) and an MNIST
 * loader for the examples.
 *
 * An IDX file is: a big-endian int32 magic 0x0000TTNN (TT = data type,
 * NN = number of dimensions), NN big-endian int32 dimension sizes, then the
 * data in row-major order and nothing after it. Only type 0x08 (uint8) and
 * 1 to 3 dimensions are supported: 0x00000801 (labels, N) and 0x00000803
 * (images, N x rows x cols) are the MNIST ones.
 *
 * Files are read through zlib's gzopen/gzread, so gzipped (.gz) and plain
 * files are both accepted, whatever their names.
 *
 * Every function returns 0 on success or a negative IDX_E* code, and on
 * failure writes a one-line, human-readable message naming the file into
 * err[0..errlen) (err may be NULL or errlen 0 to skip). Nothing is global;
 * the functions are thread-safe for distinct outputs. */
#ifndef RAM_EXAMPLE_IDX_H
#define RAM_EXAMPLE_IDX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    IDX_OK = 0,
    IDX_E_ARG = -1,       /* NULL argument */
    IDX_E_OPEN = -2,      /* cannot open the file / file not found */
    IDX_E_READ = -3,      /* I/O or gzip (corrupt stream) error */
    IDX_E_HEADER = -4,    /* file ends inside the header */
    IDX_E_MAGIC = -5,     /* bad magic number (or wrong number of dims) */
    IDX_E_TYPE = -6,      /* data type byte is not 0x08 (uint8) */
    IDX_E_DIMS = -7,      /* a dimension is zero/negative, or too large */
    IDX_E_TRUNCATED = -8, /* fewer data bytes than the header declares */
    IDX_E_TRAILING = -9,  /* more data bytes than the header declares */
    IDX_E_NOMEM = -10,    /* out of memory */
    IDX_E_MISMATCH = -11, /* mnist_load: files disagree / not 28x28 */
    IDX_E_LABEL = -12     /* mnist_load: a label outside 0..9 */
};

/* Largest data size accepted (product of the dimensions): 2^31 bytes. */
#define IDX_MAX_BYTES ((size_t)1 << 31)

typedef struct idx_array {
    uint8_t *data;    /* size bytes, row-major; owned, free with idx_free */
    int ndim;         /* 1..3 */
    uint32_t dims[3]; /* dims[0..ndim) are the sizes; the rest are 0 */
    size_t size;      /* product of the dims = number of bytes in data */
} idx_array;

/* Reads the IDX file at path into *out (zeroed first; on failure *out is
 * left zeroed with nothing to free). */
int idx_load(const char *path, idx_array *out, char *err, size_t errlen);

/* Frees out->data and zeroes *out. NULL and zeroed arrays are fine. */
void idx_free(idx_array *a);

/* Short description of an IDX_E* code ("truncated data", ...). */
const char *idx_strerror(int status);

/* The MNIST images are MNIST_SIDE x MNIST_SIDE = MNIST_PIXELS bytes each. */
#define MNIST_SIDE 28
#define MNIST_PIXELS (MNIST_SIDE * MNIST_SIDE)

typedef struct mnist_data {
    idx_array train_images; /* n_train x 28 x 28 */
    idx_array train_labels; /* n_train, each 0..9 */
    idx_array test_images;  /* n_test x 28 x 28 */
    idx_array test_labels;  /* n_test, each 0..9 */
    size_t n_train;         /* 60000 for MNIST */
    size_t n_test;          /* 10000 for MNIST */
} mnist_data;

/* Loads the four standard files from dir:
 *   train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz
 *   t10k-images-idx3-ubyte.gz   t10k-labels-idx1-ubyte.gz
 * For each, the name without ".gz" is used when the .gz file does not exist.
 * Checks that images are N x 28 x 28, labels are N (same N per split) and
 * every label is 0..9. Works for MNIST and Fashion-MNIST. On failure *out
 * is zeroed with nothing to free. */
int mnist_load(const char *dir, mnist_data *out, char *err, size_t errlen);

/* Frees all four arrays and zeroes *out. NULL is fine. */
void mnist_free(mnist_data *d);

/* The MNIST directory to use: cli_dir (from --data DIR) if non-NULL and
 * non-empty, else $RAM_MNIST_DIR if set and non-empty, else "data/mnist".
 * Returns cli_dir, the getenv() string or a string literal: do not free. */
const char *mnist_default_dir(const char *cli_dir);

#ifdef __cplusplus
}
#endif

#endif /* RAM_EXAMPLE_IDX_H */
