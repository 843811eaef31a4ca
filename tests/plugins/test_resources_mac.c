/* test_resources_mac.c - FINN's resource estimates (node_res_estimation) and
 * expected cycles of MVAU_hls/_rtl, VVAU_hls/_rtl and Thresholding_hls/_rtl,
 * called through finn_hw_resources / finn_hw_exp_cycles.  Every expected
 * value is worked out by hand from the formulas of FINN's
 * matrixvectoractivation*.py, vectorvectoractivation*.py, thresholding*.py
 * and finn.util.basic (finn-backend.md 10, 11.1-11.3, 13, 14) in the comment
 * next to it.  "log2(x)" below is Python's math.log(x, 2). */
#include "finn/hw.h"
#include "finn/plugin.h"
#include "finn/registry.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static finn_error err;
static finn_registry *reg;
static finn_model *model;

static const char *const Z7 = "xc7z020clg400-1";       /* DSP48E1 */
static const char *const ZU = "xczu3eg-sbva484-1-e";   /* DSP48E2 */
static const char *const VC = "xcvc1902-vsva2197-2MP-e-S"; /* DSP58 (Versal) */

/* The default plugin set; if some in-progress plugin fails to load, just
 * the three this test needs from FINN_PLUGIN_DIR. */
static finn_registry *load_registry(void)
{
    finn_registry *r = finn_registry_new(&err);
    if (r && !finn_plugin_load_default(r, &err) &&
        finn_registry_op(r, FINN_HW_DOMAIN_RTL, "Thresholding_rtl"))
        return r;
    fprintf(stderr, "finn_plugin_load_default: %s; loading hw_compute, hls, rtl\n", err.msg);
    finn_registry_free(r);
    const char *dir = test_env("FINN_PLUGIN_DIR", NULL);
    if (!dir)
        exit(77);
    r = finn_registry_new(&err);
    static const char *const NAMES[] = {"hw_compute", "hls", "rtl"};
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.so", dir, NAMES[i]);
        if (finn_plugin_load(r, path, &err)) {
            fprintf(stderr, "cannot load %s: %s\n", path, err.msg);
            exit(1);
        }
    }
    return r;
}

/* A node op_type (domain by its _hls/_rtl suffix) with attributes from
 * "k=v;k=v": [a,b] -> INTS, an integer -> INT, anything else -> STRING. */
static finn_node *node(const char *op_type, const char *spec)
{
    const char *domain = strstr(op_type, "_rtl") ? FINN_HW_DOMAIN_RTL : FINN_HW_DOMAIN_HLS;
    finn_node *n = finn_node_new(op_type, domain, op_type, &err);
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *save, *kv = strtok_r(buf, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
        char *v = strchr(kv, '=');
        *v++ = 0;
        char *end;
        if (v[0] == '[') {
            int64_t xs[8];
            size_t k = 0;
            for (char *p = v + 1; *p && *p != ']' && k < 8; p = end + (*end == ',')) {
                xs[k++] = strtoll(p, &end, 10);
                if (end == p)
                    break;
            }
            finn_node_set_attr_ints(n, kv, xs, k, &err);
        } else {
            long long x = strtoll(v, &end, 10);
            if (*v && !*end)
                finn_node_set_attr_i(n, kv, x, &err);
            else
                finn_node_set_attr_s(n, kv, v, &err);
        }
    }
    return n;
}

typedef struct expect {
    double lut, bram, uram, dsp, beff, ueff;
} expect;

/* Estimate op(spec) on part and compare all six values exactly. */
static void check_res_at(int line, const char *op, const char *spec, const char *part,
                         expect e)
{
    finn_node *n = node(op, spec);
    finn_hw_res r = {-5, -5, -5, -5, -5, -5};
    int rc = finn_hw_resources(reg, model, n, part, &r, &err);
    if (rc)
        fprintf(stderr, "line %d: %s\n", line, err.msg);
    CHECK_EQ_INT(rc, 0);
    if (r.lut != e.lut || r.bram_18k != e.bram || r.uram != e.uram || r.dsp != e.dsp ||
        r.bram_efficiency != e.beff || r.uram_efficiency != e.ueff)
        fprintf(stderr, "line %d (%s on %s): got LUT %.17g BRAM %.17g URAM %.17g DSP %.17g "
                        "BRAM_eff %.17g URAM_eff %.17g\n",
                line, op, part, r.lut, r.bram_18k, r.uram, r.dsp, r.bram_efficiency,
                r.uram_efficiency);
    CHECK_EQ_DBL(r.lut, e.lut);
    CHECK_EQ_DBL(r.bram_18k, e.bram);
    CHECK_EQ_DBL(r.uram, e.uram);
    CHECK_EQ_DBL(r.dsp, e.dsp);
    CHECK_EQ_DBL(r.bram_efficiency, e.beff);
    CHECK_EQ_DBL(r.uram_efficiency, e.ueff);
    finn_node_free(n);
}
#define CHECK_RES(op, spec, part, ...) check_res_at(__LINE__, op, spec, part, (expect){__VA_ARGS__})

/* The estimate must fail with a message containing `msg`. */
static void check_res_error(const char *op, const char *spec, const char *part, const char *msg)
{
    finn_node *n = node(op, spec);
    finn_hw_res r;
    CHECK_EQ_INT(finn_hw_resources(reg, model, n, part, &r, &err), -1);
    CHECK_CONTAINS(err.msg, msg);
    CHECK_CONTAINS(err.msg, op); /* the message names the node */
    finn_node_free(n);
}

static void check_cycles(const char *op, const char *spec, int64_t want)
{
    finn_node *n = node(op, spec);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, model, n), want);
    finn_node_free(n);
}

/* ---- MVAU ------------------------------------------------------------------ */

#define MV_SMALL                                                                      \
    "MW=4;MH=4;PE=1;SIMD=1;inputDataType=INT2;weightDataType=INT2;outputDataType=INT2"
#define MV_MID                                                                        \
    "MW=64;MH=32;PE=4;SIMD=8;inputDataType=UINT4;weightDataType=INT4;"              \
    "outputDataType=UINT2;ram_style_thresholds=distributed;numInputVectors=[1,8,8]"
#define MV_EMB                                                                        \
    "MW=256;MH=64;PE=2;SIMD=4;inputDataType=INT8;weightDataType=INT8;"              \
    "outputDataType=INT32;accDataType=INT20;noActivation=1;mem_mode=internal_embedded"
#define MV_BIG                                                                        \
    "MW=512;MH=512;PE=8;SIMD=16;inputDataType=INT4;weightDataType=INT2;"            \
    "outputDataType=INT32;noActivation=1"

static void test_mvau_hls(void)
{
    /* finn-backend.md 11.1 worked example, all defaults (internal_decoupled,
     * ram_style auto, resType auto, accDataType INT32):
     * omega = 16/1 = 16, mem_width = 1*2*1 = 2 -> BRAM = ceil(16/8192) = 1;
     * BRAM_eff = 2*4*4/(1*36*512) = 32/18432; URAM 0 (not ultra), eff 1.
     * LUT: c2 = 0; mult = 1*(2*ceil(4/6)-1)*4 = 4; adder = 4*(2*1-1) = 4;
     * alpha = log2(4) + 2 + 2 - 1 - 1 (INT2 signed) = 4,
     * acc = min(32, ceil(4 + log2(1 + 2^-4) + 1)) = ceil(5.087) = 6;
     * thresholds: ram_style_thresholds auto -> 0;
     * LUT = int(300 + 1.1*(1*(4+4+6))) = int(315.4) = 315; DSP 0. */
    CHECK_RES("MVAU_hls", MV_SMALL, Z7, 315, 1, 0, 0, 32.0 / 18432, 1);
    /* resType dsp: mult = 0 -> int(300 + 1.1*10) = 311; DSP = int(1*1*ceil(4/48)) = 1 */
    CHECK_RES("MVAU_hls", MV_SMALL ";resType=dsp", Z7, 311, 1, 0, 1, 32.0 / 18432, 1);
    /* cycles: (4/1)*(4/1)*1 = 16 */
    check_cycles("MVAU_hls", MV_SMALL, 16);

    /* MV_MID, ram_style block: wmem = 64*32/(4*8) = 64, omega = 64.0,
     * mem_width = 8*4*4 = 128 > 18, omega <= 512 -> ceil(64/512)*ceil(128/36)
     * = 1*4 = 4 BRAM; eff = 4*64*32/(4*18432) = 8192/73728; URAM 0.
     * LUT: W = A = 4: mult = 8*(2*ceil(8/6)-1)*8 = 8*3*8 = 192;
     * adder = 8*(2*8-1) = 120; alpha = log2(64) + 4 + 4 - 1 - 0 (UINT4) = 13,
     * acc = ceil(13 + log2(1+2^-13) + 1) = ceil(14.0002) = 15;
     * thresholds distributed, B = 2, TMEM = 32/4 = 8:
     * thr = (2^2-1)*15*ceil(8/64) = 45, comp = 3*15 = 45;
     * sum = 192+120+15+45+45 = 417; LUT = int(300 + 1.1*(4*417)) = int(2134.8) = 2134 */
    CHECK_RES("MVAU_hls", MV_MID ";ram_style=block", ZU, 2134, 4, 0, 0, 8192.0 / 73728, 1);
    /* resType dsp: sum = 417 - 192 = 225 -> int(300 + 1.1*900) = 1290;
     * DSP = int(4*8*ceil(8/48)) = 32 */
    CHECK_RES("MVAU_hls", MV_MID ";ram_style=block;resType=dsp", VC, 1290, 4, 0, 32,
              8192.0 / 73728, 1);
    /* resType lut is the same as auto */
    CHECK_RES("MVAU_hls", MV_MID ";ram_style=block;resType=lut", Z7, 2134, 4, 0, 0,
              8192.0 / 73728, 1);
    /* ram_style_thresholds block: thr = comp = 0 -> sum 327 ->
     * int(300 + 1.1*1308) = int(1738.8) = 1738 */
    CHECK_RES("MVAU_hls", MV_MID ";ram_style=block;ram_style_thresholds=block", Z7, 1738, 4, 0,
              0, 8192.0 / 73728, 1);
    /* internal_embedded with wmem = 64 <= 128: BRAM 0, URAM 0, effs 1;
     * c2 = P*Q*W*ceil(wmem/64) = 4*8*4*1 = 128 -> int(2134.8 + 128) = 2262 */
    CHECK_RES("MVAU_hls", MV_MID ";mem_mode=internal_embedded", Z7, 2262, 0, 0, 0, 1, 1);
    /* internal_decoupled + distributed: BRAM 0, c2 = 128 as well -> 2262 */
    CHECK_RES("MVAU_hls", MV_MID ";ram_style=distributed", Z7, 2262, 0, 0, 0, 1, 1);
    /* ram_style auto counts BRAM like block (no wmem <= 128 rule for MVAU) */
    CHECK_RES("MVAU_hls", MV_MID, Z7, 2134, 4, 0, 0, 8192.0 / 73728, 1);
    /* external: no weight memory at all, c2 0 -> 2134 */
    CHECK_RES("MVAU_hls", MV_MID ";mem_mode=external", Z7, 2134, 0, 0, 0, 1, 1);
    /* cycles: (32/4)*(64/8)*(1*8*8) = 8*8*64 = 4096 */
    check_cycles("MVAU_hls", MV_MID, 4096);

    /* MV_EMB: internal_embedded with wmem = 256*64/(2*4) = 2048 > 128 counts
     * BOTH memories: mem_width = 4*8*2 = 64 > 18, omega 2048 > 512 ->
     * BRAM = ceil(2048/1024)*ceil(64/18) = 2*4 = 8, eff = 8*256*64/(8*18432) =
     * 131072/147456; URAM = ceil(64/72)*ceil(2048/4096) = 1, eff =
     * 131072/(1*72*4096) = 131072/294912.
     * LUT: c2 = 0 (wmem > 128); W = A = 8: mult = 4*(2*ceil(16/6)-1)*16 = 320;
     * adder = 16*(2*4-1) = 112; alpha = log2(256) + 8 + 8 - 1 - 1 = 22,
     * acc = min(20 (accDataType INT20), ceil(23.0000002)) = 20; noActivation:
     * thr = comp = 0; sum = 452; LUT = int(300 + 1.1*904) = int(1294.4) = 1294 */
    CHECK_RES("MVAU_hls", MV_EMB, ZU, 1294, 8, 1, 0, 131072.0 / 147456, 131072.0 / 294912);
    /* cycles: (64/2)*(256/4) = 2048 */
    check_cycles("MVAU_hls", MV_EMB, 2048);

    /* MV_BIG, internal_decoupled + ultra: wmem = 512*512/(8*16) = 2048,
     * mem_width = 16*2*8 = 256: URAM = ceil(256/72)*ceil(2048/4096) = 4*1 = 4,
     * eff = 2*512*512/(4*72*4096) = 524288/1179648; BRAM 0 (ultra), eff 1.
     * LUT: W = 2, A = 4: mult = 16*(2*ceil(6/6)-1)*6 = 96; adder = 6*31 = 186;
     * alpha = log2(512) + 2 + 4 - 1 - 1 = 13 -> acc = 15; no activation;
     * sum = 297; LUT = int(300 + 1.1*(8*297)) = int(2913.6) = 2913 */
    CHECK_RES("MVAU_hls", MV_BIG ";ram_style=ultra", VC, 2913, 0, 4, 0, 1, 524288.0 / 1179648);
    /* distributed: c2 = 8*16*2*ceil(2048/64) = 8192 -> int(2913.6 + 8192) = 11105 */
    CHECK_RES("MVAU_hls", MV_BIG ";ram_style=distributed", VC, 11105, 0, 0, 0, 1, 1);
    /* cycles: (512/8)*(512/16) = 2048 */
    check_cycles("MVAU_hls", MV_BIG, 2048);

    /* binaryXnorMode: BINARY inputs and weights, MW = MH = 256, PE = SIMD = 1,
     * BINARY out with distributed thresholds.
     * mem_width 1 -> BRAM = ceil(65536/16384) = 4, eff = 65536/(4*18432).
     * LUT: W = A = 1: mult = 1*(2*ceil(2/6)-1)*2 = 2; adder = 2*1 = 2;
     * alpha = log2(256) + 1 + 1 - 1 - 0 = 9, acc = ceil(10.0028) = 11;
     * B = 1: thr = 1*11*ceil(256/64) = 44, comp = 11; sum = 70;
     * LUT = int(300 + 1.1*70) = int(377.00000000000006) = 377.
     * cycles = 256*256 = 65536 */
    const char *xnor = "MW=256;MH=256;PE=1;SIMD=1;inputDataType=BINARY;weightDataType=BINARY;"
                       "outputDataType=BINARY;binaryXnorMode=1;ram_style_thresholds=distributed";
    CHECK_RES("MVAU_hls", xnor, Z7, 377, 4, 0, 0, 65536.0 / 73728, 1);
    check_cycles("MVAU_hls", xnor, 65536);

    /* the remaining RAMB18 table rows (BRAM and its efficiency only differ):
     * width 3 (INT3, PE = SIMD = 1), MW = 64, MH = 128: omega 8192 ->
     * ceil(8192/4096)*ceil(3/4) = 2; eff = 3*8192/(2*18432) = 24576/36864.
     * LUT: W = A = 3 (INT3 in): mult = 1*(2*1-1)*6 = 6; adder = 6*1 = 6;
     * alpha = log2(64) + 3 + 3 - 1 - 1 = 10, acc = ceil(11.0014) = 12; B = 2
     * thresholds auto -> 0; LUT = int(300 + 1.1*24) = int(326.4) = 326 */
    CHECK_RES("MVAU_hls",
              "MW=64;MH=128;PE=1;SIMD=1;inputDataType=INT3;weightDataType=INT3;"
              "outputDataType=UINT2",
              Z7, 326, 2, 0, 0, 24576.0 / 36864, 1);
    /* width 6 (INT3, PE 2): omega = 8192/2 = 4096 -> ceil(4096/2048)*ceil(6/9) = 2;
     * eff = 24576/36864 again; LUT = int(300 + 1.1*(2*24)) = int(352.8) = 352 */
    CHECK_RES("MVAU_hls",
              "MW=64;MH=128;PE=2;SIMD=1;inputDataType=INT3;weightDataType=INT3;"
              "outputDataType=UINT2",
              Z7, 352, 2, 0, 0, 24576.0 / 36864, 1);
    /* width 16 (INT4, PE = SIMD = 2), MW = MH = 64: omega = 4096/4 = 1024 ->
     * ceil(1024/1024)*ceil(16/18) = 1; eff = 4*4096/18432 = 16384/18432.
     * LUT: mult = 2*(2*ceil(8/6)-1)*8 = 48; adder = 8*3 = 24; alpha = log2(64)
     * + 4 + 4 - 1 - 1 = 12, acc = ceil(13.0004) = 14; sum = 86;
     * LUT = int(300 + 1.1*172) = int(489.2) = 489 */
    CHECK_RES("MVAU_hls",
              "MW=64;MH=64;PE=2;SIMD=2;inputDataType=INT4;weightDataType=INT4;"
              "outputDataType=UINT2",
              Z7, 489, 1, 0, 0, 16384.0 / 18432, 1);

    /* a float efficiency of exactly 1.0 (FINN prints 1.0, not the integer 1 of
     * the zero-BRAM case; docs/finn-quirks.md): MW 72, MH 64, SIMD 9, PE 1,
     * INT4: omega = 4608/9 = 512.0, width 9*4*1 = 36 > 18, omega <= 512 ->
     * ceil(512/512)*ceil(36/36) = 1 BRAM; eff = 4*72*64/18432 = 1.0.
     * LUT: mult = 9*(2*ceil(8/6)-1)*8 = 216; adder = 8*(2*9-1) = 136;
     * alpha = log2(72) + 4 + 4 - 1 - 1 = 12.17, acc = ceil(13.17) = 14;
     * sum = 366; LUT = int(300 + 1.1*366) = int(702.6) = 702 */
    CHECK_RES("MVAU_hls",
              "MW=72;MH=64;PE=1;SIMD=9;inputDataType=INT4;weightDataType=INT4;"
              "outputDataType=INT32;noActivation=1",
              Z7, 702, 1, 0, 0, 1.0, 1);

    /* PE not dividing MH: internal_decoupled/auto only uses the float omega =
     * 10*3/2 = 15.0 -> width 1*4*2 = 8: ceil(15/2048)*ceil(8/9) = 1;
     * eff = 4*30/18432 = 120/18432.  LUT: W = A = 4: mult = 1*3*8 = 24;
     * adder = 8; alpha = log2(10) + 4 + 4 - 1 - 1 = 9.32, acc =
     * ceil(10.32 + 0.002) = 11; noActivation; sum = 43;
     * LUT = int(300 + 1.1*86) = int(394.6) = 394 */
    const char *odd = "MW=10;MH=3;PE=2;SIMD=1;inputDataType=INT4;weightDataType=INT4;"
                      "outputDataType=INT32;noActivation=1";
    CHECK_RES("MVAU_hls", odd, Z7, 394, 1, 0, 0, 120.0 / 18432, 1);
    /* ... but calc_wmem (distributed c2, embedded) asserts PE | MH in FINN */
    check_res_error("MVAU_hls", "MW=10;MH=3;PE=2;SIMD=1;inputDataType=INT4;weightDataType=INT4;"
                                "outputDataType=INT32;noActivation=1;ram_style=distributed",
                    Z7, "WMEM");
    check_res_error("MVAU_hls", MV_MID ";ram_style=huge", Z7, "ram_style");
    check_res_error("MVAU_hls", "MW=4;MH=4;PE=1;SIMD=1;inputDataType=INT2;outputDataType=INT2",
                    Z7, "weightDataType");
    check_res_error("MVAU_hls", MV_SMALL ";resType=ff", Z7, "resType");
}

static void test_mvau_rtl(void)
{
    /* MVAU_rtl: memory as MVAU_hls, LUT 0, DSPs by the part.
     * MW = 64, MH = 32, PE = 4, SIMD = 8, INT4 weights, auto ram_style:
     * BRAM 4, eff 8192/73728 (see MV_MID above).
     * DSP48E1 / DSP48E2: int(ceil(4/4)*8) = 8; DSP58: int(4*ceil(8/3)) = 12 */
    const char *r1 = "MW=64;MH=32;PE=4;SIMD=8;inputDataType=INT4;weightDataType=INT4;"
                     "outputDataType=INT32;noActivation=1";
    CHECK_RES("MVAU_rtl", r1, Z7, 0, 4, 0, 8, 8192.0 / 73728, 1);
    CHECK_RES("MVAU_rtl", r1, ZU, 0, 4, 0, 8, 8192.0 / 73728, 1);
    CHECK_RES("MVAU_rtl", r1, VC, 0, 4, 0, 12, 8192.0 / 73728, 1);
    /* resType is not consulted */
    CHECK_RES("MVAU_rtl", "resType=lut;" "MW=64;MH=32;PE=4;SIMD=8;inputDataType=INT4;"
              "weightDataType=INT4;outputDataType=INT32;noActivation=1", Z7, 0, 4, 0, 8,
              8192.0 / 73728, 1);
    /* cycles: (32/4)*(64/8) = 64 */
    check_cycles("MVAU_rtl", r1, 64);

    /* PE = 6, SIMD = 5, MW = MH = 60: DSP48: int(ceil(6/4)*5) = 10,
     * DSP58: int(6*ceil(5/3)) = 12.  wmem = 3600/30 = 120, mem_width =
     * 5*4*6 = 120 > 18, omega 120 <= 512: BRAM = ceil(120/512)*ceil(120/36) =
     * 4, eff = 4*3600/(4*18432) = 14400/73728 = 0.1953125.
     * Also the other parts of the prefix table: xcu250 (UltraScale+) -> E2,
     * xcve2802 and xqrvc (Versal) -> DSP58. */
    const char *r2 = "MW=60;MH=60;PE=6;SIMD=5;inputDataType=INT4;weightDataType=INT4;"
                     "outputDataType=INT32;noActivation=1";
    CHECK_RES("MVAU_rtl", r2, Z7, 0, 4, 0, 10, 0.1953125, 1);
    CHECK_RES("MVAU_rtl", r2, ZU, 0, 4, 0, 10, 0.1953125, 1);
    CHECK_RES("MVAU_rtl", r2, "xcu250-figd2104-2L-e", 0, 4, 0, 10, 0.1953125, 1);
    CHECK_RES("MVAU_rtl", r2, VC, 0, 4, 0, 12, 0.1953125, 1);
    CHECK_RES("MVAU_rtl", r2, "xcve2802-vsvh1760-2MP-e-S", 0, 4, 0, 12, 0.1953125, 1);
    CHECK_RES("MVAU_rtl", r2, "xqrvc1902", 0, 4, 0, 12, 0.1953125, 1);
    /* external weights: no memory; internal_decoupled + ultra: URAM =
     * ceil(120/72)*ceil(120/4096) = 2, eff = 4*3600/(2*72*4096) = 14400/589824 */
    CHECK_RES("MVAU_rtl", "mem_mode=external;" "MW=60;MH=60;PE=6;SIMD=5;inputDataType=INT4;"
              "weightDataType=INT4;outputDataType=INT32;noActivation=1", VC, 0, 0, 0, 12, 1, 1);
    CHECK_RES("MVAU_rtl", "ram_style=ultra;" "MW=60;MH=60;PE=6;SIMD=5;inputDataType=INT4;"
              "weightDataType=INT4;outputDataType=INT32;noActivation=1", VC, 0, 0, 2, 12, 1,
              14400.0 / 589824);
    /* cycles: (60/6)*(60/5) = 120 */
    check_cycles("MVAU_rtl", r2, 120);
    /* the DSP estimate needs the part */
    check_res_error("MVAU_rtl", r2, "", "part");
}

/* ---- VVAU ------------------------------------------------------------------ */

#define VV_A                                                                          \
    "Channels=16;Kernel=[3,3];PE=4;SIMD=1;Dim=[8,8];inputDataType=INT4;"            \
    "weightDataType=INT4;outputDataType=UINT4"
#define VV_B                                                                          \
    "Channels=64;Kernel=[3,3];PE=2;SIMD=3;Dim=[4,4];inputDataType=INT8;"            \
    "weightDataType=INT6;outputDataType=INT32;accDataType=INT24;noActivation=1"

static void test_vvau_hls(void)
{
    /* VV_A, defaults (internal_decoupled, auto): wmem = (9*16//4)//1 = 36
     * <= 128 with ram_style auto -> BRAM 0; URAM 0; effs 1.
     * LUT: W = A = 4: mult = 1*(2*ceil(8/6)-1)*8 = 24; adder = 8*(2-1) = 8;
     * alpha = log2(9) + 4 + 4 - 1 - 1 = 9.1699, acc = ceil(10.1699 + 0.0025)
     * = 11; B = 4, TMEM = 16/4 = 4: thr = 15*11*4/64 = 10.3125 (no ceil),
     * comp = 15*11 = 165 (no ram-style condition for VVAU);
     * sum = 24+8+11+10.3125+165 = 218.3125;
     * LUT = int(300 + 1.1*(4*218.3125)) = int(1260.575) = 1260 */
    CHECK_RES("VVAU_hls", VV_A, Z7, 1260, 0, 0, 0, 1, 1);
    /* resType dsp: mult 0 -> sum 194.3125 -> int(300 + 1.1*777.25) =
     * int(1154.975) = 1154; DSP = int(4*ceil(8/48)) = 4 (no SIMD factor) */
    CHECK_RES("VVAU_hls", VV_A ";resType=dsp", ZU, 1154, 0, 0, 4, 1, 1);
    /* cycles: (16*3*3/4/1)*8*8 = 36*64 = 2304 */
    check_cycles("VVAU_hls", VV_A, 2304);

    /* VV_B, ram_style block: wmem = (9*64//2)//3 = 96, mem_width = 3*6*2 = 36:
     * > 18, omega 96 <= 512 -> ceil(96/512)*ceil(36/32) = 2 (the MVAU table
     * would give ceil(36/36) = 1); eff = W*PE*WMEM/(BRAM*36*512) =
     * 6*2*96/(2*18432) = 1152/36864 = 0.03125.
     * LUT: W = 6, A = 8: mult = 3*(2*ceil(14/6)-1)*14 = 3*5*14 = 210;
     * adder = 14*(2*3-1) = 70; alpha = log2(9) + 6 + 8 - 1 - 1 = 15.17,
     * acc = min(24, ceil(16.17)) = 17; noActivation -> no threshold terms;
     * sum = 297; LUT = int(300 + 1.1*594) = int(953.4) = 953 */
    CHECK_RES("VVAU_hls", VV_B ";ram_style=block", VC, 953, 2, 0, 0, 0.03125, 1);
    /* resType dsp: mult 0 -> sum 87 -> int(300 + 1.1*174) = int(491.4) = 491;
     * DSP = int(2*ceil(14/48)) = 2 */
    CHECK_RES("VVAU_hls", VV_B ";ram_style=block;resType=dsp", VC, 491, 2, 0, 2, 0.03125, 1);
    /* ultra: URAM = ceil(36/72)*ceil(96/4096) = 1, eff = W*kh*kw*C/(72*4096) =
     * 6*9*64/294912 = 3456/294912 = 0.01171875; BRAM 0 */
    CHECK_RES("VVAU_hls", VV_B ";ram_style=ultra", VC, 953, 0, 1, 0, 1, 0.01171875);
    /* internal_embedded: URAM 0 always, BRAM 0 (wmem 96 <= 128);
     * c2 = 2*3*6*ceil(96/64) = 72 -> int(953.4 + 72) = 1025 */
    CHECK_RES("VVAU_hls", VV_B ";ram_style=block;mem_mode=internal_embedded", VC, 1025, 0, 0,
              0, 1, 1);
    /* distributed: BRAM 0, c2 = 72 -> 1025; external: nothing, c2 0 -> 953 */
    CHECK_RES("VVAU_hls", VV_B ";ram_style=distributed", VC, 1025, 0, 0, 0, 1, 1);
    CHECK_RES("VVAU_hls", VV_B ";ram_style=block;mem_mode=external", VC, 953, 0, 0, 0, 1, 1);
    /* cycles: (64*9/2/3)*4*4 = 96*16 = 1536 */
    check_cycles("VVAU_hls", VV_B, 1536);

    /* auto with wmem > 128: Channels 256, PE 4: wmem = 2304/4 = 576,
     * mem_width = 1*4*4 = 16 <= 18 -> ceil(576/1024)*ceil(16/16) = 1;
     * eff = 4*4*576/18432 = 0.5.  LUT as VV_A but TMEM = 64:
     * thr = 15*11*64/64 = 165; sum = 24+8+11+165+165 = 373;
     * LUT = int(300 + 1.1*1492) = int(1941.2) = 1941.
     * width 9 row: SIMD 3, INT3 weights, PE 1 -> width 9 <= 9: VVAU divides
     * by 8: wmem = 2304/3 = 768 -> ceil(768/2048)*ceil(9/8) = 2 (MVAU: 1);
     * eff = 3*1*768/(2*18432) = 2304/36864 */
    CHECK_RES("VVAU_hls",
              "Channels=256;Kernel=[3,3];PE=4;Dim=[2,2];inputDataType=INT4;"
              "weightDataType=INT4;outputDataType=UINT4",
              Z7, 1941, 1, 0, 0, 0.5, 1);
    {
        finn_node *n = node("VVAU_hls", "Channels=256;Kernel=[3,3];PE=1;SIMD=3;Dim=[2,2];"
                                        "inputDataType=INT4;weightDataType=INT3;"
                                        "outputDataType=INT32;noActivation=1");
        finn_hw_res r;
        CHECK_EQ_INT(finn_hw_resources(reg, model, n, Z7, &r, &err), 0);
        CHECK_EQ_DBL(r.bram_18k, 2);
        CHECK_EQ_DBL(r.bram_efficiency, 2304.0 / 36864);
        finn_node_free(n);
    }
    check_res_error("VVAU_hls", VV_A ";noActivation=2", Z7, "noActivation");
    check_res_error("VVAU_hls", "Channels=16;Kernel=[3];PE=4;Dim=[8,8];inputDataType=INT4;"
                                "weightDataType=INT4;outputDataType=UINT4",
                    Z7, "Kernel");
}

static void test_vvau_rtl(void)
{
    /* VVAU_rtl: memory as VVAU_hls, LUT 0, DSP = int(PE*ceil(SIMD/3)) on any part.
     * VV_B block: BRAM 2, eff 0.03125 (above); DSP = 2*ceil(3/3) = 2 */
    CHECK_RES("VVAU_rtl", VV_B ";ram_style=block", VC, 0, 2, 0, 2, 0.03125, 1);
    CHECK_RES("VVAU_rtl", VV_B ";ram_style=block", Z7, 0, 2, 0, 2, 0.03125, 1);
    /* PE 4, SIMD 9, Channels 16: DSP = 4*ceil(9/3) = 12; wmem = (144//4)//9
     * = 4 <= 128 with auto -> BRAM 0 */
    const char *v2 = "Channels=16;Kernel=[3,3];PE=4;SIMD=9;Dim=[8,8];inputDataType=INT8;"
                     "weightDataType=INT8;outputDataType=INT32;noActivation=1";
    CHECK_RES("VVAU_rtl", v2, VC, 0, 0, 0, 12, 1, 1);
    CHECK_RES("VVAU_rtl", v2, ZU, 0, 0, 0, 12, 1, 1);
    /* SIMD 4 (not dividing 9 is allowed here): DSP = 4*ceil(4/3) = 8 */
    CHECK_RES("VVAU_rtl", "Channels=16;Kernel=[3,3];PE=4;SIMD=4;Dim=[8,8];inputDataType=INT8;"
              "weightDataType=INT8;outputDataType=INT32;noActivation=1", VC, 0, 0, 0, 8, 1, 1);
    /* cycles: (16*9/4/9)*64 = 4*64 = 256 */
    check_cycles("VVAU_rtl", v2, 256);
}

/* ---- Thresholding ---------------------------------------------------------- */

#define TH_HLS "NumChannels=64;PE=4;numSteps=255;inputDataType=INT8;weightDataType=INT8;" \
               "outputDataType=UINT8;numInputVectors=[1,8,8]"

static void test_thresholding_hls(void)
{
    /* A = 8 (input bits), P = 4, TMEM = 64//4 = 16.
     * default ram_style distributed: LUT = 8*4 + 4*8*ceil(16/64) = 32 + 32 =
     * 64; BRAM 0; URAM, DSP 0; effs 1 (no model) */
    CHECK_RES("Thresholding_hls", TH_HLS, Z7, 64, 0, 0, 0, 1, 1);
    /* block: BRAM = ceil(8*4/16)*ceil(16/1024) = 2*1 = 2; LUT = 32 */
    CHECK_RES("Thresholding_hls", TH_HLS ";ram_style=block", Z7, 32, 2, 0, 0, 1, 1);
    /* TMEM = 1 (NumChannels = PE = 4): comparators only, BRAM 0 even for block */
    CHECK_RES("Thresholding_hls", "NumChannels=4;PE=4;inputDataType=INT8;weightDataType=INT8;"
              "outputDataType=UINT8;ram_style=block", Z7, 32, 0, 0, 0, 1, 1);
    /* NumChannels 2048, PE 1, INT4 input: TMEM 2048.
     * block: BRAM = ceil(4/16)*ceil(2048/1024) = 2, LUT = 4;
     * distributed: LUT = 4 + 1*4*ceil(2048/64) = 4 + 128 = 132.
     * The weight/output types do not enter the formulas. */
    const char *big = "NumChannels=2048;PE=1;inputDataType=INT4;weightDataType=INT16;"
                      "outputDataType=UINT2";
    CHECK_RES("Thresholding_hls", "ram_style=block;" "NumChannels=2048;PE=1;"
              "inputDataType=INT4;weightDataType=INT16;outputDataType=UINT2", ZU, 4, 2, 0, 0,
              1, 1);
    CHECK_RES("Thresholding_hls", big, VC, 132, 0, 0, 0, 1, 1);
    /* cycles: prod([1,8,8]) * 64/4 = 1024; big: 2048 */
    check_cycles("Thresholding_hls", TH_HLS, 1024);
    check_cycles("Thresholding_hls", big, 2048);
    /* FINN allows only distributed and block here */
    check_res_error("Thresholding_hls", TH_HLS ";ram_style=ultra", Z7, "ram_style");
}

#define TH_RTL "NumChannels=64;PE=4;inputDataType=INT8;weightDataType=INT8;" \
               "outputDataType=UINT4;numInputVectors=[1,4,4]"

static void test_thresholding_rtl(void)
{
    /* cf = 64/4 = 16.0, B = 4 stages (Wt = 8, 16*2^x) = (8,16), (8,32), (8,64),
     * (8,128); no triggers -> all primitives, least waste wins:
     * (8,16): LUTRAM 1x64: 8 wide * ceil(16->64)/64 = 8, waste 8*64 - 128 =
     *   384; BRAM18_36x512 waste 18432 - 128; URAMs 294912 - 128 -> LUTRAM 8
     * (8,32): LUTRAM 8, waste 512 - 256 = 256 -> 8
     * (8,64): LUTRAM 8*1, waste 0 -> 8;  (8,128): LUTRAM 8*2 = 16, waste 0.
     * LUT = 4*(8+8+8+16) = 160; URAM 0; BRAM 0; DSP 0; effs 1 */
    CHECK_RES("Thresholding_rtl", TH_RTL, Z7, 160, 0, 0, 0, 1, 1);
    /* the part does not matter */
    CHECK_RES("Thresholding_rtl", TH_RTL, VC, 160, 0, 0, 0, 1, 1);
    /* cycles: prod([1,4,4]) * 64/4 = 256 */
    check_cycles("Thresholding_rtl", TH_RTL, 256);

    /* only depth_trigger_bram set: depth < trig_uram = 0 never holds, depth >= 0
     * always does -> every stage is URAM-only; for (8, d <= 128) all four URAM
     * shapes need 1 instance with equal waste 294912 - 8d -> URAM_72x4096, 1.
     * URAM = 4 stages * PE 4 * 1 = 16; LUT 0 */
    CHECK_RES("Thresholding_rtl", TH_RTL ";depth_trigger_bram=1", Z7, 0, 0, 16, 0, 1, 1);

    /* uniform_thres: stages (B - x, cf*2^x) for x = 1..3 = (3,32), (2,64), (1,128):
     * (3,32): LUTRAM 3*1, waste 192 - 96 = 96 -> 3; (2,64): LUTRAM 2, waste 0;
     * (1,128): LUTRAM 1*2 = 2, waste 0.  LUT = 4*(3+2+2) = 28 */
    CHECK_RES("Thresholding_rtl", TH_RTL ";uniform_thres=1", Z7, 28, 0, 0, 0, 1, 1);

    /* both triggers: NumChannels 512, PE 2, Wt 16, B 4 -> cf 256, depths 256,
     * 512, 1024, 2048; trig_bram 512, trig_uram 2048:
     * (16,256): below trig_bram -> all; LUTRAM 16*4 = 64, waste 0 -> 2*64 = 128
     * (16,512): BRAM-only: 36x512 1 (waste 10240) ties 18x1024 1 (10240), the
     *   first wins; 9x2048 needs 2 -> BRAM18 += 2
     * (16,1024): BRAM-only: 36x512 2 (waste 20480), 18x1024 1 (2048) -> += 2
     * (16,2048): URAM-only: 72x4096, 36x8192, 18x16384 all 1 with waste
     *   294912 - 32768, 9x32768 needs 2 -> URAM_72x4096: URAM += 2*1 = 2
     * Reported: LUT 128, URAM 2, BRAM_18K 0 (FINN looks up "BRAM" but the
     * bucket is "BRAM18": the 4 BRAMs are never reported) */
    CHECK_RES("Thresholding_rtl", "NumChannels=512;PE=2;inputDataType=INT16;"
              "weightDataType=INT16;outputDataType=UINT4;depth_trigger_bram=512;"
              "depth_trigger_uram=2048", ZU, 128, 0, 2, 0, 1, 1);

    /* BIPOLAR output: one stage (8, 16) -> LUTRAM 8 -> LUT = 4*8 = 32 */
    CHECK_RES("Thresholding_rtl", "NumChannels=64;PE=4;inputDataType=INT8;"
              "weightDataType=INT8;outputDataType=BIPOLAR", Z7, 32, 0, 0, 0, 1, 1);
    /* uniform with B = 1 has no stage at all -> everything 0 */
    CHECK_RES("Thresholding_rtl", "NumChannels=64;PE=4;inputDataType=INT8;"
              "weightDataType=INT8;outputDataType=BIPOLAR;uniform_thres=1", Z7, 0, 0, 0, 0, 1,
              1);
    /* cf = 6/4 = 1.5 is not an integral depth: qonnx's roundup asserts */
    check_res_error("Thresholding_rtl", "NumChannels=6;PE=4;inputDataType=INT8;"
                    "weightDataType=INT8;outputDataType=UINT2", Z7, "not an integer");
    check_res_error("Thresholding_rtl", "NumChannels=64;PE=4;inputDataType=INT8;"
                    "outputDataType=UINT2", Z7, "weightDataType");
}

int main(void)
{
    reg = load_registry();
    model = finn_model_new("res", &err);
    test_mvau_hls();
    test_mvau_rtl();
    test_vvau_hls();
    test_vvau_rtl();
    test_thresholding_hls();
    test_thresholding_rtl();
    finn_model_free(model);
    finn_registry_free(reg);
    return test_done();
}
