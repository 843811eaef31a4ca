/* test_specialize.c - step_specialize_layers through finn_build_run on
 * hand-built HW graphs: the HLS/RTL choice of every rule of
 * specialize_layers.py (MVAU on DSP48E1/E2/DSP58 parts, VVAU, SWG, DWC
 * ratio, FIFO/LabelSelect fall-backs), FINN's warning texts on the
 * console, the "no hw implementation variant" error, the config file
 * (GiveUniqueNodeNames + ApplyConfig, unused entries with hints) and the
 * node sequence of a specialized chain (nameless nodes, attributes kept
 * except preferred_impl_style). */
#include "finn/builder.h"
#include "finn/config.h"
#include "finn/plugin.h"
#include "finn/registry.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static finn_error err;
static int n_run;

static finn_registry *load_registry(void)
{
    const char *dir = test_env("FINN_PLUGIN_DIR", NULL);
    if (!dir)
        exit(77);
    static const char *const NAMES[] = {"hw_compute", "hw_stream", "hls", "rtl", "specialize"};
    finn_registry *reg = finn_registry_new(&err);
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.so", dir, NAMES[i]);
        if (finn_plugin_load(reg, path, &err)) {
            fprintf(stderr, "cannot load %s: %s\n", path, err.msg);
            exit(1);
        }
    }
    return reg;
}

/* Attributes from "k=v;k=v": [a,b] -> ints, integer -> int, else string
 * ("s:" forces a string). */
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
        } else if (!strncmp(v, "s:", 2)) {
            finn_node_set_attr_s(n, kv, v + 2, &err);
        } else {
            long long x = strtoll(v, &end, 10);
            if (*v && !*end)
                finn_node_set_attr_i(n, kv, x, &err);
            else
                finn_node_set_attr_s(n, kv, v, &err);
        }
    }
}

static void add_str(char ***arr, size_t *n, const char *s)
{
    *arr = realloc(*arr, (*n + 1) * sizeof **arr);
    (*arr)[(*n)++] = strdup(s);
}

/* A HW node reading graph input x<k> (shape, dt) writing y<k>. */
static finn_node *hw_node(finn_model *m, const char *op, const char *name, int k, int nd,
                          const int64_t *shape, finn_datatype dt, const char *attrs)
{
    char x[32], y[32];
    snprintf(x, sizeof x, "x%d", k);
    snprintf(y, sizeof y, "y%d", k);
    finn_node *n = finn_node_new(op, FINN_HW_DOMAIN, name, &err);
    finn_node_add_input(n, x, &err);
    finn_node_add_output(n, y, &err);
    finn_node_set_attr_s(n, "backend", "fpgadataflow", &err);
    set_attrs(n, attrs);
    finn_model_insert_node(m, m->n_nodes, n, &err);
    finn_model_set_shape(m, x, FINN_ELEM_FLOAT, nd, shape, &err);
    finn_model_set_datatype(m, x, dt, &err);
    add_str(&m->inputs, &m->n_inputs, x);
    add_str(&m->outputs, &m->n_outputs, y);
    return n;
}

static void add_init(finn_model *m, finn_node *n, const char *name, int nd, const int64_t *shape,
                     const float *v, finn_datatype dt)
{
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, nd, shape, &err);
    for (size_t i = 0; i < finn_tensor_numel(t); i++)
        finn_tensor_set(t, i, v[i]);
    finn_model_set_initializer(m, name, t, &err);
    finn_model_set_datatype(m, name, dt, &err);
    finn_node_add_input(n, name, &err);
}

/* MVAU 2x2 with weights {wmin, 1, 0, 1}; thresholds when noActivation 0. */
static void mvau(finn_model *m, int k, const char *idt, const char *wdt, float wmin,
                 const char *extra)
{
    char name[32], attrs[512], wn[32];
    snprintf(name, sizeof name, "MVAU_%d", k);
    bool act = strstr(extra, "noActivation=0") != NULL;
    snprintf(attrs, sizeof attrs,
             "PE=1;SIMD=1;MW=2;MH=2;inputDataType=%s;weightDataType=%s;outputDataType=%s;%s",
             idt, wdt, act ? "BINARY" : "INT32", extra);
    finn_datatype dt;
    finn_dt_parse(idt, &dt, &err);
    finn_node *n = hw_node(m, "MVAU", name, k, 2, (int64_t[]){1, 2}, dt, attrs);
    snprintf(wn, sizeof wn, "w%d", k);
    finn_datatype wd;
    finn_dt_parse(wdt, &wd, &err);
    add_init(m, n, wn, 2, (int64_t[]){2, 2}, (float[]){wmin, 1, 0, 1}, wd);
    if (act) {
        snprintf(wn, sizeof wn, "t%d", k);
        add_init(m, n, wn, 2, (int64_t[]){2, 1}, (float[]){0, 0}, finn_dt_int(32));
    }
}

static void vvau(finn_model *m, int k, const char *wdt, const char *extra)
{
    char name[32], attrs[512], wn[32];
    snprintf(name, sizeof name, "VVAU_%d", k);
    snprintf(attrs, sizeof attrs,
             "PE=1;SIMD=1;Dim=[1,1];Channels=2;Kernel=[1,1];inputDataType=INT4;"
             "weightDataType=%s;outputDataType=INT32;noActivation=1;%s",
             wdt, extra);
    finn_node *n =
        hw_node(m, "VVAU", name, k, 4, (int64_t[]){1, 1, 1, 2}, finn_dt_int(4), attrs);
    snprintf(wn, sizeof wn, "w%d", k);
    finn_datatype wd;
    finn_dt_parse(wdt, &wd, &err);
    add_init(m, n, wn, 4, (int64_t[]){2, 1, 1, 1}, (float[]){-1, 1}, wd);
}

static void swg(finn_model *m, int k, const char *geom, const char *extra)
{
    char name[40], attrs[512];
    snprintf(name, sizeof name, "ConvolutionInputGenerator_%d", k);
    snprintf(attrs, sizeof attrs,
             "IFMChannels=2;SIMD=1;inputDataType=INT4;outputDataType=INT4;%s;%s", geom, extra);
    hw_node(m, "ConvolutionInputGenerator", name, k, 4, (int64_t[]){1, 4, 4, 2},
            finn_dt_int(4), attrs);
}

static void dwc(finn_model *m, int k, int in_w, int out_w, const char *extra)
{
    char name[40], attrs[512];
    snprintf(name, sizeof name, "StreamingDataWidthConverter_%d", k);
    snprintf(attrs, sizeof attrs, "shape=[1,24];inWidth=%d;outWidth=%d;dataType=INT4;%s", in_w,
             out_w, extra);
    hw_node(m, "StreamingDataWidthConverter", name, k, 2, (int64_t[]){1, 24}, finn_dt_int(4),
            attrs);
}

/* Run [step_specialize_layers] on m (consumed); returns the resulting model
 * (NULL on failure, error in err), *console the console text. */
static finn_model *run(finn_registry *reg, finn_model *m, const char *part, const char *extra,
                       char **console)
{
    char dir[1024], path[1200], text[4096];
    snprintf(dir, sizeof dir, "%s/run%d", test_tmpdir(), n_run++);
    snprintf(path, sizeof path, "%s.onnx", dir);
    CHECK_EQ_INT(finn_model_save(m, path, &err), 0);
    finn_model_free(m);
    snprintf(text, sizeof text,
             "model: %s\noutput_dir: %s\nsynth_clk_period_ns: 10.0\nfpga_part: %s\n"
             "steps: [step_specialize_layers]\n%s",
             path, dir, part, extra ? extra : "");
    finn_config *cfg = finn_config_new(&err);
    CHECK_EQ_INT(finn_config_load_string(cfg, text, "test recipe", test_tmpdir(), &err), 0);
    size_t len;
    FILE *con = open_memstream(console, &len);
    finn_build_opts opts = {NULL, con};
    int rc = finn_build_run(reg, cfg, &opts, &err);
    fclose(con);
    finn_config_free(cfg);
    if (rc)
        return NULL;
    snprintf(path, sizeof path, "%s/intermediate_models/step_specialize_layers.onnx", dir);
    finn_model *out = NULL;
    CHECK_EQ_INT(finn_model_load(path, &out, &err), 0);
    return out;
}

static const char *op_of(const finn_model *m, int k)
{
    char y[32];
    snprintf(y, sizeof y, "y%d", k);
    const finn_node *n = finn_model_producer(m, y);
    return n ? n->op_type : "(none)";
}

static int count_lines(const char *text, const char *needle)
{
    int c = 0;
    for (const char *p = text; (p = strstr(p, needle)); p++)
        c++;
    return c;
}

/* The MVAU rules on one part: expected[k] is the op of MVAU k. */
static void mvau_rules(finn_registry *reg, const char *part, const char *const *expected,
                       const char *expected_warning)
{
    finn_model *m = finn_model_new("g", &err);
    mvau(m, 0, "INT4", "INT4", -7, "noActivation=1");         /* narrow signed 4x4 */
    mvau(m, 1, "UINT4", "INT4", -8, "noActivation=1");        /* non-narrow weights */
    mvau(m, 2, "INT8", "INT8", -127, "noActivation=1");       /* 8x8 */
    mvau(m, 3, "INT9", "INT4", -7, "noActivation=1");         /* signed 9-bit input */
    mvau(m, 4, "UINT9", "INT4", -7, "noActivation=1");        /* unsigned 9-bit input */
    mvau(m, 5, "INT4", "UINT4", 0, "noActivation=1");         /* unsigned weights */
    mvau(m, 6, "INT2", "INT4", -7, "noActivation=1");         /* input < 4 bits */
    mvau(m, 7, "INT2", "INT4", -7, "noActivation=1;preferred_impl_style=rtl");
    mvau(m, 8, "INT4", "INT4", -7, "noActivation=0");         /* embedded thresholds */
    mvau(m, 9, "INT4", "INT4", -7, "noActivation=0;preferred_impl_style=rtl");
    mvau(m, 10, "INT4", "INT4", -7, "noActivation=1;binaryXnorMode=1");
    mvau(m, 11, "INT4", "INT9", -7, "noActivation=1");        /* 9-bit weights */
    mvau(m, 12, "INT4", "INT4", -7, "noActivation=1;preferred_impl_style=hls");
    char *console = NULL;
    finn_model *out = run(reg, m, part, NULL, &console);
    CHECK(out != NULL);
    if (!out) {
        fprintf(stderr, "%s\n%s\n", err.msg, console);
        free(console);
        return;
    }
    for (int k = 0; k <= 12; k++) {
        if (strcmp(op_of(out, k), expected[k]))
            fprintf(stderr, "part %s: MVAU_%d\n", part, k);
        CHECK_STR(op_of(out, k), expected[k]);
    }
    /* the only warning: MVAU_9 asked for RTL with embedded thresholds */
    CHECK_CONTAINS(console, expected_warning);
    CHECK_EQ_INT(count_lines(console, "Warning: "), 1);
    /* variant nodes carry no preferred_impl_style, keep the rest */
    const finn_node *n7 = finn_model_producer(out, "y7");
    CHECK(n7 && !finn_node_attr(n7, "preferred_impl_style"));
    CHECK(n7 && finn_node_attr_i(n7, "noActivation", -1) == 1);
    CHECK_STR(n7 ? n7->name : NULL, "");
    CHECK_STR(n7 ? n7->domain : NULL, "finn.custom_op.fpgadataflow.rtl");
    free(console);
    finn_model_free(out);
}

static const char MVU_WARN[] =
    "Warning: There is no RTL variant for MVAU_9. The node will automatically be set to HLS "
    "variant. Please check the bit-widths to be <= 8 and ensure the thresholds are implemented "
    "as standalone layer\n";

static void test_mvau(finn_registry *reg)
{
    /* DSP48E2 (UltraScale+): non-narrow weights allowed */
    static const char *const E2[] = {"MVAU_rtl", "MVAU_rtl", "MVAU_rtl", "MVAU_rtl", "MVAU_hls",
                                     "MVAU_hls", "MVAU_hls", "MVAU_rtl", "MVAU_hls", "MVAU_hls",
                                     "MVAU_hls", "MVAU_hls", "MVAU_hls"};
    mvau_rules(reg, "xczu7ev-ffvc1156-2-e", E2, MVU_WARN);
    /* DSP48E1 (7-series, part[2] == '7'): MVAU_1's weights reach INT4 min -8 */
    static const char *const E1[] = {"MVAU_rtl", "MVAU_hls", "MVAU_rtl", "MVAU_rtl", "MVAU_hls",
                                     "MVAU_hls", "MVAU_hls", "MVAU_rtl", "MVAU_hls", "MVAU_hls",
                                     "MVAU_hls", "MVAU_hls", "MVAU_hls"};
    mvau_rules(reg, "xc7z020clg400-1", E1, MVU_WARN);
    /* DSP58 (Versal) behaves like E2 for MVAU */
    mvau_rules(reg, "xcvc1902-vsva2197-2MP-e-S", E2, MVU_WARN);
}

static void test_vvau(finn_registry *reg)
{
    static const struct {
        const char *part, *ops[3];
        int warnings;
    } CASES[] = {
        /* RTL VVAU needs a Versal part and signed weights */
        {"xcvc1902-vsva2197-2MP-e-S", {"VVAU_rtl", "VVAU_rtl", "VVAU_hls"}, 0},
        {"xqrvc1902-vsva2197-1M-m", {"VVAU_rtl", "VVAU_rtl", "VVAU_hls"}, 0},
        {"xczu7ev-ffvc1156-2-e", {"VVAU_hls", "VVAU_hls", "VVAU_hls"}, 1},
    };
    for (size_t c = 0; c < sizeof CASES / sizeof CASES[0]; c++) {
        finn_model *m = finn_model_new("g", &err);
        vvau(m, 0, "INT4", "");
        vvau(m, 1, "INT4", "preferred_impl_style=rtl");
        vvau(m, 2, "UINT4", "");
        char *console = NULL;
        finn_model *out = run(reg, m, CASES[c].part, NULL, &console);
        CHECK(out != NULL);
        for (int k = 0; out && k < 3; k++)
            CHECK_STR(op_of(out, k), CASES[c].ops[k]);
        CHECK_EQ_INT(count_lines(console, "Warning: "), CASES[c].warnings);
        if (CASES[c].warnings)
            CHECK_CONTAINS(console,
                           "Warning: There is no RTL variant for VVAU_1. The node will "
                           "automatically be set to HLS variant. Please check the bit-widths "
                           "to be <= 8 and ensure the thresholds are implemented as standalone "
                           "layer. Note that the RTL-variant of this layer is only supported on "
                           "Versal boards\n");
        free(console);
        finn_model_free(out);
    }
}

/* SWG, DWC, FIFO, FMPadding, Thresholding, LabelSelect on one graph. */
static void test_stream_ops(finn_registry *reg)
{
    static const char SQ[] = "ConvKernelDim=[3,3];IFMDim=[4,4];OFMDim=[2,2];Stride=[1,1];"
                             "Dilation=[1,1]";
    finn_model *m = finn_model_new("g", &err);
    swg(m, 0, SQ, "depthwise=0");                                     /* default: rtl */
    swg(m, 1, SQ, "preferred_impl_style=hls");                        /* hls possible */
    swg(m, 2, "ConvKernelDim=[3,1];IFMDim=[4,4];OFMDim=[2,4];Stride=[1,1];Dilation=[1,1]",
        "preferred_impl_style=hls");                                  /* non-square kernel */
    swg(m, 3, SQ, "preferred_impl_style=hls;dynamic_mode=1");         /* dynamic */
    swg(m, 4, "ConvKernelDim=[2,2];IFMDim=[4,4];OFMDim=[1,1];Stride=[2,2];Dilation=[2,2]",
        "preferred_impl_style=hls");                                  /* dilation 2 */
    swg(m, 5, "ConvKernelDim=[3,1];IFMDim=[4,1];OFMDim=[2,1];Stride=[1,1];Dilation=[1,1]",
        "preferred_impl_style=hls;is1D=1");                           /* 1-D: hls ok */
    dwc(m, 6, 8, 4, "");                                             /* ratio 2: rtl */
    dwc(m, 7, 12, 8, "");                                            /* 3:2: hls */
    dwc(m, 8, 12, 8, "preferred_impl_style=rtl");                    /* warn, hls */
    dwc(m, 9, 8, 24, "preferred_impl_style=hls");                    /* hls as asked */
    hw_node(m, "StreamingFIFO", "StreamingFIFO_10", 10, 2, (int64_t[]){1, 4}, finn_dt_int(4),
            "depth=32;folded_shape=[1,4,1];normal_shape=[1,4];dataType=INT4");
    hw_node(m, "StreamingFIFO", "StreamingFIFO_11", 11, 2, (int64_t[]){1, 4}, finn_dt_int(4),
            "depth=32;folded_shape=[1,4,1];normal_shape=[1,4];dataType=INT4;"
            "preferred_impl_style=hls");
    hw_node(m, "FMPadding", "FMPadding_12", 12, 4, (int64_t[]){1, 2, 2, 2}, finn_dt_int(4),
            "ImgDim=[2,2];Padding=[1,1,1,1];NumChannels=2;SIMD=1;inputDataType=INT4");
    hw_node(m, "LabelSelect", "LabelSelect_13", 13, 2, (int64_t[]){1, 4}, finn_dt_int(4),
            "Labels=4;PE=1;K=1;inputDataType=INT4;outputDataType=UINT8;"
            "preferred_impl_style=rtl");
    finn_node *t = hw_node(m, "Thresholding", "Thresholding_14", 14, 2, (int64_t[]){1, 2},
                           finn_dt_int(4),
                           "PE=1;NumChannels=2;numSteps=1;inputDataType=INT4;"
                           "weightDataType=INT4;outputDataType=BINARY");
    add_init(m, t, "thr14", 2, (int64_t[]){2, 1}, (float[]){0, 1}, finn_dt_int(4));
    char *console = NULL;
    finn_model *out = run(reg, m, "xczu7ev-ffvc1156-2-e", NULL, &console);
    CHECK(out != NULL);
    if (!out)
        fprintf(stderr, "%s\n", err.msg);
    static const char *const OPS[] = {
        "ConvolutionInputGenerator_rtl", "ConvolutionInputGenerator_hls",
        "ConvolutionInputGenerator_rtl", "ConvolutionInputGenerator_rtl",
        "ConvolutionInputGenerator_rtl", "ConvolutionInputGenerator_hls",
        "StreamingDataWidthConverter_rtl", "StreamingDataWidthConverter_hls",
        "StreamingDataWidthConverter_hls", "StreamingDataWidthConverter_hls",
        "StreamingFIFO_rtl", "StreamingFIFO_rtl", "FMPadding_rtl", "LabelSelect_hls",
        "Thresholding_rtl"};
    for (int k = 0; out && k < 15; k++)
        CHECK_STR(op_of(out, k), OPS[k]);
    /* FINN's warnings, in graph order */
    static const char EXPECTED[] =
        "Running step: step_specialize_layers [1/1]\n"
        "Warning: Settings are not supported in HLS. Node ConvolutionInputGenerator_2 will "
        "automatically be set to RTL variant.\n"
        "Warning: Settings are not supported in HLS. Node ConvolutionInputGenerator_3 will "
        "automatically be set to RTL variant.\n"
        "Warning: Settings are not supported in HLS. Node ConvolutionInputGenerator_4 will "
        "automatically be set to RTL variant.\n"
        "Warning: RTL implementation of DWC requires stream widths that are integer width "
        "ratios from each other. Node StreamingDataWidthConverter_8 will automatically be set "
        "to HLS variant.\n"
        "Warning: There is no HLS variant of StreamingFIFO. Node StreamingFIFO_11 will "
        "automatically be set to RTL variant.\n"
        "Warning: There is no RTL variant of LabelSelect. Node LabelSelect_13 will "
        "automatically be set to HLS variant.\n";
    CHECK_CONTAINS(console, EXPECTED);
    CHECK_EQ_INT(count_lines(console, "Warning: "), 6);
    free(console);
    finn_model_free(out);
}

/* An op with neither variant, and an invalid preference. */
static const finn_hw_op LONE_HW = {.base = "Lonely"};
static const finn_op LONE = {.domain = FINN_HW_DOMAIN, .op_type = "Lonely", .ext = &LONE_HW};

static void test_errors(finn_registry *reg)
{
    CHECK_EQ_INT(finn_registry_add_op(reg, &LONE, &err), 0);
    finn_model *m = finn_model_new("g", &err);
    hw_node(m, "Lonely", "Lonely_0", 0, 2, (int64_t[]){1, 2}, finn_dt_int(4), "PE=1");
    char *console = NULL;
    CHECK(run(reg, m, "xczu7ev-ffvc1156-2-e", NULL, &console) == NULL);
    CHECK_STR(err.msg, "step step_specialize_layers (plugin specialize): Node Lonely_0 with "
                       "optype Lonely has no hw implementation variant");
    free(console);

    m = finn_model_new("g", &err);
    hw_node(m, "StreamingFIFO", "StreamingFIFO_0", 0, 2, (int64_t[]){1, 4}, finn_dt_int(4),
            "depth=2;folded_shape=[1,4,1];normal_shape=[1,4];dataType=INT4;"
            "preferred_impl_style=vivado");
    console = NULL;
    CHECK(run(reg, m, "xczu7ev-ffvc1156-2-e", NULL, &console) == NULL);
    CHECK_CONTAINS(err.msg, "node 'StreamingFIFO_0' (StreamingFIFO): Invalid value for "
                            "attribute preferred_impl_style! Is currently set to: vivado");
    free(console);

    /* no part: FINN's _resolve_fpga_part fails too */
    m = finn_model_new("g", &err);
    dwc(m, 0, 8, 4, "");
    char path[1200], text[2048];
    snprintf(path, sizeof path, "%s/nopart.onnx", test_tmpdir());
    finn_model_save(m, path, &err);
    finn_model_free(m);
    snprintf(text, sizeof text,
             "model: %s\noutput_dir: %s/nopart\nsynth_clk_period_ns: 10.0\n"
             "steps: [step_specialize_layers]\n",
             path, test_tmpdir());
    finn_config *cfg = finn_config_new(&err);
    finn_config_load_string(cfg, text, "t", test_tmpdir(), &err);
    FILE *null = fopen("/dev/null", "w");
    finn_build_opts opts = {NULL, null};
    CHECK(finn_build_run(reg, cfg, &opts, &err) != 0);
    CHECK_CONTAINS(err.msg, "fpga_part");
    fclose(null);
    finn_config_free(cfg);
}

/* A chain with a config file: names given first (GiveUniqueNodeNames),
 * the preferences applied, the unused key reported with the nearest
 * names, nodes specialized in order without names. */
static void test_config_chain(finn_registry *reg)
{
    finn_model *m = finn_model_new("g", &err);
    /* x -> DWC -> FIFO -> DWC -> y, nodes named oddly (renamed by the step) */
    const char *t[] = {"x", "a", "b", "y"};
    for (int i = 0; i < 3; i++) {
        bool fifo = i == 1;
        finn_node *n = finn_node_new(fifo ? "StreamingFIFO" : "StreamingDataWidthConverter",
                                     FINN_HW_DOMAIN, fifo ? "f" : i ? "d2" : "d1", &err);
        finn_node_add_input(n, t[i], &err);
        finn_node_add_output(n, t[i + 1], &err);
        finn_node_set_attr_s(n, "backend", "fpgadataflow", &err);
        set_attrs(n, fifo ? "depth=2;folded_shape=[1,4,1];normal_shape=[1,4];dataType=INT4"
                          : "shape=[1,4];inWidth=4;outWidth=4;dataType=INT4");
        finn_model_insert_node(m, m->n_nodes, n, &err);
    }
    finn_model_set_shape(m, "x", FINN_ELEM_FLOAT, 2, (int64_t[]){1, 4}, &err);
    finn_model_set_datatype(m, "x", finn_dt_int(4), &err);
    add_str(&m->inputs, &m->n_inputs, "x");
    add_str(&m->outputs, &m->n_outputs, "y");

    char cfgpath[1200], extra[1400];
    snprintf(cfgpath, sizeof cfgpath, "%s/spec.json", test_tmpdir());
    FILE *f = fopen(cfgpath, "w");
    fputs("{\n  \"Defaults\": {\"preferred_impl_style\": [\"hls\", "
          "[\"StreamingDataWidthConverter\"]]},\n"
          "  \"StreamingDataWidthConverter_1\": {\"preferred_impl_style\": \"rtl\"},\n"
          "  \"StreamingDataWidthConverter_2\": {\"preferred_impl_style\": \"rtl\"}\n}\n",
          f);
    fclose(f);
    snprintf(extra, sizeof extra, "specialize_layers_config_file: %s\n", cfgpath);
    char *console = NULL;
    finn_model *out = run(reg, m, "xc7z020clg400-1", extra, &console);
    CHECK(out != NULL);
    if (!out) {
        fprintf(stderr, "%s\n", err.msg);
        free(console);
        return;
    }
    CHECK_EQ_INT(out->n_nodes, 3);
    static const char *const OPS[] = {"StreamingDataWidthConverter_hls", "StreamingFIFO_rtl",
                                      "StreamingDataWidthConverter_rtl"};
    for (size_t i = 0; i < 3 && i < out->n_nodes; i++) {
        CHECK_STR(out->nodes[i]->op_type, OPS[i]);
        CHECK_STR(out->nodes[i]->name, "");
        CHECK(!finn_node_attr(out->nodes[i], "preferred_impl_style"));
    }
    CHECK_STR(out->nodes[0]->inputs[0], "x");
    CHECK_STR(out->nodes[2]->outputs[0], "y");
    CHECK_EQ_INT(finn_node_attr_i(out->nodes[1], "depth", 0), 2);
    /* the renamed nodes: StreamingDataWidthConverter_0, StreamingFIFO_0,
     * StreamingDataWidthConverter_1; the file's _2 entry names no node */
    CHECK_CONTAINS(console, "Warning: No HW configuration for nodes: "
                            "StreamingDataWidthConverter_0, StreamingFIFO_0\n"
                            "Warning: Unused HW configurations: StreamingDataWidthConverter_2\n"
                            "Warning: 'StreamingDataWidthConverter_2' names no node; nearest: "
                            "StreamingDataWidthConverter_0, StreamingDataWidthConverter_1, "
                            "StreamingFIFO_0\n");
    free(console);
    finn_model_free(out);

    /* a key naming no node is an error only with strict_config (if the
     * config knows the key) */
    bool has_strict = false;
    for (const finn_cfg_field *fl = finn_config_fields(); fl->name; fl++)
        has_strict |= !strcmp(fl->name, "strict_config");
    if (has_strict) {
        m = finn_model_new("g", &err);
        dwc(m, 0, 8, 4, "");
        snprintf(extra, sizeof extra, "specialize_layers_config_file: %s\nstrict_config: true\n",
                 cfgpath);
        console = NULL;
        CHECK(run(reg, m, "xc7z020clg400-1", extra, &console) == NULL);
        CHECK_CONTAINS(err.msg, "spec.json: 2 entries name no HW node (strict_config); "
                                "'StreamingDataWidthConverter_1' names no node; nearest: "
                                "StreamingDataWidthConverter_0");
        free(console);
    }
}

int main(void)
{
    finn_registry *reg = load_registry();
    test_mvau(reg);
    test_vvau(reg);
    test_stream_ops(reg);
    test_config_chain(reg);
    test_errors(reg);
    finn_registry_free(reg);
    return test_done();
}
