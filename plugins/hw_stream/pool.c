/*
 * pool.c - StreamingMaxPool (ONNX MaxPool with kernel = stride = PoolDim,
 * no padding, optional ceil mode) and Pool (max or quantized average over
 * the kernel positions of an im2col'ed input).  finn-frontend.md 8.4 and
 * 10; finn-backend.md 7 and 10.
 */
#include "hws.h"

#include <math.h>
#include <string.h>

/* ---- StreamingMaxPool --------------------------------------------------- */

typedef struct smp_params {
    int64_t img[2], k[2], c, pe;
    int ceil_mode;
    /* FINN's 1-D normalisation: a unit W axis is swapped to the front */
    int64_t nimg[2], nk[2];
    int is1d;
} smp_params;

static int smp_params_get(const finn_node *n, smp_params *p, finn_error *err)
{
    if (hs_req_ints(n, "ImgDim", 2, p->img, NULL, err) ||
        hs_req_ints(n, "PoolDim", 2, p->k, NULL, err) || hs_req_i(n, "NumChannels", &p->c, err))
        return -1;
    if (p->k[0] < 1 || p->k[1] < 1)
        return hs_fail(err, n, FINN_ERR_INVALID, "PoolDim must be positive");
    p->pe = finn_node_attr_i(n, "PE", 0);
    p->ceil_mode = finn_node_attr_i(n, "CeilMode", 0) != 0;
    int swap = p->img[1] == 1;
    for (int i = 0; i < 2; i++) {
        p->nimg[i] = p->img[swap ? 1 - i : i];
        p->nk[i] = p->k[swap ? 1 - i : i];
    }
    p->is1d = p->nimg[0] == 1 && p->nk[0] == 1;
    return 0;
}

static int smp_normal_out(const finn_node *n, const smp_params *p, int *ndim, int64_t *shape,
                          finn_error *err)
{
    if (!p->is1d)
        for (int i = 0; i < 2; i++)
            if (p->img[i] % p->k[i])
                return hs_fail(err, n, FINN_ERR_INVALID,
                               "StreamingMaxPool needs ImgDim %% PoolDim == 0, got ImgDim = "
                               "[%lld, %lld], PoolDim = [%lld, %lld]",
                               (long long)p->img[0], (long long)p->img[1], (long long)p->k[0],
                               (long long)p->k[1]);
    hs_shape4(ndim, shape, 1, hs_pool_out_dim(p->img[0], p->k[0], p->k[0], 0, p->ceil_mode),
              hs_pool_out_dim(p->img[1], p->k[1], p->k[1], 0, p->ceil_mode), p->c);
    return 0;
}

/* 1-D folds the channels by PE (nf = int(C / PE) as FINN); 2-D has a unit
 * fold axis in front of all channels. */
static int smp_fold(const finn_node *n, const smp_params *p, int *ndim, int64_t *shape,
                    finn_error *err)
{
    if (p->is1d) {
        if (hs_positive(n, "PE", p->pe, err))
            return -1;
        shape[3] = p->c / p->pe;
        shape[4] = p->pe;
    } else {
        shape[3] = 1;
        shape[4] = p->c;
    }
    *ndim = 5;
    return 0;
}

static int smp_shape(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind,
                     size_t index, int *ndim, int64_t *shape, finn_error *err)
{
    (void)m;
    smp_params p;
    if (index != 0)
        return hs_bad_kind(n, kind, index, err);
    if (smp_params_get(n, &p, err))
        return -1;
    if (kind == FINN_HW_NORMAL_IN || kind == FINN_HW_FOLDED_IN)
        hs_shape4(ndim, shape, 1, p.img[0], p.img[1], p.c);
    else if (smp_normal_out(n, &p, ndim, shape, err))
        return -1;
    if (kind == FINN_HW_FOLDED_IN || kind == FINN_HW_FOLDED_OUT)
        return smp_fold(n, &p, ndim, shape, err);
    return 0;
}

static int64_t smp_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    finn_error e = {0};
    smp_params p;
    finn_datatype dt;
    if (smp_params_get(n, &p, &e) || hs_req_dt(n, "dataType", &dt, &e))
        return -1;
    return finn_dt_bitwidth(dt) * (p.is1d ? p.pe : p.c);
}

/* FINN: 1-D ofm * nf * (k + 1); 2-D int(W * W * (1 + 1 / k^2)) with the
 * normalised W axis (an acknowledged rough formula). */
static int64_t smp_cycles(const finn_model *m, const finn_node *n)
{
    (void)m;
    finn_error e = {0};
    smp_params p;
    if (smp_params_get(n, &p, &e))
        return -1;
    if (p.is1d) {
        if (p.pe < 1)
            return -1;
        int64_t ofm = hs_pool_out_dim(p.nimg[1], p.nk[1], p.nk[1], 0, p.ceil_mode);
        return ofm * (p.c / p.pe) * (p.nk[1] + 1);
    }
    double w = (double)p.nimg[1], k = (double)p.nk[1];
    return (int64_t)(w * w * (1.0 + 1.0 / (k * k)));
}

static int smp_check_folding(const finn_model *m, const finn_node *n, finn_error *err)
{
    (void)m;
    smp_params p;
    int nd;
    int64_t s[FINN_MAX_DIMS];
    if (smp_params_get(n, &p, err))
        return -1;
    if (p.is1d) /* PE is used by the 1-D variant only */
        return hs_check_divides(n, "PE", p.pe, "NumChannels", p.c, err);
    return smp_normal_out(n, &p, &nd, s, err);
}

/* Max over the window [o*k, min(o*k + k, len)) of each output position;
 * ceil mode lets the last window run over the end, as onnxruntime does. */
static int smp_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    (void)m;
    smp_params p;
    const finn_tensor *x = hs_input(ctx, n, 0, err);
    if (!x || smp_params_get(n, &p, err))
        return -1;
    if (x->ndim != 4)
        return hs_fail(err, n, FINN_ERR_INVALID, "input must be 4-D NHWC, got %d-D", x->ndim);
    int64_t nb = x->shape[0], h = x->shape[1], w = x->shape[2], c = x->shape[3];
    int64_t k[2] = {p.k[0], p.k[1]}, oh, ow;
    if (h == 1 || w == 1) {
        /* FINN flattens a 1-D map to one spatial axis with kernel kh*kw */
        int64_t len = h * w, kk = p.k[0] * p.k[1];
        int64_t o = hs_pool_out_dim(len, kk, kk, 0, p.ceil_mode);
        if (h == 1) {
            k[0] = 1, k[1] = kk, oh = 1, ow = o;
        } else {
            k[0] = kk, k[1] = 1, oh = o, ow = 1;
        }
    } else {
        oh = hs_pool_out_dim(h, k[0], k[0], 0, p.ceil_mode);
        ow = hs_pool_out_dim(w, k[1], k[1], 0, p.ceil_mode);
    }
    /* onnxruntime drops a ceil-mode window that would start past the end */
    if (oh > 1 && (oh - 1) * k[0] >= h)
        oh--;
    if (ow > 1 && (ow - 1) * k[1] >= w)
        ow--;
    if (oh < 1 || ow < 1)
        return hs_fail(err, n, FINN_ERR_INVALID, "PoolDim does not fit the %lldx%lld input",
                       (long long)h, (long long)w);
    int64_t os[4] = {nb, oh, ow, c};
    finn_tensor *y = hs_output_new(ctx, n, 0, x->type, 4, os, err);
    if (!y)
        return -1;
    size_t o = 0;
    for (int64_t b = 0; b < nb; b++)
        for (int64_t oy = 0; oy < oh; oy++)
            for (int64_t ox = 0; ox < ow; ox++)
                for (int64_t ch = 0; ch < c; ch++, o++) {
                    double best = -INFINITY;
                    for (int64_t iy = oy * k[0]; iy < oy * k[0] + k[0] && iy < h; iy++)
                        for (int64_t ix = ox * k[1]; ix < ox * k[1] + k[1] && ix < w; ix++) {
                            double v = finn_tensor_get(x, (size_t)(((b * h + iy) * w + ix) * c + ch));
                            if (v > best)
                                best = v;
                        }
                    finn_tensor_set(y, o, best);
                }
    return 0;
}

static const finn_hw_op SMP_HW;

static int smp_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    return hs_infer_shapes(&SMP_HW, m, n, err);
}

static int smp_infer_dt(finn_model *m, finn_node *n, finn_error *err)
{
    return hs_dt_like_input(m, n, "dataType", err);
}

static const finn_hw_attr SMP_ATTRS[] = {
    {"ImgDim", FINN_ATTR_INTS, NULL},   {"PoolDim", FINN_ATTR_INTS, NULL},
    {"NumChannels", FINN_ATTR_INT, NULL}, {"PE", FINN_ATTR_INT, "0"},
    {"CeilMode", FINN_ATTR_INT, "0"},   {"dataType", FINN_ATTR_STRING, NULL},
    {NULL, 0, NULL}};
static const char *const SMP_FOLDING[] = {"PE", NULL};

static const finn_hw_op SMP_HW = {"StreamingMaxPool", NULL,      SMP_ATTRS,  smp_shape,
                                  smp_width,          smp_width, smp_cycles, NULL,
                                  smp_check_folding,  SMP_FOLDING};
const finn_op hs_streamingmaxpool_op = {FINN_HW_DOMAIN, "StreamingMaxPool", smp_infer_shapes,
                                        smp_infer_dt, smp_exec, &SMP_HW};

/* ---- Pool ----------------------------------------------------------------- */

typedef struct pool_params {
    int64_t c, pe, kprod, batch, odims[FINN_MAX_DIMS];
    size_t n_odims;
    int is_max;
} pool_params;

static int pool_params_get(const finn_node *n, pool_params *p, finn_error *err)
{
    int64_t k[FINN_MAX_DIMS];
    size_t nk;
    if (hs_req_i(n, "Channels", &p->c, err) || hs_req_i(n, "PE", &p->pe, err) ||
        hs_req_ints(n, "KernelSize", 0, k, &nk, err) ||
        hs_req_ints(n, "OutImgDims", 0, p->odims, &p->n_odims, err))
        return -1;
    if (p->n_odims + 2 > FINN_MAX_DIMS - 1)
        return hs_fail(err, n, FINN_ERR_INVALID, "OutImgDims has too many values");
    const char *fn = finn_node_attr_s(n, "Function", NULL);
    if (!fn)
        return hs_fail(err, n, FINN_ERR_INVALID, "required attribute 'Function' is missing");
    if (strcmp(fn, "MaxPool") && strcmp(fn, "QuantAvgPool"))
        return hs_fail(err, n, FINN_ERR_INVALID,
                       "Function '%s' is not one of MaxPool, QuantAvgPool", fn);
    p->is_max = !strcmp(fn, "MaxPool");
    p->kprod = 1;
    for (size_t i = 0; i < nk; i++)
        p->kprod *= k[i];
    p->batch = finn_node_attr_i(n, "BatchSize", 1);
    return hs_positive(n, "PE", p->pe, err);
}

/* InputDataType and OutputDataType with FINN's get_output_datatype rules. */
static int pool_dts(const finn_node *n, const pool_params *p, finn_datatype *idt,
                    finn_datatype *odt, finn_error *err)
{
    if (hs_req_dt(n, "InputDataType", idt, err) || hs_req_dt(n, "OutputDataType", odt, err))
        return -1;
    char a[FINN_DT_NAME_MAX], b[FINN_DT_NAME_MAX];
    if (p->is_max && !finn_dt_equal(*idt, *odt))
        return hs_fail(err, n, FINN_ERR_INVALID,
                       "MaxPool needs OutputDataType = InputDataType, got %s and %s",
                       finn_dt_name(*odt, a, sizeof a), finn_dt_name(*idt, b, sizeof b));
    if (!p->is_max && finn_dt_signed(*idt) != finn_dt_signed(*odt))
        return hs_fail(err, n, FINN_ERR_INVALID,
                       "QuantAvgPool cannot mix signed and unsigned types (%s, %s)",
                       finn_dt_name(*idt, a, sizeof a), finn_dt_name(*odt, b, sizeof b));
    return 0;
}

static int pool_shape(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind,
                      size_t index, int *ndim, int64_t *shape, finn_error *err)
{
    (void)m;
    pool_params p;
    if (index != 0)
        return hs_bad_kind(n, kind, index, err);
    if (pool_params_get(n, &p, err))
        return -1;
    bool in = kind == FINN_HW_NORMAL_IN || kind == FINN_HW_FOLDED_IN;
    *ndim = (int)p.n_odims + 2;
    shape[0] = p.batch;
    for (size_t i = 0; i < p.n_odims; i++)
        shape[1 + i] = p.odims[i];
    shape[*ndim - 1] = in ? p.kprod * p.c : p.c;
    if (kind == FINN_HW_NORMAL_IN || kind == FINN_HW_NORMAL_OUT)
        return 0;
    if (p.c % p.pe) /* FINN asserts PE | Channels for both folded shapes */
        return hs_fail(err, n, FINN_ERR_INVALID, "PE = %lld must divide Channels = %lld",
                       (long long)p.pe, (long long)p.c);
    return hs_fold_last(n, "PE", p.pe, ndim, shape, err);
}

static int64_t pool_width(const finn_model *m, const finn_node *n, int out)
{
    (void)m;
    finn_error e = {0};
    pool_params p;
    finn_datatype idt, odt;
    if (pool_params_get(n, &p, &e) || pool_dts(n, &p, &idt, &odt, &e))
        return -1;
    return p.pe * finn_dt_bitwidth(out ? odt : idt);
}

static int64_t pool_in_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)index;
    return pool_width(m, n, 0);
}

static int64_t pool_out_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)index;
    return pool_width(m, n, 1);
}

/* int((C * K / PE) * prod(OutImgDims) * BatchSize), float arithmetic */
static int64_t pool_cycles(const finn_model *m, const finn_node *n)
{
    (void)m;
    finn_error e = {0};
    pool_params p;
    if (pool_params_get(n, &p, &e))
        return -1;
    double od = 1;
    for (size_t i = 0; i < p.n_odims; i++)
        od *= (double)p.odims[i];
    return (int64_t)((double)(p.c * p.kprod) / (double)p.pe * od * (double)p.batch);
}

static int pool_check_folding(const finn_model *m, const finn_node *n, finn_error *err)
{
    (void)m;
    int64_t c, pe;
    if (hs_req_i(n, "Channels", &c, err) || hs_req_i(n, "PE", &pe, err))
        return -1;
    return hs_check_divides(n, "PE", pe, "Channels", c, err);
}

static int bit_length(double v)
{
    int bits = 0;
    for (; v >= 1; v = floor(v / 2))
        bits++;
    return bits;
}

/* Arithmetic right shift of an integer (floor division by 2^s). */
static double floor_shift(double v, int s)
{
    return floor(v / ldexp(1.0, s));
}

/* The last axis viewed as (K, C): max over K, or (QuantAvgPool) the sum
 * over K truncated to an integer and shifted right by
 * max(0, bitlen((2^b(in) - 1) * K) - b(out)).  The sum is taken in double:
 * exact for the integer inputs this layer gets (numpy sums float32). */
static int pool_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    (void)m;
    pool_params p;
    finn_datatype idt, odt;
    const finn_tensor *x = hs_input(ctx, n, 0, err);
    if (!x || pool_params_get(n, &p, err) || pool_dts(n, &p, &idt, &odt, err))
        return -1;
    if (x->ndim < 1 || x->shape[x->ndim - 1] != p.kprod * p.c) {
        char a[96];
        return hs_fail(err, n, FINN_ERR_INVALID,
                       "input %s: the last axis must hold KernelSize x Channels = %lld values",
                       finn_shape_str(x->ndim, x->shape, a, sizeof a),
                       (long long)(p.kprod * p.c));
    }
    int shift = 0;
    if (!p.is_max) {
        shift = bit_length((ldexp(1.0, finn_dt_bitwidth(idt)) - 1) * (double)p.kprod) -
                finn_dt_bitwidth(odt);
        shift = shift < 0 ? 0 : shift;
    }
    int64_t os[FINN_MAX_DIMS];
    for (int d = 0; d < x->ndim; d++)
        os[d] = x->shape[d];
    os[x->ndim - 1] = p.c;
    finn_tensor *y = hs_output_new(ctx, n, 0, FINN_ELEM_FLOAT, x->ndim, os, err);
    if (!y)
        return -1;
    size_t pixels = finn_tensor_numel(y) / (size_t)(p.c ? p.c : 1);
    for (size_t px = 0; px < pixels; px++)
        for (int64_t ch = 0; ch < p.c; ch++) {
            double acc = p.is_max ? -INFINITY : 0;
            for (int64_t k = 0; k < p.kprod; k++) {
                double v = finn_tensor_get(x, px * (size_t)(p.kprod * p.c) + (size_t)(k * p.c + ch));
                acc = p.is_max ? (v > acc ? v : acc) : acc + v;
            }
            if (!p.is_max)
                acc = floor_shift(trunc(acc), shift);
            finn_tensor_set(y, px * (size_t)p.c + (size_t)ch, acc);
        }
    return 0;
}

static const finn_hw_op POOL_HW;

static int pool_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    return hs_infer_shapes(&POOL_HW, m, n, err);
}

/* FINN: output = OutputDataType (checked against InputDataType). */
static int pool_infer_dt(finn_model *m, finn_node *n, finn_error *err)
{
    pool_params p;
    finn_datatype idt, odt;
    if (pool_params_get(n, &p, err) || pool_dts(n, &p, &idt, &odt, err))
        return -1;
    if (n->n_outputs < 1 || !n->outputs[0][0])
        return hs_fail(err, n, FINN_ERR_INVALID, "output 0 is required");
    return finn_model_set_datatype(m, n->outputs[0], odt, err);
}

static const finn_hw_attr POOL_ATTRS[] = {
    {"Channels", FINN_ATTR_INT, NULL},
    {"PE", FINN_ATTR_INT, NULL}, /* required, FINN's table says 1 */
    {"KernelSize", FINN_ATTR_INTS, NULL},
    {"Function", FINN_ATTR_STRING, NULL},
    {"OutImgDims", FINN_ATTR_INTS, NULL},
    {"InputDataType", FINN_ATTR_STRING, NULL},
    {"OutputDataType", FINN_ATTR_STRING, NULL},
    {"AccumBits", FINN_ATTR_INT, "0"},
    {"Size", FINN_ATTR_INT, "1"},
    {"BatchSize", FINN_ATTR_INT, "1"},
    {NULL, 0, NULL}};
static const char *const POOL_FOLDING[] = {"PE", NULL};

static const finn_hw_op POOL_HW = {"Pool",         NULL,           POOL_ATTRS,  pool_shape,
                                   pool_in_width,  pool_out_width, pool_cycles, NULL,
                                   pool_check_folding, POOL_FOLDING};
const finn_op hs_pool_op = {FINN_HW_DOMAIN, "Pool", pool_infer_shapes, pool_infer_dt, pool_exec,
                            &POOL_HW};
