/*
 * test_reports.c - step_generate_estimate_reports (plugins/reports):
 * the exact bytes of the five JSON reports (Python json.dump(indent=2))
 * for a hand-built specialized chain Thresholding_hls -> MVAU_hls ->
 * LabelSelect_hls, the SVG pictures, the generate_outputs switch, the
 * attributes the step leaves on the model, and Python's float repr.
 *
 * The graph (values worked by hand, finn-backend.md 9-11):
 *  Thresholding_hls_0: 8 channels, PE 1, 3 steps, INT8 in and thresholds.
 *    cycles 1*8/1 = 8; A = 8, TMEM = 8: LUT 8*1 + 1*8*ceil(8/64) = 16.
 *    counts {"param_threshold_8b": 8*3 = 24}.
 *  MVAU_hls_0: MW 8, MH 4, SIMD 2, PE 2, UINT2 in, INT2 weights,
 *    noActivation 1.  cycles (4/2)*(8/2) = 8.
 *    LUT int(300 + 1.1*2*(mult 2*(2*1-1)*4 = 8 + adder 4*3 = 12 + acc 8))
 *    = int(361.6) = 361, with acc = min(32, ceil(alpha + log2(1 + 2^-alpha)
 *    + 1)) for alpha = log2(8) + 2 + 2 - 1 = 6 -> ceil(7.02) = 8.
 *    resType dsp: mult 0 -> int(300 + 2.2*20) = 344, DSP 2*2*ceil(4/48) = 4.
 *    BRAM ramb18(omega 32/4 = 8, width 2*2*2 = 8) = ceil(8/2048)*ceil(8/9)
 *    = 1, efficiency 2*8*4/(1*36*512) = 0.003472222222222222.
 *    counts {"op_mac_2bx2b": 8*4*1 = 32, "param_weight_2b": 32}.
 *  LabelSelect_hls_0: 4 labels, PE 1: cycles 4, no resource model.
 * Performance at 3.3 ns: the first strictly largest is Thresholding (8;
 * the MVAU's 8 is not larger); critical path 8 + 8 + 4 = 20;
 * fps (1e9/3.3)/8 = 37878787.87878788, latency 20*3.3 = 66.0.
 */
#include "finn/builder.h"
#include "finn/config.h"
#include "finn/plugin.h"
#include "finn/registry.h"
#include "test.h"

#include "reports/rjson.c"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static finn_error err;

static finn_registry *load_registry(void)
{
    const char *dir = test_env("FINN_PLUGIN_DIR", NULL);
    if (!dir)
        exit(77);
    static const char *const NAMES[] = {"hw_compute", "hw_stream", "hls", "rtl", "reports"};
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

static void add_str(char ***arr, size_t *n, const char *s)
{
    *arr = realloc(*arr, (*n + 1) * sizeof **arr);
    (*arr)[(*n)++] = strdup(s);
}

static finn_node *hls_node(finn_model *m, const char *op, const char *name, const char *in,
                           const char *out)
{
    finn_node *n = finn_node_new(op, FINN_HW_DOMAIN_HLS, name, &err);
    finn_node_add_input(n, in, &err);
    finn_node_add_output(n, out, &err);
    finn_node_set_attr_s(n, "backend", "fpgadataflow", &err);
    finn_model_insert_node(m, m->n_nodes, n, &err);
    return n;
}

static void init(finn_model *m, finn_node *n, const char *name, int64_t rows, int64_t cols,
                 finn_datatype dt)
{
    int64_t shape[2] = {rows, cols};
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, 2, shape, &err);
    for (size_t i = 0; i < finn_tensor_numel(t); i++)
        finn_tensor_set(t, i, (double)(i % 3) - 1);
    finn_model_set_initializer(m, name, t, &err);
    finn_model_set_datatype(m, name, dt, &err);
    finn_node_add_input(n, name, &err);
}

static finn_model *chain(void)
{
    finn_model *m = finn_model_new("g", &err);
    finn_model_set_opset(m, "", 13, &err);
    finn_node *t = hls_node(m, "Thresholding_hls", "Thresholding_hls_0", "x", "t");
    finn_node_set_attr_i(t, "NumChannels", 8, &err);
    finn_node_set_attr_i(t, "PE", 1, &err);
    finn_node_set_attr_i(t, "numSteps", 3, &err);
    finn_node_set_attr_s(t, "inputDataType", "INT8", &err);
    finn_node_set_attr_s(t, "weightDataType", "INT8", &err);
    finn_node_set_attr_s(t, "outputDataType", "UINT2", &err);
    init(m, t, "thr", 8, 3, finn_dt_int(8));
    finn_node *mv = hls_node(m, "MVAU_hls", "MVAU_hls_0", "t", "y");
    finn_node_set_attr_i(mv, "MW", 8, &err);
    finn_node_set_attr_i(mv, "MH", 4, &err);
    finn_node_set_attr_i(mv, "SIMD", 2, &err);
    finn_node_set_attr_i(mv, "PE", 2, &err);
    finn_node_set_attr_s(mv, "inputDataType", "UINT2", &err);
    finn_node_set_attr_s(mv, "weightDataType", "INT2", &err);
    finn_node_set_attr_s(mv, "outputDataType", "INT32", &err);
    finn_node_set_attr_i(mv, "noActivation", 1, &err);
    init(m, mv, "w", 8, 4, finn_dt_int(2));
    finn_node *ls = hls_node(m, "LabelSelect_hls", "LabelSelect_hls_0", "y", "z");
    finn_node_set_attr_i(ls, "Labels", 4, &err);
    finn_node_set_attr_i(ls, "PE", 1, &err);
    finn_node_set_attr_i(ls, "K", 1, &err);
    finn_node_set_attr_s(ls, "inputDataType", "INT32", &err);
    finn_node_set_attr_s(ls, "outputDataType", "UINT8", &err);
    finn_model_set_shape(m, "x", FINN_ELEM_FLOAT, 2, (int64_t[]){1, 8}, &err);
    finn_model_set_datatype(m, "x", finn_dt_int(8), &err);
    finn_model_set_shape(m, "z", FINN_ELEM_FLOAT, 2, (int64_t[]){1, 1}, &err);
    add_str(&m->inputs, &m->n_inputs, "x");
    add_str(&m->outputs, &m->n_outputs, "z");
    return m;
}

/* Run [step_generate_estimate_reports] on the chain in dir; 0 on success. */
static int run(finn_registry *reg, const char *dir, const char *outputs)
{
    char path[1200], text[2048];
    snprintf(path, sizeof path, "%s.onnx", dir);
    finn_model *m = chain();
    CHECK_EQ_INT(finn_model_save(m, path, &err), 0);
    finn_model_free(m);
    snprintf(text, sizeof text,
             "model: %s\noutput_dir: %s\nsynth_clk_period_ns: 3.3\n"
             "fpga_part: xczu7ev-ffvc1156-2-e\nsteps: [step_generate_estimate_reports]\n"
             "generate_outputs: [%s]\n",
             path, dir, outputs);
    finn_config *cfg = finn_config_new(&err);
    CHECK_EQ_INT(finn_config_load_string(cfg, text, "test recipe", test_tmpdir(), &err), 0);
    FILE *null = fopen("/dev/null", "w");
    finn_build_opts opts = {NULL, null};
    int rc = finn_build_run(reg, cfg, &opts, &err);
    if (rc)
        fprintf(stderr, "build: %s\n", err.msg);
    fclose(null);
    finn_config_free(cfg);
    return rc;
}

static char *report(const char *dir, const char *file)
{
    char path[1300];
    snprintf(path, sizeof path, "%s/report/%s", dir, file);
    return test_read_file(path, NULL);
}

static void check_report(const char *dir, const char *file, const char *expected)
{
    char *text = report(dir, file);
    CHECK_STR(text, expected);
    free(text);
}

static size_t count(const char *hay, const char *needle)
{
    size_t c = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
        c++;
    return c;
}

static const char RES_T[] = "    \"BRAM_18K\": 0,\n    \"BRAM_efficiency\": 1,\n    \"LUT\": 16,\n"
                            "    \"URAM\": 0,\n    \"URAM_efficiency\": 1,\n    \"DSP\": 0\n";

static void test_reports(finn_registry *reg)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/reports", test_tmpdir());
    CHECK_EQ_INT(run(reg, dir, "estimate_reports"), 0);

    check_report(dir, "op_and_param_counts.json",
                 "{\n"
                 "  \"Thresholding_hls_0\": {\n    \"param_threshold_8b\": 24\n  },\n"
                 "  \"MVAU_hls_0\": {\n    \"op_mac_2bx2b\": 32,\n    \"param_weight_2b\": 32\n  },\n"
                 "  \"LabelSelect_hls_0\": {},\n"
                 "  \"total\": {\n    \"param_threshold_8b\": 24.0,\n    \"op_mac_2bx2b\": 32.0,\n"
                 "    \"param_weight_2b\": 32.0\n  }\n"
                 "}");
    check_report(dir, "estimate_layer_cycles.json",
                 "{\n  \"Thresholding_hls_0\": 8,\n  \"MVAU_hls_0\": 8,\n"
                 "  \"LabelSelect_hls_0\": 4\n}");
    char expected[4096];
    snprintf(expected, sizeof expected,
             "{\n"
             "  \"Thresholding_hls_0\": {\n%s  },\n"
             "  \"MVAU_hls_0\": {\n    \"BRAM_18K\": 1,\n"
             "    \"BRAM_efficiency\": 0.003472222222222222,\n    \"LUT\": 361,\n"
             "    \"URAM\": 0,\n    \"URAM_efficiency\": 1,\n    \"DSP\": 0\n  },\n"
             "  \"LabelSelect_hls_0\": {\n    \"BRAM_18K\": 0,\n    \"BRAM_efficiency\": 1,\n"
             "    \"LUT\": 0,\n    \"URAM\": 0,\n    \"URAM_efficiency\": 1,\n    \"DSP\": 0\n  },\n"
             "  \"total\": {\n    \"BRAM_18K\": 1.0,\n    \"LUT\": 377.0,\n    \"URAM\": 0.0,\n"
             "    \"DSP\": 0.0\n  }\n"
             "}",
             RES_T);
    check_report(dir, "estimate_layer_resources.json", expected);
    check_report(dir, "estimate_layer_config_alternatives.json",
                 "{\n"
                 "  \"Thresholding_hls_0\": [\n    {\n"
                 "      \"BRAM_18K\": 0,\n      \"BRAM_efficiency\": 1,\n      \"LUT\": 16,\n"
                 "      \"URAM\": 0,\n      \"URAM_efficiency\": 1,\n      \"DSP\": 0\n    }\n  ],\n"
                 "  \"MVAU_hls_0\": [\n    {\n"
                 "      \"BRAM_18K\": 1,\n      \"BRAM_efficiency\": 0.003472222222222222,\n"
                 "      \"LUT\": 344,\n      \"URAM\": 0,\n      \"URAM_efficiency\": 1,\n"
                 "      \"DSP\": 4\n    },\n    {\n"
                 "      \"BRAM_18K\": 1,\n      \"BRAM_efficiency\": 0.003472222222222222,\n"
                 "      \"LUT\": 361,\n      \"URAM\": 0,\n      \"URAM_efficiency\": 1,\n"
                 "      \"DSP\": 0\n    }\n  ],\n"
                 "  \"LabelSelect_hls_0\": [\n    {\n"
                 "      \"BRAM_18K\": 0,\n      \"BRAM_efficiency\": 1,\n      \"LUT\": 0,\n"
                 "      \"URAM\": 0,\n      \"URAM_efficiency\": 1,\n      \"DSP\": 0\n    }\n  ]\n"
                 "}");
    check_report(dir, "estimate_network_performance.json",
                 "{\n  \"critical_path_cycles\": 20,\n  \"max_cycles\": 8,\n"
                 "  \"max_cycles_node_name\": \"Thresholding_hls_0\",\n"
                 "  \"estimated_throughput_fps\": 37878787.87878788,\n"
                 "  \"estimated_latency_ns\": 66.0\n}");

    /* pictures: well-formed SVG, one bar per layer and panel */
    char *svg = report(dir, "estimate_layer_resources.svg");
    CHECK(svg && !strncmp(svg, "<svg", 4));
    CHECK(svg && strstr(svg, "</svg>\n") && !strcmp(strstr(svg, "</svg>\n"), "</svg>\n"));
    CHECK_EQ_INT(count(svg, "class=\"bar\""), 9); /* LUT, BRAM_18K, DSP x 3 layers */
    CHECK_EQ_INT(count(svg, "<g "), 3);
    CHECK_EQ_INT(count(svg, "</g>"), 3);
    CHECK_EQ_INT(count(svg, "<rect"), count(svg, "</rect>") + 1); /* + the background */
    CHECK_EQ_INT(count(svg, "<text"), count(svg, "</text>"));
    CHECK_EQ_INT(count(svg, ">MVAU_hls_0</text>"), 3);
    CHECK_CONTAINS(svg, "<title>MVAU_hls_0: 361</title>");
    CHECK(!strstr(svg, "total"));
    free(svg);
    svg = report(dir, "estimate_layer_cycles.svg");
    CHECK(svg && !strncmp(svg, "<svg", 4));
    CHECK_EQ_INT(count(svg, "class=\"bar\""), 3);
    CHECK_CONTAINS(svg, "<title>LabelSelect_hls_0: 4</title>");
    /* the longest bar (Thresholding, 8 cycles) spans the full 420 px */
    CHECK_CONTAINS(svg, "width=\"420.0\" height=\"16\" fill=\"#8172b3\"><title>Thresholding");
    free(svg);

    /* the model after the step: cycles_estimate annotated, resType set
     * back explicitly (to its default) by the alternatives pass */
    char path[1300];
    snprintf(path, sizeof path, "%s/intermediate_models/step_generate_estimate_reports.onnx", dir);
    finn_model *m = NULL;
    CHECK_EQ_INT(finn_model_load(path, &m, &err), 0);
    if (m) {
        CHECK_EQ_INT(finn_node_attr_i(m->nodes[0], "cycles_estimate", -1), 8);
        CHECK_EQ_INT(finn_node_attr_i(m->nodes[1], "cycles_estimate", -1), 8);
        CHECK_EQ_INT(finn_node_attr_i(m->nodes[2], "cycles_estimate", -1), 4);
        CHECK_STR(finn_node_attr_s(m->nodes[1], "resType", NULL), "auto");
        finn_model_free(m);
    }

    /* not requested: nothing written */
    snprintf(dir, sizeof dir, "%s/noreports", test_tmpdir());
    CHECK_EQ_INT(run(reg, dir, "stitched_ip"), 0);
    char rdir[1100];
    snprintf(rdir, sizeof rdir, "%s/report", dir);
    struct stat st;
    CHECK(stat(rdir, &st) != 0);
}

static void test_float_repr(void)
{
    static const struct {
        double v;
        const char *s;
    } T[] = {{0.1, "0.1"},
             {1e-05, "1e-05"},
             {12340.0, "12340.0"},
             {1e16, "1e+16"},
             {1.5e16, "1.5e+16"},
             {123456789012345.6, "123456789012345.6"},
             {1234567890123456.0, "1234567890123456.0"},
             {0.0001, "0.0001"},
             {-2.5e-7, "-2.5e-07"},
             {1.0 / 3.0, "0.3333333333333333"},
             {5e-324, "5e-324"},
             {1.7976931348623157e308, "1.7976931348623157e+308"},
             {100.0, "100.0"},
             {0.0, "0.0"}};
    char buf[40];
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
        rj_float_repr(T[i].v, buf, sizeof buf);
        CHECK_STR(buf, T[i].s);
    }
    /* strings: escapes and non-ASCII as \uXXXX (json.dump's ensure_ascii) */
    rj *o = rj_obj();
    rj_set(o, "a\"b\\\n", rj_str("\xc3\xa9\xf0\x9f\x98\x80"));
    rj_set(o, "l", rj_arr());
    rj_set(o, "a\"b\\\n", rj_int(-3)); /* replaces in place */
    char *s = rj_dump(o);
    CHECK_STR(s, "{\n  \"a\\\"b\\\\\\n\": -3,\n  \"l\": []\n}");
    free(s);
    rj_set(o, "u", rj_str("\xc3\xa9\xf0\x9f\x98\x80"));
    s = rj_dump(o);
    CHECK_CONTAINS(s, "\"u\": \"\\u00e9\\ud83d\\ude00\"");
    free(s);
    rj_free(o);
}

int main(void)
{
    test_float_repr();
    finn_registry *reg = load_registry();
    test_reports(reg);
    finn_registry_free(reg);
    return test_done();
}
