/*
 * input.c - seeded sample inputs that look like the datasets the networks
 * were made for, already scaled to [0, 1] as the Brevitas models expect:
 * uint8 pixel values k divided by 255 (float32), like torchvision's ToTensor.
 */
#include <math.h>

#include "gen.h"

static float pixel(double v)
{
    int k = v <= 0.0 ? 0 : v >= 255.0 ? 255 : (int)v;
    /* like numpy's uint8 / 255 (float64) cast to float32 */
    return (float)((double)k / 255.0);
}

/* Squared distance from (x, y) to the segment (ax, ay)-(bx, by). */
static double seg_dist2(double x, double y, const double *s)
{
    double dx = s[2] - s[0], dy = s[3] - s[1];
    double len2 = dx * dx + dy * dy;
    double u = len2 > 0.0 ? ((x - s[0]) * dx + (y - s[1]) * dy) / len2 : 0.0;
    u = u < 0.0 ? 0.0 : u > 1.0 ? 1.0 : u;
    double px = s[0] + u * dx - x, py = s[1] + u * dy - y;
    return px * px + py * py;
}

/* A handwritten-looking digit: 2-4 thick strokes with soft edges, centred
 * in the 20x20 box MNIST uses, on a black background. */
finn_tensor *gen_input_mnist(uint64_t seed, finn_error *err)
{
    int64_t shape[4] = {1, 1, 28, 28};
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, 4, shape, err);
    if (!t)
        return NULL;
    gen_rng r;
    rng_seed(&r, seed ^ 0x4D4E495354ull);
    double seg[4][4];
    int n = 2 + (int)rng_below(&r, 3);
    double x = rng_range(&r, 8, 20), y = rng_range(&r, 6, 12);
    for (int i = 0; i < n; i++) { /* strokes chained like a pen path */
        seg[i][0] = x, seg[i][1] = y;
        x = rng_range(&r, 6, 22), y = rng_range(&r, 5, 23);
        seg[i][2] = x, seg[i][3] = y;
    }
    float *d = t->data;
    for (int py = 0; py < 28; py++)
        for (int px = 0; px < 28; px++) {
            double best = 1e9;
            for (int i = 0; i < n; i++) {
                double d2 = seg_dist2(px, py, seg[i]);
                best = d2 < best ? d2 : best;
            }
            double dist = sqrt(best);
            double v = dist <= 1.0 ? 255.0 : dist < 2.2 ? 255.0 * (2.2 - dist) / 1.2 : 0.0;
            d[py * 28 + px] = pixel(v);
        }
    return t;
}

/* A natural-looking colour image: a smooth background gradient, one
 * elliptic object of another colour, and sensor noise. */
finn_tensor *gen_input_cifar(uint64_t seed, finn_error *err)
{
    int64_t shape[4] = {1, 3, 32, 32};
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, 4, shape, err);
    if (!t)
        return NULL;
    gen_rng r;
    rng_seed(&r, seed ^ 0x4349464152ull);
    double bg[3], gx[3], gy[3], fg[3];
    for (int c = 0; c < 3; c++) {
        bg[c] = rng_range(&r, 40, 200);
        gx[c] = rng_range(&r, -2.0, 2.0);
        gy[c] = rng_range(&r, -2.0, 2.0);
        fg[c] = rng_range(&r, 0, 255);
    }
    double cx = rng_range(&r, 10, 22), cy = rng_range(&r, 10, 22);
    double rx = rng_range(&r, 5, 11), ry = rng_range(&r, 5, 11);
    float *d = t->data;
    for (int c = 0; c < 3; c++)
        for (int py = 0; py < 32; py++)
            for (int px = 0; px < 32; px++) {
                double ex = (px - cx) / rx, ey = (py - cy) / ry;
                double v = ex * ex + ey * ey <= 1.0
                               ? fg[c] + 20.0 * ey
                               : bg[c] + gx[c] * (px - 16) + gy[c] * (py - 16);
                v += rng_range(&r, -12.0, 12.0);
                d[(c * 32 + py) * 32 + px] = pixel(v);
            }
    return t;
}
