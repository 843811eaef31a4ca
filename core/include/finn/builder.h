/*
 * builder.h - the build runner: FINN's build_dataflow_cfg in C.
 *
 * Runs the configured steps in order, prints "Running step: NAME [i/N]",
 * writes build_dataflow.log, time_per_step.json and
 * intermediate_models/<step>.onnx, honours start_step/stop_step and runs
 * the requested verifications.  Never exits the process.
 */
#ifndef FINN_BUILDER_H
#define FINN_BUILDER_H

#include <stdarg.h>
#include <stdio.h>
#include "finn/config.h"
#include "finn/error.h"
#include "finn/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct finn_registry finn_registry;
typedef struct finn_build finn_build;

typedef struct finn_build_opts {
    const char *model_path;  /* overrides the config's `model` */
    FILE *console;           /* where progress goes; NULL = stdout */
} finn_build_opts;

/* Run a whole build.  Returns 0 on success; on failure err holds
 * "step NAME (plugin P): message". */
int finn_build_run(finn_registry *reg, const finn_config *cfg, const finn_build_opts *opts,
                   finn_error *err);

/* The resolved step list of cfg (named lists expanded); names point into
 * the config/registry.  Fails on an unknown step with a "did you mean". */
int finn_build_resolve_steps(const finn_registry *reg, const finn_config *cfg,
                             const char ***steps, size_t *count, finn_error *err);

/* ---- for steps -------------------------------------------------------- */
const finn_config *finn_build_config(const finn_build *b);
const finn_registry *finn_build_registry(const finn_build *b);
const char *finn_build_output_dir(const finn_build *b);
/* Log a line to build_dataflow.log (and the console when verbose). */
void finn_build_log(finn_build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print to the console and the log (warnings users must see). */
void finn_build_say(finn_build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Run verification `vname` (e.g. "initial_python") on model if the config
 * lists `vtype` in verify_steps; writes verification_output/.  A failed
 * comparison is logged, not an error; returns -1 only on I/O errors. */
int finn_build_verify(finn_build *b, const finn_model *model, const char *vtype,
                      const char *vname, finn_error *err);

#ifdef __cplusplus
}
#endif
#endif
