/*
 * resize.c - Resize (opset 10: X, scales; opset 11+: X, roi, scales, sizes)
 * and Upsample (opset 7: scales attribute; 9: scales input), following
 * onnxruntime's CPU kernel: coordinates in float32, output dims
 * trunc(scale * in), scales from sizes as out / in.
 *
 *   mode nearest: any rank; coordinate_transformation_mode half_pixel,
 *     asymmetric, align_corners, pytorch_half_pixel, tf_half_pixel_for_nn;
 *     nearest_mode round_prefer_floor, round_prefer_ceil, floor, ceil.
 *     Before opset 11 (and Upsample): asymmetric with the "simple" rule
 *     (truncate when upsampling, ceil when downsampling).
 *   mode linear: bilinear over the last two dims of a 2-D or 4-D input
 *     (outer scales 1), float32 only.
 * Not supported: cubic, tf_crop_and_resize, antialias, the axes attribute.
 */
#include "nn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum { CT_HALF_PIXEL, CT_ASYMMETRIC, CT_ALIGN_CORNERS, CT_PYTORCH, CT_TF_NN } coord_mode;
typedef enum { NM_SIMPLE, NM_ROUND_FLOOR, NM_ROUND_CEIL, NM_FLOOR, NM_CEIL } nearest_mode;

typedef struct rs_plan {
    int ndim;
    bool linear;
    coord_mode coord;
    nearest_mode nearest;
    float scale[FINN_MAX_DIMS];
    int64_t in[FINN_MAX_DIMS], out[FINN_MAX_DIMS];
} rs_plan;

static int pick(const char *what, const char *v, const char *const *names, int count, int *out,
                finn_error *err)
{
    for (int i = 0; i < count; i++)
        if (!strcmp(v, names[i])) {
            *out = i;
            return 0;
        }
    return finn_error_set(err, FINN_ERR_UNSUPPORTED, "%s '%s' is not supported", what, v);
}

/* Mode, coordinate and rounding attributes. */
static int rs_modes(const nn_args *a, bool legacy, rs_plan *p, finn_error *err)
{
    static const char *const modes[] = {"nearest", "linear", "bilinear"};
    static const char *const coords[] = {"half_pixel", "asymmetric", "align_corners",
                                         "pytorch_half_pixel", "tf_half_pixel_for_nn"};
    static const char *const rounds[] = {"", "round_prefer_floor", "round_prefer_ceil", "floor",
                                         "ceil"};
    int mode = 0, coord = CT_ASYMMETRIC, nearest = NM_SIMPLE;
    if (pick("mode", finn_node_attr_s(a->n, "mode", "nearest"), modes, 3, &mode, err))
        return -1;
    if (!legacy &&
        (pick("coordinate_transformation_mode",
              finn_node_attr_s(a->n, "coordinate_transformation_mode", "half_pixel"), coords, 5,
              &coord, err) ||
         pick("nearest_mode", finn_node_attr_s(a->n, "nearest_mode", "round_prefer_floor"),
              rounds, 5, &nearest, err)))
        return -1;
    if (finn_node_attr_i(a->n, "antialias", 0) || finn_node_attr(a->n, "axes"))
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "antialias and axes are not supported");
    p->linear = mode != 0;
    p->coord = (coord_mode)coord;
    p->nearest = (nearest_mode)nearest;
    return 0;
}

static int read_floats(const nn_args *a, size_t k, float *v, size_t max, size_t *count,
                       finn_error *err)
{
    if (nn_need_data(a, k, "scales", err))
        return -1;
    const finn_tensor *t = a->in[k].t;
    *count = finn_tensor_numel(t);
    if (*count > max)
        return finn_error_set(err, FINN_ERR_INVALID, "too many scales");
    for (size_t i = 0; i < *count; i++)
        v[i] = (float)finn_tensor_get(t, i);
    return 0;
}

/* Scales (attribute, or input scales_k) or sizes (input sizes_k). */
static int rs_dims(const nn_args *a, size_t scales_k, size_t sizes_k, rs_plan *p,
                   finn_error *err)
{
    size_t ns = 0;
    const float *av;
    size_t na = finn_node_attr_floats(a->n, "scales", &av);
    p->ndim = a->in[0].ndim;
    memcpy(p->in, a->in[0].shape, sizeof p->in);
    if (av) {
        ns = na;
        memcpy(p->scale, av, na <= FINN_MAX_DIMS ? na * sizeof *av : 0);
    } else if (nn_has(a, scales_k) && read_floats(a, scales_k, p->scale, FINN_MAX_DIMS, &ns, err)) {
        return -1;
    }
    if (ns == 0 && sizes_k && nn_has(a, sizes_k)) {
        int64_t sz[FINN_MAX_DIMS];
        if (nn_need_data(a, sizes_k, "sizes", err) ||
            nn_tensor_ints(a->in[sizes_k].t, sz, FINN_MAX_DIMS, &ns, "sizes", err))
            return -1;
        if (ns != (size_t)p->ndim)
            return finn_error_set(err, FINN_ERR_INVALID, "%zu sizes for rank %d", ns,
                                  p->ndim);
        for (int i = 0; i < p->ndim; i++) {
            p->out[i] = sz[i];
            p->scale[i] = p->in[i] ? (float)sz[i] / (float)p->in[i] : 1.0f;
        }
        return 0;
    }
    if (ns != (size_t)p->ndim)
        return finn_error_set(err, FINN_ERR_INVALID, "%zu scales for rank %d (or no sizes)",
                              ns, p->ndim);
    for (int i = 0; i < p->ndim; i++) {
        if (!(p->scale[i] > 0))
            return finn_error_set(err, FINN_ERR_INVALID, "scale %g is not positive",
                                  p->scale[i]);
        p->out[i] = (int64_t)(p->scale[i] * (float)p->in[i]);
    }
    return 0;
}

static int rs_check_linear(const nn_args *a, const rs_plan *p, finn_error *err)
{
    (void)a;
    if (!p->linear)
        return 0;
    bool ok = p->ndim == 2 || (p->ndim == 4 && p->scale[0] == 1.0f && p->scale[1] == 1.0f);
    if (!ok)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "linear mode needs a 2-D input or a 4-D input with outer "
                              "scales 1");
    return 0;
}

static int resize_plan(const nn_args *a, rs_plan *p, finn_error *err)
{
    bool legacy = a->opset < 11;
    if (nn_need_shape(a, 0, err) || rs_modes(a, legacy, p, err))
        return -1;
    if (legacy ? rs_dims(a, 1, 0, p, err) : rs_dims(a, 2, 3, p, err))
        return -1;
    return rs_check_linear(a, p, err);
}

static int upsample_plan(const nn_args *a, rs_plan *p, finn_error *err)
{
    if (nn_need_shape(a, 0, err) || rs_modes(a, true, p, err) || rs_dims(a, 1, 0, p, err))
        return -1;
    return rs_check_linear(a, p, err);
}

static void rs_out(const nn_args *a, const rs_plan *p, nn_out *out)
{
    out[0].elem = a->in[0].elem;
    out[0].ndim = p->ndim;
    memcpy(out[0].shape, p->out, sizeof p->out);
}

/* Output coordinate -> input coordinate, in float as onnxruntime does. */
static float original_coord(const rs_plan *p, int d, int64_t o)
{
    float x = (float)o, s = p->scale[d], lr = (float)p->out[d], lo = (float)p->in[d];
    switch (p->coord) {
    case CT_ASYMMETRIC:
        return x / s;
    case CT_ALIGN_CORNERS:
        return lr == 1.0f ? 0.0f : x * (lo - 1.0f) / (lr - 1.0f);
    case CT_PYTORCH:
        return lr > 1.0f ? (x + 0.5f) / s - 0.5f : 0.0f;
    case CT_TF_NN:
        return (x + 0.5f) / s;
    default:
        return (x + 0.5f) / s - 0.5f;
    }
}

static int64_t nearest_index(const rs_plan *p, int d, int64_t o)
{
    float x = original_coord(p, d, o);
    int64_t i;
    switch (p->nearest) {
    case NM_SIMPLE:
        i = p->scale[d] < 1.0f ? (int64_t)ceilf(x) : (int64_t)x;
        break;
    case NM_ROUND_CEIL:
        i = (int64_t)roundf(x);
        break;
    case NM_FLOOR:
        i = (int64_t)floorf(x);
        break;
    case NM_CEIL:
        i = (int64_t)ceilf(x);
        break;
    default: /* round half down */
        i = x == (float)(int64_t)x + 0.5f ? (int64_t)floorf(x) : (int64_t)roundf(x);
        break;
    }
    return i < 0 ? 0 : (i >= p->in[d] ? p->in[d] - 1 : i);
}

static int nearest_exec(const nn_args *a, const rs_plan *p, finn_tensor *y, finn_error *err)
{
    const finn_tensor *x = a->in[0].t;
    size_t total = 0, es = finn_elem_size(x->type), n = finn_tensor_numel(y);
    for (int d = 0; d < p->ndim; d++)
        total += (size_t)p->out[d];
    int64_t *buf = nn_alloc(total, sizeof *buf, err), *map[FINN_MAX_DIMS];
    int64_t xs[FINN_MAX_DIMS], idx[FINN_MAX_DIMS] = {0};
    if (!buf)
        return -1;
    nn_strides(x->ndim, x->shape, xs);
    size_t at = 0;
    for (int d = 0; d < p->ndim; at += (size_t)p->out[d], d++) {
        map[d] = buf + at;
        for (int64_t o = 0; o < p->out[d]; o++)
            map[d][o] = nearest_index(p, d, o) * xs[d];
    }
    const char *src = x->data;
    char *dst = y->data;
    for (size_t o = 0; o < n; o++) {
        int64_t off = 0;
        for (int d = 0; d < p->ndim; d++)
            off += map[d][idx[d]];
        memcpy(dst + o * es, src + (size_t)off * es, es);
        for (int d = p->ndim - 1; d >= 0 && ++idx[d] == p->out[d]; d--)
            idx[d] = 0;
    }
    free(buf);
    return 0;
}

/* Neighbours and weights along one axis, as onnxruntime's bilinear kernel:
 * x clamped to [0, in-1]; w1 weighs i1, w2 weighs i2; equal neighbours
 * get 0.5 each. */
static void linear_axis(const rs_plan *p, int d, int64_t o, int64_t *i1, int64_t *i2, float *w1,
                        float *w2)
{
    float x = original_coord(p, d, o), hi = (float)(p->in[d] - 1);
    x = x < 0.0f ? 0.0f : (x > hi ? hi : x);
    *i1 = (int64_t)x < p->in[d] - 1 ? (int64_t)x : p->in[d] - 1;
    *i2 = *i1 + 1 < p->in[d] - 1 ? *i1 + 1 : p->in[d] - 1;
    float d1 = fabsf(x - (float)*i1), d2 = fabsf(x - (float)*i2);
    if (*i1 == *i2)
        d1 = d2 = 0.5f;
    *w1 = d2;
    *w2 = d1;
}

static int linear_exec(const nn_args *a, const rs_plan *p, finn_tensor *y, finn_error *err)
{
    finn_tensor *tmp = NULL;
    const float *x = nn_floats(a->in[0].t, &tmp, err);
    if (!x)
        return -1;
    int hd = p->ndim - 2, wd = p->ndim - 1;
    int64_t H = p->in[hd], W = p->in[wd], OH = p->out[hd], OW = p->out[wd];
    size_t planes = p->ndim == 4 ? (size_t)(p->in[0] * p->in[1]) : 1;
    float *out = y->type == FINN_ELEM_FLOAT ? (float *)y->data
                                            : nn_alloc(finn_tensor_numel(y), sizeof *out, err);
    if (!out) {
        finn_tensor_free(tmp);
        return -1;
    }
    size_t o = 0;
    for (size_t pl = 0; pl < planes; pl++) {
        const float *xp = x + pl * (size_t)(H * W);
        for (int64_t oy = 0; oy < OH; oy++) {
            int64_t y1, y2;
            float wy1, wy2;
            linear_axis(p, hd, oy, &y1, &y2, &wy1, &wy2);
            for (int64_t ox = 0; ox < OW; ox++, o++) {
                int64_t x1, x2;
                float wx1, wx2;
                linear_axis(p, wd, ox, &x1, &x2, &wx1, &wx2);
                out[o] = wx1 * wy1 * xp[y1 * W + x1] + wx2 * wy1 * xp[y1 * W + x2] +
                         wx1 * wy2 * xp[y2 * W + x1] + wx2 * wy2 * xp[y2 * W + x2];
            }
        }
    }
    if ((void *)out != y->data) {
        nn_store_floats(y, out);
        free(out);
    }
    finn_tensor_free(tmp);
    return 0;
}

static int resize_shape(const nn_args *a, nn_out *out, finn_error *err)
{
    rs_plan p;
    if (resize_plan(a, &p, err))
        return -1;
    rs_out(a, &p, out);
    return 0;
}

static int resize_exec(const nn_args *a, finn_tensor **outs, finn_error *err)
{
    rs_plan p;
    if (resize_plan(a, &p, err))
        return -1;
    return p.linear ? linear_exec(a, &p, outs[0], err) : nearest_exec(a, &p, outs[0], err);
}

static int upsample_shape(const nn_args *a, nn_out *out, finn_error *err)
{
    rs_plan p;
    if (upsample_plan(a, &p, err))
        return -1;
    rs_out(a, &p, out);
    return 0;
}

static int upsample_exec(const nn_args *a, finn_tensor **outs, finn_error *err)
{
    rs_plan p;
    if (upsample_plan(a, &p, err))
        return -1;
    return p.linear ? linear_exec(a, &p, outs[0], err) : nearest_exec(a, &p, outs[0], err);
}

NN_OP(resize, resize_shape, resize_exec)
NN_OP(upsample, upsample_shape, upsample_exec)
