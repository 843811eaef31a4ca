/*
 * minimize.c - FINN's step_minimize_bit_width body (finn-backend.md
 * section 8): MinimizeWeightBitWidth (MVAU, VVAU), MinimizeAccumulatorWidth
 * (MVAU, VVAU, Thresholding; InferDataTypes after each node so a changed
 * output type reaches the next node's inputDataType), InferDataTypes.
 *
 * Ranges are computed in double; FINN sums float32 products, which is the
 * same for the integer values these layers hold while sums stay below 2^24
 * (and more exact beyond).
 */
#include "folding.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The abstract op type behind a dataflow node ("MVAU" for MVAU_hls). */
static const char *base_of(const finn_registry *reg, const finn_node *n)
{
    if (!finn_hw_is_dataflow_node(reg, n))
        return NULL;
    return finn_hw_op_of(reg, n)->base;
}

static int node_dt(const finn_node *n, const char *attr, finn_datatype *dt, finn_error *err)
{
    const char *s = finn_node_attr_s(n, attr, NULL);
    if (!s)
        return finn_error_set(err, FINN_ERR_INVALID, "node '%s' (%s) has no attribute %s",
                              n->name, n->op_type, attr);
    finn_error e = {0};
    if (finn_dt_parse(s, dt, &e))
        return finn_error_set(err, FINN_ERR_INVALID, "node '%s' (%s): %s: %s", n->name,
                              n->op_type, attr, e.msg);
    return 0;
}

static int set_dt(finn_node *n, const char *attr, finn_datatype dt, finn_error *err)
{
    char buf[FINN_DT_NAME_MAX];
    return finn_node_set_attr_s(n, attr, finn_dt_name(dt, buf, sizeof buf), err);
}

/* Initializer of input k (error naming node and role if absent). */
static const finn_tensor *init_of(const finn_model *m, const finn_node *n, size_t k,
                                  const char *role, finn_error *err)
{
    const char *name = finn_node_input(n, k);
    const finn_tensor *t = name ? finn_model_initializer(m, name) : NULL;
    if (!t)
        finn_error_set(err, FINN_ERR_INVALID,
                       "node '%s' (%s): the %s (input %zu%s%s) must be an initializer", n->name,
                       n->op_type, role, k, name ? ", " : "", name ? name : "");
    return t;
}

static void min_max(const finn_tensor *t, double *lo, double *hi)
{
    size_t count = finn_tensor_numel(t);
    *lo = INFINITY, *hi = -INFINITY;
    if (t->type == FINN_ELEM_FLOAT) { /* the usual case, without per-element dispatch */
        /* eight running minima and maxima: no single dependency chain, so
         * the loop runs at load speed; NaN is skipped as before */
        enum { LANES = 8 };
        const float *d = t->data;
        float l[LANES], h[LANES];
        for (int k = 0; k < LANES; k++)
            l[k] = INFINITY, h[k] = -INFINITY;
        size_t i = 0;
        for (; i + LANES <= count; i += LANES)
            for (int k = 0; k < LANES; k++) {
                float v = d[i + k];
                l[k] = v < l[k] ? v : l[k];
                h[k] = v > h[k] ? v : h[k];
            }
        for (; i < count; i++) {
            float v = d[i];
            l[0] = v < l[0] ? v : l[0];
            h[0] = v > h[0] ? v : h[0];
        }
        for (int k = 0; k < LANES; k++) {
            *lo = l[k] < *lo ? l[k] : *lo;
            *hi = h[k] > *hi ? h[k] : *hi;
        }
        return;
    }
    for (size_t i = 0; i < count; i++) {
        double v = finn_tensor_get(t, i);
        *lo = v < *lo ? v : *lo;
        *hi = v > *hi ? v : *hi;
    }
}

/* The weight rule: signed types from the wider of |lo| and hi + 1. */
static finn_datatype smallest_for(double lo, double hi)
{
    if (lo < 0)
        return finn_dt_smallest_for_value(fabs(lo) > hi ? lo : -hi - 1);
    return finn_dt_smallest_for_value(hi);
}

/* ---- MinimizeWeightBitWidth ------------------------------------------------ */

static int minimize_weights(const finn_model *m, finn_node *n, finn_error *err)
{
    if (finn_node_attr_i(n, "runtime_writeable_weights", 0))
        return 0;
    const finn_tensor *w = init_of(m, n, 1, "weight tensor", err);
    if (!w)
        return -1;
    if (!finn_tensor_numel(w))
        return finn_error_set(err, FINN_ERR_INVALID, "node '%s' (%s): empty weight tensor",
                              n->name, n->op_type);
    double lo, hi;
    min_max(w, &lo, &hi);
    return set_dt(n, "weightDataType", smallest_for(lo, hi), err);
}

/* ---- accumulator range (qonnx calculate_matvec_accumulator_range) --------- */

/* Weight matrix view: rows = dot-product inputs, cols = outputs; element
 * (i, j) at data[i * rs + j * cs]; `konst` replaces every element when
 * use_konst (the runtime-writeable worst cases). */
typedef struct wmat {
    const finn_tensor *t;
    size_t rows, cols, rs, cs;
    bool xnor;
    bool use_konst;
    double konst;
} wmat;

static double w_at(const wmat *w, size_t i, size_t j)
{
    double v = w->use_konst ? w->konst : finn_tensor_get(w->t, i * w->rs + j * w->cs);
    return w->xnor && !w->use_konst ? 2 * v - 1 : v;
}

/* acc_range for float32 integer weights and integer inputs: one pass in
 * the weights' memory order that sums each column's positive and negative
 * weights apart, without a branch per weight; the range follows from the
 * two sums.  Every partial sum is an integer below 2^53, so the result is
 * exactly the generic loop's.  false when the sums cannot be allocated. */
static bool acc_range_int_f32(const wmat *w, double imin, double imax, double *acc_min,
                              double *acc_max)
{
    double *pos = calloc(2 * w->cols, sizeof *pos);
    if (!pos)
        return false;
    double *neg = pos + w->cols;
    const float *d = w->t->data;
    for (size_t i = 0; i < w->rows; i++) {
        const float *row = d + i * w->rs;
        for (size_t j = 0; j < w->cols; j++) {
            double v = row[j * w->cs];
            if (w->xnor)
                v = 2 * v - 1;
            pos[j] += v > 0 ? v : 0;
            neg[j] += v < 0 ? v : 0;
        }
    }
    for (size_t j = 0; j < w->cols; j++) {
        double hi = pos[j] * imax + neg[j] * imin, lo = pos[j] * imin + neg[j] * imax;
        *acc_max = hi > *acc_max ? hi : *acc_max;
        *acc_min = lo < *acc_min ? lo : *acc_min;
    }
    free(pos);
    return true;
}

static void acc_range(const wmat *w, finn_datatype idt, bool int_weights, double *acc_min,
                      double *acc_max)
{
    double imin = finn_dt_min(idt), imax = finn_dt_max(idt);
    *acc_min = INFINITY, *acc_max = -INFINITY;
    if (!w->use_konst && w->t->type == FINN_ELEM_FLOAT && w->cols && int_weights &&
        finn_dt_is_integer(idt) && acc_range_int_f32(w, imin, imax, acc_min, acc_max))
        return;
    for (size_t j = 0; j < w->cols; j++) {
        double hi = 0, lo = 0;
        for (size_t i = 0; i < w->rows; i++) {
            double v = w_at(w, i, j);
            hi += v * (v > 0 ? imax : imin);
            lo += v * (v > 0 ? imin : imax);
        }
        *acc_max = hi > *acc_max ? hi : *acc_max;
        *acc_min = lo < *acc_min ? lo : *acc_min;
    }
}

/* The hw-compatible threshold tensor's preconditions: channels % PE == 0,
 * a 2-D tensor with 1 or `channels` rows, and (bipolar inputs and weights)
 * non-negative integer thresholds. */
static int check_thresholds(const finn_node *n, const finn_tensor *t, int64_t channels,
                            bool bipolar, finn_error *err)
{
    int64_t pe = finn_node_attr_i(n, "PE", 1);
    if (pe < 1 || channels % pe)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "node '%s' (%s): PE = %lld must divide the %lld channels of the "
                              "thresholds",
                              n->name, n->op_type, (long long)pe, (long long)channels);
    if (t->ndim != 2 || (t->shape[0] != 1 && t->shape[0] != channels))
        return finn_error_set(err, FINN_ERR_INVALID,
                              "node '%s' (%s): thresholds must be (1 or %lld, steps), got %d-D",
                              n->name, n->op_type, (long long)channels, t->ndim);
    if (!bipolar)
        return 0;
    for (size_t i = 0; i < finn_tensor_numel(t); i++) {
        double v = finn_tensor_get(t, i);
        if (v < 0 || v != (double)(int32_t)v)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "node '%s' (%s): bipolar inputs and weights need non-negative "
                                  "integer thresholds (found %g)",
                                  n->name, n->op_type, v);
    }
    return 0;
}

static int check_fit(const finn_node *n, const finn_tensor *t, finn_datatype dt, finn_error *err)
{
    for (size_t i = 0; i < finn_tensor_numel(t); i++) {
        double v = finn_tensor_get(t, i);
        if (!finn_dt_allowed(dt, v)) {
            char buf[FINN_DT_NAME_MAX];
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "Thresholds in %s can't be expressed with type %s (value %g)",
                                  n->name, finn_dt_name(dt, buf, sizeof buf), v);
        }
    }
    return 0;
}

/* Clip the threshold initializer to [lo, hi] in place (same element type). */
static int clip_thresholds(finn_model *m, const char *name, const finn_tensor *t, double lo,
                           double hi, finn_error *err)
{
    finn_tensor *c = finn_tensor_copy(t, err);
    if (!c)
        return -1;
    for (size_t i = 0; i < finn_tensor_numel(c); i++) {
        double v = finn_tensor_get(c, i);
        finn_tensor_set(c, i, v < lo ? lo : v > hi ? hi : v);
    }
    return finn_model_set_initializer(m, name, c, err);
}

/* Python's str.replace(old, new) on a datatype name ("INT19" -> "INT24";
 * "BINARY" has no digit to replace and stays BINARY, as in FINN). */
static void replace_all(const char *s, const char *old, const char *new, char *out, size_t size)
{
    size_t len = 0, lo = strlen(old);
    out[0] = 0;
    while (*s && len + 1 < size) {
        if (lo && !strncmp(s, old, lo)) {
            len += (size_t)snprintf(out + len, size - len, "%s", new);
            s += lo;
        } else {
            out[len++] = *s++;
            out[len] = 0;
        }
        if (len >= size)
            len = size - 1;
    }
}

/* The accumulator type of the range (FINN's UINTn / INTn rule). */
static int acc_type(const finn_node *n, double acc_min, double acc_max, finn_datatype *adt,
                    finn_error *err)
{
    double bits = acc_min >= 0 ? ceil(log2(acc_max + 1))
                               : ceil(log2(fmax(-acc_min, 1 + acc_max)) + 1);
    if (!(bits >= 1 && bits <= 64))
        return finn_error_set(err, FINN_ERR_INVALID,
                              "node '%s' (%s): accumulator range [%g, %g] gives no integer "
                              "datatype (%s%g)",
                              n->name, n->op_type, acc_min, acc_max, acc_min >= 0 ? "UINT" : "INT",
                              bits);
    *adt = acc_min >= 0 ? finn_dt_uint((int)bits) : finn_dt_int((int)bits);
    return 0;
}

typedef struct mac_info {
    wmat w;
    int64_t channels; /* outputs (MH / Channels), for the threshold checks */
} mac_info;

static int mac_matrix(const finn_model *m, const finn_node *n, bool vvau, mac_info *mi,
                      finn_error *err)
{
    const finn_tensor *t = init_of(m, n, 1, "weight tensor", err);
    if (!t)
        return -1;
    memset(mi, 0, sizeof *mi);
    mi->w.t = t;
    mi->w.xnor = finn_node_attr_i(n, "binaryXnorMode", 0) != 0;
    size_t numel = finn_tensor_numel(t);
    if (vvau) {
        /* (C, 1, kh, kw) -> (C, kh*kw) -> transposed: rows kh*kw, cols C */
        const int64_t *k;
        size_t nk = finn_node_attr_ints(n, "Kernel", &k);
        int64_t ch = finn_node_attr_i(n, "Channels", 0);
        int64_t kk = nk == 2 ? k[0] * k[1] : -1;
        if (kk < 1 || ch < 1 || (size_t)(kk * ch) != numel)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "node '%s' (%s): weights (%zu values) do not match Channels x "
                                  "Kernel",
                                  n->name, n->op_type, numel);
        mi->w.rows = (size_t)kk, mi->w.cols = (size_t)ch, mi->w.rs = 1, mi->w.cs = (size_t)kk;
        mi->channels = ch;
    } else {
        int64_t mw = finn_node_attr_i(n, "MW", 0), mh = finn_node_attr_i(n, "MH", 0);
        if (mw < 1 || mh < 1 || (size_t)(mw * mh) != numel)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "node '%s' (%s): weights (%zu values) do not match MW x MH = "
                                  "%lld x %lld",
                                  n->name, n->op_type, numel, (long long)mw, (long long)mh);
        mi->w.rows = (size_t)mw, mi->w.cols = (size_t)mh, mi->w.rs = (size_t)mh, mi->w.cs = 1;
        mi->channels = mh;
    }
    return 0;
}

static bool is_bipolar_like(finn_datatype dt, bool xnor)
{
    return dt.kind == FINN_DT_BIPOLAR || (dt.kind == FINN_DT_BINARY && xnor);
}

static int minimize_mac_acc(finn_model *m, finn_node *n, bool vvau, const fold_out *out,
                            finn_error *err)
{
    mac_info mi;
    finn_datatype idt, wdt;
    if (mac_matrix(m, n, vvau, &mi, err) || node_dt(n, "inputDataType", &idt, err) ||
        node_dt(n, "weightDataType", &wdt, err))
        return -1;
    double acc_min, acc_max;
    acc_range(&mi.w, idt, finn_dt_is_integer(wdt), &acc_min, &acc_max);
    if (finn_node_attr_i(n, "runtime_writeable_weights", 0)) {
        /* worst cases from the weight type; FINN ignores the all-min high */
        double lmin, lmax, umin, umax;
        wmat all = mi.w;
        all.use_konst = true;
        all.konst = finn_dt_min(wdt);
        acc_range(&all, idt, false, &lmin, &lmax);
        all.konst = finn_dt_max(wdt);
        acc_range(&all, idt, false, &umin, &umax);
        acc_min = fmin(fmin(lmin, lmax), fmin(umin, umax));
        acc_max = fmax(umin, umax);
    }
    const char *tname = finn_node_input(n, 2);
    const finn_tensor *thr = NULL;
    if (tname) {
        bool bip = is_bipolar_like(idt, mi.w.xnor) && is_bipolar_like(wdt, mi.w.xnor);
        if (!(thr = init_of(m, n, 2, "threshold tensor", err)) ||
            check_thresholds(n, thr, mi.channels, bip, err))
            return -1;
        double tmin, tmax;
        min_max(thr, &tmin, &tmax);
        if (tmax > acc_max || tmin < acc_min) {
            fold_warn(out, "Clipping some thresholds in %s", n->name);
            if (clip_thresholds(m, tname, thr, acc_min, acc_max, err))
                return -1;
            thr = finn_model_initializer(m, tname);
            min_max(thr, &tmin, &tmax);
        }
        acc_min = fmin(tmin, acc_min);
        acc_max = fmax(tmax, acc_max);
    }
    finn_datatype adt;
    if (acc_type(n, acc_min, acc_max, &adt, err))
        return -1;
    if (thr && check_fit(n, thr, adt, err))
        return -1;
    char name[FINN_DT_NAME_MAX];
    finn_dt_name(adt, name, sizeof name);
    if (finn_node_attr_i(n, "noActivation", 0)) {
        finn_node *succ[1];
        size_t nsucc = 0;
        for (size_t k = 0; k < n->n_outputs && !nsucc; k++)
            if (n->outputs[k][0])
                nsucc = finn_model_consumers(m, n->outputs[k], succ, 1);
        if (!nsucc) {
            /* last node: a width that is a multiple of 8, by renaming */
            int bw = finn_dt_bitwidth(adt), rbw = (bw + 7) / 8 * 8;
            char from[16], to[16], renamed[FINN_DT_NAME_MAX];
            snprintf(from, sizeof from, "%d", bw);
            snprintf(to, sizeof to, "%d", rbw);
            replace_all(name, from, to, renamed, sizeof renamed);
            if (finn_dt_parse(renamed, &adt, err))
                return -1;
            finn_dt_name(adt, name, sizeof name);
        }
        if (finn_node_set_attr_s(n, "outputDataType", name, err))
            return -1;
    }
    return finn_node_set_attr_s(n, "accDataType", name, err);
}

/* Thresholding's extra preconditions: numSteps columns, integer
 * thresholds, non-negative ones for an unsigned input. */
static int check_standalone(const finn_node *n, const finn_tensor *t, finn_datatype idt,
                            finn_error *err)
{
    int64_t steps = finn_node_attr_i(n, "numSteps", 1);
    if (t->shape[1] != steps)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "node '%s' (%s): Mismatch in threshold steps (numSteps = %lld, "
                              "thresholds have %lld)",
                              n->name, n->op_type, (long long)steps, (long long)t->shape[1]);
    for (size_t i = 0; i < finn_tensor_numel(t); i++) {
        double v = finn_tensor_get(t, i);
        if (v != floor(v))
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "node '%s' (%s): Need int threshold tensor (found %g)", n->name,
                                  n->op_type, v);
        if (!finn_dt_signed(idt) && v < 0)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "node '%s' (%s): unsigned input needs non-negative thresholds "
                                  "(found %g)",
                                  n->name, n->op_type, v);
    }
    return 0;
}

/* Standalone Thresholding: the threshold type covers the input range and
 * the thresholds; it becomes weightDataType and the tensor's annotation. */
static int minimize_thresholding(finn_model *m, finn_node *n, finn_error *err)
{
    const finn_tensor *thr = init_of(m, n, 1, "threshold tensor", err);
    finn_datatype idt;
    if (!thr || node_dt(n, "inputDataType", &idt, err))
        return -1;
    if (check_thresholds(n, thr, finn_node_attr_i(n, "NumChannels", 0), false, err) ||
        check_standalone(n, thr, idt, err))
        return -1;
    double tmin, tmax;
    min_max(thr, &tmin, &tmax);
    finn_datatype tdt = smallest_for(fmin(finn_dt_min(idt), tmin), fmax(finn_dt_max(idt), tmax));
    if (check_fit(n, thr, tdt, err) || set_dt(n, "weightDataType", tdt, err))
        return -1;
    return finn_model_set_datatype(m, finn_node_input(n, 1), tdt, err);
}

int fold_minimize_bit_width(const finn_registry *reg, finn_model *m, const fold_out *out,
                            finn_error *err)
{
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        const char *base = base_of(reg, n);
        if (base && (!strcmp(base, "MVAU") || !strcmp(base, "VVAU")) &&
            minimize_weights(m, n, err))
            return -1;
    }
    /* node by node: InferDataTypes passes a changed output type on */
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        const char *base = base_of(reg, n);
        int rc;
        if (!base)
            continue;
        if (!strcmp(base, "MVAU") || !strcmp(base, "VVAU"))
            rc = minimize_mac_acc(m, n, !strcmp(base, "VVAU"), out, err);
        else if (!strcmp(base, "Thresholding"))
            rc = minimize_thresholding(m, n, err);
        else
            continue;
        if (rc || finn_infer_datatypes(reg, m, err))
            return -1;
    }
    if (finn_infer_datatypes(reg, m, err))
        return -1;
    return finn_model_cleanup(m, err);
}
