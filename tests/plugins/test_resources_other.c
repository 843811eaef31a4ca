/*
 * test_resources_other.c - FINN's resource estimates and cycle models of
 * the variants other than MVAU/VVAU/Thresholding (finn-backend.md 10,
 * 11.4-11.6): ConvolutionInputGenerator_hls/_rtl, StreamingFIFO_rtl,
 * StreamingDataWidthConverter_hls/_rtl, ChannelwiseOp_hls, Lookup_hls,
 * FMPadding_Pixel_hls and the ops FINN gives no model (defaults).
 * Every expected value is worked by hand in the comment above it.
 */
#include "finn/plugin.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static finn_error err;
static finn_registry *reg;
static finn_model *model;

static void load(void)
{
    const char *dir = test_env("FINN_PLUGIN_DIR", NULL);
    if (!dir)
        exit(77);
    static const char *const NAMES[] = {"hw_compute", "hw_stream", "hls", "rtl"};
    reg = finn_registry_new(&err);
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.so", dir, NAMES[i]);
        if (finn_plugin_load(reg, path, &err)) {
            fprintf(stderr, "cannot load %s: %s\n", path, err.msg);
            exit(1);
        }
    }
}

/* Attributes from "k=v;k=v": [a,b] -> ints, integer -> int, else string. */
static void set_attrs(finn_node *n, const char *spec)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *save, *kv = strtok_r(buf, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
        char *v = strchr(kv, '=');
        *v++ = 0;
        char *end;
        if (v[0] == '[') {
            int64_t xs[8];
            size_t k = 0;
            for (char *p = v + 1; *p && *p != ']'; p = end + (*end == ',')) {
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
}

/* A variant node op (domain from the suffix) in the shared model. */
static finn_node *node(const char *op, const char *attrs)
{
    const char *dom = strstr(op, "_rtl") ? FINN_HW_DOMAIN_RTL : FINN_HW_DOMAIN_HLS;
    finn_node *n = finn_node_new(op, dom, op, &err);
    finn_node_set_attr_s(n, "backend", "fpgadataflow", &err);
    set_attrs(n, attrs);
    finn_model_insert_node(model, model->n_nodes, n, &err);
    return n;
}

static finn_hw_res res(const finn_node *n)
{
    finn_hw_res r = {-9, -9, -9, -9, -9, -9};
    if (finn_hw_resources(reg, model, n, "xczu7ev-ffvc1156-2-e", &r, &err))
        fprintf(stderr, "resources of %s: %s\n", n->op_type, err.msg);
    return r;
}

#define CHECK_RES(n, lut_, bram_, uram_, dsp_, beff_, ueff_)                              \
    do {                                                                                  \
        finn_hw_res r_ = res(n);                                                          \
        CHECK_EQ_DBL(r_.lut, lut_);                                                       \
        CHECK_EQ_DBL(r_.bram_18k, bram_);                                                 \
        CHECK_EQ_DBL(r_.uram, uram_);                                                     \
        CHECK_EQ_DBL(r_.dsp, dsp_);                                                       \
        CHECK_EQ_DBL(r_.bram_efficiency, beff_);                                          \
        CHECK_EQ_DBL(r_.uram_efficiency, ueff_);                                          \
    } while (0)

#define SWG2D "IFMChannels=4;SIMD=2;ConvKernelDim=[3,3];IFMDim=[8,8];OFMDim=[6,6];" \
              "Stride=[1,1];Dilation=[1,1];inputDataType=INT4"

static void test_swg_hls(void)
{
    /* 2-D, cf = 4/2 = 2: write 6*3*3*2 = 108, read 1*8*2 = 16;
     * cycles = 8*3*1*2 + 6*108 = 48 + 648 = 696.
     * distributed (default): LUT 300 + (3+1)*(2*4*ceil(8*4/2/64 = 0.25)) = 300 + 32 */
    finn_node *n = node("ConvolutionInputGenerator_hls", SWG2D);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, model, n), 696);
    CHECK_RES(n, 332, 0, 0, 0, 1, 1);
    /* block: depth 8*4/2 = 16 -> width 36, wmul ceil(8/36) = 1, BRAM (3+1)*1*1 = 4 */
    n = node("ConvolutionInputGenerator_hls", SWG2D ";ram_style=block");
    CHECK_RES(n, 300, 4, 0, 0, 1, 1);
    /* ultra: (3+1)*ceil(8/64)*ceil(16/4096) = 4 */
    n = node("ConvolutionInputGenerator_hls", SWG2D ";ram_style=ultra");
    CHECK_RES(n, 300, 0, 4, 0, 1, 1);

    /* 1-D given as (16, 1): normalised to W = 16, kw 3, OFM_W 14; C 8,
     * SIMD 4, INT8, not depthwise -> _1D.  cycles 1 + 14*3*8/4 = 85;
     * LUT 300 + ceil(8*2*8/64) = 302; block: depth (3-1)*8/4 = 4, width
     * 36, wmul ceil(32/36) = 1, BRAM 1*ceil(4/18432) = 1; ultra:
     * ceil(32/72)*ceil(4/4096) = 1 */
#define SWG1D "is1D=1;IFMChannels=8;SIMD=4;ConvKernelDim=[3,1];IFMDim=[16,1];OFMDim=[14,1];" \
              "Stride=[1,1];Dilation=[1,1];inputDataType=INT8"
    n = node("ConvolutionInputGenerator_hls", SWG1D);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, model, n), 85);
    CHECK_RES(n, 302, 0, 0, 0, 1, 1);
    CHECK_RES(node("ConvolutionInputGenerator_hls", SWG1D ";ram_style=block"), 300, 1, 0, 0, 1, 1);
    CHECK_RES(node("ConvolutionInputGenerator_hls", SWG1D ";ram_style=ultra"), 300, 0, 1, 0, 1, 1);

    /* depthwise, stride (1,2) -> prod 2 -> _1D_dws_stride; C 8, SIMD 2
     * (cf 4), INT4, kw 3, OFM_W 7: cycles 1 + 7*3*8/2 + 4*2 - 2 = 91;
     * LUT 300 + ceil(4*3*8/64 = 1.5) = 302 */
#define DWS "is1D=1;depthwise=1;IFMChannels=8;SIMD=2;ConvKernelDim=[1,3];IFMDim=[1,16];" \
            "Dilation=[1,1];inputDataType=INT4;"
    n = node("ConvolutionInputGenerator_hls", DWS "Stride=[1,2];OFMDim=[1,7]");
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, model, n), 91);
    CHECK_RES(n, 302, 0, 0, 0, 1, 1);
    /* stride 3 -> _1D_dws_naive, OFM_W (16-3)/3+1 = 5: cycles
     * 16*8/2 + 5*3*8/2 = 64 + 60 = 124; LUT 300 + ceil(4*16*8/64) = 308;
     * block: depth 16*8/2 = 64, wmul ceil(8/36) = 1 -> BRAM 1 */
    n = node("ConvolutionInputGenerator_hls", DWS "Stride=[1,3];OFMDim=[1,5]");
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, model, n), 124);
    CHECK_RES(n, 308, 0, 0, 0, 1, 1);

    /* parallel window honoured (SIMD = C, no stride/dilation, distributed):
     * cycles kw + OFM_W = 3 + 14 = 17; LUT 300 + ceil(8*4*(3+1)/64) = 302 */
#define PAR "is1D=1;parallel_window=1;IFMChannels=8;SIMD=8;ConvKernelDim=[1,3];" \
            "IFMDim=[1,16];OFMDim=[1,14];Stride=[1,1];Dilation=[1,1];inputDataType=INT4"
    n = node("ConvolutionInputGenerator_hls", PAR);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, model, n), 17);
    CHECK_RES(n, 302, 0, 0, 0, 1, 1);
    /* auto: still parallel, BRAM 0 (parallel) and no LUTRAM (not distributed) */
    CHECK_RES(node("ConvolutionInputGenerator_hls", PAR ";ram_style=auto"), 300, 0, 0, 0, 1, 1);
    /* block: FINN refuses the parallel variant -> _1D: cycles
     * 1 + 14*3*8/8 = 43; depth (3-1)*8/8 = 2, wmul ceil(32/36) = 1 -> 1 */
    n = node("ConvolutionInputGenerator_hls", PAR ";ram_style=block");
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, model, n), 43);
    CHECK_RES(n, 300, 1, 0, 0, 1, 1);

    /* missing attribute: an error naming node and attribute */
    n = node("ConvolutionInputGenerator_hls", "IFMChannels=4;SIMD=2");
    finn_hw_res r;
    CHECK(finn_hw_resources(reg, model, n, "xc7z020clg400-1", &r, &err) != 0);
    CHECK_STR(err.msg, "node 'ConvolutionInputGenerator_hls' (ConvolutionInputGenerator_hls): "
                       "attribute 'ConvKernelDim' must have two values");
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, model, n), -1);
}

static void test_swg_rtl(void)
{
    /* default style 2-D, cf 2: buffer ((3-1)*8 + (3-1) + 1)*2 = 38 (+ no
     * stride extras: (0-9)*2 and (0*8-9)*2 are negative);
     * cycles 38 + 6*max(6*3*3*2 = 108, 1*8*2 = 16) = 686;
     * LUT 300 + 8*ceil(38/38) = 308 */
    finn_node *n = node("ConvolutionInputGenerator_rtl", SWG2D);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, model, n), 686);
    CHECK_RES(n, 308, 0, 0, 0, 1, 1);
    /* block: width 8, depth 38 -> 36-wide; ceil(38/16384)*ceil(8/36) = 1 */
    CHECK_RES(node("ConvolutionInputGenerator_rtl", SWG2D ";ram_style=block"), 300, 1, 0, 0, 1, 1);
    CHECK_RES(node("ConvolutionInputGenerator_rtl", SWG2D ";ram_style=ultra"), 300, 0, 1, 0, 1, 1);

    /* depthwise, stride 2, C 4, SIMD 1 (cf 4), 9x9 -> 4x4, INT2:
     * base ((2*9) + 2 + 1)*4 = 84; buffer 84 + max(0,(1-9)*4) +
     * max(0,(9-9)*4) = 84; m = max(4*9*4 = 144, 2*9*4 = 72) + 4*1*3 = 156;
     * cycles 84 + 4*156 + 1*9*4 = 744; LUT 300 + 2*ceil(84/38) = 306 */
    n = node("ConvolutionInputGenerator_rtl",
             "depthwise=1;IFMChannels=4;SIMD=1;ConvKernelDim=[3,3];IFMDim=[9,9];OFMDim=[4,4];"
             "Stride=[2,2];Dilation=[1,1];inputDataType=INT2");
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, model, n), 744);
    CHECK_RES(n, 306, 0, 0, 0, 1, 1);

    /* 1-D default (20x1 given as (1, 20)), C 6, SIMD 3 (cf 2), kw 4,
     * OFM_W 17: cycles 17*4*2 + 2 = 138; buffer (3 + 1)*2 = 8;
     * LUT 300 + 24*ceil(8/38) = 324.  Same for the swapped (20, 1) form. */
    n = node("ConvolutionInputGenerator_rtl",
             "IFMChannels=6;SIMD=3;ConvKernelDim=[1,4];IFMDim=[1,20];OFMDim=[1,17];"
             "Stride=[1,1];Dilation=[1,1];inputDataType=INT8");
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, model, n), 138);
    CHECK_RES(n, 324, 0, 0, 0, 1, 1);
    n = node("ConvolutionInputGenerator_rtl",
             "IFMChannels=6;SIMD=3;ConvKernelDim=[4,1];IFMDim=[20,1];OFMDim=[17,1];"
             "Stride=[1,1];Dilation=[1,1];inputDataType=INT8");
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, model, n), 138);
    CHECK_RES(n, 324, 0, 0, 0, 1, 1);

    /* parallel window, SIMD = C = 4: cycles 8*8*(4/4) + 2 = 66; buffer
     * (2*8 + 2)*1 + 2 = 20 -> LUT 300 + 16*ceil(20/38) = 316; block: line
     * buffers depth (8 - 3) + 8*0 = 5, count 3 - 1 = 2 -> 2 BRAM */
#define PW "parallel_window=1;IFMChannels=4;SIMD=4;ConvKernelDim=[3,3];IFMDim=[8,8];" \
           "OFMDim=[6,6];Stride=[1,1];Dilation=[1,1];inputDataType=INT4"
    n = node("ConvolutionInputGenerator_rtl", PW);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, model, n), 66);
    CHECK_RES(n, 316, 0, 0, 0, 1, 1);
    CHECK_RES(node("ConvolutionInputGenerator_rtl", PW ";ram_style=block"), 300, 2, 0, 0, 1, 1);
    /* ultra: ceil(5/4096)*ceil(16/72)*2 = 2 */
    CHECK_RES(node("ConvolutionInputGenerator_rtl", PW ";ram_style=ultra"), 300, 0, 2, 0, 1, 1);

    /* 1x1 kernel is always "parallel": 4*4*(8/2) + 2 = 66 */
    n = node("ConvolutionInputGenerator_rtl",
             "IFMChannels=8;SIMD=2;ConvKernelDim=[1,1];IFMDim=[4,4];OFMDim=[4,4];"
             "Stride=[1,1];Dilation=[1,1];inputDataType=INT4");
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, model, n), 66);

    /* deep buffer, cascade savings: C 64, SIMD 1, 3x3 on 130x130, INT8:
     * depth (2*130 + 2 + 1)*64 = 16832 -> 1-wide, cd = 2, cw = 8;
     * remainder 16832 % 16384 = 448 -> 36-wide, ceil(8/36) = 1, savings
     * 8 - 1 = 7 -> BRAM 2*8 - 7 = 9 */
    n = node("ConvolutionInputGenerator_rtl",
             "ram_style=block;IFMChannels=64;SIMD=1;ConvKernelDim=[3,3];IFMDim=[130,130];"
             "OFMDim=[128,128];Stride=[1,1];Dilation=[1,1];inputDataType=INT8");
    CHECK_RES(n, 300, 9, 0, 0, 1, 1);

    /* parallel window without SIMD = C: FINN's assertion as an error */
    n = node("ConvolutionInputGenerator_rtl",
             "parallel_window=1;IFMChannels=4;SIMD=2;ConvKernelDim=[3,3];IFMDim=[8,8];"
             "OFMDim=[6,6];Stride=[1,1];Dilation=[1,1];inputDataType=INT4");
    finn_hw_res r;
    CHECK(finn_hw_resources(reg, model, n, "xc7z020clg400-1", &r, &err) != 0);
    CHECK_CONTAINS(err.msg, "parallel window needs SIMD = IFMChannels = 4 (got 2)");
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, model, n), -1);
}

static void test_fifo(void)
{
    /* rtl (default), depth 32, width 2*4 = 8: LUT 2*ceil(log2 32) +
     * ceil(32/32)*ceil(8/2) = 10 + 4 = 14; no BRAM/URAM */
    finn_node *n = node("StreamingFIFO_rtl", "depth=32;folded_shape=[1,4,2];dataType=INT4");
    CHECK_RES(n, 14, 0, 0, 0, 1, 1);
    /* vivado block, depth 1000 -> 1024, width 8: ceil(1024/2048)*ceil(8/9)
     * = 1 BRAM, efficiency 8*1024/(36*512) = 0.444..., LUT 2*10 = 20 */
    n = node("StreamingFIFO_rtl",
             "impl_style=vivado;ram_style=block;depth=1000;folded_shape=[1,4,2];dataType=INT4");
    CHECK_RES(n, 20, 1, 0, 0, 8192.0 / 18432.0, 1);
    /* vivado block, depth 512, width 40: > 18 wide and depth <= 512 ->
     * ceil(512/512)*ceil(40/36) = 2; efficiency 40*512/(2*18432) */
    n = node("StreamingFIFO_rtl",
             "impl_style=vivado;ram_style=block;depth=512;folded_shape=[1,1,10];dataType=INT4");
    CHECK_RES(n, 18, 2, 0, 0, 20480.0 / 36864.0, 1);
    /* vivado ultra, depth 5000 -> 8192, width 25*4 = 100: URAM
     * ceil(8192/4096)*ceil(100/72) = 4; LUT 2*13 = 26 */
    n = node("StreamingFIFO_rtl",
             "impl_style=vivado;ram_style=ultra;depth=5000;folded_shape=[1,10,25];dataType=INT4");
    CHECK_RES(n, 26, 0, 4, 0, 1, 1);
    /* vivado distributed, depth 3 -> 4, width 8: 2*2 + 1*4 = 8 */
    n = node("StreamingFIFO_rtl",
             "impl_style=vivado;ram_style=distributed;depth=3;folded_shape=[1,4,2];dataType=INT4");
    CHECK_RES(n, 8, 0, 0, 0, 1, 1);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, model, n), 0);
}

static void test_dwc(void)
{
    /* 8 -> 24: L = 24; |ceil(log2(8/24) = -1.58)| = 1 counter LUT + 24 */
    CHECK_RES(node("StreamingDataWidthConverter_hls", "inWidth=8;outWidth=24"), 25, 0, 0, 0, 1, 1);
    /* 24 -> 8: L = 24 = in; ceil(log2 3) = 2, + 8 */
    CHECK_RES(node("StreamingDataWidthConverter_hls", "inWidth=24;outWidth=8"), 10, 0, 0, 0, 1, 1);
    /* 12 -> 8: L = 24; 1 + 24 + 2 + 8 = 35 */
    CHECK_RES(node("StreamingDataWidthConverter_hls", "inWidth=12;outWidth=8"), 35, 0, 0, 0, 1, 1);
    CHECK_RES(node("StreamingDataWidthConverter_hls", "inWidth=16;outWidth=16"), 0, 0, 0, 0, 1, 1);
    /* rtl alike: 8 -> 32: |ceil(log2 0.25)| = 2, + 32 = 34 */
    CHECK_RES(node("StreamingDataWidthConverter_rtl", "inWidth=8;outWidth=32"), 34, 0, 0, 0, 1, 1);
}

static void test_channelwise_lookup(void)
{
    /* PE 2, C 8 -> TMEM 4, INT4: LUT 4*2 + 2*4*ceil(4/64) = 16 */
#define CW "PE=2;NumChannels=8;inputDataType=INT4;paramDataType=INT4;outputDataType=INT4"
    CHECK_RES(node("ChannelwiseOp_hls", CW), 16, 0, 0, 0, 1, 1);
    /* block: BRAM ceil(8/16)*ceil(4/1024) = 1, LUT 8 */
    CHECK_RES(node("ChannelwiseOp_hls", CW ";ram_style=block"), 8, 1, 0, 0, 1, 1);
    /* PE 8: TMEM 1 -> comparators only, no BRAM even for block */
    CHECK_RES(node("ChannelwiseOp_hls",
                   "PE=8;NumChannels=8;inputDataType=INT4;ram_style=block"),
              32, 0, 0, 0, 1, 1);
    /* Lookup 100 x 10 of INT8: width 80 -> ceil(80/16)*ceil(100/1024) = 5;
     * efficiency 80*100/(5*18*1024) = 8000/92160 */
    CHECK_RES(node("Lookup_hls", "NumEmbeddings=100;EmbeddingDim=10;EmbeddingType=INT8;"
                                 "InputType=UINT8"),
              0, 5, 0, 0, 8000.0 / 92160.0, 1);
    CHECK_RES(node("Lookup_hls", "NumEmbeddings=100;EmbeddingDim=10;EmbeddingType=INT8;"
                                 "InputType=UINT8;mem_mode=external"),
              0, 0, 0, 0, 1, 1);
}

static void test_defaults_and_cycles(void)
{
    /* ops without a FINN model: HWCustomOp's defaults */
    static const char *const NONE[] = {
        "FMPadding_hls", "FMPadding_rtl", "FMPadding_Pixel_hls", "StreamingMaxPool_hls",
        "Pool_hls", "LabelSelect_hls", "AddStreams_hls", "DuplicateStreams_hls",
        "GlobalAccPool_hls", "StreamingEltwise_hls", "StreamingConcat_hls", "DownSampler_hls",
        "UpsampleNearestNeighbour_hls"};
    for (size_t i = 0; i < sizeof NONE / sizeof NONE[0]; i++)
        CHECK_RES(node(NONE[i], "PE=1"), 0, 0, 0, 0, 1, 1);
    /* FMPadding_Pixel: 4x5 with stride (2,3) -> 7 x 13; (6/3)*1*7*13 = 182 */
    finn_node *n = node("FMPadding_Pixel_hls",
                        "ImgDim=[4,5];Stride=[2,3];NumChannels=6;SIMD=3;inputDataType=INT4");
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, model, n), 182);
    /* the abstract layers' cycles through the variants: LabelSelect 10/2,
     * FMPadding (4/2)*1*(4+1+1)*(4+0+2) = 72 */
    n = node("LabelSelect_hls", "Labels=10;PE=2;K=1;inputDataType=INT8;outputDataType=UINT8");
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, model, n), 5);
    n = node("FMPadding_hls",
             "ImgDim=[4,4];Padding=[1,0,1,2];NumChannels=4;SIMD=2;inputDataType=INT4");
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, model, n), 72);
}

int main(void)
{
    load();
    model = finn_model_new("g", &err);
    test_swg_hls();
    test_swg_rtl();
    test_fifo();
    test_dwc();
    test_channelwise_lookup();
    test_defaults_and_cycles();
    finn_model_free(model);
    finn_registry_free(reg);
    return test_done();
}
