/*
 * res_common.c - resource-estimate helpers shared by the MVAU/VVAU/
 * Thresholding variants; see res_common.h.  Also compiled into the rtl
 * plugin through plugins/rtl/res_common.c.
 */
#include "res_common.h"

#include <math.h>
#include <string.h>

/* ---- attributes ------------------------------------------------------------ */

int res_int(const finn_node *n, const char *name, bool required, int64_t dflt, int64_t *out,
            finn_error *err)
{
    const finn_attr *a = finn_node_attr(n, name);
    if (!a) {
        if (required)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "node '%s' (%s): required attribute '%s' is missing", n->name,
                                  n->op_type, name);
        *out = dflt;
        return 0;
    }
    if (a->type != FINN_ATTR_INT)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "node '%s' (%s): attribute '%s' must be an INT", n->name,
                              n->op_type, name);
    *out = a->i;
    return 0;
}

int res_pos(const finn_node *n, const char *name, int64_t *out, finn_error *err)
{
    if (res_int(n, name, true, 0, out, err))
        return -1;
    if (*out < 1)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "node '%s' (%s): attribute '%s' = %lld must be >= 1", n->name,
                              n->op_type, name, (long long)*out);
    return 0;
}

int res_choice(const finn_node *n, const char *name, const char *dflt,
               const char *const *allowed, const char **out, finn_error *err)
{
    const finn_attr *a = finn_node_attr(n, name);
    if (a && a->type != FINN_ATTR_STRING)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "node '%s' (%s): attribute '%s' must be a STRING", n->name,
                              n->op_type, name);
    const char *v = a ? a->s : dflt;
    for (size_t i = 0; allowed[i]; i++)
        if (!strcmp(v, allowed[i])) {
            *out = allowed[i];
            return 0;
        }
    char list[256] = "";
    for (size_t i = 0; allowed[i]; i++) {
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", allowed[i]);
    }
    return finn_error_set(err, FINN_ERR_INVALID,
                          "node '%s' (%s): attribute '%s' = '%s' is not one of: %s", n->name,
                          n->op_type, name, v, list);
}

int res_dt(const finn_node *n, const char *attr, const char *dflt, finn_datatype *out,
           finn_error *err)
{
    const finn_attr *a = finn_node_attr(n, attr);
    if (a && a->type != FINN_ATTR_STRING)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "node '%s' (%s): attribute '%s' must be a datatype name", n->name,
                              n->op_type, attr);
    const char *name = a ? a->s : dflt;
    if (!name)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "node '%s' (%s): required attribute '%s' is missing", n->name,
                              n->op_type, attr);
    if (finn_dt_parse(name, out, err))
        return finn_error_prefix(err, "node '%s' (%s): attribute '%s': ", n->name, n->op_type,
                                 attr);
    return 0;
}

/* ---- arithmetic ------------------------------------------------------------ */

double res_py_log2(double x)
{
    return log(x) / log(2.0);
}

void res_init(finn_hw_res *out)
{
    out->lut = out->bram_18k = out->uram = out->dsp = 0;
    out->bram_efficiency = out->uram_efficiency = 1;
}

/* ---- DSP block ------------------------------------------------------------- */

/* finn.util.basic.is_versal: a fixed set of 4- and 5-letter prefixes. */
static bool is_versal(const char *part)
{
    static const char *const P4[] = {"xcvc", "xcve", "xcvp", "xcvm", "xqvc", "xqvm"};
    for (size_t i = 0; i < sizeof P4 / sizeof P4[0]; i++)
        if (!strncmp(part, P4[i], 4))
            return true;
    return !strncmp(part, "xqrvc", 5);
}

int res_dsp_block_of(const char *part, res_dsp_block *out, finn_error *err)
{
    if (!part || !*part)
        return finn_error_set(err, FINN_ERR_INVALID, "no FPGA part given for the DSP estimate");
    if (is_versal(part)) {
        *out = RES_DSP58;
        return 0;
    }
    /* FINN indexes fpgapart[2]: a shorter name raises an IndexError there */
    if (strlen(part) < 3)
        return finn_error_set(err, FINN_ERR_INVALID, "FPGA part '%s' is too short", part);
    *out = part[2] == '7' ? RES_DSP48E1 : RES_DSP48E2;
    return 0;
}

/* ---- MVAU / VVAU ----------------------------------------------------------- */

static const char *const MEM_MODES[] = {"internal_embedded", "internal_decoupled", "external",
                                        NULL};
static const char *const RAM_STYLES[] = {"auto", "block", "distributed", "ultra", NULL};
static const char *const THR_STYLES[] = {"auto", "block", "distributed", NULL};
static const char *const RES_TYPES[] = {"auto", "lut", "dsp", NULL};

/* Kernel = [kh, kw] (exactly two values, as FINN unpacks it). */
static int vvau_kernel(const finn_node *n, res_mac *p, finn_error *err)
{
    const finn_attr *a = finn_node_attr(n, "Kernel");
    if (!a)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "node '%s' (%s): required attribute 'Kernel' is missing", n->name,
                              n->op_type);
    if (a->type != FINN_ATTR_INTS || a->n != 2)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "node '%s' (%s): attribute 'Kernel' must be 2 INTS [kh, kw]",
                              n->name, n->op_type);
    p->kh = a->ints[0], p->kw = a->ints[1];
    return 0;
}

static int mac_datatypes(const finn_node *n, res_mac *p, finn_error *err)
{
    finn_datatype in, w, o, acc;
    if (res_dt(n, "inputDataType", NULL, &in, err) || res_dt(n, "weightDataType", NULL, &w, err) ||
        res_dt(n, "outputDataType", NULL, &o, err) || res_dt(n, "accDataType", "INT32", &acc, err))
        return -1;
    p->a = finn_dt_bitwidth(in), p->w = finn_dt_bitwidth(w);
    p->b = finn_dt_bitwidth(o), p->acc = finn_dt_bitwidth(acc);
    p->in_signed = finn_dt_signed(in);
    return 0;
}

int res_mac_params(const finn_node *n, bool vvau, res_mac *p, finn_error *err)
{
    memset(p, 0, sizeof *p);
    p->n = n, p->vvau = vvau;
    int64_t no_act = 0;
    if (res_pos(n, "PE", &p->pe, err))
        return -1;
    if (vvau) {
        /* VVAU's SIMD is optional (default 1) */
        if (res_int(n, "SIMD", false, 1, &p->simd, err) ||
            res_pos(n, "Channels", &p->ch, err) || vvau_kernel(n, p, err))
            return -1;
        if (p->simd < 1)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "node '%s' (%s): attribute 'SIMD' = %lld must be >= 1", n->name,
                                  n->op_type, (long long)p->simd);
        p->ram_style_thr = "auto"; /* VVAU has no threshold ram style */
    } else {
        if (res_pos(n, "SIMD", &p->simd, err) || res_pos(n, "MW", &p->mw, err) ||
            res_pos(n, "MH", &p->mh, err) ||
            res_choice(n, "ram_style_thresholds", "auto", THR_STYLES, &p->ram_style_thr, err))
            return -1;
    }
    if (mac_datatypes(n, p, err) || res_int(n, "noActivation", false, 0, &no_act, err) ||
        res_choice(n, "mem_mode", "internal_decoupled", MEM_MODES, &p->mem_mode, err) ||
        res_choice(n, "ram_style", "auto", RAM_STYLES, &p->ram_style, err) ||
        res_choice(n, "resType", "auto", RES_TYPES, &p->res_type, err))
        return -1;
    if (no_act != 0 && no_act != 1)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "node '%s' (%s): attribute 'noActivation' = %lld is not 0 or 1",
                              n->name, n->op_type, (long long)no_act);
    p->no_act = no_act == 1;
    return 0;
}

/* calc_wmem: MVAU asserts PE | MH and SIMD | MW; VVAU floors twice. */
static int mac_wmem(const res_mac *p, int64_t *wmem, finn_error *err)
{
    if (p->vvau) {
        *wmem = p->kh * p->kw * p->ch / p->pe / p->simd;
        return 0;
    }
    if (p->mh % p->pe || p->mw % p->simd)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "node '%s' (%s): WMEM needs PE (%lld) | MH (%lld) and SIMD (%lld) | "
                              "MW (%lld)",
                              p->n->name, p->n->op_type, (long long)p->pe, (long long)p->mh,
                              (long long)p->simd, (long long)p->mw);
    *wmem = p->mw * p->mh / (p->pe * p->simd);
    return 0;
}

/* calc_tmem: 0 without activation, else MH // PE (MVAU) or Channels // PE. */
static int64_t mac_tmem(const res_mac *p)
{
    if (p->no_act)
        return 0;
    return (p->vvau ? p->ch : p->mh) / p->pe;
}

/* The SDP RAMB18 table (finn-backend.md 11 "ramb18_tiles"); VVAU uses width
 * divisors 8/16/32 where MVAU uses 9/18/36 (source quirk, kept). */
static double ramb18(double depth, int64_t width, bool vvau)
{
    double w = (double)width;
    if (width == 1)
        return ceil(depth / 16384);
    if (width == 2)
        return ceil(depth / 8192);
    if (width <= 4)
        return ceil(depth / 4096) * ceil(w / 4);
    if (width <= 9)
        return ceil(depth / 2048) * ceil(w / (vvau ? 8 : 9));
    if (width <= 18 || depth > 512)
        return ceil(depth / 1024) * ceil(w / (vvau ? 16 : 18));
    return ceil(depth / 512) * ceil(w / (vvau ? 32 : 36));
}

/* BRAM count (bram_estimation). */
static int mac_bram(const res_mac *p, double *bram, finn_error *err)
{
    bool dec = !strcmp(p->mem_mode, "internal_decoupled");
    bool emb = !strcmp(p->mem_mode, "internal_embedded");
    bool lutram = !strcmp(p->ram_style, "distributed") || !strcmp(p->ram_style, "ultra");
    int64_t width = p->simd * p->w * p->pe, wmem = 0;
    *bram = 0;
    if ((dec && lutram) || !strcmp(p->mem_mode, "external"))
        return 0;
    /* FINN evaluates calc_wmem (and MVAU's divisibility assertion) only in
     * the branches that need it, in this order */
    if ((p->vvau && !strcmp(p->ram_style, "auto")) || emb) {
        if (mac_wmem(p, &wmem, err))
            return -1;
        if (wmem <= 128)
            return 0;
    }
    double omega;
    if (p->vvau) {
        if (mac_wmem(p, &wmem, err))
            return -1;
        omega = (double)wmem;
    } else {
        omega = (double)(p->mw * p->mh) / (double)(p->simd * p->pe);
    }
    *bram = ramb18(omega, width, p->vvau);
    return 0;
}

/* URAM count (uram_estimation); VVAU never uses URAM when embedded. */
static int mac_uram(const res_mac *p, double *uram, finn_error *err)
{
    *uram = 0;
    if (!strcmp(p->mem_mode, "external") ||
        (!strcmp(p->mem_mode, "internal_decoupled") && strcmp(p->ram_style, "ultra")))
        return 0;
    int64_t wmem = 0;
    if (!strcmp(p->mem_mode, "internal_embedded")) {
        if (p->vvau)
            return 0;
        if (mac_wmem(p, &wmem, err))
            return -1;
        if (wmem <= 128)
            return 0;
    }
    double omega;
    if (p->vvau) {
        if (mac_wmem(p, &wmem, err))
            return -1;
        omega = (double)wmem;
    } else {
        omega = (double)(p->mw * p->mh) / (double)(p->simd * p->pe);
    }
    double width = (double)(p->simd * p->w * p->pe);
    *uram = ceil(width / 72) * ceil(omega / 4096);
    return 0;
}

int res_mac_memory(const res_mac *p, finn_hw_res *out, finn_error *err)
{
    double bram, uram;
    if (mac_bram(p, &bram, err) || mac_uram(p, &uram, err))
        return -1;
    out->bram_18k = bram, out->uram = uram;
    /* BRAM: MVAU W*MW*MH; VVAU W*PE*WMEM (no SIMD factor, source quirk) */
    double bram_bits, uram_bits;
    if (p->vvau) {
        int64_t wmem = 0;
        if (mac_wmem(p, &wmem, err))
            return -1;
        bram_bits = (double)(p->w * p->pe * wmem);
        uram_bits = (double)(p->w * p->kh * p->kw * p->ch);
    } else {
        bram_bits = uram_bits = (double)(p->w * p->mw * p->mh);
    }
    /* FINN returns the integer 1 when the count is 0, else a float ratio */
    out->bram_efficiency = bram > 0 ? bram_bits / (bram * 36 * 512) : 1;
    out->uram_efficiency = uram > 0 ? uram_bits / (uram * 72 * 4096) : 1;
    return 0;
}

/* Accumulator bits of the LUT model: min(accDataType bits, ceil(alpha +
 * log2(1 + 2^-alpha) + 1)), alpha = log2(depth) + W + A - 1 - signed(A),
 * depth = MW (MVAU) or kh*kw (VVAU). */
static double mac_acc_bits(const res_mac *p)
{
    double depth = (double)(p->vvau ? p->kh * p->kw : p->mw);
    double alpha = res_py_log2(depth) + (double)p->w + (double)p->a - 1 - (p->in_signed ? 1 : 0);
    double bound = ceil(alpha + res_py_log2(1 + pow(2, -alpha)) + 1);
    return (double)p->acc < bound ? (double)p->acc : bound;
}

int res_mac_hls_lut(const res_mac *p, double *lut, finn_error *err)
{
    double P = (double)p->pe, Q = (double)p->simd, W = (double)p->w, A = (double)p->a;
    double c2 = 0;
    bool emb = !strcmp(p->mem_mode, "internal_embedded");
    bool dist = !strcmp(p->mem_mode, "internal_decoupled") && !strcmp(p->ram_style, "distributed");
    if (dist || emb) {
        int64_t wmem;
        if (mac_wmem(p, &wmem, err))
            return -1;
        if (dist || wmem <= 128)
            c2 = P * Q * W * ceil((double)wmem / 64);
    }
    double mult = !strcmp(p->res_type, "dsp") ? 0 : Q * (2 * ceil((W + A) / 6) - 1) * (W + A);
    double adder = (W + A) * (2 * Q - 1);
    double acc = mac_acc_bits(p);
    double thr = 0, comp = 0;
    double steps = pow(2, (double)p->b) - 1;
    if (p->vvau && !p->no_act) {
        /* VVAU: no ceil and no ram-style condition */
        thr = steps * acc * (double)mac_tmem(p) / 64;
        comp = steps * acc;
    } else if (!p->vvau && !p->no_act && !strcmp(p->ram_style_thr, "distributed")) {
        thr = steps * acc * ceil((double)mac_tmem(p) / 64);
        comp = steps * acc;
    }
    /* int(c0 + c1 * (P * (...)) + c2), evaluated left to right as Python */
    double sum = mult + adder + acc + thr + comp;
    double scaled = 1.1 * (P * sum);
    double total = 300 + scaled;
    total = total + c2;
    *lut = trunc(total);
    return 0;
}

double res_mac_hls_dsp(const res_mac *p)
{
    if (strcmp(p->res_type, "dsp"))
        return 0;
    /* MVAU: P*Q*ceil((W+A)/48); VVAU omits the SIMD factor (source quirk) */
    double per_pe = ceil((double)(p->w + p->a) / 48);
    return trunc((double)p->pe * (p->vvau ? 1 : (double)p->simd) * per_pe);
}
