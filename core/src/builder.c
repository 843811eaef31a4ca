/*
 * builder.c - the build runner (FINN's build_dataflow_cfg): resolve the
 * step list, run each step on the model, log, time and checkpoint it.
 *
 * Console lines and file names follow FINN so users' scripts keep working.
 * Verification lives in verify.c; this file never executes models itself.
 */
#include "finn/builder.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "builder_priv.h"
#include "finn/registry.h"
#include "util.h"

const finn_config *finn_build_config(const finn_build *b) { return b->cfg; }
const finn_registry *finn_build_registry(const finn_build *b) { return b->reg; }
const char *finn_build_output_dir(const finn_build *b) { return b->output_dir; }

static void log_vline(finn_build *b, const char *fmt, va_list ap)
{
    if (!b->log)
        return;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
    fprintf(b->log, "[%s,%03d] ", stamp, (int)(tv.tv_usec / 1000));
    vfprintf(b->log, fmt, ap);
    fputc('\n', b->log);
    /* buffered: the build loop flushes when a step starts and at the end
     * (a write per line costs more than some steps) */
}

void finn_build_log(finn_build *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vline(b, fmt, ap);
    va_end(ap);
    if (b->verbose) {
        va_start(ap, fmt);
        vfprintf(b->console, fmt, ap);
        fputc('\n', b->console);
        va_end(ap);
    }
}

void finn_build_say(finn_build *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vline(b, fmt, ap);
    va_end(ap);
    va_start(ap, fmt);
    vfprintf(b->console, fmt, ap);
    fputc('\n', b->console);
    fflush(b->console);
    va_end(ap);
}

/* Append one name to a growing list. */
static int push_name(const char ***list, size_t *n, size_t *cap, const char *name,
                     finn_error *err)
{
    if (finn_grow((void **)list, cap, *n + 1, sizeof **list, err) != 0)
        return -1;
    (*list)[(*n)++] = name;
    return 0;
}

static int unknown_step(const finn_registry *reg, const char *name, finn_error *err)
{
    const char *near = finn_registry_nearest_step(reg, name);
    if (near)
        return finn_error_set(err, FINN_ERR_NOT_FOUND,
                              "unknown step '%s' (did you mean '%s'?); finn-run --list-steps "
                              "shows every step",
                              name, near);
    return finn_error_set(err, FINN_ERR_NOT_FOUND,
                          "unknown step '%s': no loaded plugin registers it; finn-run "
                          "--list-steps shows every step",
                          name);
}

/* A step of FINN's own flow (the 'default' list): a recipe may name it
 * even when no loaded plugin provides it yet; the build then runs up to it
 * and stops there with a clear message instead of refusing to start. */
static bool is_finn_step(const finn_registry *reg, const char *name)
{
    const char *const *dflt = NULL;
    size_t n = finn_registry_step_list(reg, "default", &dflt);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(dflt[i], name))
            return true;
    return false;
}

int finn_build_resolve_steps(const finn_registry *reg, const finn_config *cfg,
                             const char ***steps, size_t *count, finn_error *err)
{
    const char **list = NULL;
    size_t n = 0, cap = 0;
    size_t n_cfg = finn_config_list_len(cfg, "steps");
    const char *const *dflt = NULL;
    size_t n_dflt = 0;
    if (n_cfg == 0) {
        n_dflt = finn_registry_step_list(reg, "default", &dflt);
        if (n_dflt == 0)
            return finn_error_set(err, FINN_ERR_NOT_FOUND,
                                  "the config names no steps and no 'default' step list is "
                                  "registered");
    }
    size_t total = n_cfg ? n_cfg : n_dflt;
    for (size_t i = 0; i < total; i++) {
        const char *name = n_cfg ? finn_config_list_item(cfg, "steps", i) : dflt[i];
        const char *const *sub = NULL;
        size_t n_sub = finn_registry_step_list(reg, name, &sub);
        if (n_sub > 0) {
            for (size_t j = 0; j < n_sub; j++) {
                if (!finn_registry_step(reg, sub[j]) && !is_finn_step(reg, sub[j])) {
                    free(list);
                    unknown_step(reg, sub[j], err);
                    return finn_error_prefix(err, "step list '%s': ", name);
                }
                if (push_name(&list, &n, &cap, sub[j], err) != 0) {
                    free(list);
                    return -1;
                }
            }
            continue;
        }
        if (!finn_registry_step(reg, name) && !is_finn_step(reg, name)) {
            free(list);
            return unknown_step(reg, name, err);
        }
        if (push_name(&list, &n, &cap, name, err) != 0) {
            free(list);
            return -1;
        }
    }
    *steps = list;
    *count = n;
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int find_step(const char **steps, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(steps[i], name))
            return (int)i;
    return -1;
}

/* time_per_step.json: names in execution order, seconds as floats, indent 2
 * as Python's json.dump(..., indent=2) writes them. */
static int write_time_per_step(finn_build *b, const char **names, const double *secs, size_t n,
                               finn_error *err)
{
    size_t cap = 64 + n * 96;
    char *buf = finn_xmalloc(cap, err);
    if (!buf)
        return -1;
    size_t len = 0;
    len += (size_t)snprintf(buf + len, cap - len, "{");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s\n  \"%s\": %.17g", i ? "," : "",
                                names[i], secs[i]);
    len += (size_t)snprintf(buf + len, cap - len, "%s}", n ? "\n" : "");
    char *path = finn_path_join(b->output_dir, "time_per_step.json");
    int rc = path ? finn_write_file(path, buf, len, err)
                  : finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    free(path);
    free(buf);
    return rc;
}

static int save_checkpoint(finn_build *b, const finn_model *m, const char *name,
                           finn_error *err)
{
    char *dir = finn_path_join(b->output_dir, "intermediate_models");
    if (!dir)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    int rc = finn_mkdirs(dir, err);
    if (rc == 0) {
        size_t n = strlen(dir) + strlen(name) + 8;
        char *path = malloc(n);
        if (!path) {
            free(dir);
            return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        }
        snprintf(path, n, "%s/%s.onnx", dir, name);
        rc = finn_model_save(m, path, err);
        free(path);
    }
    free(dir);
    return rc;
}

static int load_start_model(finn_build *b, const finn_build_opts *opts, const char **all,
                            size_t n_all, int start, finn_model **model, finn_error *err)
{
    if (start <= 0) {
        const char *path = opts && opts->model_path ? opts->model_path
                                                    : finn_config_str(b->cfg, "model");
        if (!path)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "no model: give one with --model or the recipe key 'model'");
        fprintf(b->console, "Building dataflow accelerator from %s\n", path);
        if (finn_model_load(path, model, err) != 0)
            return -1;
        if (finn_model_check(*model, err) != 0)
            return finn_error_prefix(err, "%s: ", path);
    } else {
        (void)n_all;
        size_t n = strlen(b->output_dir) + strlen(all[start - 1]) + 32;
        char *path = malloc(n);
        if (!path)
            return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        snprintf(path, n, "%s/intermediate_models/%s.onnx", b->output_dir, all[start - 1]);
        fprintf(b->console, "Building dataflow accelerator from intermediate checkpoint%s\n",
                path);
        int rc = finn_model_load(path, model, err);
        if (rc != 0)
            finn_error_prefix(err, "start_step '%s' needs the checkpoint of step '%s': ",
                              all[start], all[start - 1]);
        free(path);
        if (rc != 0)
            return -1;
    }
    finn_model_repair_domains(*model);
    return 0;
}

int finn_build_run(finn_registry *reg, const finn_config *cfg, const finn_build_opts *opts,
                   finn_error *err)
{
    finn_build b = {0};
    b.reg = reg;
    b.cfg = cfg;
    b.console = opts && opts->console ? opts->console : stdout;
    b.verbose = finn_config_bool(cfg, "verbose");
    b.output_dir = finn_config_str(cfg, "output_dir");
    if (!b.output_dir)
        return finn_error_set(err, FINN_ERR_INVALID, "the config sets no output_dir");

    const char **all = NULL;
    size_t n_all = 0;
    if (finn_build_resolve_steps(reg, cfg, &all, &n_all, err) != 0)
        return -1;
    int start = 0, stop = (int)n_all - 1;
    const char *start_name = finn_config_str(cfg, "start_step");
    const char *stop_name = finn_config_str(cfg, "stop_step");
    if (start_name && (start = find_step(all, n_all, start_name)) < 0) {
        free(all);
        return finn_error_set(err, FINN_ERR_NOT_FOUND, "start_step '%s' is not in the step list",
                              start_name);
    }
    if (stop_name && (stop = find_step(all, n_all, stop_name)) < 0) {
        free(all);
        return finn_error_set(err, FINN_ERR_NOT_FOUND, "stop_step '%s' is not in the step list",
                              stop_name);
    }
    if (stop < start) {
        free(all);
        return finn_error_set(err, FINN_ERR_INVALID, "stop_step '%s' comes before start_step '%s'",
                              stop_name, start_name);
    }

    finn_model *model = NULL;
    double *secs = NULL;
    int rc = -1;
    if (finn_mkdirs(b.output_dir, err) != 0)
        goto out;
    char *log_path = finn_path_join(b.output_dir, "build_dataflow.log");
    if (!log_path) {
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        goto out;
    }
    b.log = fopen(log_path, "a");
    if (!b.log) {
        finn_error_set(err, FINN_ERR_IO, "cannot open %s for writing", log_path);
        free(log_path);
        goto out;
    }
    if (load_start_model(&b, opts, all, n_all, start, &model, err) != 0) {
        free(log_path);
        goto out;
    }
    fprintf(b.console, "Final outputs will be generated in %s\n", b.output_dir);
    fprintf(b.console, "Build log is at %s\n", log_path);
    free(log_path);

    size_t n_run = (size_t)(stop - start + 1);
    secs = finn_xcalloc(n_run, sizeof *secs, err);
    if (!secs)
        goto out;
    for (size_t i = 0; i < n_run; i++) {
        const char *name = all[(size_t)start + i];
        const finn_step_desc *step = finn_registry_step(reg, name);
        if (!step) {
            /* a FINN step finn-run does not have yet: keep what was done */
            fprintf(b.console, "Stopped before step: %s [%zu/%zu]: no loaded plugin provides "
                               "this FINN step yet\n", name, i + 1, n_run);
            finn_build_log(&b, "Stopped before step %s: no loaded plugin provides it", name);
            if (write_time_per_step(&b, all + start, secs, i, err) != 0)
                goto out;
            finn_error_set(err, FINN_ERR_INCOMPLETE,
                           "the build stopped before %s, which no loaded plugin provides yet "
                           "(finn-run --list-steps shows what is available)",
                           name);
            fprintf(b.console, "Build stopped early\n");
            fflush(b.console);
            goto out;
        }
        fprintf(b.console, "Running step: %s [%zu/%zu]\n", name, i + 1, n_run);
        fflush(b.console);
        finn_build_log(&b, "Running step: %s [%zu/%zu]", name, i + 1, n_run);
        fflush(b.log); /* the log shows which step was running if it crashes */
        double t0 = now_seconds();
        finn_error_clear(err);
        int src = step->fn(&model, &b, err);
        secs[i] = now_seconds() - t0;
        if (src != 0 || !model) {
            if (err && !err->msg[0])
                finn_error_set(err, FINN_ERR_INVALID, "step failed without a message");
            finn_error_prefix(err, "step %s (plugin %s): ", name,
                              finn_registry_step_plugin(reg, name));
            finn_build_log(&b, "%s", err ? err->msg : "step failed");
            fprintf(b.console, "Build failed\n");
            fflush(b.console);
            goto out;
        }
        if (finn_config_bool(cfg, "save_intermediate_models") &&
            save_checkpoint(&b, model, name, err) != 0) {
            finn_error_prefix(err, "step %s: saving the checkpoint: ", name);
            fprintf(b.console, "Build failed\n");
            fflush(b.console);
            goto out;
        }
    }
    if (write_time_per_step(&b, all + start, secs, n_run, err) != 0)
        goto out;
    fprintf(b.console, "Completed successfully\n");
    rc = 0;
out:
    if (b.log)
        fclose(b.log);
    finn_model_free(model);
    free(secs);
    free(all);
    return rc;
}
