/*
 * plugin.h - everything a plugin includes.
 *
 * A plugin is a shared object exporting one descriptor, finn_plugin_info,
 * with the ABI version it was built for.  The loader refuses a plugin whose
 * ABI differs from the core's before calling anything in it.
 *
 *     #include <finn/plugin.h>
 *     static int add_topk(finn_model **m, finn_build *b, finn_error *err)
 *     { (void)b; return finn_insert_topk(*m, 1, err); }
 *     FINN_PLUGIN("my-postproc",
 *         FINN_STEP("custom_step_add_post_proc", add_topk, "Append TopK(k=1)"))
 */
#ifndef FINN_PLUGIN_H
#define FINN_PLUGIN_H

#include <stdint.h>
#include "finn/builder.h"
#include "finn/config.h"
#include "finn/datatype.h"
#include "finn/error.h"
#include "finn/exec.h"
#include "finn/hw.h"
#include "finn/model.h"
#include "finn/npy.h"
#include "finn/registry.h"
#include "finn/tensor.h"
#include "finn/transforms.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bump on any change to a public struct layout or function signature.
 * 2: finn_value gained init_serial. */
#define FINN_ABI_VERSION 2u

typedef struct finn_plugin_def {
    uint32_t abi_version;
    const char *name;
    const char *version;
    int (*init)(finn_registry *reg, finn_error *err);
} finn_plugin_def;

#define FINN_PLUGIN_SYMBOL "finn_plugin_info"

#if defined(__GNUC__)
#define FINN_EXPORT __attribute__((visibility("default")))
#else
#define FINN_EXPORT
#endif

/* A plugin with its own init function. */
#define FINN_PLUGIN_DEFINE(pname, pversion, initfn)                                          \
    FINN_EXPORT const finn_plugin_def finn_plugin_info = {FINN_ABI_VERSION, pname, pversion, \
                                                           initfn};

/* A plugin that only registers steps. */
#define FINN_STEP(sname, fn, summary) {sname, fn, summary, NULL}
#define FINN_PLUGIN(pname, ...)                                                               \
    static const finn_step_desc finn_plugin_steps_[] = {__VA_ARGS__};                         \
    static int finn_plugin_init_(finn_registry *reg, finn_error *err)                         \
    {                                                                                         \
        return finn_registry_add_steps(                                                       \
            reg, finn_plugin_steps_, sizeof finn_plugin_steps_ / sizeof finn_plugin_steps_[0], \
            err);                                                                             \
    }                                                                                         \
    FINN_PLUGIN_DEFINE(pname, "1.0", finn_plugin_init_)

/* ---- loader (used by finn-run and tools) ------------------------------- */

/* Load one .so and run its init into reg. */
int finn_plugin_load(finn_registry *reg, const char *path, finn_error *err);
/* Load every *.so in a directory (sorted by name); a missing directory is
 * not an error when `optional`. */
int finn_plugin_load_dir(finn_registry *reg, const char *dir, int optional, finn_error *err);
/* A file or a directory. */
int finn_plugin_load_path(finn_registry *reg, const char *path, finn_error *err);
/* The standard search path: the plugin directory next to libfinn.so, $FINN_PLUGIN_PATH
 * (colon-separated) and ./plugins.  The same file is never loaded twice. */
int finn_plugin_load_default(finn_registry *reg, finn_error *err);
/* The directory the standard plugins live in: <dir of libfinn.so>/finn-run/plugins
 * (static buffer).  Plugins stay loaded until the registry is freed. */
const char *finn_plugin_default_dir(void);

#ifdef __cplusplus
}
#endif
#endif
