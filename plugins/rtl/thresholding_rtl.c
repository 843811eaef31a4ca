/*
 * thresholding_rtl.c - Thresholding_rtl: the RTL binary-search threshold unit; its memory is
 * chosen by depth triggers.
 *
 * Execution, shapes, widths and cycles come from the abstract Thresholding
 * layer (FINN's variant does not override get_exp_cycles).  This file adds
 * the resource estimate of thresholding_rtl.py: per threshold-memory stage
 * the least-wasteful primitive of finn.util.basic's Versal memory table,
 * counted per PE into URAM / BRAM18 / LUTRAM buckets (finn-backend.md 11.3).
 */
#include "res_common.h"
#include "rtl.h"

#include <math.h>
#include <string.h>

/* Attributes Thresholding_rtl adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {{"depth_trigger_uram", FINN_ATTR_INT, "0"},
                                     {"depth_trigger_bram", FINN_ATTR_INT, "0"},
                                     {"uniform_thres", FINN_ATTR_INT, "0"},
                                     {"deep_pipeline", FINN_ATTR_INT, "1"},
                                     RTL_BACKEND_ATTRS,
                                     {NULL, 0, NULL}};

typedef enum prim_kind { PRIM_URAM, PRIM_BRAM18, PRIM_LUTRAM } prim_kind;

/* finn.util.basic.mem_primitives_versal, in its order (ties keep it). */
static const struct prim {
    prim_kind kind;
    double width, depth;
} PRIMS[] = {{PRIM_URAM, 72, 4096},   {PRIM_URAM, 36, 8192},   {PRIM_URAM, 18, 16384},
             {PRIM_URAM, 9, 32768},   {PRIM_BRAM18, 36, 512},  {PRIM_BRAM18, 18, 1024},
             {PRIM_BRAM18, 9, 2048},  {PRIM_LUTRAM, 1, 64}};
#define N_PRIMS (sizeof PRIMS / sizeof PRIMS[0])

/* qonnx roundup_to_integer_multiple for positive x: the factor itself when
 * x < factor, else x rounded up to a multiple of it. */
static double roundup(double x, double factor)
{
    if (x < factor)
        return factor;
    double r = fmod(x, factor);
    return r == 0 ? x : x + (factor - r);
}

/* The chosen primitive for one (width, depth) memory and its count. */
static void pick(double width, double depth, const bool *allowed, size_t *best, double *count)
{
    double best_waste = 0;
    *best = N_PRIMS;
    for (size_t i = 0; i < N_PRIMS; i++) {
        if (!allowed[i])
            continue;
        const struct prim *pr = &PRIMS[i];
        double cnt = (roundup(width, pr->width) / pr->width) *
                     floor(roundup(depth, pr->depth) / pr->depth);
        double waste = cnt * pr->width * pr->depth - width * depth;
        /* strict < keeps the earlier primitive on ties (stable sort) */
        if (*best == N_PRIMS || waste < best_waste)
            *best = i, best_waste = waste, *count = cnt;
    }
}

/* The primitives a stage of this depth may use (get_memory_estimate): with
 * any trigger set, [trig_bram, trig_uram) is BRAM-only and depth >=
 * trig_uram URAM-only (so trig_uram 0 makes every depth URAM-only). */
static void candidates(double depth, int64_t trig_bram, int64_t trig_uram, bool *allowed)
{
    for (size_t i = 0; i < N_PRIMS; i++)
        allowed[i] = true;
    if (!trig_bram && !trig_uram)
        return;
    int keep = -1;
    if (depth >= (double)trig_bram && depth < (double)trig_uram)
        keep = PRIM_BRAM18;
    else if (depth >= (double)trig_uram)
        keep = PRIM_URAM;
    if (keep >= 0)
        for (size_t i = 0; i < N_PRIMS; i++)
            allowed[i] = (int)PRIMS[i].kind == keep;
}

typedef struct thr_rtl_p {
    int64_t pe, ch, trig_bram, trig_uram, uniform;
    int wt, b; /* threshold (weight) bits, output bits */
} thr_rtl_p;

static int thr_rtl_params(const finn_node *n, thr_rtl_p *p, finn_error *err)
{
    finn_datatype wdt, odt;
    if (res_pos(n, "PE", &p->pe, err) || res_pos(n, "NumChannels", &p->ch, err) ||
        res_dt(n, "weightDataType", NULL, &wdt, err) ||
        res_dt(n, "outputDataType", NULL, &odt, err) ||
        res_int(n, "depth_trigger_bram", false, 0, &p->trig_bram, err) ||
        res_int(n, "depth_trigger_uram", false, 0, &p->trig_uram, err) ||
        res_int(n, "uniform_thres", false, 0, &p->uniform, err))
        return -1;
    if (p->uniform != 0 && p->uniform != 1)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "node '%s' (%s): attribute 'uniform_thres' = %lld is not 0 or 1",
                              n->name, n->op_type, (long long)p->uniform);
    p->wt = finn_dt_bitwidth(wdt), p->b = finn_dt_bitwidth(odt);
    return 0;
}

/* Stages (get_pe_mem_geometries), cf = NumChannels / PE as a float:
 * uniform: (B - x, cf * 2^x) for x = 1..B-1; else (Wt, cf * 2^x), x = 0..B-1.
 * Reported: URAM = the URAM bucket, LUT = the LUTRAM bucket; BRAM_18K is
 * looked up under "BRAM" while the bucket is "BRAM18", so it is always 0. */
static int thr_rtl_resources(const finn_model *m, const finn_node *n, const char *fpga_part,
                             finn_hw_res *out, finn_error *err)
{
    (void)m, (void)fpga_part;
    thr_rtl_p p;
    if (thr_rtl_params(n, &p, err))
        return -1;
    double cf = (double)p.ch / (double)p.pe, bucket[3] = {0, 0, 0};
    for (int x = p.uniform ? 1 : 0; x < p.b; x++) {
        double width = p.uniform ? (double)(p.b - x) : (double)p.wt;
        double depth = cf * ldexp(1, x);
        /* qonnx's roundup asserts an integral depth */
        if (depth != floor(depth))
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "node '%s' (%s): threshold memory depth %g (NumChannels %lld / "
                                  "PE %lld * 2^%d) is not an integer",
                                  n->name, n->op_type, depth, (long long)p.ch, (long long)p.pe,
                                  x);
        bool allowed[N_PRIMS];
        size_t best;
        double count = 0;
        candidates(depth, p.trig_bram, p.trig_uram, allowed);
        pick(width, depth, allowed, &best, &count);
        bucket[PRIMS[best].kind] += (double)p.pe * count;
    }
    finn_hw_res r;
    res_init(&r);
    r.uram = bucket[PRIM_URAM];
    r.lut = bucket[PRIM_LUTRAM];
    /* bucket[PRIM_BRAM18] is never reported (FINN looks up "BRAM") */
    *out = r;
    return 0;
}

static const finn_hw_op HW = {
    .base = "Thresholding", .impl = "rtl", .attrs = ATTRS, .resources = thr_rtl_resources};

const finn_op rtl_thresholding_op = {
    .domain = FINN_HW_DOMAIN_RTL, .op_type = "Thresholding_rtl", .ext = &HW};
