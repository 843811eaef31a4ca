/*
 * set_folding.c - FINN's SetFolding (set_folding.py, finn-backend.md
 * section 6): choose PE/SIMD (and the RTL SWG's parallel_window) per node
 * so that each layer's expected cycles fall strictly below a target.
 *
 * Per node in graph order (specialized hls/rtl dataflow nodes only):
 * - MVAU: SIMD over the divisors of MW until the target is met or
 *   W * SIMD exceeds mvau_wwidth_max (then the previous SIMD is kept), then
 *   PE over the divisors of MH.
 * - PE ops (NumChannels), LabelSelect (Labels): PE over the divisors.
 * - VVAU / Pool ("depthwise exceptions"): PE over Channels; a VVAU with PE
 *   at its maximum and still too slow also raises SIMD over kh*kw; the
 *   producing SWG gets SIMD = PE (and parallel_window for the RTL SWG).
 * - SIMD ops and non-depthwise SWGs: SIMD over NumChannels / IFMChannels;
 *   an RTL SWG at full SIMD and still too slow gets parallel_window = 1.
 * - anything else: the warning FINN prints, node untouched.
 * Cycles always come from the op's exp_cycles hook (finn_hw_exp_cycles).
 */
#include "folding.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void fold_warn(const fold_out *out, const char *fmt, ...)
{
    if (!out || !out->warn)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    out->warn(out->ud, line);
}

bool fold_is_specialized(const finn_registry *reg, const finn_node *n)
{
    return (!strcmp(n->domain, FINN_HW_DOMAIN_HLS) || !strcmp(n->domain, FINN_HW_DOMAIN_RTL)) &&
           finn_hw_is_dataflow_node(reg, n);
}

/* FINN's base class returns 0 cycles for ops without a model. */
static bool has_cycle_model(const finn_registry *reg, const finn_node *n)
{
    const finn_hw_op *hw = finn_hw_op_of(reg, n);
    if (!hw)
        return false;
    if (hw->exp_cycles)
        return true;
    const finn_op *base = hw->impl ? finn_registry_op(reg, FINN_HW_DOMAIN, hw->base) : NULL;
    return base && base->ext && ((const finn_hw_op *)base->ext)->exp_cycles;
}

int fold_exp_cycles(const finn_registry *reg, const finn_model *m, const finn_node *n,
                    int64_t *out, finn_error *err)
{
    *out = has_cycle_model(reg, n) ? finn_hw_exp_cycles(reg, m, n) : 0;
    if (*out < 0)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "node '%s' (%s): cannot compute its expected cycles (missing or "
                              "invalid folding/shape attributes)",
                              n->name, n->op_type);
    return 0;
}

typedef struct sf {
    const finn_registry *reg;
    finn_model *m;
    int64_t target;
    int64_t wwidth_max;
    const fold_out *out;
    finn_error *err;
} sf;

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list))
            return true;
    return false;
}

static int cycles(const sf *c, const finn_node *n, int64_t *out)
{
    return fold_exp_cycles(c->reg, c->m, n, out, c->err) ? finn_error_prefix(c->err, "SetFolding: ")
                                                         : 0;
}

static int set_i(const sf *c, finn_node *n, const char *attr, int64_t v)
{
    return finn_node_set_attr_i(n, attr, v, c->err);
}

/* A required positive INT attribute. */
static int req_attr(const sf *c, const finn_node *n, const char *attr, int64_t *v)
{
    const finn_attr *a = finn_node_attr(n, attr);
    if (!a || a->type != FINN_ATTR_INT)
        return finn_error_set(c->err, FINN_ERR_INVALID,
                              "SetFolding: node '%s' (%s) has no integer attribute %s", n->name,
                              n->op_type, attr);
    *v = a->i;
    return 0;
}

/* Product of an INTS attribute (numpy's prod: 1 for an empty list). */
static int prod_attr(const sf *c, const finn_node *n, const char *attr, int64_t *v)
{
    const int64_t *vals;
    size_t k = finn_node_attr_ints(n, attr, &vals);
    if (!vals)
        return finn_error_set(c->err, FINN_ERR_INVALID,
                              "SetFolding: node '%s' (%s) has no list attribute %s", n->name,
                              n->op_type, attr);
    *v = 1;
    for (size_t i = 0; i < k; i++)
        *v *= vals[i];
    return 0;
}

/* optimize_attribute_val: attr = 1, then each divisor of max ascending,
 * stopping at the first one whose cycles are below the target. */
static int opt(const sf *c, finn_node *n, const char *attr, int64_t max)
{
    if (set_i(c, n, attr, 1))
        return -1;
    for (int64_t d = 1; d <= max; d++) {
        if (max % d)
            continue;
        int64_t cyc = 0;
        if (set_i(c, n, attr, d) || cycles(c, n, &cyc))
            return -1;
        if (cyc < c->target)
            break;
    }
    return 0;
}

static int fold_mvau(const sf *c, finn_node *n)
{
    int64_t mw = 0, mh = 0;
    if (req_attr(c, n, "MW", &mw) || req_attr(c, n, "MH", &mh))
        return -1;
    finn_datatype wdt;
    const char *wname = finn_node_attr_s(n, "weightDataType", NULL);
    if (!wname)
        return finn_error_set(c->err, FINN_ERR_INVALID,
                              "SetFolding: node '%s' (%s) has no weightDataType", n->name,
                              n->op_type);
    if (finn_dt_parse(wname, &wdt, c->err))
        return -1;
    int64_t wbits = finn_dt_bitwidth(wdt);
    if (set_i(c, n, "PE", 1) || set_i(c, n, "SIMD", 1))
        return -1;
    int64_t prev = 1;
    for (int64_t d = 1; d <= mw; d++) {
        if (mw % d)
            continue;
        int64_t cyc = 0;
        if (set_i(c, n, "SIMD", d) || cycles(c, n, &cyc))
            return -1;
        if (cyc < c->target)
            break;
        if (wbits * d > c->wwidth_max) {
            /* the weight stream got too wide: keep the previous SIMD */
            if (set_i(c, n, "SIMD", prev))
                return -1;
            break;
        }
        prev = d;
    }
    return opt(c, n, "PE", mh);
}

/* NumChannels, or the last axis of the normal input shape for ops that
 * do not define it (as FINN's fallback). */
static int pe_op_max(const sf *c, const finn_node *n, int64_t *max)
{
    const finn_attr *a = finn_node_attr(n, "NumChannels");
    if (a && a->type == FINN_ATTR_INT) {
        *max = a->i;
        return 0;
    }
    int nd;
    int64_t shape[FINN_MAX_DIMS];
    if (finn_hw_shape(c->reg, c->m, n, FINN_HW_NORMAL_IN, 0, &nd, shape, c->err))
        return -1;
    if (nd < 1)
        return finn_error_set(c->err, FINN_ERR_INVALID,
                              "SetFolding: node '%s' (%s): no NumChannels and no input shape",
                              n->name, n->op_type);
    *max = shape[nd - 1];
    return 0;
}

static bool is_vvau(const char *op) { return !strcmp(op, "VVAU_hls") || !strcmp(op, "VVAU_rtl"); }

/* VVAU / Pool: PE first, then (VVAU) SIMD; the producing SWG follows. */
static int fold_depthwise(const sf *c, finn_node *n)
{
    bool vvau = is_vvau(n->op_type);
    int64_t max_pe = 0, pe, cyc = 0;
    if (vvau && set_i(c, n, "SIMD", 1))
        return -1;
    if (req_attr(c, n, "Channels", &max_pe) || opt(c, n, "PE", max_pe))
        return -1;
    pe = finn_node_attr_i(n, "PE", 1);
    if (cycles(c, n, &cyc))
        return -1;
    if (vvau && pe == max_pe && cyc > c->target) {
        int64_t max_simd = 0;
        if (prod_attr(c, n, "Kernel", &max_simd) || opt(c, n, "SIMD", max_simd))
            return -1;
    }
    const char *in0 = finn_node_input(n, 0);
    finn_node *swu = in0 ? finn_model_producer(c->m, in0) : NULL;
    if (swu && !strncmp(swu->op_type, "ConvolutionInputGenerator", 25)) {
        if (set_i(c, swu, "SIMD", pe))
            return -1;
        if (!strcmp(swu->op_type, "ConvolutionInputGenerator_rtl")) {
            bool par = vvau && finn_node_attr_i(n, "SIMD", 1) > 1;
            if (set_i(c, swu, "parallel_window", par ? 1 : 0))
                return -1;
        }
        return 0;
    }
    /* FINN compares the kernel size with 1; Pool's KernelSize is a list,
     * so a Pool without an SWG in front always fails there (kept). */
    int64_t ksize = 0;
    if (vvau && prod_attr(c, n, "Kernel", &ksize))
        return -1;
    if (!vvau || ksize != 1)
        return finn_error_set(c->err, FINN_ERR_INVALID,
                              "SetFolding: node '%s' (%s): Expected SWU on DW op input, found %s",
                              n->name, n->op_type,
                              swu ? swu->op_type : "no producer (graph input)");
    return 0;
}

static int fold_swg(const sf *c, finn_node *n)
{
    if (finn_node_attr_i(n, "depthwise", 0) != 0)
        return 0; /* set by its depthwise consumer */
    bool rtl = !strcmp(n->op_type, "ConvolutionInputGenerator_rtl");
    int64_t max_simd = 0, cyc = 0;
    if (req_attr(c, n, "IFMChannels", &max_simd))
        return -1;
    if (rtl && set_i(c, n, "parallel_window", 0))
        return -1;
    if (opt(c, n, "SIMD", max_simd) || cycles(c, n, &cyc))
        return -1;
    if (rtl && finn_node_attr_i(n, "SIMD", 1) == max_simd && cyc > c->target)
        return set_i(c, n, "parallel_window", 1);
    return 0;
}

static const char *const PE_OPS[] = {"AddStreams_hls",    "ChannelwiseOp_hls",
                                     "DuplicateStreams_hls", "GlobalAccPool_hls",
                                     "Thresholding_hls",  "Thresholding_rtl",
                                     NULL};
static const char *const SIMD_OPS[] = {"DownSampler_hls", "FMPadding_hls", "FMPadding_Pixel_hls",
                                       NULL};
static const char *const DW_OPS[] = {"VVAU_hls", "VVAU_rtl", "Pool_hls", NULL};

static int fold_node(const sf *c, finn_node *n)
{
    const char *op = n->op_type;
    int64_t max = 0;
    if (!strcmp(op, "MVAU_hls") || !strcmp(op, "MVAU_rtl"))
        return fold_mvau(c, n);
    if (in_list(op, PE_OPS))
        return pe_op_max(c, n, &max) || opt(c, n, "PE", max) ? -1 : 0;
    if (!strcmp(op, "LabelSelect_hls"))
        return req_attr(c, n, "Labels", &max) || opt(c, n, "PE", max) ? -1 : 0;
    if (in_list(op, DW_OPS))
        return fold_depthwise(c, n);
    if (!strcmp(op, "ConvolutionInputGenerator_hls") ||
        !strcmp(op, "ConvolutionInputGenerator_rtl"))
        return fold_swg(c, n);
    if (in_list(op, SIMD_OPS))
        return req_attr(c, n, "NumChannels", &max) || opt(c, n, "SIMD", max) ? -1 : 0;
    fold_warn(c->out, "SetFolding doesn't know how to handle op_type %s", op);
    return 0;
}

int fold_annotate_cycles(const finn_registry *reg, finn_model *m, finn_error *err)
{
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (!fold_is_specialized(reg, n))
            continue;
        int64_t cyc = 0;
        if (fold_exp_cycles(reg, m, n, &cyc, err))
            return finn_error_prefix(err, "AnnotateCycles: ");
        if (finn_node_set_attr_i(n, "cycles_estimate", cyc, err))
            return -1;
    }
    return 0;
}

int64_t fold_max_cycles(const finn_registry *reg, const finn_model *m, const char **name)
{
    int64_t max = 0;
    *name = "";
    for (size_t i = 0; i < m->n_nodes; i++) {
        const finn_node *n = m->nodes[i];
        if (!fold_is_specialized(reg, n))
            continue;
        int64_t c = finn_node_attr_i(n, "cycles_estimate", 0);
        if (c > max) {
            max = c;
            *name = n->name;
        }
    }
    return max;
}

int fold_set_folding(const finn_registry *reg, finn_model *m, int64_t target_cycles,
                     int64_t mvau_wwidth_max, bool two_pass_relaxation, const fold_out *out,
                     finn_error *err)
{
    sf c = {reg, m, target_cycles, mvau_wwidth_max, out, err};
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (fold_is_specialized(reg, n) && fold_node(&c, n))
            return -1;
    }
    if (finn_give_unique_node_names(m, err) || finn_model_cleanup(m, err) ||
        fold_annotate_cycles(reg, m, err) || finn_model_cleanup(m, err))
        return -1;
    if (!two_pass_relaxation)
        return 0;
    const char *name;
    int64_t max = fold_max_cycles(reg, m, &name);
    if (max <= target_cycles)
        return 0;
    /* balance the pipeline on what the slowest node achieves; single retry */
    fold_warn(out, "Node %s is bottleneck with %lld cycles, running second pass", name,
              (long long)max);
    return fold_set_folding(reg, m, max, mvau_wwidth_max, false, out, err);
}
