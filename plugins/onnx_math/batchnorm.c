/*
 * batchnorm.c - BatchNormalization in inference mode:
 * y = (x - mean) / sqrt(var + epsilon) * scale + B per channel (axis 1).
 *
 * Formula order follows onnxruntime's CPU kernel, each step rounded to
 * float32 (double for float64 tensors):
 *     inv_std   = 1 / sqrt(var + epsilon)
 *     new_scale = inv_std * scale
 *     new_bias  = B - mean * new_scale
 *     y         = x * new_scale + new_bias
 * training_mode=1 (opset 14+) and spatial=0 (opset 7-8) are not supported.
 */
#include "onnx_math.h"

#include <math.h>

int om_shape_batchnorm(finn_model *m, finn_node *n, finn_error *err)
{
    return om_shape_same(m, n, err);
}

static int check_params(const finn_tensor *const *p, int64_t C, finn_error *err)
{
    static const char *names[4] = {"scale", "B", "mean", "var"};
    for (int k = 0; k < 4; k++)
        if ((int64_t)finn_tensor_numel(p[k]) != C)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "BatchNormalization %s has %zu elements, expected C=%lld",
                                  names[k], finn_tensor_numel(p[k]), (long long)C);
    return 0;
}

/* Per-channel scale and bias in float32 (or double) arithmetic. */
static void channel_coeffs(const finn_tensor *const *p, size_t c, float eps, bool dbl,
                           double *scale, double *bias)
{
    double s = finn_tensor_get(p[0], c), b = finn_tensor_get(p[1], c);
    double mean = finn_tensor_get(p[2], c), var = finn_tensor_get(p[3], c);
    if (dbl) {
        double inv = 1.0 / sqrt(var + (double)eps);
        *scale = inv * s;
        *bias = b - mean * *scale;
        return;
    }
    float inv = 1.0f / sqrtf((float)var + eps);
    float ns = inv * (float)s;
    *scale = ns;
    *bias = (float)b - (float)mean * ns;
}

int om_exec_batchnorm(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                      finn_error *err)
{
    (void)m;
    const finn_tensor *x = om_need_input(ctx, n, 0, err), *p[4];
    if (!x)
        return -1;
    for (size_t k = 0; k < 4; k++)
        if (!(p[k] = om_need_input(ctx, n, k + 1, err)))
            return -1;
    if (finn_node_attr_i(n, "training_mode", 0) || !finn_node_attr_i(n, "spatial", 1))
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "BatchNormalization: only inference mode with spatial=1");
    if (!om_is_float(x->type) || x->ndim < 2)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "BatchNormalization needs a float input of rank >= 2");
    int64_t C = x->shape[1];
    if (check_params(p, C, err))
        return -1;
    finn_tensor *y = finn_tensor_new(x->type, x->ndim, x->shape, err);
    if (!y)
        return -1;
    float eps = finn_node_attr_f(n, "epsilon", 1e-5f);
    bool dbl = x->type == FINN_ELEM_DOUBLE;
    size_t inner = finn_shape_numel(x->ndim - 2, x->shape + 2), outer = (size_t)x->shape[0];
    for (size_t c = 0; c < (size_t)C; c++) {
        double s, b;
        channel_coeffs(p, c, eps, dbl, &s, &b);
        if (x->type == FINN_ELEM_FLOAT) { /* the common case, without per-element dispatch */
            const float fs = (float)s, fb = (float)b;
            for (size_t o = 0; o < outer; o++) {
                const float *xv = (const float *)x->data + (o * (size_t)C + c) * inner;
                float *yv = (float *)y->data + (o * (size_t)C + c) * inner;
                for (size_t i = 0; i < inner; i++)
                    yv[i] = xv[i] * fs + fb;
            }
            continue;
        }
        for (size_t o = 0; o < outer; o++)
            for (size_t i = 0; i < inner; i++) {
                size_t at = (o * (size_t)C + c) * inner + i;
                double v = finn_tensor_get(x, at);
                /* float: product and sum each rounded to float32 */
                finn_tensor_set(y, at, dbl ? v * s + b : (double)((float)((float)v * (float)s) + (float)b));
            }
    }
    return om_set_output(ctx, n, 0, y, err);
}
