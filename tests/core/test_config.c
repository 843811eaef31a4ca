/* test_config.c - the config parser: FINN's field table and defaults, a
 * full recipe, FINN's own dataflow_build_config.json from the corpus, path
 * resolution, every error message with its file:line, --set overrides,
 * validation, board -> part and the clock / target-cycle resolvers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "finn/config.h"
#include "test.h"

static const char *tmp;

static void write_text(const char *rel, const char *text)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return;
    }
    fputs(text, f);
    fclose(f);
}

static const char *tmp_path(const char *rel)
{
    static char path[2048];
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    return path;
}

static const finn_cfg_field *find_field(const char *name)
{
    for (const finn_cfg_field *f = finn_config_fields(); f->name; f++)
        if (!strcmp(f->name, name))
            return f;
    return NULL;
}

/* Load text as file `what` into a fresh config; returns the status and
 * leaves the message in err. */
static int load_text(const char *text, const char *what, finn_error *err)
{
    finn_config *cfg = finn_config_new(err);
    int rc = finn_config_load_string(cfg, text, what, ".", err);
    finn_config_free(cfg);
    return rc;
}

static void expect_load_error(const char *text, const char *what, finn_errcode code,
                              const char *msg)
{
    finn_error err = {0};
    CHECK_EQ_INT(load_text(text, what, &err), -1);
    CHECK_EQ_INT(err.code, code);
    CHECK_STR(err.msg, msg);
}

static void test_field_table(void)
{
    /* FINN's 40 DataflowBuildConfig fields in declaration order, then the
     * recipe keys */
    static const char *const finn_names[] = {
        "output_dir", "synth_clk_period_ns", "generate_outputs",
        "specialize_layers_config_file", "folding_config_file", "target_fps",
        "folding_two_pass_relaxation", "verify_steps", "verify_input_npy",
        "verify_expected_output_npy", "verify_save_full_context",
        "verify_save_rtlsim_waveforms", "stitched_ip_gen_dcp", "signature", "mvau_wwidth_max",
        "standalone_thresholds", "minimize_bit_width", "board", "shell_flow_type", "fpga_part",
        "auto_fifo_depths", "split_large_fifos", "auto_fifo_strategy", "force_python_rtlsim",
        "large_fifo_mem_style", "hls_clk_period_ns", "default_swg_exception", "vitis_platform",
        "vitis_floorplan_file", "vitis_opt_strategy", "save_intermediate_models",
        "enable_hw_debug", "enable_build_pdb_debug", "verbose", "steps", "start_step",
        "stop_step", "max_multithreshold_bit_width", "rtlsim_batch_size",
        "rtlsim_use_vivado_comps", "model", "plugins", "override_steps", "description",
        "strict_config"};
    size_t n = 0;
    const finn_cfg_field *f = finn_config_fields();
    while (f[n].name)
        n++;
    CHECK_EQ_INT(n, sizeof finn_names / sizeof finn_names[0]);
    for (size_t i = 0; i < n && i < sizeof finn_names / sizeof finn_names[0]; i++)
        CHECK_STR(f[i].name, finn_names[i]);
    for (size_t i = 0; i < n; i++)
        CHECK(f[i].doc && f[i].doc[0]);

    const finn_cfg_field *mv = find_field("mvau_wwidth_max");
    CHECK(mv && mv->type == FINN_CFG_INT);
    CHECK_STR(mv ? mv->dflt : NULL, "36");
    const finn_cfg_field *od = find_field("output_dir");
    CHECK(od && od->type == FINN_CFG_PATH && od->dflt == NULL);
    const finn_cfg_field *vs = find_field("verify_steps");
    CHECK(vs && vs->type == FINN_CFG_ENUM_LIST);
    if (vs) {
        static const char *const want[] = {"finn_onnx_python", "initial_python",
                                           "streamlined_python", "folded_hls_cppsim",
                                           "stitched_ip_rtlsim", NULL};
        for (size_t i = 0; i < 6; i++) {
            if (!want[i])
                CHECK(vs->enum_values[i] == NULL);
            else
                CHECK_STR(vs->enum_values[i], want[i]);
        }
    }
    const finn_cfg_field *go = find_field("generate_outputs");
    CHECK(go && go->enum_values && go->type == FINN_CFG_ENUM_LIST);
    if (go) {
        CHECK_STR(go->enum_values[2], "out_of_context_synth");
        CHECK_STR(go->enum_values[6], "deployment_package");
        CHECK(go->enum_values[7] == NULL);
    }
    const finn_cfg_field *vo = find_field("vitis_opt_strategy");
    CHECK(vo && vo->enum_values);
    if (vo) {
        CHECK_STR(vo->dflt, "default");
        CHECK_STR(vo->enum_values[5], "quick");
    }
    const finn_cfg_field *lf = find_field("large_fifo_mem_style");
    CHECK(lf && lf->enum_values);
    if (lf)
        CHECK_STR(lf->enum_values[2], "distributed");
    CHECK(find_field("plugins") && find_field("plugins")->type == FINN_CFG_PATH_LIST);
    CHECK(find_field("steps") && find_field("steps")->type == FINN_CFG_STR_LIST);
    CHECK(find_field("signature") && find_field("signature")->type == FINN_CFG_INT_LIST);
}

static void test_defaults(void)
{
    finn_error err = {0};
    finn_config *cfg = finn_config_new(&err);
    CHECK(cfg != NULL);
    CHECK_STR(finn_config_base_dir(cfg), ".");
    CHECK_EQ_INT(finn_config_int(cfg, "mvau_wwidth_max"), 36);
    CHECK_EQ_INT(finn_config_int(cfg, "max_multithreshold_bit_width"), 8);
    CHECK_EQ_INT(finn_config_int(cfg, "rtlsim_batch_size"), 1);
    CHECK_EQ_INT(finn_config_int(cfg, "target_fps"), 0);
    CHECK(finn_config_bool(cfg, "folding_two_pass_relaxation"));
    CHECK(finn_config_bool(cfg, "auto_fifo_depths"));
    CHECK(finn_config_bool(cfg, "minimize_bit_width"));
    CHECK(finn_config_bool(cfg, "save_intermediate_models"));
    CHECK(finn_config_bool(cfg, "enable_build_pdb_debug"));
    CHECK(finn_config_bool(cfg, "rtlsim_use_vivado_comps"));
    CHECK(!finn_config_bool(cfg, "verbose"));
    CHECK(!finn_config_bool(cfg, "split_large_fifos"));
    CHECK(!finn_config_bool(cfg, "override_steps"));
    CHECK(!finn_config_bool(cfg, "strict_config"));
    CHECK_STR(finn_config_str(cfg, "auto_fifo_strategy"), "largefifo_rtlsim");
    CHECK_STR(finn_config_str(cfg, "large_fifo_mem_style"), "auto");
    CHECK_STR(finn_config_str(cfg, "vitis_opt_strategy"), "default");
    CHECK_STR(finn_config_str(cfg, "verify_input_npy"), "input.npy");
    CHECK_STR(finn_config_str(cfg, "verify_expected_output_npy"), "expected_output.npy");
    CHECK(finn_config_str(cfg, "board") == NULL);
    CHECK(finn_config_str(cfg, "shell_flow_type") == NULL);
    CHECK(finn_config_str(cfg, "model") == NULL);
    CHECK(!finn_config_is_set(cfg, "mvau_wwidth_max"));
    CHECK(!finn_config_is_set(cfg, "steps"));
    CHECK_EQ_INT(finn_config_list_len(cfg, "generate_outputs"), 0);
    CHECK_EQ_INT(finn_config_list_len(cfg, "steps"), 0);
    CHECK(finn_config_list_item(cfg, "steps", 0) == NULL);
    CHECK(!finn_config_list_has(cfg, "verify_steps", "initial_python"));
    CHECK_EQ_INT(finn_config_target_cycles(cfg), -1);
    CHECK_EQ_INT(finn_config_warning_count(cfg), 0);
    /* programming errors give the zero value */
    CHECK(finn_config_str(cfg, "no_such_key") == NULL);
    CHECK_EQ_INT(finn_config_int(cfg, "no_such_key"), 0);
    CHECK(finn_config_str(cfg, "mvau_wwidth_max") == NULL);
    CHECK(!finn_config_bool(cfg, "mvau_wwidth_max"));
    CHECK_EQ_INT(finn_config_list_len(cfg, "board"), 0);
    finn_config_free(cfg);
    finn_config_free(NULL);
}

static const char *full_recipe =
    "# a recipe using every kind of value\n"
    "description: full recipe\n"
    "model: nets/m.onnx\n"
    "output_dir: out\n"
    "plugins: [p/a.so, /opt/plugins/b.so]\n"
    "override_steps: true\n"
    "synth_clk_period_ns: 5\n"
    "hls_clk_period_ns: 2.5\n"
    "target_fps: 3\n"
    "mvau_wwidth_max: 10000\n"
    "folding_two_pass_relaxation: false\n"
    "board: Pynq-Z1\n"
    "shell_flow_type: vivado_zynq\n"
    "auto_fifo_strategy: characterize\n"
    "large_fifo_mem_style: ultra\n"
    "folding_config_file: folding.json\n"
    "specialize_layers_config_file: /abs/spec.json\n"
    "verify_expected_output_npy: ~\n"
    "signature: [1, -2, 3]\n"
    "verify_steps:\n"
    "  - initial_python\n"
    "  - stitched_ip_rtlsim\n"
    "generate_outputs: [estimate_reports, stitched_ip]\n"
    "steps:\n"
    "  - estimate_only\n"
    "  - custom_step_add_post_proc\n"
    "start_step: null\n"
    "stop_step: custom_step_add_post_proc\n"
    "verbose: True\n";

static void test_full_recipe(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/sub", tmp);
    mkdir(dir, 0777);
    write_text("sub/recipe.yaml", full_recipe);
    finn_error err = {0};
    finn_config *cfg = finn_config_new(&err);
    int rc = finn_config_load(cfg, tmp_path("sub/recipe.yaml"), &err);
    CHECK_EQ_INT(rc, 0);
    if (rc != 0)
        fprintf(stderr, "  load: %s\n", err.msg);
    char want[4096];
    CHECK_STR(finn_config_base_dir(cfg), dir);
    snprintf(want, sizeof want, "%s/nets/m.onnx", dir);
    CHECK_STR(finn_config_str(cfg, "model"), want);
    snprintf(want, sizeof want, "%s/out", dir);
    CHECK_STR(finn_config_str(cfg, "output_dir"), want);
    snprintf(want, sizeof want, "%s/folding.json", dir);
    CHECK_STR(finn_config_str(cfg, "folding_config_file"), want);
    CHECK_STR(finn_config_str(cfg, "specialize_layers_config_file"), "/abs/spec.json");
    /* an unset path default resolves against the recipe folder too */
    snprintf(want, sizeof want, "%s/input.npy", dir);
    CHECK_STR(finn_config_str(cfg, "verify_input_npy"), want);
    /* explicit None beats the default */
    CHECK(finn_config_str(cfg, "verify_expected_output_npy") == NULL);
    CHECK(!finn_config_is_set(cfg, "verify_expected_output_npy"));
    CHECK(finn_config_str(cfg, "start_step") == NULL);
    CHECK_STR(finn_config_str(cfg, "stop_step"), "custom_step_add_post_proc");
    CHECK_STR(finn_config_str(cfg, "description"), "full recipe");

    CHECK_EQ_INT(finn_config_list_len(cfg, "plugins"), 2);
    snprintf(want, sizeof want, "%s/p/a.so", dir);
    CHECK_STR(finn_config_list_item(cfg, "plugins", 0), want);
    CHECK_STR(finn_config_list_item(cfg, "plugins", 1), "/opt/plugins/b.so");
    CHECK(finn_config_list_item(cfg, "plugins", 2) == NULL);
    CHECK(finn_config_bool(cfg, "override_steps"));

    CHECK_EQ_DBL(finn_config_float(cfg, "synth_clk_period_ns"), 5.0);
    CHECK_EQ_INT(finn_config_int(cfg, "synth_clk_period_ns"), 5);
    CHECK_EQ_DBL(finn_config_hls_clk_ns(cfg), 2.5);
    CHECK_EQ_INT(finn_config_int(cfg, "hls_clk_period_ns"), 2); /* truncated */
    CHECK_EQ_INT(finn_config_int(cfg, "target_fps"), 3);
    CHECK_EQ_DBL(finn_config_float(cfg, "target_fps"), 3.0);
    /* int((1e9 / 5) / 3) = int(66666666.67) */
    CHECK_EQ_INT(finn_config_target_cycles(cfg), 66666666);
    CHECK_EQ_INT(finn_config_int(cfg, "mvau_wwidth_max"), 10000);
    CHECK(finn_config_is_set(cfg, "mvau_wwidth_max"));
    CHECK(!finn_config_bool(cfg, "folding_two_pass_relaxation"));
    CHECK(finn_config_bool(cfg, "verbose"));
    CHECK_STR(finn_config_str(cfg, "board"), "Pynq-Z1");
    CHECK_STR(finn_config_str(cfg, "shell_flow_type"), "vivado_zynq");
    CHECK_STR(finn_config_str(cfg, "auto_fifo_strategy"), "characterize");
    CHECK_STR(finn_config_str(cfg, "large_fifo_mem_style"), "ultra");

    CHECK_EQ_INT(finn_config_list_len(cfg, "signature"), 3);
    CHECK_STR(finn_config_list_item(cfg, "signature", 1), "-2");
    CHECK_EQ_INT(finn_config_list_len(cfg, "verify_steps"), 2);
    CHECK(finn_config_list_has(cfg, "verify_steps", "stitched_ip_rtlsim"));
    CHECK(!finn_config_list_has(cfg, "verify_steps", "streamlined_python"));
    CHECK_EQ_INT(finn_config_list_len(cfg, "generate_outputs"), 2);
    CHECK_STR(finn_config_list_item(cfg, "generate_outputs", 1), "stitched_ip");
    CHECK_EQ_INT(finn_config_list_len(cfg, "steps"), 2);
    CHECK_STR(finn_config_list_item(cfg, "steps", 0), "estimate_only");
    CHECK_STR(finn_config_list_item(cfg, "steps", 1), "custom_step_add_post_proc");

    const char *part = finn_config_fpga_part(cfg, &err);
    CHECK_STR(part, "xc7z020clg400-1");
    CHECK_EQ_INT(finn_config_validate(cfg, &err), 0);
    CHECK_EQ_INT(finn_config_warning_count(cfg), 0);

    /* a second load replaces only the keys it sets */
    CHECK_EQ_INT(finn_config_load_string(cfg, "target_fps: 100000\nsynth_clk_period_ns: 10.0\n",
                                         "more.yaml", "/elsewhere", &err),
                 0);
    CHECK_EQ_INT(finn_config_target_cycles(cfg), 1000);
    CHECK_STR(finn_config_str(cfg, "board"), "Pynq-Z1");
    CHECK_STR(finn_config_base_dir(cfg), "/elsewhere");
    CHECK_STR(finn_config_str(cfg, "verify_input_npy"), "/elsewhere/input.npy");
    finn_config_free(cfg);
}

static void test_syntax_errors(void)
{
    expect_load_error("model: model.onnx\nsteps: [a, b\noutput_dir: x\n", "syntax.yaml",
                      FINN_ERR_PARSE,
                      "syntax.yaml:3: YAML syntax error: did not find expected ',' or ']' "
                      "(while parsing a flow sequence started at line 2)");
    expect_load_error("a: 1\n  b: 2\n", "indent.yaml", FINN_ERR_PARSE,
                      "indent.yaml:2: YAML syntax error: mapping values are not allowed in "
                      "this context");
    /* invalid UTF-8 is a reader error: the line comes from the byte offset */
    expect_load_error("model: m.onnx\nboard: \"\xc3\x28\"\n", "utf.yaml", FINN_ERR_PARSE,
                      "utf.yaml:2: YAML syntax error: invalid trailing UTF-8 octet");
    expect_load_error("{\"output_dir\": \"x\",,}\n", "bad.json", FINN_ERR_PARSE,
                      "bad.json:1: YAML syntax error: did not find expected node content "
                      "(while parsing a flow node started at line 1)");
    expect_load_error("model: a\n---\nmodel: b\n", "two.yaml", FINN_ERR_PARSE,
                      "two.yaml:3: a second YAML document; a config is one mapping");

    /* through a real file, the message names the path as given */
    write_text("syntax.yaml", "model: model.onnx\nsteps: [a, b\noutput_dir: x\n");
    finn_error err = {0};
    finn_config *cfg = finn_config_new(&err);
    CHECK_EQ_INT(finn_config_load(cfg, tmp_path("syntax.yaml"), &err), -1);
    char want[4096];
    snprintf(want, sizeof want, "%s:3: YAML syntax error: did not find expected ',' or ']'",
             tmp_path("syntax.yaml"));
    CHECK(strncmp(err.msg, want, strlen(want)) == 0);
    CHECK_EQ_INT(finn_config_load(cfg, tmp_path("nothere.yaml"), &err), -1);
    CHECK_EQ_INT(err.code, FINN_ERR_IO);
    CHECK_CONTAINS(err.msg, "nothere.yaml");
    finn_config_free(cfg);
}

static void test_value_errors(void)
{
    const char *base = "model: model.onnx\noutput_dir: out\nsynth_clk_period_ns: 10\n";
    char text[1024];

    expect_load_error("- a\n- b\n", "list.yaml", FINN_ERR_INVALID,
                      "list.yaml:1: expected a mapping of keys to values at the top level, got "
                      "a list");
    expect_load_error("just words\n", "word.yaml", FINN_ERR_INVALID,
                      "word.yaml:1: expected a mapping of keys to values at the top level, got "
                      "a value");

    snprintf(text, sizeof text, "%sgenerate_outputs: []\ntarget_fsp: 100\n", base);
    expect_load_error(text, "key.yaml", FINN_ERR_INVALID,
                      "key.yaml:5: unknown key 'target_fsp' (did you mean 'target_fps'?)");
    expect_load_error("model: m\nfolding_cfg_file: f.json\n", "k2.yaml", FINN_ERR_INVALID,
                      "k2.yaml:2: unknown key 'folding_cfg_file' (did you mean "
                      "'folding_config_file'?)");
    expect_load_error("\n\nxyz: 1\n", "k3.yaml", FINN_ERR_INVALID,
                      "k3.yaml:3: unknown key 'xyz'");
    expect_load_error("[a]: 1\n", "k4.yaml", FINN_ERR_INVALID,
                      "k4.yaml:1: a key must be a plain name, not a list");

    snprintf(text, sizeof text, "%sgenerate_outputs: []\ntarget_fps: fast\n", base);
    expect_load_error(text, "type.yaml", FINN_ERR_INVALID,
                      "type.yaml:5: target_fps: expected an integer, got 'fast'");
    expect_load_error("target_fps: 1.5\n", "t.yaml", FINN_ERR_INVALID,
                      "t.yaml:1: target_fps: expected an integer, got '1.5'");
    expect_load_error("target_fps: 99999999999999999999\n", "t.yaml", FINN_ERR_INVALID,
                      "t.yaml:1: target_fps: expected an integer, got '99999999999999999999'");
    expect_load_error("synth_clk_period_ns: ten\n", "t.yaml", FINN_ERR_INVALID,
                      "t.yaml:1: synth_clk_period_ns: expected a number, got 'ten'");
    expect_load_error("synth_clk_period_ns: .nan\n", "t.yaml", FINN_ERR_INVALID,
                      "t.yaml:1: synth_clk_period_ns: expected a number, got '.nan'");
    expect_load_error("verbose: maybe\n", "t.yaml", FINN_ERR_INVALID,
                      "t.yaml:1: verbose: expected true or false, got 'maybe'");
    expect_load_error("verbose: [true]\n", "t.yaml", FINN_ERR_INVALID,
                      "t.yaml:1: verbose: expected true or false, got a list");
    expect_load_error("board:\n  name: Pynq-Z1\n", "t.yaml", FINN_ERR_INVALID,
                      "t.yaml:2: board: expected a string, got a mapping");
    expect_load_error("shell_flow_type: vivado\n", "e.yaml", FINN_ERR_INVALID,
                      "e.yaml:1: shell_flow_type: unknown value 'vivado' (allowed: "
                      "vivado_zynq, vitis_alveo)");
    expect_load_error("generate_outputs:\n  - estimate_reports\n  - bitstream\n", "e.yaml",
                      FINN_ERR_INVALID,
                      "e.yaml:3: generate_outputs: unknown value 'bitstream' (allowed: "
                      "stitched_ip, estimate_reports, out_of_context_synth, rtlsim_performance, "
                      "bitfile, pynq_driver, deployment_package)");
    expect_load_error("verify_steps: [tidy_up_python]\n", "e.yaml", FINN_ERR_INVALID,
                      "e.yaml:1: verify_steps: unknown value 'tidy_up_python' (allowed: "
                      "finn_onnx_python, initial_python, streamlined_python, folded_hls_cppsim, "
                      "stitched_ip_rtlsim)");
    expect_load_error("steps: [a, [b]]\n", "s.yaml", FINN_ERR_INVALID,
                      "s.yaml:1: steps: expected a string, got a list");
    expect_load_error("steps: [a, null]\n", "s.yaml", FINN_ERR_INVALID,
                      "s.yaml:1: steps: expected a string, got 'null'");
    expect_load_error("signature: [1, x]\n", "s.yaml", FINN_ERR_INVALID,
                      "s.yaml:1: signature: expected an integer, got 'x'");
    expect_load_error("board: a\nboard: b\n", "d.yaml", FINN_ERR_INVALID,
                      "d.yaml:2: key 'board' given twice (first at line 1)");

    /* a failed load changes nothing */
    finn_error err = {0};
    finn_config *cfg = finn_config_new(&err);
    CHECK_EQ_INT(finn_config_load_string(cfg, "board: Pynq-Z1\n", "a.yaml", "/a", &err), 0);
    CHECK_EQ_INT(finn_config_load_string(cfg, "board: U250\ntarget_fps: x\n", "b.yaml", "/b", &err),
                 -1);
    CHECK_STR(finn_config_str(cfg, "board"), "Pynq-Z1");
    CHECK(!finn_config_is_set(cfg, "target_fps"));
    CHECK_STR(finn_config_base_dir(cfg), "/a");
    /* an empty or comment-only file sets nothing */
    CHECK_EQ_INT(finn_config_load_string(cfg, "# nothing\n", "c.yaml", NULL, &err), 0);
    CHECK_STR(finn_config_str(cfg, "board"), "Pynq-Z1");
    CHECK_STR(finn_config_base_dir(cfg), ".");
    finn_config_free(cfg);
}

static void test_values(void)
{
    finn_error err = {0};
    finn_config *cfg = finn_config_new(&err);
    const char *text = "target_fps: 100000.0\n"     /* JSON-style float for an int */
                       "synth_clk_period_ns: 3\n"   /* int for a float */
                       "verbose: FALSE\n"
                       "board: 'null'\n"            /* quoted: a string */
                       "fpga_part: None\n"          /* Python's None */
                       "steps: estimate_only\n"     /* one name: a one-item list */
                       "verify_steps: []\n"
                       "generate_outputs:\n"        /* empty value: None */
                       "model: \"a b.onnx\"\n";
    CHECK_EQ_INT(finn_config_load_string(cfg, text, "v.yaml", "base", &err), 0);
    CHECK_EQ_INT(finn_config_int(cfg, "target_fps"), 100000);
    CHECK_EQ_DBL(finn_config_float(cfg, "synth_clk_period_ns"), 3.0);
    /* int(333333333.33 / 100000) */
    CHECK_EQ_INT(finn_config_target_cycles(cfg), 3333);
    CHECK(finn_config_is_set(cfg, "verbose"));
    CHECK(!finn_config_bool(cfg, "verbose"));
    CHECK_STR(finn_config_str(cfg, "board"), "null");
    CHECK(finn_config_str(cfg, "fpga_part") == NULL);
    CHECK_EQ_INT(finn_config_list_len(cfg, "steps"), 1);
    CHECK_STR(finn_config_list_item(cfg, "steps", 0), "estimate_only");
    CHECK(finn_config_is_set(cfg, "verify_steps"));
    CHECK_EQ_INT(finn_config_list_len(cfg, "verify_steps"), 0);
    CHECK(!finn_config_is_set(cfg, "generate_outputs"));
    CHECK_STR(finn_config_str(cfg, "model"), "base/a b.onnx");
    finn_config_free(cfg);
}

static void test_json_warnings(void)
{
    finn_error err = {0};
    finn_config *cfg = finn_config_new(&err);
    const char *json = "{\n"
                       "  \"output_dir\": \"out\",\n"
                       "  \"synth_clk_period_ns\": 10.0,\n"
                       "  \"target_fsp\": 5,\n"
                       "  \"custom\": {\"x\": [1, 2]},\n"
                       "  \"board\": \"Pynq-Z1\",\n"
                       "  \"board\": \"U250\"\n"
                       "}\n";
    CHECK_EQ_INT(finn_config_load_string(cfg, json, "dir/dataflow_build_config.json", "dir", &err),
                 0);
    CHECK_EQ_INT(finn_config_warning_count(cfg), 3);
    CHECK_STR(finn_config_warning(cfg, 0),
              "dir/dataflow_build_config.json:4: unknown key 'target_fsp' ignored (did you mean "
              "'target_fps'?)");
    CHECK_STR(finn_config_warning(cfg, 1),
              "dir/dataflow_build_config.json:5: unknown key 'custom' ignored");
    CHECK_STR(finn_config_warning(cfg, 2),
              "dir/dataflow_build_config.json:7: key 'board' given twice; the last value wins");
    CHECK(finn_config_warning(cfg, 3) == NULL);
    CHECK_STR(finn_config_str(cfg, "board"), "U250");
    CHECK_STR(finn_config_str(cfg, "output_dir"), "dir/out");
    CHECK(!finn_config_is_set(cfg, "target_fps"));
    /* the extension decides, in any case */
    CHECK_EQ_INT(finn_config_load_string(cfg, "{\"zzz\": 1}", "X.JSON", NULL, &err), 0);
    CHECK_EQ_INT(finn_config_warning_count(cfg), 4);
    finn_config_free(cfg);
}

static void test_set(void)
{
    finn_error err = {0};
    finn_config *cfg = finn_config_new(&err);
    CHECK_EQ_INT(finn_config_load_string(cfg, "board: Pynq-Z1\nmodel: m.onnx\n", "r.yaml",
                                         "/recipes", &err),
                 0);
    CHECK_STR(finn_config_str(cfg, "model"), "/recipes/m.onnx");
    CHECK_EQ_INT(finn_config_set(cfg, "target_fps", "10000", &err), 0);
    CHECK_EQ_INT(finn_config_int(cfg, "target_fps"), 10000);
    CHECK_EQ_INT(finn_config_set(cfg, "steps", "[a, b]", &err), 0);
    CHECK_EQ_INT(finn_config_list_len(cfg, "steps"), 2);
    CHECK_STR(finn_config_list_item(cfg, "steps", 1), "b");
    CHECK_EQ_INT(finn_config_set(cfg, "verify_steps", "[initial_python, folded_hls_cppsim]", &err),
                 0);
    CHECK(finn_config_list_has(cfg, "verify_steps", "folded_hls_cppsim"));
    /* relative paths from the command line stay relative to the cwd */
    CHECK_EQ_INT(finn_config_set(cfg, "model", "nets/x.onnx", &err), 0);
    CHECK_STR(finn_config_str(cfg, "model"), "nets/x.onnx");
    CHECK_EQ_INT(finn_config_set(cfg, "plugins", "[p.so, /q.so]", &err), 0);
    CHECK_STR(finn_config_list_item(cfg, "plugins", 0), "p.so");
    CHECK_EQ_INT(finn_config_set(cfg, "verify_input_npy", "/data/in.npy", &err), 0);
    CHECK_STR(finn_config_str(cfg, "verify_input_npy"), "/data/in.npy");
    CHECK_STR(finn_config_base_dir(cfg), "/recipes");
    /* an empty value is None */
    CHECK_EQ_INT(finn_config_set(cfg, "board", "", &err), 0);
    CHECK(finn_config_str(cfg, "board") == NULL);
    CHECK_EQ_INT(finn_config_set(cfg, "save_intermediate_models", "false", &err), 0);
    CHECK(!finn_config_bool(cfg, "save_intermediate_models"));

    CHECK_EQ_INT(finn_config_set(cfg, "target_fps", "fast", &err), -1);
    CHECK_EQ_INT(err.code, FINN_ERR_INVALID);
    CHECK_STR(err.msg, "--set target_fps: expected an integer, got 'fast'");
    CHECK_EQ_INT(finn_config_int(cfg, "target_fps"), 10000);
    CHECK_EQ_INT(finn_config_set(cfg, "target_fsp", "5", &err), -1);
    CHECK_STR(err.msg, "--set target_fsp: unknown key 'target_fsp' (did you mean 'target_fps'?)");
    CHECK_EQ_INT(finn_config_set(cfg, "steps", "[a, b", &err), -1);
    CHECK_EQ_INT(err.code, FINN_ERR_PARSE);
    CHECK_STR(err.msg, "--set steps: YAML syntax error: did not find expected ',' or ']'");
    CHECK_EQ_INT(finn_config_list_len(cfg, "steps"), 2);
    CHECK_EQ_INT(finn_config_set(cfg, "board", "a: b", &err), -1);
    CHECK_STR(err.msg, "--set board: expected a single value, got a mapping");
    CHECK_EQ_INT(finn_config_set(cfg, "steps", "{a: b}", &err), -1);
    CHECK_STR(err.msg, "--set steps: expected a list, got a mapping");
    CHECK_EQ_INT(finn_config_set(cfg, "shell_flow_type", "zynq", &err), -1);
    CHECK_STR(err.msg,
              "--set shell_flow_type: unknown value 'zynq' (allowed: vivado_zynq, vitis_alveo)");
    finn_config_free(cfg);
}

static void test_validate(void)
{
    finn_error err = {0};
    finn_config *cfg = finn_config_new(&err);
    CHECK_EQ_INT(finn_config_validate(cfg, &err), -1);
    CHECK_EQ_INT(err.code, FINN_ERR_INVALID);
    CHECK_STR(err.msg, "no model given: set 'model' in the recipe or use --model");
    finn_config_set(cfg, "model", "m.onnx", &err);
    CHECK_EQ_INT(finn_config_validate(cfg, &err), -1);
    CHECK_STR(err.msg,
              "no output_dir given: set 'output_dir' in the recipe or use --output-dir");
    finn_config_set(cfg, "output_dir", "out", &err);
    CHECK_EQ_INT(finn_config_validate(cfg, &err), -1);
    CHECK_STR(err.msg, "no synth_clk_period_ns given: FINN requires the synthesis clock period, "
                       "e.g. 'synth_clk_period_ns: 10.0' for 100 MHz");
    finn_config_set(cfg, "synth_clk_period_ns", "10", &err);
    /* generate_outputs is not required: missing means no outputs */
    CHECK_EQ_INT(finn_config_validate(cfg, &err), 0);
    CHECK_EQ_INT(finn_config_list_len(cfg, "generate_outputs"), 0);

    CHECK_EQ_INT(finn_config_load_string(cfg, "\ntarget_fps: 0\n", "z.yaml", NULL, &err), 0);
    CHECK_EQ_INT(finn_config_validate(cfg, &err), -1);
    CHECK_STR(err.msg, "z.yaml:2: target_fps must be > 0, got 0");
    finn_config_set(cfg, "target_fps", "null", &err);
    CHECK_EQ_INT(finn_config_target_cycles(cfg), -1);
    CHECK_EQ_INT(finn_config_validate(cfg, &err), 0);
    finn_config_set(cfg, "synth_clk_period_ns", "-1", &err);
    CHECK_EQ_INT(finn_config_validate(cfg, &err), -1);
    CHECK_STR(err.msg, "--set synth_clk_period_ns: synth_clk_period_ns must be > 0, got -1");
    finn_config_set(cfg, "synth_clk_period_ns", "10", &err);

    /* a board with a shell flow must be one FINN knows */
    CHECK_EQ_INT(finn_config_load_string(cfg, "board: Pynq-Z9\nshell_flow_type: vivado_zynq\n",
                                         "b.yaml", NULL, &err),
                 0);
    CHECK_EQ_INT(finn_config_validate(cfg, &err), -1);
    CHECK_STR(err.msg,
              "b.yaml:1: unknown board 'Pynq-Z9' for shell_flow_type vivado_zynq (known: "
              "Ultra96, Ultra96-V2, Pynq-Z1, Pynq-Z2, ZCU102, ZCU104, ZCU111, RFSoC2x2, "
              "RFSoC4x2, KV260_SOM); or set fpga_part");
    finn_config_set(cfg, "fpga_part", "xc7z020clg400-1", &err);
    CHECK_EQ_INT(finn_config_validate(cfg, &err), 0);
    /* without a shell flow the board is not looked up */
    finn_config_set(cfg, "fpga_part", "~", &err);
    finn_config_set(cfg, "shell_flow_type", "~", &err);
    CHECK_EQ_INT(finn_config_validate(cfg, &err), 0);
    finn_config_free(cfg);
}

static const char *part_for(const char *board, const char *flow, finn_error *err)
{
    static char buf[128];
    finn_config *cfg = finn_config_new(err);
    finn_config_set(cfg, "board", board, err);
    finn_config_set(cfg, "shell_flow_type", flow, err);
    const char *p = finn_config_fpga_part(cfg, err);
    snprintf(buf, sizeof buf, "%s", p ? p : "(null)");
    finn_config_free(cfg);
    return buf;
}

static void test_boards_and_clocks(void)
{
    finn_error err = {0};
    CHECK_STR(part_for("Pynq-Z1", "vivado_zynq", &err), "xc7z020clg400-1");
    CHECK_STR(part_for("KV260_SOM", "vivado_zynq", &err), "xck26-sfvc784-2LV-c");
    CHECK_STR(part_for("ZCU104", "vivado_zynq", &err), "xczu7ev-ffvc1156-2-e");
    CHECK_STR(part_for("Ultra96-V2", "vivado_zynq", &err), "xczu3eg-sbva484-1-i");
    CHECK_STR(part_for("RFSoC4x2", "vivado_zynq", &err), "xczu48dr-ffvg1517-2-e");
    CHECK_STR(part_for("U250", "vitis_alveo", &err), "xcu250-figd2104-2L-e");
    CHECK_STR(part_for("U55C", "vitis_alveo", &err), "xcu55c-fsvh2892-2L-e");
    CHECK_STR(part_for("U50", "vitis_alveo", &err), "xcu50-fsvh2104-2L-e");
    /* each map only knows its own boards */
    CHECK_STR(part_for("U250", "vivado_zynq", &err), "(null)");
    CHECK_EQ_INT(err.code, FINN_ERR_INVALID);
    CHECK_STR(part_for("Pynq-Z1", "vitis_alveo", &err), "(null)");
    CHECK_STR(err.msg, "unknown board 'Pynq-Z1' for shell_flow_type vitis_alveo (known: U50, "
                       "U200, U250, U280, U55C); or set fpga_part");
    CHECK_STR(part_for("Pynq-Z1", "", &err), "(null)");
    CHECK_STR(err.msg, "cannot tell the FPGA part: set fpga_part, or board together with "
                       "shell_flow_type");

    finn_config *cfg = finn_config_new(&err);
    finn_config_set(cfg, "fpga_part", "xcvc1902-vsva2197-2MP-e-S", &err);
    finn_config_set(cfg, "board", "U250", &err);
    finn_config_set(cfg, "shell_flow_type", "vitis_alveo", &err);
    CHECK_STR(finn_config_fpga_part(cfg, &err), "xcvc1902-vsva2197-2MP-e-S");

    /* clocks: hls falls back to synth; cycles use synth only */
    finn_config_set(cfg, "synth_clk_period_ns", "3.0", &err);
    CHECK_EQ_DBL(finn_config_hls_clk_ns(cfg), 3.0);
    CHECK_EQ_INT(finn_config_target_cycles(cfg), -1);
    finn_config_set(cfg, "target_fps", "7", &err);
    /* int((1e9 / 3.0) / 7) = int(47619047.619...) */
    CHECK_EQ_INT(finn_config_target_cycles(cfg), 47619047);
    finn_config_set(cfg, "hls_clk_period_ns", "4", &err);
    CHECK_EQ_DBL(finn_config_hls_clk_ns(cfg), 4.0);
    CHECK_EQ_INT(finn_config_target_cycles(cfg), 47619047);
    finn_config_set(cfg, "target_fps", "1000000000", &err);
    CHECK_EQ_INT(finn_config_target_cycles(cfg), 0); /* 0.33 truncates to 0 */
    finn_config_free(cfg);
}

/* FINN's own build directory config, and a folding config loaded as if it
 * were a build config (every key unknown, so every key warned about). */
static void test_corpus(void)
{
    const char *shared = test_shared_dir();
    if (!shared) {
        printf("SKIP (part): shared corpus not found\n");
        return;
    }
    char dir[2048], path[2200], want[2400];
    snprintf(dir, sizeof dir, "%s/corpus/finn/build_dataflow", shared);
    snprintf(path, sizeof path, "%s/dataflow_build_config.json", dir);
    finn_error err = {0};
    finn_config *cfg = finn_config_new(&err);
    int rc = finn_config_load(cfg, path, &err);
    CHECK_EQ_INT(rc, 0);
    if (rc != 0)
        fprintf(stderr, "  load: %s\n", err.msg);
    CHECK_EQ_INT(finn_config_warning_count(cfg), 0);
    CHECK_STR(finn_config_base_dir(cfg), dir);
    snprintf(want, sizeof want, "%s/output_tfc_w1a1_Pynq-Z1", dir);
    CHECK_STR(finn_config_str(cfg, "output_dir"), want);
    snprintf(want, sizeof want, "%s/folding_config.json", dir);
    CHECK_STR(finn_config_str(cfg, "folding_config_file"), want);
    snprintf(want, sizeof want, "%s/input.npy", dir);
    CHECK_STR(finn_config_str(cfg, "verify_input_npy"), want);
    CHECK_EQ_INT(finn_config_int(cfg, "target_fps"), 100000);
    CHECK_EQ_INT(finn_config_int(cfg, "mvau_wwidth_max"), 10000);
    CHECK_EQ_DBL(finn_config_float(cfg, "synth_clk_period_ns"), 10.0);
    CHECK_STR(finn_config_str(cfg, "board"), "Pynq-Z1");
    CHECK(finn_config_is_set(cfg, "standalone_thresholds"));
    CHECK(!finn_config_bool(cfg, "standalone_thresholds"));
    CHECK_STR(finn_config_str(cfg, "shell_flow_type"), "vivado_zynq");
    CHECK(finn_config_bool(cfg, "verify_save_rtlsim_waveforms"));
    CHECK(finn_config_bool(cfg, "force_python_rtlsim"));
    CHECK_EQ_INT(finn_config_list_len(cfg, "verify_steps"), 4);
    CHECK_STR(finn_config_list_item(cfg, "verify_steps", 0), "initial_python");
    CHECK_STR(finn_config_list_item(cfg, "verify_steps", 3), "stitched_ip_rtlsim");
    CHECK_EQ_INT(finn_config_list_len(cfg, "generate_outputs"), 7);
    CHECK_STR(finn_config_list_item(cfg, "generate_outputs", 0), "estimate_reports");
    CHECK(finn_config_list_has(cfg, "generate_outputs", "deployment_package"));
    CHECK_STR(finn_config_fpga_part(cfg, &err), "xc7z020clg400-1");
    CHECK_EQ_INT(finn_config_target_cycles(cfg), 1000);
    CHECK_EQ_DBL(finn_config_hls_clk_ns(cfg), 10.0);
    /* defaults of the fields the file leaves out */
    CHECK(finn_config_bool(cfg, "auto_fifo_depths"));
    CHECK_STR(finn_config_str(cfg, "auto_fifo_strategy"), "largefifo_rtlsim");
    /* FINN's JSON has no model: build_dataflow <dir> takes dir/model.onnx */
    CHECK_EQ_INT(finn_config_validate(cfg, &err), -1);
    CHECK_STR(err.msg, "no model given: set 'model' in the recipe or use --model");
    snprintf(want, sizeof want, "%s/model.onnx", dir);
    CHECK_EQ_INT(finn_config_set(cfg, "model", want, &err), 0);
    CHECK_EQ_INT(finn_config_validate(cfg, &err), 0);
    finn_config_free(cfg);

    cfg = finn_config_new(&err);
    snprintf(path, sizeof path, "%s/folding_config.json", dir);
    CHECK_EQ_INT(finn_config_load(cfg, path, &err), 0);
    CHECK_EQ_INT(finn_config_warning_count(cfg), 7);
    snprintf(want, sizeof want, "%s:2: unknown key 'Defaults' ignored", path);
    CHECK_STR(finn_config_warning(cfg, 0), want);
    snprintf(want, sizeof want, "%s:26: unknown key 'LabelSelect_hls_0' ignored", path);
    CHECK_STR(finn_config_warning(cfg, 6), want);
    finn_config_free(cfg);
}

int main(void)
{
    tmp = test_tmpdir();
    test_field_table();
    test_defaults();
    test_full_recipe();
    test_syntax_errors();
    test_value_errors();
    test_values();
    test_json_warnings();
    test_set();
    test_validate();
    test_boards_and_clocks();
    test_corpus();
    return test_done();
}
