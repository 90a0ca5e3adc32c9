/* libram: the glimpse sensor (retina). */
#ifndef RAM_SENSOR_H
#define RAM_SENSOR_H

#include "ram/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque glimpse sensor. Immutable after creation: a sensor may be used by
 *  several threads at once. Since 0.1.0. */
typedef struct ram_sensor ram_sensor;

/** Pixel formats the sensor reads. Values are pinned. */
typedef enum ram_pixel_format {
    RAM_PIXEL_U8 = 1,  /**< uint8_t; a value v reads as v / 255.0f. */
    RAM_PIXEL_F32 = 2  /**< float; read as is. Where read, each must be
                            finite with |x| <= RAM_PIXEL_F32_MAX. */
} ram_pixel_format;

/** Largest magnitude of an F32 pixel: 2^24 = 16777216 (every integer up to
 *  it is exact in a float). ram_sensor_glimpse(),
 *  ram_sensor_glimpse_scaled() and ram_agent_step() make the same check on the pixels that the patches read: NaN or infinity is
 *  RAM_E_NONFINITE, a finite value beyond this bound RAM_E_RANGE. The bound
 *  keeps every block sum of the coarse scales finite. Since 0.2.0. */
#define RAM_PIXEL_F32_MAX 16777216.0f

/** Bounds on the sensor's shape. */
#define RAM_SENSOR_MAX_PATCH 64     /**< largest patch width g */
#define RAM_SENSOR_MAX_SCALES 8     /**< largest number of scales k */
#define RAM_SENSOR_MAX_CHANNELS 64  /**< largest channel count C */
#define RAM_SENSOR_MAX_IMAGE 65536  /**< largest image width or height */

/** Create a sensor: a retina of `scales` (k) square patches centred on one
 *  location, the first `patch` x `patch` (g x g) pixels, each next one twice
 *  as wide (g * 2^i), each average-pooled down to g x g.
 *
 *  Geometry (exact; docs/design.md has the derivation). For an image of W x H
 *  pixels and a location (lx, ly) in [-1,1]^2, x being the column and (-1,-1)
 *  the top-left corner:
 *    cx = (lx + 1) * W / 2,   cy = (ly + 1) * H / 2   (pixel i spans [i,i+1))
 *    s_i = g * 2^i,   x0_i = floor(cx - s_i / 2 + 0.5),  y0_i likewise.
 *  Patch i covers columns x0_i .. x0_i + s_i - 1 and rows y0_i .. y0_i + s_i - 1.
 *  Output cell (u, v) of patch i is the mean of the 2^i x 2^i block of pixels
 *  starting at (x0_i + u*2^i, y0_i + v*2^i). Pixels outside the image read as
 *  0 and still count in the mean.
 *
 *  @param out       receives the new sensor; set to NULL on error.
 *  @param patch     g, 1 .. RAM_SENSOR_MAX_PATCH.
 *  @param scales    k, 1 .. RAM_SENSOR_MAX_SCALES, with g * 2^(k-1) <= 65536.
 *  @param channels  C, 1 .. RAM_SENSOR_MAX_CHANNELS.
 *  @return RAM_OK; RAM_E_INVALID (out NULL); RAM_E_RANGE (a size out of
 *          bounds); RAM_E_NOMEM.
 *  Since 0.1.0; sizes are size_t since 0.2.0. */
RAM_API int ram_sensor_create(ram_sensor **out, size_t patch, size_t scales,
                              size_t channels);

/** Free a sensor. NULL is a no-op. Since 0.1.0. */
RAM_API void ram_sensor_free(ram_sensor *sensor);

/** Floats the sensor writes per glimpse: k * C * g * g. Returns 0 for NULL.
 *  Since 0.1.0. */
RAM_API size_t ram_sensor_output_size(const ram_sensor *sensor);

/** Read the shape back: any output pointer may be NULL.
 *  @return RAM_OK or RAM_E_INVALID (sensor NULL). Since 0.1.0; size_t
 *  outputs since 0.2.0. */
RAM_API int ram_sensor_shape(const ram_sensor *sensor, size_t *patch,
                             size_t *scales, size_t *channels);

/** Take one glimpse per image of a batch.
 *
 *  Image b starts at (const char *)images + b * image_stride. Its pixel
 *  (x, y), channel c, is the element at byte offset y * row_stride +
 *  (x * C + c) * sizeof(element): channels are interleaved (HWC).
 *
 *  The output for image b is out[b * R .. (b+1) * R - 1] with
 *  R = ram_sensor_output_size(); element ((i * C + c) * g + v) * g + u is
 *  cell (u, v) (u the column) of patch i, channel c.
 *
 *  @param batch         number of images, 1 .. RAM_MAX_ROWS.
 *  @param images        the first image.
 *  @param format        a ram_pixel_format.
 *  @param width         1 .. RAM_SENSOR_MAX_IMAGE.
 *  @param height        1 .. RAM_SENSOR_MAX_IMAGE.
 *  @param row_stride    bytes between rows, >= width * C * element size,
 *                       a multiple of the element size.
 *  @param image_stride  bytes between images (ignored when batch is 1),
 *                       >= height * row_stride, a multiple of the element
 *                       size.
 *  @param loc           batch pairs (x, y), each finite and in [-1, 1].
 *  @param out           batch * R floats.
 *  @return RAM_OK; RAM_E_INVALID (NULL pointer, unknown format, a stride
 *          too small or not a multiple of the element size, F32 images
 *          not aligned for float); RAM_E_RANGE (sizes or batch out of
 *          bounds, strides whose products overflow ptrdiff_t, location
 *          outside [-1,1], an F32 pixel that a patch covers beyond
 *          +-RAM_PIXEL_F32_MAX);
 *          RAM_E_NONFINITE (NaN/Inf in loc, or in an F32 pixel that a
 *          patch covers). On error `out` is unchanged.
 *  Never allocates. Thread-safe for one sensor shared by several threads.
 *  Since 0.1.0. */
RAM_API int ram_sensor_glimpse(const ram_sensor *sensor, size_t batch,
                               const void *images, int format, size_t width,
                               size_t height, size_t row_stride,
                               size_t image_stride, const float *loc,
                               float *out);

/** The pixel rectangle that patch `scale` covers for one location, for
 *  drawing: columns x0 .. x0 + size - 1, rows y0 .. y0 + size - 1 (may
 *  extend beyond the image, so x0 and y0 may be negative).
 *  @param sensor  the sensor.
 *  @param width   image width, 1 .. RAM_SENSOR_MAX_IMAGE.
 *  @param height  image height, 1 .. RAM_SENSOR_MAX_IMAGE.
 *  @param loc     the location (x, y), finite and in [-1, 1].
 *  @param scale   the patch, 0 .. k - 1.
 *  @param x0      output: first column (not NULL).
 *  @param y0      output: first row (not NULL).
 *  @param size    output: the patch's width and height in pixels (not NULL).
 *  @return RAM_OK; RAM_E_INVALID (a NULL pointer); RAM_E_RANGE (width,
 *          height or scale out of bounds, loc outside [-1, 1]);
 *          RAM_E_NONFINITE (NaN/Inf in loc). On error the outputs are
 *          unchanged.
 *  Since 0.1.0; size_t and ptrdiff_t arguments since 0.2.0. */
RAM_API int ram_sensor_patch_rect(const ram_sensor *sensor, size_t width,
                                  size_t height, const float loc[2],
                                  size_t scale, ptrdiff_t *x0, ptrdiff_t *y0,
                                  size_t *size);

/* ------------------------------------------------- scaled retina (0.2.0) */

/** Bounds on the retina scale factor of ram_sensor_glimpse_scaled() (not to
 *  be confused with k, the number of patches): 0.25 .. 4, both included. */
#define RAM_SENSOR_SCALE_MIN 0.25f
#define RAM_SENSOR_SCALE_MAX 4.0f

/** Flag of ram_sensor_glimpse_scaled(): centre the patches exactly on the
 *  location instead of on the fixed sensor's pixel grid, so that the output
 *  is a continuous function of the location as well as of the scale (and no
 *  longer equals ram_sensor_glimpse()'s at scale 1). */
#define RAM_SENSOR_CONTINUOUS 1u

/** Take one glimpse per image of a batch through a retina scaled by a
 *  non-integer factor per image: the same as ram_sensor_glimpse() (same
 *  images, strides, formats, output layout and checks) except that patch i
 *  of image b is scale[b] times as wide.
 *
 *  Geometry (exact; docs/design.md has the derivation). With s = scale[b],
 *  patch i is the square of side S_i = g * s * 2^i pixels centred on
 *    (mx_i, my_i) = (x0_i + g 2^i / 2, y0_i + g 2^i / 2), with x0_i, y0_i
 *  the fixed sensor's corners (ram_sensor_create), i.e. the centre of the
 *  fixed sensor's patch i; or, with flags RAM_SENSOR_CONTINUOUS, on
 *    (cx, cy) = ((lx + 1) W / 2, (ly + 1) H / 2).
 *  Its corner is X_i = mx_i - S_i / 2 (Y_i likewise) and each of its g x g
 *  cells is a square of side q_i = s * 2^i: cell (u, v) is
 *  [X_i + u q_i, X_i + (u+1) q_i) x [Y_i + v q_i, Y_i + (v+1) q_i). Its value
 *  is the area-weighted mean of the image over that square, pixel (x, y)
 *  being the unit square [x, x+1) x [y, y+1) and reading as 0 outside the
 *  image (it still counts): the sum of pixel * (overlap area) over q_i^2.
 *  At s = 1 (flags 0) this is ram_sensor_glimpse()'s output: bit for bit
 *  for RAM_PIXEL_U8, within float rounding for RAM_PIXEL_F32 (sums here are
 *  in double). The output is continuous in s (and, with
 *  RAM_SENSOR_CONTINUOUS, in loc); without the flag it is piecewise constant
 *  in loc exactly where ram_sensor_glimpse()'s is.
 *
 *  @param sensor        the sensor (g, k, C).
 *  @param batch         number of images, 1 .. RAM_MAX_ROWS.
 *  @param images        the first image (layout: ram_sensor_glimpse()).
 *  @param format        a ram_pixel_format.
 *  @param width         1 .. RAM_SENSOR_MAX_IMAGE.
 *  @param height        1 .. RAM_SENSOR_MAX_IMAGE.
 *  @param row_stride    as for ram_sensor_glimpse().
 *  @param image_stride  as for ram_sensor_glimpse() (ignored at batch 1).
 *  @param loc           batch pairs (x, y), each finite and in [-1, 1].
 *  @param scale         batch factors, each finite and in
 *                       [RAM_SENSOR_SCALE_MIN, RAM_SENSOR_SCALE_MAX].
 *  @param flags         0 or RAM_SENSOR_CONTINUOUS.
 *  @param out           batch * ram_sensor_output_size() floats.
 *  @return RAM_OK; RAM_E_INVALID (a NULL pointer, unknown flags, or as for
 *          ram_sensor_glimpse()); RAM_E_RANGE (a scale outside its bounds,
 *          or as for ram_sensor_glimpse(), an F32 pixel that a patch covers
 *          beyond +-RAM_PIXEL_F32_MAX included); RAM_E_NONFINITE (NaN/Inf
 *          in loc or scale, or in an F32 pixel that a patch covers). On
 *          error `out` is unchanged.
 *  Never allocates. Thread-safe for one sensor shared by several threads.
 *  Since 0.2.0. */
RAM_API int ram_sensor_glimpse_scaled(const ram_sensor *sensor, size_t batch,
                                      const void *images, int format,
                                      size_t width, size_t height,
                                      size_t row_stride, size_t image_stride,
                                      const float *loc, const float *scale,
                                      unsigned flags, float *out);

/** The square that patch `patch` of ram_sensor_glimpse_scaled() covers for
 *  one location and scale, for drawing: [x0, x0 + size) x [y0, y0 + size)
 *  in pixel coordinates (pixel (x, y) is [x, x+1) x [y, y+1)); it may extend
 *  beyond the image.
 *  @param sensor  the sensor.
 *  @param width   image width, 1 .. RAM_SENSOR_MAX_IMAGE.
 *  @param height  image height, 1 .. RAM_SENSOR_MAX_IMAGE.
 *  @param loc     the location (x, y), finite and in [-1, 1].
 *  @param scale   the factor, finite and in [RAM_SENSOR_SCALE_MIN,
 *                 RAM_SENSOR_SCALE_MAX].
 *  @param flags   0 or RAM_SENSOR_CONTINUOUS.
 *  @param patch   the patch, 0 .. k - 1.
 *  @param x0      output: left edge (not NULL).
 *  @param y0      output: top edge (not NULL).
 *  @param size    output: the side, g * scale * 2^patch (not NULL).
 *  @return RAM_OK; RAM_E_INVALID (a NULL pointer, unknown flags);
 *          RAM_E_RANGE (width, height, patch, loc or scale out of bounds);
 *          RAM_E_NONFINITE (NaN/Inf in loc or scale). On error the outputs
 *          are unchanged.
 *  Since 0.2.0. */
RAM_API int ram_sensor_patch_rect_scaled(const ram_sensor *sensor,
                                         size_t width, size_t height,
                                         const float loc[2], float scale,
                                         unsigned flags, size_t patch,
                                         double *x0, double *y0, double *size);

#ifdef __cplusplus
}
#endif

#endif /* RAM_SENSOR_H */
