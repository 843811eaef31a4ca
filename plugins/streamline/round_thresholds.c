/*
 * round_thresholds.c - FINN's RoundAndClipThresholds (round_thresholds.py):
 * for a MultiThreshold on integer input, thresholds are rounded up; for an
 * unsigned input negative thresholds become 0; everything is clipped to
 * [min - 1, max + 1] of the input type.  The threshold tensor takes the
 * input datatype only when one of these changes something.
 */
#include "sl.h"

#include <math.h>
#include <string.h>

static bool any_where(const finn_tensor *t, bool (*pred)(double, const double *),
                      const double *arg)
{
    size_t n = finn_tensor_numel(t);
    for (size_t i = 0; i < n; i++)
        if (pred(finn_tensor_get(t, i), arg))
            return true;
    return false;
}

static bool below(double x, const double *lim) { return x < lim[0]; }
static bool outside(double x, const double *lim) { return x < lim[0] || x > lim[1]; }

/* np.clip(t, lo, hi) in place (NaN stays NaN). */
static void clip(finn_tensor *t, double lo, double hi)
{
    size_t n = finn_tensor_numel(t);
    for (size_t i = 0; i < n; i++) {
        double x = finn_tensor_get(t, i);
        if (x < lo)
            finn_tensor_set(t, i, lo);
        else if (x > hi)
            finn_tensor_set(t, i, hi);
    }
}

static int round_one(finn_model *m, finn_node *n, bool *changed, finn_error *err)
{
    finn_datatype idt = finn_model_datatype(m, n->inputs[0]);
    const finn_tensor *t = sl_init_of(m, n, 1);
    if (!t)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "RoundAndClipThresholds: thresholds of '%s' are not an "
                              "initializer",
                              n->name);
    if (!finn_dt_is_integer(idt))
        return 0;
    finn_tensor *tn = sl_map(t, ceil, err);
    if (!tn)
        return -1;
    bool modified = false;
    size_t count = finn_tensor_numel(t);
    for (size_t i = 0; i < count && !modified; i++) {
        double a = finn_tensor_get(t, i), b = finn_tensor_get(tn, i);
        modified = a != b; /* NaN != NaN too, as in numpy */
    }
    double zero = 0, lim[2] = {finn_dt_min(idt) - 1, finn_dt_max(idt) + 1};
    if (!finn_dt_signed(idt) && any_where(tn, below, &zero)) {
        clip(tn, 0, INFINITY);
        modified = true;
    }
    if (any_where(tn, outside, lim)) {
        clip(tn, lim[0], lim[1]);
        modified = true;
    }
    if (!modified) {
        finn_tensor_free(tn);
        return 0;
    }
    *changed = true;
    if (sl_set_init(m, n->inputs[1], tn, err))
        return -1;
    return sl_set_dt(m, n->inputs[1], idt, err);
}

int sl_round_and_clip_thresholds(const finn_registry *reg, finn_model *m, bool *changed,
                                 finn_error *err)
{
    (void)reg;
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++)
        if (!strcmp(m->nodes[i]->op_type, "MultiThreshold") &&
            round_one(m, m->nodes[i], changed, err))
            return -1;
    return 0;
}
