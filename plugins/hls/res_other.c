/*
 * res_other.c - helpers of the HLS and RTL resource estimates (res_other.h),
 * compiled into both plugins (plugins/rtl/res_other.c includes this file).
 */
#include "res_other.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

void ro_res_defaults(finn_hw_res *out)
{
    *out = (finn_hw_res){.lut = 0, .bram_18k = 0, .uram = 0, .dsp = 0,
                         .bram_efficiency = 1, .uram_efficiency = 1};
}

int ro_res_none(const finn_model *m, const finn_node *n, const char *fpga_part,
                 finn_hw_res *out, finn_error *err)
{
    (void)m, (void)n, (void)fpga_part, (void)err;
    ro_res_defaults(out);
    return 0;
}

int ro_res_fail(finn_error *err, const finn_node *n, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return finn_error_set(err, FINN_ERR_INVALID, "node '%s' (%s): %s", n->name ? n->name : "",
                          n->op_type, msg);
}

int ro_attr_i(const finn_node *n, const char *name, int64_t *v, finn_error *err)
{
    const finn_attr *a = finn_node_attr(n, name);
    if (!a || a->type != FINN_ATTR_INT)
        return ro_res_fail(err, n, "attribute '%s' (int) is missing", name);
    *v = a->i;
    return 0;
}

int ro_attr_pair(const finn_node *n, const char *name, int64_t v[2], finn_error *err)
{
    const int64_t *p;
    if (finn_node_attr_ints(n, name, &p) != 2)
        return ro_res_fail(err, n, "attribute '%s' must have two values", name);
    v[0] = p[0], v[1] = p[1];
    return 0;
}

int ro_attr_bits(const finn_node *n, const char *name, int64_t *bits, finn_error *err)
{
    const char *s = finn_node_attr_s(n, name, NULL);
    finn_datatype dt;
    finn_error e = {0};
    if (!s)
        return ro_res_fail(err, n, "attribute '%s' (datatype) is missing", name);
    if (finn_dt_parse(s, &dt, &e))
        return ro_res_fail(err, n, "attribute '%s': %s", name, e.msg);
    *bits = finn_dt_bitwidth(dt);
    return 0;
}

int64_t ro_ceil_div(int64_t a, int64_t b)
{
    return a <= 0 ? -((-a) / b) : (a + b - 1) / b;
}

int64_t ro_ram_width(double depth)
{
    static const struct {
        double depth;
        int64_t width;
    } T[] = {{512, 36}, {1024, 18}, {2048, 9}, {4096, 4}, {8192, 2}};
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
        if (depth <= T[i].depth)
            return T[i].width;
    return 1;
}

double ro_pylog2(double x)
{
    return log(x) / log(2.0);
}

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b, b = t;
    }
    return a;
}

int64_t ro_dwc_luts(int64_t in_w, int64_t out_w)
{
    int64_t lo = in_w < out_w ? in_w : out_w, hi = in_w < out_w ? out_w : in_w;
    int64_t l = hi * lo / gcd64(hi, lo);
    double cnt = 0, cset = 0;
    if (in_w != l) {
        cnt += fabs(ceil(ro_pylog2((double)in_w / (double)l)));
        cset += (double)l;
    }
    if (l != out_w) {
        cnt += fabs(ceil(ro_pylog2((double)l / (double)out_w)));
        cset += (double)out_w;
    }
    return (int64_t)(cnt + cset);
}

int ro_dwc_resources(const finn_model *m, const finn_node *n, const char *fpga_part,
                     finn_hw_res *out, finn_error *err)
{
    (void)m, (void)fpga_part;
    int64_t in_w = 0, out_w = 0;
    if (ro_attr_i(n, "inWidth", &in_w, err) || ro_attr_i(n, "outWidth", &out_w, err))
        return -1;
    if (in_w < 1 || out_w < 1)
        return ro_res_fail(err, n, "inWidth = %lld and outWidth = %lld must be positive",
                            (long long)in_w, (long long)out_w);
    ro_res_defaults(out);
    out->lut = (double)ro_dwc_luts(in_w, out_w);
    return 0;
}

int64_t ro_ramb18_tiles(int64_t depth, int64_t width)
{
    if (width == 1)
        return ro_ceil_div(depth, 16384);
    if (width == 2)
        return ro_ceil_div(depth, 8192);
    if (width <= 4)
        return ro_ceil_div(depth, 4096) * ro_ceil_div(width, 4);
    if (width <= 9)
        return ro_ceil_div(depth, 2048) * ro_ceil_div(width, 9);
    if (width <= 18 || depth > 512)
        return ro_ceil_div(depth, 1024) * ro_ceil_div(width, 18);
    return ro_ceil_div(depth, 512) * ro_ceil_div(width, 36);
}
