/*
 * channelwise.c - ChannelwiseOp (FINN's channelwise_op.py): the input
 * combined with a per-channel parameter P (input 1, broadcast as numpy
 * does, usually shape (C,)).
 *
 * Func add / mul: x + P / x * P in float32 (FINN runs ONNX Add / Mul).
 * Func cmp_le / cmp_ge: FINN's python execution cannot run them (it asks
 * onnxruntime for an op "Cmp_le"); we follow the HLS library instead,
 * which computes less_equal(P, x) / greater_equal(P, x): 1 or 0.
 */
#include "hwc.h"

#include <math.h>
#include <string.h>

static const finn_hw_attr CW_ATTRS[] = {
    {"Func", FINN_ATTR_STRING, "cmp_le"},
    {"PE", FINN_ATTR_INT, NULL},
    {"NumChannels", FINN_ATTR_INT, NULL},
    {"ram_style", FINN_ATTR_STRING, "distributed"},
    {"inputDataType", FINN_ATTR_STRING, NULL},
    {"paramDataType", FINN_ATTR_STRING, NULL},
    {"outputDataType", FINN_ATTR_STRING, NULL},
    {"numInputVectors", FINN_ATTR_INTS, "[1]"},
    {NULL, 0, NULL}};

static const char *const FUNCS[] = {"cmp_le", "cmp_ge", "add", "mul", NULL};
static const char *const FOLDING[] = {"PE", "ram_style", NULL};

static int cw_shape(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind,
                    size_t index, int *ndim, int64_t *shape, finn_error *err)
{
    (void)m, (void)index;
    return hwc_chpe_shape(n, kind, false, ndim, shape, err);
}

static int64_t cw_in_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    return hwc_pe_width(n, "inputDataType");
}

static int64_t cw_out_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    return hwc_pe_width(n, "outputDataType");
}

static int64_t cw_cycles(const finn_model *m, const finn_node *n)
{
    (void)m;
    return hwc_chpe_cycles(n, false);
}

static int cw_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    int nd;
    int64_t shape[FINN_MAX_DIMS];
    if (hwc_chpe_shape(n, FINN_HW_NORMAL_OUT, false, &nd, shape, err))
        return -1;
    return hwc_set_out_shape(m, n, 0, FINN_ELEM_FLOAT, nd, shape, err) ? hwc_named(err, n) : 0;
}

/* The smallest integer type holding every value of v (FINN's local
 * get_smallest_possible: BIPOLAR and TERNARY are skipped, unsigned types
 * come first); UINT64 / INT64 when nothing fits. */
static int cw_smallest(const double *v, int count, finn_datatype *dt, finn_error *err)
{
    double lo = v[0], hi = v[0];
    for (int i = 0; i < count; i++) {
        if (v[i] != floor(v[i]))
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "output range bound %g is not an integer", v[i]);
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    for (int bits = 1; bits <= 64; bits++) {
        finn_datatype c = lo >= 0 ? finn_dt_uint(bits) : finn_dt_int(bits);
        if (finn_dt_min(c) <= lo && hi <= finn_dt_max(c)) {
            *dt = c;
            return 0;
        }
    }
    *dt = lo >= 0 ? finn_dt_uint(64) : finn_dt_int(64);
    return 0;
}

/* When the input annotation differs from inputDataType, FINN re-derives
 * outputDataType from the parameter range (add / mul only); the output
 * gets outputDataType. */
static int cw_retype(finn_model *m, finn_node *n, finn_error *err)
{
    const char *in = finn_node_input(n, 0), *pname = finn_node_input(n, 1);
    if (!in || !pname)
        return finn_error_set(err, FINN_ERR_INVALID, "inputs x and the parameters are required");
    finn_datatype idt = finn_model_datatype(m, in);
    char buf[FINN_DT_NAME_MAX];
    finn_dt_name(idt, buf, sizeof buf);
    if (!strcmp(finn_node_attr_s(n, "inputDataType", ""), buf))
        return 0;
    const char *func;
    if (hwc_choice(n, "Func", "cmp_le", FUNCS, &func, err))
        return -1;
    if (strcmp(func, "add") && strcmp(func, "mul"))
        return finn_error_set(err, FINN_ERR_INVALID,
                              "input datatype %s differs from inputDataType '%s', which only "
                              "Func add or mul can follow",
                              buf, finn_node_attr_s(n, "inputDataType", ""));
    const finn_tensor *p = finn_model_initializer(m, pname);
    if (!p || finn_tensor_numel(p) == 0)
        return finn_error_set(err, FINN_ERR_INVALID, "parameters '%s' are not an initializer",
                              pname);
    if (finn_node_set_attr_s(n, "inputDataType", buf, err))
        return -1;
    double pmin = finn_tensor_get(p, 0), pmax = pmin;
    for (size_t i = 1; i < finn_tensor_numel(p); i++) {
        double v = finn_tensor_get(p, i);
        pmin = v < pmin ? v : pmin;
        pmax = v > pmax ? v : pmax;
    }
    double imin = finn_dt_min(idt), imax = finn_dt_max(idt);
    double lim[4] = {imin + pmin, imax + pmax, 0, 0};
    int count = 2;
    if (!strcmp(func, "mul")) {
        lim[0] = imin * pmin, lim[1] = imin * pmax, lim[2] = imax * pmin, lim[3] = imax * pmax;
        count = 4;
    }
    finn_datatype odt;
    if (cw_smallest(lim, count, &odt, err))
        return -1;
    return finn_node_set_attr_s(n, "outputDataType", finn_dt_name(odt, buf, sizeof buf), err);
}

static int cw_infer_dt(finn_model *m, finn_node *n, finn_error *err)
{
    finn_datatype odt;
    if (cw_retype(m, n, err) || hwc_dt(n, "outputDataType", &odt, err) ||
        hwc_set_out_dt(m, n, 0, odt, err))
        return hwc_named(err, n);
    return 0;
}

/* The parameters must broadcast (numpy rules) to x's shape: the result
 * keeps x's shape, as FINN reshapes it to the output shape. */
static int cw_broadcast_ok(const finn_tensor *x, const finn_tensor *p, finn_error *err)
{
    if (p->ndim > x->ndim)
        goto bad;
    for (int d = 1; d <= p->ndim; d++) {
        int64_t pd = p->shape[p->ndim - d], xd = x->shape[x->ndim - d];
        if (pd != xd && pd != 1)
            goto bad;
    }
    return 0;
bad:;
    char sx[128], sp[128];
    return finn_error_set(err, FINN_ERR_INVALID, "parameters of shape %s do not broadcast to %s",
                          finn_shape_str(p->ndim, p->shape, sp, sizeof sp),
                          finn_shape_str(x->ndim, x->shape, sx, sizeof sx));
}

/* flat parameter index of x's flat element i */
static size_t cw_pindex(const finn_tensor *x, const finn_tensor *p, size_t i)
{
    size_t pi = 0, pstride = 1;
    for (int d = 1; d <= x->ndim; d++) {
        size_t xd = (size_t)x->shape[x->ndim - d];
        size_t coord = xd ? i % xd : 0;
        i = xd ? i / xd : 0;
        if (d <= p->ndim) {
            size_t pd = (size_t)p->shape[p->ndim - d];
            pi += (pd == 1 ? 0 : coord) * pstride;
            pstride *= pd;
        }
    }
    return pi;
}

static int cw_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                   finn_error *err)
{
    const char *func;
    const finn_tensor *x = hwc_in(ctx, n, 0, err), *p = x ? hwc_in(ctx, n, 1, err) : NULL;
    if (!p || hwc_choice(n, "Func", "cmp_le", FUNCS, &func, err) || cw_broadcast_ok(x, p, err))
        return -1;
    finn_tensor *y = finn_tensor_new(FINN_ELEM_FLOAT, x->ndim, x->shape, err);
    if (!y)
        return -1;
    int op = !strcmp(func, "add") ? 0 : !strcmp(func, "mul") ? 1 : !strcmp(func, "cmp_le") ? 2 : 3;
    float *yv = y->data;
    for (size_t i = 0; i < finn_tensor_numel(y); i++) {
        float a = (float)finn_tensor_get(x, i), b = (float)finn_tensor_get(p, cw_pindex(x, p, i));
        yv[i] = op == 0 ? a + b : op == 1 ? a * b : op == 2 ? (float)(b <= a) : (float)(b >= a);
    }
    return hwc_store(m, n, 0, ctx, y, err);
}

static int cw_check_folding(const finn_model *m, const finn_node *n, finn_error *err)
{
    return hwc_chpe_check_folding(m, n, err);
}

static const finn_hw_op CW_HW = {"ChannelwiseOp", NULL,         CW_ATTRS,  cw_shape,
                                 cw_in_width,     cw_out_width, cw_cycles, NULL,
                                 cw_check_folding, FOLDING};
const finn_op hwc_channelwise_op = {FINN_HW_DOMAIN, "ChannelwiseOp", cw_infer_shapes,
                                    cw_infer_dt, cw_exec, &CW_HW};
