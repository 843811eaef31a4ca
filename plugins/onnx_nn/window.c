/*
 * window.c - sliding-window geometry shared by Conv and the pooling ops:
 * kernel, strides, dilations, explicit pads or auto_pad, ceil_mode, and the
 * output size, following onnxruntime's PoolAttributes/ConvAttributes.
 */
#include "nn.h"

#include <string.h>

static int read_list(const nn_args *a, const char *name, int nsp, int64_t dflt, int64_t *v,
                     finn_error *err)
{
    const int64_t *av;
    size_t n = finn_node_attr_ints(a->n, name, &av);
    for (int i = 0; i < nsp; i++)
        v[i] = dflt;
    if (!av)
        return 0;
    if (n != (size_t)nsp)
        return finn_error_set(err, FINN_ERR_INVALID, "attribute %s has %zu values, expected %d",
                              name, n, nsp);
    memcpy(v, av, (size_t)nsp * sizeof *v);
    return 0;
}

/* SAME_UPPER / SAME_LOWER: output = ceil(in / stride), padding split so the
 * extra element goes at the end (UPPER) or the start (LOWER). */
static void same_pads(nn_window *w, int i, int lower)
{
    int64_t eff = (w->k[i] - 1) * w->d[i] + 1;
    w->out[i] = (w->in[i] + w->s[i] - 1) / w->s[i];
    int64_t total = (w->out[i] - 1) * w->s[i] + eff - w->in[i];
    if (total < 0)
        total = 0;
    w->pb[i] = lower ? (total + 1) / 2 : total / 2;
    w->pe[i] = total - w->pb[i];
}

/* Explicit pads: floor((in + pads - eff) / s) + 1; with ceil_mode the
 * division rounds up, but a window may not start inside the end padding. */
static int explicit_out(const nn_args *a, nn_window *w, int i, int ceil_mode, finn_error *err)
{
    (void)a;
    int64_t eff = (w->k[i] - 1) * w->d[i] + 1;
    int64_t span = w->in[i] + w->pb[i] + w->pe[i] - eff;
    if (span < 0)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "kernel extent %lld exceeds padded input size %lld",
                              (long long)eff,
                              (long long)(w->in[i] + w->pb[i] + w->pe[i]));
    if (ceil_mode) {
        w->out[i] = (span + w->s[i] - 1) / w->s[i] + 1;
        if ((w->out[i] - 1) * w->s[i] >= w->in[i] + w->pb[i])
            w->out[i]--;
    } else {
        w->out[i] = span / w->s[i] + 1;
    }
    return 0;
}

int nn_window_init(const nn_args *a, int nsp, const int64_t *in, const int64_t *kernel,
                   bool pool, nn_window *w, finn_error *err)
{
    int64_t k[2], s[2], d[2], p[4] = {0, 0, 0, 0};
    if (nsp < 1 || nsp > 2)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "%d spatial dims (only 1-D and 2-D are supported)", nsp);
    if (read_list(a, "kernel_shape", nsp, 0, k, err) || read_list(a, "strides", nsp, 1, s, err) ||
        read_list(a, "dilations", nsp, 1, d, err))
        return -1;
    const int64_t *pv;
    size_t np = finn_node_attr_ints(a->n, "pads", &pv);
    if (pv) {
        if (np != (size_t)(2 * nsp))
            return finn_error_set(err, FINN_ERR_INVALID, "pads has %zu values, expected %d",
                                  np, 2 * nsp);
        memcpy(p, pv, np * sizeof *p);
    }
    memset(w, 0, sizeof *w);
    w->nsp = nsp;
    int off = 2 - nsp; /* 1-D uses slot 1 */
    w->in[0] = w->k[0] = w->s[0] = w->d[0] = w->out[0] = 1;
    for (int i = 0; i < nsp; i++) {
        int j = i + off;
        w->in[j] = in[i];
        w->k[j] = finn_node_attr(a->n, "kernel_shape") ? k[i] : (kernel ? kernel[i] : 0);
        w->s[j] = s[i];
        w->d[j] = d[i];
        w->pb[j] = p[i];
        w->pe[j] = p[i + nsp];
        if (w->k[j] < 1 || w->s[j] < 1 || w->d[j] < 1 || w->pb[j] < 0 || w->pe[j] < 0)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "invalid kernel_shape/strides/dilations/pads "
                                  "(kernel %lld, stride %lld, dilation %lld, pads %lld/%lld)",
                                  (long long)w->k[j], (long long)w->s[j], (long long)w->d[j],
                                  (long long)w->pb[j], (long long)w->pe[j]);
    }
    const char *ap = finn_node_attr_s(a->n, "auto_pad", "NOTSET");
    int ceil_mode = pool ? (int)finn_node_attr_i(a->n, "ceil_mode", 0) : 0;
    for (int j = off; j < 2; j++) {
        if (!strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER")) {
            same_pads(w, j, !strcmp(ap, "SAME_LOWER"));
            continue;
        }
        if (!strcmp(ap, "VALID")) {
            w->pb[j] = w->pe[j] = 0;
        } else if (strcmp(ap, "NOTSET") != 0) {
            return finn_error_set(err, FINN_ERR_INVALID, "unknown auto_pad '%s'", ap);
        }
        if (explicit_out(a, w, j, ceil_mode, err))
            return -1;
    }
    return 0;
}
