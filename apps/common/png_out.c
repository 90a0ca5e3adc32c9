/* RGB canvas and PNG output. See png_out.h. */
#include "png_out.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

canvas *canvas_create(int w, int h)
{
    if (w < 1 || h < 1 || w > CANVAS_MAX_SIDE || h > CANVAS_MAX_SIDE)
        return NULL;
    canvas *c = malloc(sizeof *c);
    if (c == NULL)
        return NULL;
    c->px = calloc((size_t)w * (size_t)h, 3);
    if (c->px == NULL) {
        free(c);
        return NULL;
    }
    c->w = w;
    c->h = h;
    return c;
}

void canvas_free(canvas *c)
{
    if (c == NULL)
        return;
    free(c->px);
    free(c);
}

void canvas_fill(canvas *c, rgb8 col)
{
    if (c == NULL)
        return;
    size_t n = (size_t)c->w * (size_t)c->h;
    for (size_t i = 0; i < n; i++) {
        c->px[3 * i] = col.r;
        c->px[3 * i + 1] = col.g;
        c->px[3 * i + 2] = col.b;
    }
}

void canvas_set(canvas *c, int x, int y, rgb8 col)
{
    if (c == NULL || x < 0 || y < 0 || x >= c->w || y >= c->h)
        return;
    uint8_t *p = c->px + 3 * ((size_t)y * (size_t)c->w + (size_t)x);
    p[0] = col.r;
    p[1] = col.g;
    p[2] = col.b;
}

rgb8 canvas_get(const canvas *c, int x, int y)
{
    if (c == NULL || x < 0 || y < 0 || x >= c->w || y >= c->h)
        return RGB_BLACK;
    const uint8_t *p = c->px + 3 * ((size_t)y * (size_t)c->w + (size_t)x);
    return RGB8(p[0], p[1], p[2]);
}

int canvas_write_png(const canvas *c, const char *path, char *err,
                     size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (c == NULL || c->px == NULL || path == NULL || path[0] == '\0') {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "canvas_write_png: %s",
                     path == NULL || path[0] == '\0' ? "no path"
                                                     : "no canvas");
        return -1;
    }
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = (png_uint_32)c->w;
    img.height = (png_uint_32)c->h;
    img.format = PNG_FORMAT_RGB;
    if (!png_image_write_to_file(&img, path, 0, c->px,
                                 (png_int_32)(3 * c->w), NULL)) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s: cannot write PNG: %s", path,
                     img.message[0] ? img.message : "unknown libpng error");
        png_image_free(&img);
        return -2;
    }
    png_image_free(&img);
    return 0;
}
