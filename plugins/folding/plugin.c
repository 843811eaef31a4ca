/*
 * plugin.c - the folding plugin: FINN's step_target_fps_parallelization,
 * step_apply_folding_config and step_minimize_bit_width (finn-backend.md
 * sections 6, 7 and 8).
 */
#include <finn/file.h>
#include "folding.h"
#include "finn/hw_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The attributes of auto_folding_config.json, in FINN's order. */
static const char *const AUTO_ATTRS[] = {"PE",
                                         "SIMD",
                                         "parallel_window",
                                         "ram_style",
                                         "resType",
                                         "mem_mode",
                                         "runtime_writeable_weights",
                                         "depth_trigger_uram",
                                         "depth_trigger_bram"};

static void say_warning(void *ud, const char *line) { finn_build_say(ud, "Warning: %s", line); }

static char *out_path(finn_build *b, const char *file, finn_error *err)
{
    char *p = finn_path_join(finn_build_output_dir(b), file);
    if (!p)
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    return p;
}

static int step_target_fps_parallelization(finn_model **model, finn_build *b, finn_error *err)
{
    const finn_config *cfg = finn_build_config(b);
    const finn_registry *reg = finn_build_registry(b);
    int64_t target = finn_config_target_cycles(cfg);
    if (target < 0) {
        finn_build_log(b, "target_fps not set: SetFolding skipped");
        return 0;
    }
    int64_t wmax = finn_config_int(cfg, "mvau_wwidth_max");
    bool two_pass = finn_config_bool(cfg, "folding_two_pass_relaxation");
    finn_build_log(b, "SetFolding: target %lld cycles per frame, mvau_wwidth_max %lld%s",
                   (long long)target, (long long)wmax, two_pass ? ", two-pass relaxation" : "");
    fold_out out = {say_warning, b};
    if (fold_set_folding(reg, *model, target, wmax, two_pass, &out, err))
        return -1;
    char *path = out_path(b, "auto_folding_config.json", err);
    if (!path)
        return -1;
    int rc = finn_hw_write_config(reg, *model, AUTO_ATTRS,
                                  sizeof AUTO_ATTRS / sizeof AUTO_ATTRS[0], path, err);
    free(path);
    return rc;
}

/* Every HW node's folding must satisfy its op's constraints; the hook's
 * message names node, attribute, value and the allowed values. */
static int check_all_folding(const finn_registry *reg, const finn_model *m, const char *source,
                             finn_error *err)
{
    for (size_t i = 0; i < m->n_nodes; i++) {
        const finn_node *n = m->nodes[i];
        if (!finn_hw_op_of(reg, n))
            continue;
        if (finn_hw_check_folding(reg, m, n, err))
            return finn_error_prefix(err, "invalid folding%s%s: ", source ? " from " : "",
                                     source ? source : "");
    }
    return 0;
}

static int apply_file(finn_model *m, finn_build *b, const char *path, finn_error *err)
{
    const finn_registry *reg = finn_build_registry(b);
    if (finn_give_unique_node_names(m, err) || finn_model_cleanup(m, err))
        return -1;
    finn_hw_config_report rep;
    if (finn_hw_apply_config(reg, m, path, &rep, err))
        return -1;
    finn_hw_config_report_say(&rep, say_warning, b);
    finn_hw_config_report_free(&rep);
    return finn_model_cleanup(m, err);
}

static int step_apply_folding_config(finn_model **model, finn_build *b, finn_error *err)
{
    const finn_config *cfg = finn_build_config(b);
    const char *path = finn_config_str(cfg, "folding_config_file");
    if (!path && !finn_config_is_set(cfg, "target_fps"))
        finn_build_say(b,
                       "Warning: neither folding_config_file nor target_fps is set: every HW "
                       "layer keeps its default folding (PE = SIMD = 1, fully folded, the "
                       "slowest configuration) and the specialized nodes keep their empty "
                       "names (set target_fps or folding_config_file)");
    if (path && apply_file(*model, b, path, err))
        return -1;
    if (check_all_folding(finn_build_registry(b), *model, path, err))
        return -1;
    /* FINN compiles and simulates the HLS C++ of every layer here; finn-run
     * has no C++ simulation yet, so it checks the folded HW graph by
     * executing it with the layers' reference semantics, inside its parent
     * model (verify_folded.c). */
    if (finn_config_list_has(cfg, "verify_steps", "folded_hls_cppsim")) {
        finn_build_say(b, "Note: folded_hls_cppsim runs as reference execution of the folded HW "
                          "graph in its parent model: finn-run has no HLS C++ simulation");
        return fold_verify_folded(b, *model, err);
    }
    return 0;
}

static int step_minimize_bit_width(finn_model **model, finn_build *b, finn_error *err)
{
    if (!finn_config_bool(finn_build_config(b), "minimize_bit_width"))
        return 0;
    fold_out out = {say_warning, b};
    return fold_minimize_bit_width(finn_build_registry(b), *model, &out, err);
}

static const finn_step_desc STEPS[] = {
    {"step_target_fps_parallelization", step_target_fps_parallelization,
     "SetFolding: choose PE/SIMD per layer to meet target_fps",
     "Runs only when target_fps is set: target cycles per frame = int((1e9 / "
     "synth_clk_period_ns) / target_fps). Per layer in graph order, PE/SIMD step through the "
     "divisors of their maximum until the layer's expected cycles are below the target (MVAU: "
     "SIMD first while weight bits x SIMD <= mvau_wwidth_max, then PE; depthwise VVAU/Pool also "
     "set their sliding-window generator; the RTL SWG may use parallel_window). Unknown op "
     "types are left alone with a warning. Nodes then get unique names and cycles_estimate; "
     "with folding_two_pass_relaxation, a missed target reruns SetFolding on the bottleneck's "
     "cycles. Writes auto_folding_config.json."},
    {"step_apply_folding_config", step_apply_folding_config,
     "Apply folding_config_file (QONNX ApplyConfig) and check every layer's folding",
     "With folding_config_file: unique node names, then the file's \"Defaults\" and per-node "
     "attributes are applied (unknown node names are reported with the nearest real names). "
     "Every HW layer's folding is then checked against its constraints (e.g. MH % PE == 0); a "
     "violation stops the build naming node, attribute, value and allowed values. Warns when "
     "neither folding_config_file nor target_fps is set."},
    {"step_minimize_bit_width", step_minimize_bit_width,
     "Tighten weight, accumulator and threshold datatypes (minimize_bit_width)",
     "If minimize_bit_width: weightDataType of MVAU/VVAU from the weight values (unless "
     "runtime_writeable_weights), accDataType from the exact dot-product range (thresholds "
     "outside it are clipped with a warning; a last layer without activation rounds its width "
     "up to a multiple of 8 and outputs the accumulator type), standalone Thresholding's "
     "threshold type; datatypes are re-inferred after each layer."},
};

static int folding_init(finn_registry *reg, finn_error *err)
{
    return finn_registry_add_steps(reg, STEPS, sizeof STEPS / sizeof STEPS[0], err);
}

FINN_PLUGIN_DEFINE("folding", "1.0", folding_init)
