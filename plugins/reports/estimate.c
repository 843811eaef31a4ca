/*
 * estimate.c - the analyses behind step_generate_estimate_reports
 * (finn-backend.md 9, analysis/fpgadataflow in FINN).
 */
#include "reports.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int oom(finn_error *err)
{
    return finn_error_set(err, FINN_ERR_NOMEM, "out of memory while building a report");
}

static const char *name_of(const finn_node *n) { return n->name ? n->name : ""; }

bool rep_is_specialized(const finn_node *n)
{
    return (!strcmp(n->domain, FINN_HW_DOMAIN_HLS) || !strcmp(n->domain, FINN_HW_DOMAIN_RTL)) &&
           !strcmp(finn_node_attr_s(n, "backend", ""), "fpgadataflow");
}

/* ---- op_and_param_counts -------------------------------------------------- */

static int dt_bits(const finn_node *n, const char *attr, int64_t *bits, finn_error *err)
{
    finn_datatype dt;
    const char *s = finn_node_attr_s(n, attr, NULL);
    if (!s)
        return finn_error_set(err, FINN_ERR_INVALID, "node '%s' (%s): attribute '%s' is missing",
                              name_of(n), n->op_type, attr);
    if (finn_dt_parse(s, &dt, err))
        return finn_error_prefix(err, "node '%s' (%s): attribute '%s': ", name_of(n),
                                 n->op_type, attr);
    *bits = finn_dt_bitwidth(dt);
    return 0;
}

/* MVAU / VVAU: {"op_mac_<a>bx<b>b": macs, "param_weight_<W>b": weights}
 * (+ "param_threshold_<acc>b": outputs when noActivation == 0). */
static int mac_counts(const finn_node *n, bool vvau, rj *d, finn_error *err)
{
    int64_t w = 0, a = 0, macs, weights, thr;
    if (dt_bits(n, "weightDataType", &w, err) || dt_bits(n, "inputDataType", &a, err))
        return -1;
    if (vvau) {
        const int64_t *k, *dim;
        if (finn_node_attr_ints(n, "Kernel", &k) != 2 || finn_node_attr_ints(n, "Dim", &dim) != 2)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "node '%s' (%s): Kernel and Dim must have two values",
                                  name_of(n), n->op_type);
        int64_t ch = finn_node_attr_i(n, "Channels", 0);
        weights = k[0] * k[1] * ch;
        macs = weights * (dim[0] * dim[1]);
        thr = ch;
    } else {
        const int64_t *vecs;
        size_t nv = finn_node_attr_ints(n, "numInputVectors", &vecs);
        int64_t reps = 1;
        for (size_t i = 0; i < nv; i++)
            reps *= vecs[i];
        int64_t mw = finn_node_attr_i(n, "MW", 0), mh = finn_node_attr_i(n, "MH", 0);
        weights = mw * mh;
        macs = weights * reps;
        thr = mh;
    }
    char key[64];
    snprintf(key, sizeof key, "op_mac_%lldbx%lldb", (long long)(a < w ? a : w),
             (long long)(a < w ? w : a));
    rj_set(d, key, rj_int(macs));
    snprintf(key, sizeof key, "param_weight_%lldb", (long long)w);
    rj_set(d, key, rj_int(weights));
    if (finn_node_attr_i(n, "noActivation", 0) == 0) {
        int64_t acc = 0;
        if (dt_bits(n, "accDataType", &acc, err))
            return -1;
        snprintf(key, sizeof key, "param_threshold_%lldb", (long long)acc);
        rj_set(d, key, rj_int(thr));
    }
    return 0;
}

/* The count dict of one HW node ({} for ops FINN has no counts for). */
static int node_counts(const finn_registry *reg, const finn_node *n, rj *d, finn_error *err)
{
    const finn_hw_op *hw = finn_hw_op_of(reg, n);
    if (!strcmp(hw->base, "MVAU") || !strcmp(hw->base, "VVAU"))
        return mac_counts(n, !strcmp(hw->base, "VVAU"), d, err);
    if (!strcmp(n->op_type, "Thresholding_hls")) {
        int64_t w = 0;
        if (dt_bits(n, "weightDataType", &w, err))
            return -1;
        char key[64];
        snprintf(key, sizeof key, "param_threshold_%lldb", (long long)w);
        rj_set(d, key,
               rj_int(finn_node_attr_i(n, "NumChannels", 0) * finn_node_attr_i(n, "numSteps", 0)));
    }
    return 0;
}

/* aggregate_dict_keys: per key (first-seen order) the float sum over all
 * layers, skipping keys containing "efficiency". */
static rj *aggregate(const rj *layers)
{
    rj *total = rj_obj();
    for (size_t l = 0; total && l < layers->n; l++) {
        const rj *d = layers->items[l];
        for (size_t k = 0; k < d->n; k++) {
            if (strstr(d->keys[k], "efficiency"))
                continue;
            const rj *v = d->items[k];
            double x = v->kind == RJ_INT ? (double)v->i : v->f;
            rj *t = rj_get(total, d->keys[k]);
            if (t)
                t->f += x;
            else
                rj_set(total, d->keys[k], rj_float(x));
        }
    }
    return total;
}

int rep_op_counts(const finn_registry *reg, const finn_model *m, rj **out, finn_error *err)
{
    rj *r = rj_obj();
    for (size_t i = 0; r && i < m->n_nodes; i++) {
        const finn_node *n = m->nodes[i];
        /* FINN asks every custom op that has get_op_and_param_counts: the
         * HW ops, not StreamingDataflowPartition */
        if (strncmp(n->domain, "finn", 4) || !finn_hw_op_of(reg, n) ||
            !strcmp(n->op_type, "StreamingDataflowPartition"))
            continue;
        rj *d = rj_obj();
        if (d && node_counts(reg, n, d, err)) {
            rj_free(d);
            rj_free(r);
            return -1;
        }
        rj_set(r, name_of(n), d);
    }
    if (r)
        rj_set(r, "total", aggregate(r));
    if (!rj_ok(r)) {
        rj_free(r);
        return oom(err);
    }
    *out = r;
    return 0;
}

/* ---- cycles -------------------------------------------------------------------- */

static int node_cycles(const finn_registry *reg, const finn_model *m, const finn_node *n,
                       int64_t *c, finn_error *err)
{
    *c = finn_hw_exp_cycles(reg, m, n);
    if (*c < 0)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "node '%s' (%s): no cycle estimate (missing or invalid attributes)",
                              name_of(n), n->op_type);
    return 0;
}

int rep_layer_cycles(const finn_registry *reg, const finn_model *m, rj **out, finn_error *err)
{
    rj *r = rj_obj();
    for (size_t i = 0; r && i < m->n_nodes; i++) {
        const finn_node *n = m->nodes[i];
        int64_t c;
        if (!rep_is_specialized(n))
            continue;
        if (node_cycles(reg, m, n, &c, err)) {
            rj_free(r);
            return -1;
        }
        rj_set(r, name_of(n), rj_int(c));
    }
    if (!rj_ok(r)) {
        rj_free(r);
        return oom(err);
    }
    *out = r;
    return 0;
}

int rep_annotate_cycles(const finn_registry *reg, finn_model *m, finn_error *err)
{
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        int64_t c;
        if (rep_is_specialized(n) &&
            (node_cycles(reg, m, n, &c, err) || finn_node_set_attr_i(n, "cycles_estimate", c, err)))
            return -1;
    }
    return 0;
}

/* ---- resources ----------------------------------------------------------------- */

/* A count FINN computes as an int (or int(...)) prints as an int; a
 * fractional value can only come from float arithmetic. */
static rj *count_value(double v)
{
    if (v == floor(v) && fabs(v) < 9e15)
        return rj_int((int64_t)v);
    return rj_float(v);
}

/* FINN prints an efficiency as the int 1 when the op has no efficiency
 * model or the matching count is 0, and as a float ratio otherwise (which
 * can be exactly 1.0); docs/finn-quirks.md, "int or float in the JSON
 * reports".  BRAM efficiency is modelled by MVAU*, VVAU*, Lookup_hls and
 * StreamingFIFO_rtl, URAM efficiency by MVAU* and VVAU*. */
static rj *efficiency_value(double v, double count, bool modelled)
{
    return v == 1 && (!modelled || count == 0) ? rj_int(1) : rj_float(v);
}

static bool is_mac(const char *op)
{
    return !strncmp(op, "MVAU", 4) || !strncmp(op, "VVAU", 4);
}

/* node_res_estimation in FINN's key order. */
static rj *res_dict(const finn_node *n, const finn_hw_res *r)
{
    bool bram_model = is_mac(n->op_type) || !strcmp(n->op_type, "Lookup_hls") ||
                      !strcmp(n->op_type, "StreamingFIFO_rtl");
    rj *d = rj_obj();
    rj_set(d, "BRAM_18K", count_value(r->bram_18k));
    rj_set(d, "BRAM_efficiency", efficiency_value(r->bram_efficiency, r->bram_18k, bram_model));
    rj_set(d, "LUT", count_value(r->lut));
    rj_set(d, "URAM", count_value(r->uram));
    rj_set(d, "URAM_efficiency",
           efficiency_value(r->uram_efficiency, r->uram, is_mac(n->op_type)));
    rj_set(d, "DSP", count_value(r->dsp));
    return d;
}

/* One node's estimate; an op without a model gets HWCustomOp's defaults. */
static rj *node_res(const finn_registry *reg, const finn_model *m, const finn_node *n,
                    const char *part, finn_error *err)
{
    finn_hw_res r = {0, 0, 0, 0, 1, 1};
    finn_error e = {0};
    if (finn_hw_resources(reg, m, n, part, &r, &e)) {
        if (e.code != FINN_ERR_UNSUPPORTED) {
            *err = e;
            return NULL;
        }
        r = (finn_hw_res){0, 0, 0, 0, 1, 1};
    }
    rj *d = res_dict(n, &r);
    if (!rj_ok(d)) {
        rj_free(d);
        oom(err);
        return NULL;
    }
    return d;
}

int rep_layer_resources(const finn_registry *reg, const finn_model *m, const char *part,
                        rj **out, finn_error *err)
{
    rj *r = rj_obj();
    if (!r)
        return oom(err);
    for (size_t i = 0; i < m->n_nodes; i++) {
        const finn_node *n = m->nodes[i];
        if (!rep_is_specialized(n))
            continue;
        rj *d = node_res(reg, m, n, part, err);
        if (!d) {
            rj_free(r);
            return -1;
        }
        rj_set(r, name_of(n), d);
    }
    rj_set(r, "total", aggregate(r));
    if (!rj_ok(r)) {
        rj_free(r);
        return oom(err);
    }
    *out = r;
    return 0;
}

/* The estimates of n with attribute `attr` set to each of values (NULL
 * terminated), then attr set back to its value before (dflt if it had
 * none), as FINN's res_estimation_complete does. */
static rj *alternatives(const finn_registry *reg, const finn_model *m, finn_node *n,
                        const char *part, const char *attr, const char *dflt,
                        const char *const *values, finn_error *err)
{
    char *orig = strdup(finn_node_attr_s(n, attr, dflt));
    rj *list = rj_arr();
    if (!orig || !list) {
        free(orig);
        rj_free(list);
        oom(err);
        return NULL;
    }
    for (size_t k = 0; values[k]; k++) {
        rj *d = NULL;
        bool push_failed = false;
        if (finn_node_set_attr_s(n, attr, values[k], err) ||
            !(d = node_res(reg, m, n, part, err)) || (push_failed = rj_push(list, d) != 0)) {
            if (push_failed)
                oom(err);
            finn_error scratch = {0};
            finn_node_set_attr_s(n, attr, orig, &scratch);
            free(orig);
            rj_free(list);
            return NULL;
        }
    }
    int rc = finn_node_set_attr_s(n, attr, orig, err);
    free(orig);
    if (rc) {
        rj_free(list);
        return NULL;
    }
    return list;
}

int rep_config_alternatives(const finn_registry *reg, finn_model *m, const char *part,
                            rj **out, finn_error *err)
{
    static const char *const RES_TYPES[] = {"dsp", "lut", NULL};
    static const char *const RAM_STYLES[] = {"block", "distributed", "ultra", NULL};
    rj *r = rj_obj();
    if (!r)
        return oom(err);
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (!rep_is_specialized(n))
            continue;
        rj *list;
        if (!strncmp(n->op_type, "MVAU", 4) || !strncmp(n->op_type, "VVAU", 4))
            list = alternatives(reg, m, n, part, "resType", "auto", RES_TYPES, err);
        else if (!strncmp(n->op_type, "ConvolutionInputGenerator", 25))
            list = alternatives(reg, m, n, part, "ram_style", "distributed", RAM_STYLES, err);
        else {
            rj *d = node_res(reg, m, n, part, err);
            list = d ? rj_arr() : NULL;
            if (d && rj_push(list, d))
                oom(err);
        }
        if (!list || !rj_ok(list)) {
            rj_free(list);
            rj_free(r);
            return -1;
        }
        rj_set(r, name_of(n), list);
    }
    if (!rj_ok(r)) {
        rj_free(r);
        return oom(err);
    }
    *out = r;
    return 0;
}

/* ---- dataflow_performance -------------------------------------------------------- */

typedef struct lat {
    const char *name;
    int64_t lat;
} lat;

static const lat *lat_find(const lat *t, size_t count, const char *name)
{
    for (size_t k = 0; k < count; k++)
        if (!strcmp(t[k].name, name))
            return &t[k];
    return NULL;
}

int rep_network_performance(const finn_model *m, double clk_ns, rj **out, finn_error *err)
{
    lat *t = calloc(m->n_nodes ? m->n_nodes : 1, sizeof *t);
    if (!t)
        return oom(err);
    size_t nt = 0;
    int64_t max_cycles = 0, critical = 0;
    const char *max_name = "";
    bool any = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        const finn_node *n = m->nodes[i];
        if (!rep_is_specialized(n))
            continue;
        int64_t c = finn_node_attr_i(n, "cycles_estimate", 0);
        if (c > max_cycles)
            max_cycles = c, max_name = name_of(n);
        if (lat_find(t, nt, name_of(n)))
            continue; /* FINN computes a name's latency once */
        int64_t pred = 0;
        for (size_t k = 0; k < n->n_inputs; k++) {
            const finn_node *p = n->inputs[k][0] ? finn_model_producer(m, n->inputs[k]) : NULL;
            if (!p)
                continue;
            const lat *pl = lat_find(t, nt, name_of(p));
            if (!pl) {
                free(t);
                return finn_error_set(err, FINN_ERR_INVALID,
                                      "dataflow_performance: node '%s' has predecessor '%s' (%s) "
                                      "that is not an earlier hls/rtl node",
                                      name_of(n), name_of(p), p->op_type);
            }
            if (pl->lat > pred)
                pred = pl->lat;
        }
        t[nt].name = name_of(n);
        t[nt++].lat = c + pred;
        if (!any || c + pred > critical)
            critical = c + pred;
        any = true;
    }
    free(t);
    if (!any) /* FINN: max() of an empty sequence */
        return finn_error_set(err, FINN_ERR_INVALID,
                              "dataflow_performance: the model has no hls/rtl nodes");
    if (max_cycles == 0) /* FINN divides by max_cycles unguarded */
        return finn_error_set(err, FINN_ERR_INVALID,
                              "estimated_throughput_fps: max_cycles is 0 (division by zero)");
    rj *r = rj_obj();
    rj_set(r, "critical_path_cycles", rj_int(critical));
    rj_set(r, "max_cycles", rj_int(max_cycles));
    rj_set(r, "max_cycles_node_name", rj_str(max_name));
    rj_set(r, "estimated_throughput_fps", rj_float(1e9 / clk_ns / (double)max_cycles));
    rj_set(r, "estimated_latency_ns", rj_float((double)critical * clk_ns));
    if (!rj_ok(r)) {
        rj_free(r);
        return oom(err);
    }
    *out = r;
    return 0;
}
