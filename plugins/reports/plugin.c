/*
 * plugin.c - the reports plugin: FINN's step_generate_estimate_reports
 * (finn-backend.md 9) plus SVG pictures of the per-layer estimates.
 */
#include "reports.h"

#include <finn/file.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int write_text(const char *dir, const char *file, const char *text, finn_error *err)
{
    char *path = text ? finn_path_join(dir, file) : NULL;
    if (!path)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory writing %s", file);
    int rc = finn_write_file(path, text, strlen(text), err);
    free(path);
    return rc;
}

/* Dump tree r (consumed) as json.dump(indent=2) into dir/file. */
static int write_json(const char *dir, const char *file, rj *r, finn_error *err)
{
    char *text = rj_dump(r);
    int rc = write_text(dir, file, text, err);
    free(text);
    return rc;
}

static int write_svg(const char *dir, const char *file, char *svg, finn_error *err)
{
    int rc = write_text(dir, file, svg, err);
    free(svg);
    return rc;
}

/* The reports in FINN's order; the model keeps the cycles_estimate
 * attributes AnnotateCycles set (and the explicit resType / ram_style the
 * alternatives pass leaves). */
static int run_reports(finn_model *m, finn_build *b, const char *dir, finn_error *err)
{
    const finn_config *cfg = finn_build_config(b);
    const finn_registry *reg = finn_build_registry(b);
    rj *counts = NULL, *cycles = NULL, *res = NULL, *alt = NULL, *perf = NULL;
    if (rep_op_counts(reg, m, &counts, err) ||
        write_json(dir, "op_and_param_counts.json", counts, err))
        goto fail;
    if (rep_layer_cycles(reg, m, &cycles, err) ||
        write_json(dir, "estimate_layer_cycles.json", cycles, err))
        goto fail;
    const char *part = finn_config_fpga_part(cfg, err);
    if (!part)
        goto fail;
    if (rep_layer_resources(reg, m, part, &res, err) ||
        write_json(dir, "estimate_layer_resources.json", res, err))
        goto fail;
    if (rep_config_alternatives(reg, m, part, &alt, err) ||
        write_json(dir, "estimate_layer_config_alternatives.json", alt, err))
        goto fail;
    if (rep_annotate_cycles(reg, m, err) ||
        rep_network_performance(m, finn_config_float(cfg, "synth_clk_period_ns"), &perf, err) ||
        write_json(dir, "estimate_network_performance.json", perf, err))
        goto fail;
    if (write_svg(dir, "estimate_layer_resources.svg", rep_svg_resources(res), err) ||
        write_svg(dir, "estimate_layer_cycles.svg", rep_svg_cycles(cycles), err))
        goto fail;
    finn_build_log(b, "estimate reports written to %s", dir);
    rj_free(counts), rj_free(cycles), rj_free(res), rj_free(alt), rj_free(perf);
    return 0;
fail:
    rj_free(counts), rj_free(cycles), rj_free(res), rj_free(alt), rj_free(perf);
    return -1;
}

static int step_generate_estimate_reports(finn_model **model, finn_build *b, finn_error *err)
{
    const finn_config *cfg = finn_build_config(b);
    if (!finn_config_list_has(cfg, "generate_outputs", "estimate_reports"))
        return 0;
    const char *out = finn_build_output_dir(b);
    size_t len = strlen(out) + sizeof "/report";
    char *dir = malloc(len);
    if (!dir)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    snprintf(dir, len, "%s/report", out);
    int rc = finn_mkdirs(dir, err) || run_reports(*model, b, dir, err) ? -1 : 0;
    free(dir);
    return rc;
}

static const finn_step_desc STEPS[] = {
    {"step_generate_estimate_reports", step_generate_estimate_reports,
     "Per-layer cycle and resource estimates and network performance (report/*.json, *.svg)",
     "Runs only if \"estimate_reports\" is in generate_outputs. Writes into <output_dir>/report/ "
     "op_and_param_counts.json, estimate_layer_cycles.json, estimate_layer_resources.json (with "
     "\"total\"), estimate_layer_config_alternatives.json (resType dsp/lut for MVAU/VVAU, "
     "ram_style block/distributed/ultra for sliding-window generators) and "
     "estimate_network_performance.json (critical path, slowest layer, fps and latency at "
     "synth_clk_period_ns) with FINN's json.dump(indent=2) bytes, plus bar charts "
     "estimate_layer_resources.svg (LUT, BRAM_18K, DSP per layer) and "
     "estimate_layer_cycles.svg. Annotates cycles_estimate on every hls/rtl node. Resources "
     "use fpga_part (or the board's part)."},
};

static int reports_init(finn_registry *reg, finn_error *err)
{
    return finn_registry_add_steps(reg, STEPS, sizeof STEPS / sizeof STEPS[0], err);
}

FINN_PLUGIN_DEFINE("reports", "1.0", reports_init)
