/*
 * test_folding.c - the folding plugin: step_target_fps_parallelization
 * (SetFolding), step_apply_folding_config and step_minimize_bit_width.
 *
 * Graphs are hand-built specialized HW nodes (as step_specialize_layers
 * leaves them: no names, backend "fpgadataflow").  Cycles come from the
 * abstract ops' hooks (plugins hw_compute / hw_stream); the RTL sliding
 * window generator is a test op registered here with a simple cycle model
 * so the expected folding does not depend on that op's estimate:
 *     cycles = 144 * IFMChannels / SIMD / (parallel_window ? 9 : 1).
 * Every expected PE/SIMD below is worked by hand in the comments.
 */
#include <finn/plugin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "builder_priv.h"
#include "test.h"

static finn_registry *g_reg;

/* ---- the test SWG_rtl ----------------------------------------------------- */

static int64_t swg_test_cycles(const finn_model *m, const finn_node *n)
{
    (void)m;
    int64_t c = finn_node_attr_i(n, "IFMChannels", 0), simd = finn_node_attr_i(n, "SIMD", 0);
    if (simd < 1)
        return -1;
    return 144 * c / simd / (finn_node_attr_i(n, "parallel_window", 0) ? 9 : 1);
}

static const finn_hw_attr SWG_TEST_ATTRS[] = {{"M", FINN_ATTR_INT, "1"}, {NULL, 0, NULL}};
static const finn_hw_op SWG_TEST_HW = {.base = "ConvolutionInputGenerator",
                                       .impl = "rtl",
                                       .attrs = SWG_TEST_ATTRS,
                                       .exp_cycles = swg_test_cycles};
static const finn_op SWG_TEST_OP = {.domain = FINN_HW_DOMAIN_RTL,
                                    .op_type = "ConvolutionInputGenerator_rtl",
                                    .ext = &SWG_TEST_HW};

static finn_registry *load_registry(void)
{
    finn_error err = {0};
    finn_registry *reg = finn_registry_new(&err);
    const char *dir = test_env("FINN_PLUGIN_DIR", finn_plugin_default_dir());
    const char *names[] = {"onnx_math", "qonnx_ops", "hw_compute", "hw_stream", "hls", "folding"};
    for (size_t i = 0; reg && i < sizeof names / sizeof names[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.so", dir, names[i]);
        if (finn_plugin_load(reg, path, &err)) {
            fprintf(stderr, "cannot load %s: %s\n", path, err.msg);
            exit(1);
        }
    }
    finn_registry_set_current_plugin(reg, "test_folding");
    if (!reg || finn_registry_add_op(reg, &SWG_TEST_OP, &err)) {
        fprintf(stderr, "cannot register the test SWG: %s\n", err.msg);
        exit(1);
    }
    return reg;
}

/* ---- running steps ---------------------------------------------------------- */

typedef struct run {
    int rc;
    finn_error err;
    char *console; /* everything the step printed */
} run;

static finn_config *config(const char *const *kv)
{
    finn_error err = {0};
    finn_config *cfg = finn_config_new(&err);
    for (; kv && kv[0]; kv += 2)
        if (finn_config_set(cfg, kv[0], kv[1], &err)) {
            fprintf(stderr, "config %s=%s: %s\n", kv[0], kv[1], err.msg);
            exit(1);
        }
    return cfg;
}

static run run_step(const char *name, finn_model **m, const char *const *kv, const char *outdir)
{
    run r = {0};
    finn_config *cfg = config(kv);
    FILE *con = tmpfile();
    struct finn_build b = {g_reg, cfg, outdir ? outdir : test_tmpdir(), con, NULL, false};
    const finn_step_desc *d = finn_registry_step(g_reg, name);
    r.rc = d ? d->fn(m, &b, &r.err) : finn_error_set(&r.err, FINN_ERR_NOT_FOUND, "no %s", name);
    long len = ftell(con);
    r.console = calloc(1, (size_t)(len > 0 ? len : 0) + 1);
    rewind(con);
    if (len > 0 && fread(r.console, 1, (size_t)len, con) != (size_t)len)
        r.console[0] = 0;
    fclose(con);
    finn_config_free(cfg);
    if (r.rc)
        fprintf(stderr, "note: %s: %s\n", name, r.err.msg);
    return r;
}

/* ---- building graphs ----------------------------------------------------------- */

static char **names1(const char *s)
{
    char **v = malloc(sizeof *v);
    v[0] = strdup(s);
    return v;
}

static finn_model *new_model(void)
{
    finn_error err = {0};
    finn_model *m = finn_model_new("test", &err);
    finn_model_set_opset(m, "", 13, &err);
    return m;
}

/* Graph input t0, output t<count>. */
static void set_io(finn_model *m, int count)
{
    char out[16];
    snprintf(out, sizeof out, "t%d", count);
    m->inputs = names1("t0"), m->n_inputs = 1;
    m->outputs = names1(out), m->n_outputs = 1;
}

/* Append node k: t<k> (plus extra inputs) -> t<k+1>, unnamed, fpgadataflow. */
static finn_node *hw(finn_model *m, int k, const char *op, bool rtl)
{
    finn_error err = {0};
    char in[16], out[16];
    snprintf(in, sizeof in, "t%d", k);
    snprintf(out, sizeof out, "t%d", k + 1);
    finn_node *n = finn_node_new(op, rtl ? FINN_HW_DOMAIN_RTL : FINN_HW_DOMAIN_HLS, "", &err);
    finn_node_add_input(n, in, &err);
    finn_node_add_output(n, out, &err);
    finn_node_set_attr_s(n, "backend", "fpgadataflow", &err);
    finn_model_insert_node(m, m->n_nodes, n, &err);
    return n;
}

static void seti(finn_node *n, const char *a, int64_t v)
{
    finn_error err = {0};
    finn_node_set_attr_i(n, a, v, &err);
}

static void sets(finn_node *n, const char *a, const char *v)
{
    finn_error err = {0};
    finn_node_set_attr_s(n, a, v, &err);
}

static void setv(finn_node *n, const char *a, int64_t x, int64_t y, int64_t z, int count)
{
    finn_error err = {0};
    int64_t v[3] = {x, y, z};
    finn_node_set_attr_ints(n, a, v, (size_t)count, &err);
}

/* A float32 initializer named <node output>_<suffix> as input slot k. */
static void add_init(finn_model *m, finn_node *n, const char *suffix, int64_t rows, int64_t cols,
                     const double *vals)
{
    finn_error err = {0};
    char name[64];
    snprintf(name, sizeof name, "%s_%s", n->outputs[0], suffix);
    int64_t shape[2] = {rows, cols};
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, 2, shape, &err);
    for (int64_t i = 0; i < rows * cols; i++)
        finn_tensor_set(t, (size_t)i, vals[i]);
    finn_model_set_initializer(m, name, t, &err);
    finn_node_add_input(n, name, &err);
}

static void annotate(finn_model *m, const char *tensor, const char *dt)
{
    finn_error err = {0};
    finn_datatype d;
    finn_dt_parse(dt, &d, &err);
    finn_model_get_or_add_value(m, tensor, &err);
    finn_model_set_datatype(m, tensor, d, &err);
}

/* Thresholding_hls(C=64, 64 vectors) -> MVAU_hls(576 -> 64, INT2 weights,
 * 64 vectors) -> LabelSelect_hls(10 labels); everything at PE = SIMD = 1.
 *   Thresholding cycles = 64 * 64 / PE = 4096 / PE
 *   MVAU cycles         = (64 / PE) * (576 / SIMD) * 64
 *   LabelSelect cycles  = 10 / PE */
static finn_model *chain_tml(void)
{
    finn_model *m = new_model();
    set_io(m, 3);
    finn_node *t = hw(m, 0, "Thresholding_hls", false);
    seti(t, "PE", 1), seti(t, "NumChannels", 64), seti(t, "numSteps", 3);
    setv(t, "numInputVectors", 1, 8, 8, 3);
    sets(t, "inputDataType", "INT8"), sets(t, "weightDataType", "INT8");
    sets(t, "outputDataType", "UINT2");
    finn_node *v = hw(m, 1, "MVAU_hls", false);
    seti(v, "PE", 1), seti(v, "SIMD", 1), seti(v, "MW", 576), seti(v, "MH", 64);
    setv(v, "numInputVectors", 1, 8, 8, 3);
    sets(v, "inputDataType", "UINT2"), sets(v, "weightDataType", "INT2");
    sets(v, "outputDataType", "INT32"), seti(v, "noActivation", 1);
    finn_node *l = hw(m, 2, "LabelSelect_hls", false);
    seti(l, "PE", 1), seti(l, "Labels", 10), seti(l, "K", 1);
    sets(l, "inputDataType", "INT32"), sets(l, "outputDataType", "UINT8");
    return m;
}

static int64_t attr(const finn_model *m, size_t k, const char *a)
{
    return k < m->n_nodes ? finn_node_attr_i(m->nodes[k], a, -999) : -998;
}

static const char *name_of(const finn_model *m, size_t k)
{
    return k < m->n_nodes ? m->nodes[k]->name : "(none)";
}

/* ---- SetFolding ---------------------------------------------------------------- */

/* target_fps 100000 at 10 ns: T = int(1e8 / 1e5) = 1000 cycles. */
static const char *const T1000[] = {"synth_clk_period_ns", "10", "target_fps", "100000", NULL};

static void test_set_folding_two_pass(void)
{
    finn_model *m = chain_tml();
    run r = run_step("step_target_fps_parallelization", &m, T1000, NULL);
    CHECK_EQ_INT(r.rc, 0);
    /* Pass 1 (T = 1000):
     *   Thresholding: PE 1, 2, 4 give 4096, 2048, 1024; PE 8 gives 512 < 1000.
     *   MVAU: SIMD over divisors of 576 while cycles >= T: at SIMD 18 cycles
     *     are 131072 and 2 * 18 = 36 is not > 36; SIMD 24 (98304 cycles) makes
     *     2 * 24 = 48 > 36 -> back to 18.  PE: 131072 / PE stays >= 1000 up
     *     to PE = 64 (2048 cycles), the maximum.
     *   LabelSelect: PE 1 -> 10 cycles.
     * Max 2048 (MVAU_hls_0) > 1000 -> second pass with T = 2048:
     *   Thresholding: 4096, 2048 (not < 2048), 1024 -> PE 4.  MVAU as before. */
    CHECK_CONTAINS(r.console,
                   "Warning: Node MVAU_hls_0 is bottleneck with 2048 cycles, running second pass");
    CHECK_STR(name_of(m, 0), "Thresholding_hls_0");
    CHECK_STR(name_of(m, 1), "MVAU_hls_0");
    CHECK_STR(name_of(m, 2), "LabelSelect_hls_0");
    CHECK_EQ_INT(attr(m, 0, "PE"), 4);
    CHECK_EQ_INT(attr(m, 1, "SIMD"), 18);
    CHECK_EQ_INT(attr(m, 1, "PE"), 64);
    CHECK_EQ_INT(attr(m, 2, "PE"), 1);
    CHECK_EQ_INT(attr(m, 0, "cycles_estimate"), 1024);
    CHECK_EQ_INT(attr(m, 1, "cycles_estimate"), 2048);
    CHECK_EQ_INT(attr(m, 2, "cycles_estimate"), 10);
    /* auto_folding_config.json: FINN's attribute list in order, only the
     * attributes each op defines, json.dump(indent=2) formatting */
    char path[4096];
    snprintf(path, sizeof path, "%s/auto_folding_config.json", test_tmpdir());
    char *json = test_read_file(path, NULL);
    CHECK_STR(json, "{\n"
                    "  \"Defaults\": {},\n"
                    "  \"Thresholding_hls_0\": {\n"
                    "    \"PE\": 4,\n"
                    "    \"ram_style\": \"distributed\",\n"
                    "    \"mem_mode\": \"internal_decoupled\",\n"
                    "    \"runtime_writeable_weights\": 0\n"
                    "  },\n"
                    "  \"MVAU_hls_0\": {\n"
                    "    \"PE\": 64,\n"
                    "    \"SIMD\": 18,\n"
                    "    \"ram_style\": \"auto\",\n"
                    "    \"resType\": \"auto\",\n"
                    "    \"mem_mode\": \"internal_decoupled\",\n"
                    "    \"runtime_writeable_weights\": 0\n"
                    "  },\n"
                    "  \"LabelSelect_hls_0\": {\n"
                    "    \"PE\": 1\n"
                    "  }\n"
                    "}");
    free(json);
    free(r.console);
    finn_model_free(m);
}

static void test_set_folding_one_pass(void)
{
    finn_model *m = chain_tml();
    const char *const kv[] = {"synth_clk_period_ns", "10", "target_fps", "100000",
                              "folding_two_pass_relaxation", "false", NULL};
    run r = run_step("step_target_fps_parallelization", &m, kv, NULL);
    CHECK_EQ_INT(r.rc, 0);
    /* pass 1 only: Thresholding keeps PE 8 (512 cycles) */
    CHECK(!strstr(r.console, "second pass"));
    CHECK_EQ_INT(attr(m, 0, "PE"), 8);
    CHECK_EQ_INT(attr(m, 1, "SIMD"), 18);
    CHECK_EQ_INT(attr(m, 1, "PE"), 64);
    CHECK_EQ_INT(attr(m, 0, "cycles_estimate"), 512);
    free(r.console);
    finn_model_free(m);
}

static void test_set_folding_wide_weights(void)
{
    /* mvau_wwidth_max 10000: SIMD never hits the width cap; 2359296 / SIMD
     * stays >= 1000 for every divisor, so SIMD = 576 (4096 cycles); then
     * PE: 4096 / PE < 1000 first at PE 8 (512).  Max 512 < 1000: one pass. */
    finn_model *m = chain_tml();
    const char *const kv[] = {"synth_clk_period_ns", "10", "target_fps", "100000",
                              "mvau_wwidth_max", "10000", NULL};
    run r = run_step("step_target_fps_parallelization", &m, kv, NULL);
    CHECK_EQ_INT(r.rc, 0);
    CHECK(!strstr(r.console, "second pass"));
    CHECK_EQ_INT(attr(m, 0, "PE"), 8);
    CHECK_EQ_INT(attr(m, 1, "SIMD"), 576);
    CHECK_EQ_INT(attr(m, 1, "PE"), 8);
    CHECK_EQ_INT(attr(m, 1, "cycles_estimate"), 512);
    free(r.console);
    finn_model_free(m);
}

static void test_set_folding_cycles_before_width(void)
{
    /* target_fps 1000: T = 100000.  Thresholding PE 1 (4096).  MVAU: at
     * SIMD 24 the cycles (98304) are already < T, and FINN tests the target
     * before the width cap, so SIMD 24 stays although 2 * 24 = 48 > 36.
     * PE 1 (98304 < T). */
    finn_model *m = chain_tml();
    const char *const kv[] = {"synth_clk_period_ns", "10", "target_fps", "1000", NULL};
    run r = run_step("step_target_fps_parallelization", &m, kv, NULL);
    CHECK_EQ_INT(r.rc, 0);
    CHECK_EQ_INT(attr(m, 0, "PE"), 1);
    CHECK_EQ_INT(attr(m, 1, "SIMD"), 24);
    CHECK_EQ_INT(attr(m, 1, "PE"), 1);
    CHECK_EQ_INT(attr(m, 2, "PE"), 1);
    free(r.console);
    finn_model_free(m);
}

/* SWG_rtl (depthwise, 32 channels) -> VVAU_hls (32 channels, 3x3, 4x4):
 * VVAU cycles = 32 * 9 * 16 / PE / SIMD = 4608 / (PE * SIMD). */
static finn_model *chain_dw(const char *consumer)
{
    finn_model *m = new_model();
    set_io(m, 2);
    finn_node *s = hw(m, 0, "ConvolutionInputGenerator_rtl", true);
    seti(s, "SIMD", 1), seti(s, "IFMChannels", 32), seti(s, "depthwise", 1);
    setv(s, "ConvKernelDim", 3, 3, 0, 2), setv(s, "IFMDim", 6, 6, 0, 2);
    setv(s, "OFMDim", 4, 4, 0, 2), setv(s, "Stride", 1, 1, 0, 2), setv(s, "Dilation", 1, 1, 0, 2);
    sets(s, "inputDataType", "UINT4"), sets(s, "outputDataType", "UINT4");
    finn_node *v = hw(m, 1, consumer, false);
    seti(v, "PE", 1);
    if (!strcmp(consumer, "VVAU_hls")) {
        seti(v, "SIMD", 1), seti(v, "Channels", 32);
        setv(v, "Kernel", 3, 3, 0, 2), setv(v, "Dim", 4, 4, 0, 2);
        sets(v, "inputDataType", "UINT4"), sets(v, "weightDataType", "INT4");
        sets(v, "outputDataType", "INT32"), seti(v, "noActivation", 1);
    } else { /* Pool_hls: cycles = 32 * 4 / PE * 16 = 2048 / PE */
        seti(v, "Channels", 32), setv(v, "KernelSize", 2, 2, 0, 2);
        setv(v, "OutImgDims", 4, 4, 0, 2), sets(v, "Function", "MaxPool");
        sets(v, "InputDataType", "UINT4"), sets(v, "OutputDataType", "UINT4");
    }
    return m;
}

static void test_set_folding_depthwise(void)
{
    /* T = 100 (target_fps 1e6): VVAU PE over divisors of 32 ends at 32 with
     * 144 cycles > 100, so SIMD over divisors of 9: 1 -> 144, 3 -> 48 < 100.
     * The SWG gets SIMD = PE = 32 and parallel_window 1 (VVAU SIMD > 1).
     * SWG cycles: 144 * 32 / 32 / 9 = 16; max 48 < 100: one pass. */
    finn_model *m = chain_dw("VVAU_hls");
    const char *const kv[] = {"synth_clk_period_ns", "10", "target_fps", "1000000", NULL};
    run r = run_step("step_target_fps_parallelization", &m, kv, NULL);
    CHECK_EQ_INT(r.rc, 0);
    CHECK_EQ_INT(attr(m, 1, "PE"), 32);
    CHECK_EQ_INT(attr(m, 1, "SIMD"), 3);
    CHECK_EQ_INT(attr(m, 0, "SIMD"), 32);
    CHECK_EQ_INT(attr(m, 0, "parallel_window"), 1);
    CHECK_EQ_INT(attr(m, 0, "cycles_estimate"), 16);
    CHECK_EQ_INT(attr(m, 1, "cycles_estimate"), 48);
    CHECK(!strstr(r.console, "doesn't know"));
    free(r.console);
    finn_model_free(m);

    /* T = 1000: 4608 / PE < 1000 first at PE 8 (576); SIMD stays 1; the SWG
     * gets SIMD 8 and parallel_window 0 (from 1 set beforehand). */
    m = chain_dw("VVAU_hls");
    seti(m->nodes[0], "parallel_window", 1);
    r = run_step("step_target_fps_parallelization", &m, T1000, NULL);
    CHECK_EQ_INT(r.rc, 0);
    CHECK_EQ_INT(attr(m, 1, "PE"), 8);
    CHECK_EQ_INT(attr(m, 1, "SIMD"), 1);
    CHECK_EQ_INT(attr(m, 0, "SIMD"), 8);
    CHECK_EQ_INT(attr(m, 0, "parallel_window"), 0);
    free(r.console);
    finn_model_free(m);

    /* Pool_hls, T = 300 (target_fps 333333: int(1e8 / 333333) = 300):
     * pass 1: 2048 / PE: 2048, 1024, 512, 256 < 300 -> PE 8; the SWG gets
     * SIMD 8, pw 0, and then takes 144 * 32 / 8 = 576 cycles > 300: it is
     * the bottleneck, and the second pass (T = 576) relaxes the Pool to
     * PE 4 (512 < 576), which drags the SWG down to SIMD 4 (1152 cycles),
     * exactly as FINN does when the SWG cannot keep up. */
    m = chain_dw("Pool_hls");
    const char *const kv300[] = {"synth_clk_period_ns", "10", "target_fps", "333333", NULL};
    r = run_step("step_target_fps_parallelization", &m, kv300, NULL);
    CHECK_EQ_INT(r.rc, 0);
    CHECK_CONTAINS(r.console, "Warning: Node ConvolutionInputGenerator_rtl_0 is bottleneck with "
                              "576 cycles, running second pass");
    CHECK_EQ_INT(attr(m, 1, "PE"), 4);
    CHECK_EQ_INT(attr(m, 0, "SIMD"), 4);
    CHECK_EQ_INT(attr(m, 0, "parallel_window"), 0);
    CHECK_EQ_INT(attr(m, 0, "cycles_estimate"), 1152);
    CHECK_EQ_INT(attr(m, 1, "cycles_estimate"), 512);
    free(r.console);
    finn_model_free(m);
}

static void test_set_folding_dw_without_swu(void)
{
    /* a Pool straight on the graph input: FINN's kernel-size check compares
     * the KernelSize list with 1 and always fails */
    finn_model *m = chain_dw("Pool_hls");
    finn_model_remove_node(m, m->nodes[0]);
    finn_error err = {0};
    finn_node_set_input(m->nodes[0], 0, "t0", &err);
    run r = run_step("step_target_fps_parallelization", &m, T1000, NULL);
    CHECK_EQ_INT(r.rc, -1);
    CHECK_CONTAINS(r.err.msg, "Expected SWU on DW op input, found no producer");
    free(r.console);
    finn_model_free(m);
}

/* SWG_rtl (non-depthwise, 16 channels) -> DWC_hls (an op SetFolding does
 * not handle).  SWG cycles = 2304 / SIMD / (parallel_window ? 9 : 1). */
static finn_model *chain_swg(void)
{
    finn_model *m = new_model();
    set_io(m, 2);
    finn_node *s = hw(m, 0, "ConvolutionInputGenerator_rtl", true);
    seti(s, "SIMD", 1), seti(s, "IFMChannels", 16), seti(s, "depthwise", 0);
    seti(s, "parallel_window", 1);
    setv(s, "ConvKernelDim", 3, 3, 0, 2), setv(s, "IFMDim", 6, 6, 0, 2);
    setv(s, "OFMDim", 4, 4, 0, 2), setv(s, "Stride", 1, 1, 0, 2), setv(s, "Dilation", 1, 1, 0, 2);
    sets(s, "inputDataType", "UINT4"), sets(s, "outputDataType", "UINT4");
    finn_node *d = hw(m, 1, "StreamingDataWidthConverter_hls", false);
    setv(d, "in_shape", 1, 144, 0, 2), setv(d, "out_shape", 1, 144, 0, 2);
    seti(d, "inWidth", 64), seti(d, "outWidth", 32), sets(d, "dataType", "UINT4");
    return m;
}

static void test_set_folding_swg(void)
{
    /* T = 300: 2304, 1152, 576, 288 < 300 -> SIMD 8, parallel_window reset
     * to 0 (it was 1). */
    finn_model *m = chain_swg();
    const char *const kv300[] = {"synth_clk_period_ns", "10", "target_fps", "333333", NULL};
    run r = run_step("step_target_fps_parallelization", &m, kv300, NULL);
    CHECK_EQ_INT(r.rc, 0);
    CHECK_EQ_INT(attr(m, 0, "SIMD"), 8);
    CHECK_EQ_INT(attr(m, 0, "parallel_window"), 0);
    CHECK_CONTAINS(r.console, "Warning: SetFolding doesn't know how to handle op_type "
                              "StreamingDataWidthConverter_hls");
    CHECK_STR(name_of(m, 0), "ConvolutionInputGenerator_rtl_0");
    CHECK_STR(name_of(m, 1), "StreamingDataWidthConverter_hls_0");
    CHECK_EQ_INT(attr(m, 1, "cycles_estimate"), 0);
    free(r.console);
    finn_model_free(m);

    /* T = 100: SIMD 16 still gives 144 > 100 -> parallel_window 1 (16). */
    m = chain_swg();
    const char *const kv100[] = {"synth_clk_period_ns", "10", "target_fps", "1000000", NULL};
    r = run_step("step_target_fps_parallelization", &m, kv100, NULL);
    CHECK_EQ_INT(r.rc, 0);
    CHECK_EQ_INT(attr(m, 0, "SIMD"), 16);
    CHECK_EQ_INT(attr(m, 0, "parallel_window"), 1);
    CHECK_EQ_INT(attr(m, 0, "cycles_estimate"), 16);
    free(r.console);
    finn_model_free(m);
}

static void test_no_target_fps(void)
{
    finn_model *m = chain_tml();
    const char *const kv[] = {"synth_clk_period_ns", "10", NULL};
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/notarget", test_tmpdir());
    mkdir(dir, 0755);
    run r = run_step("step_target_fps_parallelization", &m, kv, dir);
    CHECK_EQ_INT(r.rc, 0);
    CHECK_STR(name_of(m, 1), ""); /* untouched: no names given */
    CHECK_EQ_INT(attr(m, 1, "PE"), 1);
    char path[4200];
    snprintf(path, sizeof path, "%s/auto_folding_config.json", dir);
    struct stat st;
    CHECK(stat(path, &st) != 0);
    free(r.console);
    r = run_step("step_apply_folding_config", &m, kv, dir);
    CHECK_EQ_INT(r.rc, 0);
    CHECK_CONTAINS(r.console, "Warning: neither folding_config_file nor target_fps is set");
    free(r.console);
    finn_model_free(m);
}

/* ---- step_apply_folding_config ------------------------------------------------- */

static char *write_cfg(const char *file, const char *text)
{
    char *path = malloc(4200);
    snprintf(path, 4200, "%s/%s", test_tmpdir(), file);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_apply_good(void)
{
    char *path = write_cfg("good.json",
                           "{\"Defaults\": {},\n"
                           " \"Thresholding_hls_0\": {\"PE\": 16},\n"
                           " \"MVAU_hls_0\": {\"PE\": 8, \"SIMD\": 32, \"ram_style\": \"block\"},\n"
                           " \"LabelSelect_hls_0\": {\"PE\": 5}}");
    const char *const kv[] = {"synth_clk_period_ns", "10", "folding_config_file", path, NULL};
    finn_model *m = chain_tml();
    run r = run_step("step_apply_folding_config", &m, kv, NULL);
    CHECK_EQ_INT(r.rc, 0);
    CHECK_STR(name_of(m, 1), "MVAU_hls_0");
    CHECK_EQ_INT(attr(m, 0, "PE"), 16);
    CHECK_EQ_INT(attr(m, 1, "PE"), 8);
    CHECK_EQ_INT(attr(m, 1, "SIMD"), 32);
    CHECK_STR(finn_node_attr_s(m->nodes[1], "ram_style", ""), "block");
    CHECK_EQ_INT(attr(m, 2, "PE"), 5);
    CHECK(!strstr(r.console, "Warning"));
    free(r.console);
    finn_model_free(m);
    free(path);
}

static void test_apply_violation(void)
{
    char *path = write_cfg("bad.json", "{\"Defaults\": {}, \"MVAU_hls_0\": {\"PE\": 7}}");
    const char *const kv[] = {"synth_clk_period_ns", "10", "folding_config_file", path, NULL};
    finn_model *m = chain_tml();
    run r = run_step("step_apply_folding_config", &m, kv, NULL);
    CHECK_EQ_INT(r.rc, -1);
    /* node, attribute, value and the allowed values (divisors of MH = 64) */
    CHECK_CONTAINS(r.err.msg, "MVAU_hls_0");
    CHECK_CONTAINS(r.err.msg, "PE = 7");
    CHECK_CONTAINS(r.err.msg, "MH = 64");
    CHECK_CONTAINS(r.err.msg, "1, 2, 4, 8, 16, 32, 64");
    CHECK_CONTAINS(r.err.msg, "bad.json");
    free(r.console);
    finn_model_free(m);
    free(path);

    /* SIMD must divide MW = 576 */
    path = write_cfg("bad2.json", "{\"Defaults\": {}, \"MVAU_hls_0\": {\"SIMD\": 10}}");
    const char *const kv2[] = {"synth_clk_period_ns", "10", "folding_config_file", path, NULL};
    m = chain_tml();
    r = run_step("step_apply_folding_config", &m, kv2, NULL);
    CHECK_EQ_INT(r.rc, -1);
    CHECK_CONTAINS(r.err.msg, "SIMD = 10");
    CHECK_CONTAINS(r.err.msg, "MW = 576");
    free(r.console);
    finn_model_free(m);
    free(path);
}

static void test_apply_typo(void)
{
    char *path = write_cfg("typo.json", "{\"Defaults\": {}, \"Thresholding_hls_0\": {\"PE\": 2},"
                                        " \"MVA_hls_0\": {\"PE\": 8, \"SIMD\": 8}}");
    const char *const kv[] = {"synth_clk_period_ns", "10", "folding_config_file", path, NULL};
    finn_model *m = chain_tml();
    run r = run_step("step_apply_folding_config", &m, kv, NULL);
    CHECK_EQ_INT(r.rc, 0);
    CHECK_EQ_INT(attr(m, 0, "PE"), 2);
    CHECK_EQ_INT(attr(m, 1, "PE"), 1); /* the misspelt entry sets nothing */
    CHECK_CONTAINS(r.console, "Warning: No HW configuration for nodes: MVAU_hls_0, "
                              "LabelSelect_hls_0");
    CHECK_CONTAINS(r.console, "Warning: Unused HW configurations: MVA_hls_0");
    CHECK_CONTAINS(r.console, "'MVA_hls_0' names no node; nearest: MVAU_hls_0");
    free(r.console);
    finn_model_free(m);
    free(path);
}

/* ---- step_minimize_bit_width --------------------------------------------------- */

static const char *attr_s(const finn_model *m, size_t k, const char *a)
{
    return k < m->n_nodes ? finn_node_attr_s(m->nodes[k], a, "(unset)") : "(none)";
}

static const char *dt_of(const finn_model *m, const char *tensor, char *buf)
{
    return finn_dt_name(finn_model_datatype(m, tensor), buf, FINN_DT_NAME_MAX);
}

static finn_node *mvau(finn_model *m, int k, int64_t mw, int64_t mh, const char *idt,
                       const char *wdt, int no_act)
{
    finn_node *v = hw(m, k, "MVAU_hls", false);
    seti(v, "PE", 1), seti(v, "SIMD", 1), seti(v, "MW", mw), seti(v, "MH", mh);
    sets(v, "inputDataType", idt), sets(v, "weightDataType", wdt);
    sets(v, "outputDataType", "INT32"), seti(v, "noActivation", no_act);
    return v;
}

static void test_minimize_chain_rounding(void)
{
    /* M1: MW 8, MH 1, W = [127 x 7, -1], input UINT8 (0..255).
     *   weights: wmin -1, wmax 127, |-1| <= 127 -> smallest(-128) = INT8
     *   acc: hi = 127 * 255 * 7 + (-1) * 0 = 226695, lo = -1 * 255 = -255
     *   signed: ceil(log2(max(255, 226696)) + 1) = ceil(17.79 + 1) = 19 -> INT19
     *   (not the last node: no rounding)
     * M2: MW 1, MH 1, W = [2]; input becomes INT19 through InferDataTypes.
     *   weights: smallest(2) = UINT2
     *   acc: hi = 2 * 262143 = 524286, lo = 2 * -262144 = -524288
     *   ceil(log2(524288) + 1) = 20 -> INT20; last node with noActivation:
     *   rounded up to a multiple of 8 -> INT24 (output type too). */
    finn_model *m = new_model();
    set_io(m, 2);
    annotate(m, "t0", "UINT8");
    annotate(m, "t1", "INT32");
    finn_node *m1 = mvau(m, 0, 8, 1, "UINT8", "INT32", 1);
    const double w1[8] = {127, 127, 127, 127, 127, 127, 127, -1};
    add_init(m, m1, "W", 8, 1, w1);
    finn_node *m2 = mvau(m, 1, 1, 1, "INT32", "INT32", 1);
    const double w2[1] = {2};
    add_init(m, m2, "W", 1, 1, w2);
    run r = run_step("step_minimize_bit_width", &m, NULL, NULL);
    CHECK_EQ_INT(r.rc, 0);
    CHECK_STR(attr_s(m, 0, "weightDataType"), "INT8");
    CHECK_STR(attr_s(m, 0, "accDataType"), "INT19");
    CHECK_STR(attr_s(m, 0, "outputDataType"), "INT19");
    CHECK_STR(attr_s(m, 1, "inputDataType"), "INT19");
    CHECK_STR(attr_s(m, 1, "weightDataType"), "UINT2");
    CHECK_STR(attr_s(m, 1, "accDataType"), "INT24");
    CHECK_STR(attr_s(m, 1, "outputDataType"), "INT24");
    char buf[FINN_DT_NAME_MAX];
    CHECK_STR(dt_of(m, "t1", buf), "INT19");
    CHECK_STR(dt_of(m, "t2", buf), "INT24");
    free(r.console);
    finn_model_free(m);

    /* minimize_bit_width false: nothing changes */
    m = new_model();
    set_io(m, 1);
    annotate(m, "t0", "UINT8");
    m1 = mvau(m, 0, 8, 1, "UINT8", "INT32", 1);
    add_init(m, m1, "W", 8, 1, w1);
    const char *const off[] = {"minimize_bit_width", "false", NULL};
    r = run_step("step_minimize_bit_width", &m, off, NULL);
    CHECK_EQ_INT(r.rc, 0);
    CHECK_STR(attr_s(m, 0, "weightDataType"), "INT32");
    CHECK_STR(attr_s(m, 0, "accDataType"), "(unset)");
    free(r.console);
    finn_model_free(m);
}

static void test_minimize_thresholds(void)
{
    /* M3: MW 2, MH 2, W = [[-1, 0], [0, -1]], input UINT2, thresholds
     *   [[-5, -1, 2], [-2, 0, 1]], outputDataType UINT2.
     *   weights {-1, 0}: |-1| > 0 -> smallest(-1) = BIPOLAR
     *   acc per column (w = -1 and 0): hi = -1 * 0 + 0 = 0, lo = -1 * 3 = -3
     *   thresholds -5 < -3 and 2 > 0 -> "Clipping some thresholds in
     *   MVAU_hls_0", clipped to [[-3, -1, 0], [-2, 0, 0]]; range stays
     *   [-3, 0] -> ceil(log2(max(3, 1)) + 1) = 3 -> INT3.
     * M4: MW 2, MH 1, W = [[1], [1]], weightDataType INT4, runtime
     *   writeable: weights keep INT4; all -8: (lo, hi) = (-48, 0); all 7:
     *   (0, 42); acc_min = -48, acc_max = 42 -> ceil(log2(48) + 1) = 7 ->
     *   INT7 (without runtime_writeable_weights it would be UINT3).
     * Thr: Thresholding_hls, 1 channel, thresholds [[-70, 5, 100]], input
     *   INT7 (-64..63, from M4): tmin -70, tmax 100, |-70| <= 100 ->
     *   smallest(-101) = INT8 -> weightDataType and the tensor annotation. */
    finn_model *m = new_model();
    set_io(m, 3);
    annotate(m, "t0", "UINT2");
    finn_node *m3 = mvau(m, 0, 2, 2, "UINT2", "INT8", 0);
    sets(m3, "outputDataType", "UINT2");
    const double w3[4] = {-1, 0, 0, -1};
    add_init(m, m3, "W", 2, 2, w3);
    const double t3[6] = {-5, -1, 2, -2, 0, 1};
    add_init(m, m3, "T", 2, 3, t3);
    finn_node *m4 = mvau(m, 1, 2, 1, "UINT2", "INT4", 1);
    seti(m4, "runtime_writeable_weights", 1);
    const double w4[2] = {1, 1};
    add_init(m, m4, "W", 2, 1, w4);
    finn_node *th = hw(m, 2, "Thresholding_hls", false);
    seti(th, "PE", 1), seti(th, "NumChannels", 1), seti(th, "numSteps", 3);
    sets(th, "inputDataType", "INT32"), sets(th, "weightDataType", "INT32");
    sets(th, "outputDataType", "UINT2");
    const double tt[3] = {-70, 5, 100};
    add_init(m, th, "T", 1, 3, tt);
    finn_model_get_or_add_value(m, "t1", &(finn_error){0});
    run r = run_step("step_minimize_bit_width", &m, NULL, NULL);
    CHECK_EQ_INT(r.rc, 0);
    CHECK_STR(attr_s(m, 0, "weightDataType"), "BIPOLAR");
    CHECK_CONTAINS(r.console, "Warning: Clipping some thresholds in ");
    const finn_tensor *t = finn_model_initializer(m, "t1_T");
    const double clipped[6] = {-3, -1, 0, -2, 0, 0};
    CHECK(t != NULL);
    for (size_t i = 0; t && i < 6; i++)
        CHECK_EQ_DBL(finn_tensor_get(t, i), clipped[i]);
    CHECK_STR(attr_s(m, 0, "accDataType"), "INT3");
    CHECK_STR(attr_s(m, 0, "outputDataType"), "UINT2");
    CHECK_STR(attr_s(m, 1, "weightDataType"), "INT4");
    CHECK_STR(attr_s(m, 1, "accDataType"), "INT7");
    CHECK_STR(attr_s(m, 1, "outputDataType"), "INT7");
    CHECK_STR(attr_s(m, 2, "inputDataType"), "INT7");
    CHECK_STR(attr_s(m, 2, "weightDataType"), "INT8");
    char buf[FINN_DT_NAME_MAX];
    CHECK_STR(dt_of(m, "t3_T", buf), "INT8");
    free(r.console);
    finn_model_free(m);
}

static void test_minimize_vvau(void)
{
    /* VVAU, 2 channels, 1x2 kernel: weights (C, 1, kh, kw) = ch0 [3, 3],
     * ch1 [-3, 1]; input UINT2; thresholds [[0], [0]] (an activation).
     *   weights: wmin -3, wmax 3, |-3| <= 3 -> smallest(-4) = INT3
     *   acc per channel (columns after FINN's reshape + transpose):
     *     ch0: hi = 3*3 + 3*3 = 18, lo = 0;  ch1: hi = 1*3 = 3, lo = -3*3 = -9
     *   ceil(log2(max(9, 19)) + 1) = 6 -> INT6 (reading the weights the other
     *   way round would give columns [3, -3], [3, 1] and INT5). */
    finn_model *m = new_model();
    set_io(m, 1);
    annotate(m, "t0", "UINT2");
    finn_node *v = hw(m, 0, "VVAU_hls", false);
    seti(v, "PE", 1), seti(v, "SIMD", 1), seti(v, "Channels", 2);
    setv(v, "Kernel", 1, 2, 0, 2), setv(v, "Dim", 1, 1, 0, 2);
    sets(v, "inputDataType", "UINT2"), sets(v, "weightDataType", "INT8");
    sets(v, "outputDataType", "UINT1"), seti(v, "noActivation", 0);
    finn_error err = {0};
    int64_t shape[4] = {2, 1, 1, 2};
    finn_tensor *w = finn_tensor_new(FINN_ELEM_FLOAT, 4, shape, &err);
    const double wv[4] = {3, 3, -3, 1};
    for (size_t i = 0; i < 4; i++)
        finn_tensor_set(w, i, wv[i]);
    finn_model_set_initializer(m, "t1_W", w, &err);
    finn_node_add_input(v, "t1_W", &err);
    const double t[2] = {0, 0};
    add_init(m, v, "T", 2, 1, t);
    run r = run_step("step_minimize_bit_width", &m, NULL, NULL);
    CHECK_EQ_INT(r.rc, 0);
    CHECK_STR(attr_s(m, 0, "weightDataType"), "INT3");
    CHECK_STR(attr_s(m, 0, "accDataType"), "INT6");
    CHECK_STR(attr_s(m, 0, "outputDataType"), "UINT1"); /* untouched with an activation */
    CHECK(!strstr(r.console, "Clipping"));
    free(r.console);
    finn_model_free(m);
}

static void test_minimize_threshold_pe(void)
{
    /* the thresholds' PE interleaving needs MH % PE == 0 (FINN asserts) */
    finn_model *m = new_model();
    set_io(m, 1);
    annotate(m, "t0", "UINT2");
    finn_node *v = mvau(m, 0, 2, 2, "UINT2", "INT8", 0);
    seti(v, "PE", 3);
    const double w[4] = {1, 2, 3, 4};
    add_init(m, v, "W", 2, 2, w);
    const double t[2] = {1, 2};
    add_init(m, v, "T", 2, 1, t);
    run r = run_step("step_minimize_bit_width", &m, NULL, NULL);
    CHECK_EQ_INT(r.rc, -1);
    CHECK_CONTAINS(r.err.msg, "PE = 3");
    free(r.console);
    finn_model_free(m);
}

/* ---- FINN's corpus TFC build with its own folding_config.json ------------- */

static const finn_node *find(const finn_model *m, const char *name)
{
    const finn_node *n = finn_model_find_node(m, name);
    if (!n)
        fprintf(stderr, "no node %s\n", name);
    return n;
}

static void test_corpus_tfc(void)
{
    const char *shared = test_shared_dir();
    char dir[4096], cfg[4200];
    snprintf(dir, sizeof dir, "%s/corpus/finn/build_dataflow", shared ? shared : "");
    snprintf(cfg, sizeof cfg, "%s/folding_config.json", dir);
    struct stat st;
    if (!shared || stat(cfg, &st) != 0) {
        fprintf(stderr, "note: corpus build_dataflow absent; TFC folding test skipped\n");
        return;
    }
    /* FINN's file names MVA_hls_3 (a typo for MVAU_hls_3): the build runs,
     * reports the unused entry with the nearest names, and the node keeps
     * the folding SetFolding gave it (target_fps 100000: T = 1000; 10 x 64
     * at PE = SIMD = 1 is 640 cycles < 1000). */
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "'%s/finn-run' '%s' --output-dir '%s/tfc' --set stop_step=step_apply_folding_config",
             test_env("FINN_BIN_DIR", "bin"), dir, test_tmpdir());
    int status;
    char *log = test_run(cmd, &status);
    CHECK_EQ_INT(status, 0);
    CHECK_CONTAINS(log, "Warning: No HW configuration for nodes: MVAU_hls_3");
    CHECK_CONTAINS(log, "Warning: Unused HW configurations: MVA_hls_3");
    CHECK_CONTAINS(log, "Warning: 'MVA_hls_3' names no node; nearest: MVAU_hls_3");
    if (status)
        fprintf(stderr, "%s\n", log ? log : "");
    free(log);
    char path[4400];
    snprintf(path, sizeof path, "%s/tfc/intermediate_models/step_apply_folding_config.onnx",
             test_tmpdir());
    finn_model *m = NULL;
    finn_error err = {0};
    CHECK_EQ_INT(finn_model_load(path, &m, &err), 0);
    if (!m)
        return;
    const finn_node *n;
    if ((n = find(m, "Thresholding_rtl_0")))
        CHECK_EQ_INT(finn_node_attr_i(n, "PE", 0), 49);
    if ((n = find(m, "MVAU_hls_0"))) {
        CHECK_EQ_INT(finn_node_attr_i(n, "PE", 0), 16);
        CHECK_EQ_INT(finn_node_attr_i(n, "SIMD", 0), 49);
        CHECK_STR(finn_node_attr_s(n, "ram_style", ""), "block");
    }
    if ((n = find(m, "MVAU_hls_2"))) {
        CHECK_EQ_INT(finn_node_attr_i(n, "PE", 0), 8);
        CHECK_EQ_INT(finn_node_attr_i(n, "SIMD", 0), 8);
    }
    if ((n = find(m, "MVAU_hls_3"))) {
        CHECK_EQ_INT(finn_node_attr_i(n, "PE", 0), 1);
        CHECK_EQ_INT(finn_node_attr_i(n, "SIMD", 0), 1);
        /* the typo'd entry's "distributed" was not applied (default auto) */
        CHECK_STR(finn_node_attr_s(n, "ram_style", "auto"), "auto");
    }
    finn_model_free(m);
}

int main(void)
{
    g_reg = load_registry();
    test_set_folding_two_pass();
    test_set_folding_one_pass();
    test_set_folding_wide_weights();
    test_set_folding_cycles_before_width();
    test_set_folding_depthwise();
    test_set_folding_dw_without_swu();
    test_set_folding_swg();
    test_no_target_fps();
    test_apply_good();
    test_apply_violation();
    test_apply_typo();
    test_minimize_chain_rounding();
    test_minimize_thresholds();
    test_minimize_vvau();
    test_minimize_threshold_pe();
    test_corpus_tfc();
    finn_registry_free(g_reg);
    return test_done();
}
