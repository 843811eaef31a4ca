/*
 * impl_style.c - FINN's choice between the HLS and RTL variant of an
 * abstract HW node (specialize_layers.py, finn-backend.md section 5): the
 * defaults when preferred_impl_style is "", the fall-backs (with FINN's
 * warnings, whitespace collapsed) when a preference cannot be met.
 * Variant existence is what the registry holds (the hls and rtl plugins).
 */
#include "specialize.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static bool is_versal(const char *part)
{
    static const char *const V4[] = {"xcvc", "xcve", "xcvp", "xcvm", "xqvc", "xqvm"};
    for (size_t i = 0; i < sizeof V4 / sizeof V4[0]; i++)
        if (!strncmp(part, V4[i], 4))
            return true;
    return !strncmp(part, "xqrvc", 5);
}

const char *sp_dsp_block(const char *part)
{
    if (is_versal(part))
        return "DSP58";
    return strlen(part) > 2 && part[2] == '7' ? "DSP48E1" : "DSP48E2";
}

static bool has_variant(const finn_registry *reg, const char *op_type, const char *style)
{
    char name[256];
    snprintf(name, sizeof name, "%s_%s", op_type, style);
    return finn_registry_op(reg, !strcmp(style, "hls") ? FINN_HW_DOMAIN_HLS : FINN_HW_DOMAIN_RTL,
                            name) != NULL;
}

static int fail(finn_error *err, const finn_node *n, const char *what)
{
    return finn_error_set(err, FINN_ERR_INVALID, "node '%s' (%s): %s", n->name, n->op_type, what);
}

/* A required datatype attribute. */
static int attr_dt(const finn_node *n, const char *attr, finn_datatype *dt, finn_error *err)
{
    const char *s = finn_node_attr_s(n, attr, NULL);
    if (!s) {
        char msg[128];
        snprintf(msg, sizeof msg, "required attribute '%s' is not set", attr);
        return fail(err, n, msg);
    }
    if (finn_dt_parse(s, dt, err)) {
        finn_error_prefix(err, "node '%s' (%s): attribute %s: ", n->name, n->op_type, attr);
        return -1;
    }
    return 0;
}

/* _mvu_rtl_possible: no embedded thresholds, no xnor mode, signed weights
 * (non-narrow ones not on DSP48E1), inputs <= 8 bits (or signed 9) and
 * weights <= 8 bits. */
static int mvu_rtl_possible(const finn_model *m, const finn_node *n, const char *part, bool *ok,
                            finn_error *err)
{
    *ok = false;
    if (finn_node_attr_i(n, "noActivation", 0) == 0 || finn_node_attr_i(n, "binaryXnorMode", 0))
        return 0;
    finn_datatype wdt, idt;
    if (attr_dt(n, "weightDataType", &wdt, err))
        return -1;
    if (!finn_dt_signed(wdt))
        return 0;
    const finn_tensor *w = n->n_inputs > 1 ? finn_model_initializer(m, n->inputs[1]) : NULL;
    if (!w || !finn_tensor_numel(w))
        return fail(err, n, "the weights (input 1) are not an initializer");
    double wmin = INFINITY;
    for (size_t i = 0; i < finn_tensor_numel(w); i++)
        wmin = fmin(wmin, finn_tensor_get(w, i));
    bool narrow = wmin != finn_dt_min(wdt);
    if (!narrow && !strcmp(sp_dsp_block(part), "DSP48E1"))
        return 0;
    if (attr_dt(n, "inputDataType", &idt, err))
        return -1;
    int ib = finn_dt_bitwidth(idt);
    *ok = (ib <= 8 || (ib == 9 && finn_dt_signed(idt))) && finn_dt_bitwidth(wdt) <= 8;
    return 0;
}

/* _vvu_rtl_possible: no embedded thresholds, Versal only, inputs <= 8 bits
 * (or 9 with a negative minimum), signed weights of <= 8 bits. */
static int vvu_rtl_possible(const finn_node *n, const char *part, bool *ok, finn_error *err)
{
    *ok = false;
    if (!finn_node_attr_i(n, "noActivation", 0) || !is_versal(part))
        return 0;
    finn_datatype idt, wdt;
    if (attr_dt(n, "inputDataType", &idt, err) || attr_dt(n, "weightDataType", &wdt, err))
        return -1;
    int ib = finn_dt_bitwidth(idt);
    *ok = (ib <= 8 || (ib == 9 && finn_dt_min(idt) < 0)) && finn_dt_bitwidth(wdt) <= 8 &&
          finn_dt_min(wdt) < 0;
    return 0;
}

/* An ints attribute with at least two entries (dflt used when absent). */
static int attr_pair(const finn_node *n, const char *name, const int64_t *dflt, int64_t out[2],
                     finn_error *err)
{
    const int64_t *v;
    size_t k = finn_node_attr_ints(n, name, &v);
    if (!finn_node_attr(n, name) && dflt)
        v = dflt, k = 2;
    if (k < 2) {
        char msg[128];
        snprintf(msg, sizeof msg, "attribute '%s' needs two entries", name);
        return fail(err, n, msg);
    }
    out[0] = v[0], out[1] = v[1];
    return 0;
}

/* _swg_hls_possible: not dynamic; 1-D, or square kernel/IFM/OFM, equal
 * strides and no dilation. */
static int swg_hls_possible(const finn_node *n, bool *ok, finn_error *err)
{
    static const int64_t ONES[2] = {1, 1};
    *ok = false;
    if (finn_node_attr_i(n, "dynamic_mode", 0))
        return 0;
    if (finn_node_attr_i(n, "is1D", 0)) {
        *ok = true;
        return 0;
    }
    int64_t k[2] = {0}, ifm[2] = {0}, ofm[2] = {0}, s[2] = {0}, d[2] = {0};
    if (attr_pair(n, "ConvKernelDim", NULL, k, err) || attr_pair(n, "IFMDim", NULL, ifm, err) ||
        attr_pair(n, "OFMDim", NULL, ofm, err) || attr_pair(n, "Stride", ONES, s, err) ||
        attr_pair(n, "Dilation", ONES, d, err))
        return -1;
    *ok = k[0] == k[1] && ifm[0] == ifm[1] && ofm[0] == ofm[1] && s[0] == s[1] && d[0] == 1 &&
          d[1] == 1;
    return 0;
}

/* _dwc_determine_impl_style: rtl for integer width ratios. */
static int dwc_rtl_ok(const finn_node *n, bool *ok, finn_error *err)
{
    int64_t in = finn_node_attr_i(n, "inWidth", 0), out = finn_node_attr_i(n, "outWidth", 0);
    if (in <= 0 || out <= 0)
        return fail(err, n, "inWidth and outWidth must be positive");
    *ok = in % out == 0 || out % in == 0;
    return 0;
}

static int no_variant(const finn_node *n, finn_error *err)
{
    return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                          "Node %s with optype %s has no hw implementation variant", n->name,
                          n->op_type);
}

/* MVAU / VVAU: is the RTL unit possible (and, for the default choice,
 * are both widths at least 4 bits)? */
static int mac_rtl(const finn_model *m, const finn_node *n, const char *part, bool need_4bit,
                   bool *ok, finn_error *err)
{
    bool mvau = !strcmp(n->op_type, "MVAU");
    if (need_4bit) {
        finn_datatype idt, wdt;
        if (attr_dt(n, "inputDataType", &idt, err) || attr_dt(n, "weightDataType", &wdt, err))
            return -1;
        if (finn_dt_bitwidth(idt) < 4 || finn_dt_bitwidth(wdt) < 4) {
            *ok = false;
            return 0;
        }
    }
    return mvau ? mvu_rtl_possible(m, n, part, ok, err) : vvu_rtl_possible(n, part, ok, err);
}

static int choose_default(const finn_registry *reg, const finn_model *m, const finn_node *n,
                          const char *part, const char **style, finn_error *err)
{
    bool ok = false;
    if (!strcmp(n->op_type, "StreamingDataWidthConverter")) {
        if (dwc_rtl_ok(n, &ok, err))
            return -1;
        *style = ok ? "rtl" : "hls";
        return 0;
    }
    if (has_variant(reg, n->op_type, "rtl")) {
        ok = true;
        if ((!strcmp(n->op_type, "MVAU") || !strcmp(n->op_type, "VVAU")) &&
            mac_rtl(m, n, part, true, &ok, err))
            return -1;
        *style = ok ? "rtl" : "hls";
        return 0;
    }
    if (has_variant(reg, n->op_type, "hls")) {
        *style = "hls";
        return 0;
    }
    return no_variant(n, err);
}

static int choose_hls(const finn_registry *reg, const finn_node *n, const char **style,
                      char *warn, size_t wsz, finn_error *err)
{
    bool ok = false;
    if (!strcmp(n->op_type, "ConvolutionInputGenerator")) {
        if (swg_hls_possible(n, &ok, err))
            return -1;
        if (!ok)
            snprintf(warn, wsz,
                     "Settings are not supported in HLS. Node %s will automatically be set to "
                     "RTL variant.",
                     n->name);
        *style = ok ? "hls" : "rtl";
        return 0;
    }
    if (has_variant(reg, n->op_type, "hls")) {
        *style = "hls";
        return 0;
    }
    if (!has_variant(reg, n->op_type, "rtl"))
        return no_variant(n, err);
    snprintf(warn, wsz,
             "There is no HLS variant of %s. Node %s will automatically be set to RTL variant.",
             n->op_type, n->name);
    *style = "rtl";
    return 0;
}

static int choose_rtl(const finn_registry *reg, const finn_model *m, const finn_node *n,
                      const char *part, const char **style, char *warn, size_t wsz,
                      finn_error *err)
{
    bool ok = false;
    if (!strcmp(n->op_type, "StreamingDataWidthConverter")) {
        if (dwc_rtl_ok(n, &ok, err))
            return -1;
        if (!ok)
            snprintf(warn, wsz,
                     "RTL implementation of DWC requires stream widths that are integer width "
                     "ratios from each other. Node %s will automatically be set to HLS variant.",
                     n->name);
        *style = ok ? "rtl" : "hls";
        return 0;
    }
    bool mvau = !strcmp(n->op_type, "MVAU");
    if (mvau || !strcmp(n->op_type, "VVAU")) {
        if (mac_rtl(m, n, part, false, &ok, err))
            return -1;
        if (!ok)
            snprintf(warn, wsz,
                     "There is no RTL variant for %s. The node will automatically be set to HLS "
                     "variant. Please check the bit-widths to be <= 8 and ensure the thresholds "
                     "are implemented as standalone layer%s",
                     n->name,
                     mvau ? ""
                          : ". Note that the RTL-variant of this layer is only supported on "
                            "Versal boards");
        *style = ok ? "rtl" : "hls";
        return 0;
    }
    if (has_variant(reg, n->op_type, "rtl")) {
        *style = "rtl";
        return 0;
    }
    if (!has_variant(reg, n->op_type, "hls"))
        return no_variant(n, err);
    snprintf(warn, wsz,
             "There is no RTL variant of %s. Node %s will automatically be set to HLS variant.",
             n->op_type, n->name);
    *style = "hls";
    return 0;
}

int sp_choose_style(const finn_registry *reg, const finn_model *m, const finn_node *n,
                    const char *part, const char **style, char *warn, size_t warn_size,
                    finn_error *err)
{
    warn[0] = 0;
    const char *pref = finn_node_attr_s(n, "preferred_impl_style", "");
    if (!pref[0])
        return choose_default(reg, m, n, part, style, err);
    if (!strcmp(pref, "hls"))
        return choose_hls(reg, n, style, warn, warn_size, err);
    if (!strcmp(pref, "rtl"))
        return choose_rtl(reg, m, n, part, style, warn, warn_size, err);
    return finn_error_set(err, FINN_ERR_INVALID,
                          "node '%s' (%s): Invalid value for attribute preferred_impl_style! Is "
                          "currently set to: %s has to be set to one of the following value "
                          "(\"hls\", \"rtl\")",
                          n->name, n->op_type, pref);
}
