/*
 * registry.c - the step, op and step-list registries.
 *
 * Descriptors registered by plugins are static data inside the plugin, so
 * the registry stores pointers, not copies; it must be freed before the
 * plugins are unloaded.  Step lists are copied.
 */
#include "finn/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "registry_priv.h"
#include "util.h"
#include <dlfcn.h>

typedef struct step_entry {
    const finn_step_desc *desc;
    char *plugin;
    UT_hash_handle hh;
} step_entry;

typedef struct op_entry {
    char *key; /* "<canonical domain>\x1f<op_type>" */
    const finn_op *op;
    UT_hash_handle hh;
} op_entry;

typedef struct list_entry {
    char *name;
    size_t count;
    char **steps;
    UT_hash_handle hh;
} list_entry;

struct finn_registry {
    step_entry *steps;          /* hash by name, in registration order */
    op_entry *ops;
    list_entry *lists;
    char *current_plugin;
    bool allow_override;
    size_t n_plugins, cap_plugins;
    char **plugin_files;
    void **plugin_handles;
};

/* FINN's step lists (build_dataflow_config.py), under FINN's names and
 * the short names recipes use. */
static const char *const finn_default_steps[] = {
    "step_qonnx_to_finn", "step_tidy_up", "step_streamline", "step_convert_to_hw",
    "step_create_dataflow_partition", "step_specialize_layers",
    "step_target_fps_parallelization", "step_apply_folding_config",
    "step_minimize_bit_width", "step_generate_estimate_reports", "step_hw_codegen",
    "step_hw_ipgen", "step_set_fifo_depths", "step_create_stitched_ip",
    "step_measure_rtlsim_performance", "step_out_of_context_synthesis",
    "step_synthesize_bitfile", "step_make_pynq_driver", "step_deployment_package"};

static int add_builtin_lists(finn_registry *reg, finn_error *err)
{
    static const struct {
        const char *name;
        size_t count;
    } lists[] = {
        {"default", 19}, {"default_build_dataflow_steps", 19},
        {"estimate_only", 10}, {"estimate_only_dataflow_steps", 10},
        {"hw_codegen", 11}, {"hw_codegen_dataflow_steps", 11},
    };
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        if (finn_registry_add_step_list(reg, lists[i].name, finn_default_steps, lists[i].count,
                                        err) != 0)
            return -1;
    return 0;
}

finn_registry *finn_registry_new(finn_error *err)
{
    finn_registry *reg = finn_xcalloc(1, sizeof *reg, err);
    if (!reg)
        return NULL;
    reg->current_plugin = finn_xstrdup("core", err);
    if (!reg->current_plugin || add_builtin_lists(reg, err) != 0) {
        finn_registry_free(reg);
        return NULL;
    }
    return reg;
}

void finn_registry_free(finn_registry *reg)
{
    if (!reg)
        return;
    step_entry *s, *stmp;
    HASH_ITER(hh, reg->steps, s, stmp) {
        HASH_DEL(reg->steps, s);
        free(s->plugin);
        free(s);
    }
    op_entry *o, *otmp;
    HASH_ITER(hh, reg->ops, o, otmp) {
        HASH_DEL(reg->ops, o);
        free(o->key);
        free(o);
    }
    list_entry *l, *ltmp;
    HASH_ITER(hh, reg->lists, l, ltmp) {
        HASH_DEL(reg->lists, l);
        for (size_t i = 0; i < l->count; i++)
            free(l->steps[i]);
        free(l->steps);
        free(l->name);
        free(l);
    }
    free(reg->current_plugin);
    /* descriptors live in the plugins: close them only after the tables */
    for (size_t i = reg->n_plugins; i-- > 0;) {
        dlclose(reg->plugin_handles[i]);
        free(reg->plugin_files[i]);
    }
    free(reg->plugin_files);
    free(reg->plugin_handles);
    free(reg);
}

bool finn_registry_has_plugin_file(const finn_registry *reg, const char *realpath)
{
    for (size_t i = 0; i < reg->n_plugins; i++)
        if (!strcmp(reg->plugin_files[i], realpath))
            return true;
    return false;
}

int finn_registry_add_plugin_handle(finn_registry *reg, const char *realpath, void *handle,
                                    finn_error *err)
{
    size_t cap = reg->cap_plugins;
    if (finn_grow((void **)&reg->plugin_files, &cap, reg->n_plugins + 1, sizeof(char *), err))
        return -1;
    cap = reg->cap_plugins;
    if (finn_grow((void **)&reg->plugin_handles, &cap, reg->n_plugins + 1, sizeof(void *), err))
        return -1;
    reg->cap_plugins = cap;
    char *f = finn_xstrdup(realpath, err);
    if (!f)
        return -1;
    reg->plugin_files[reg->n_plugins] = f;
    reg->plugin_handles[reg->n_plugins] = handle;
    reg->n_plugins++;
    return 0;
}

size_t finn_registry_plugin_count(const finn_registry *reg)
{
    return reg->n_plugins;
}

const char *finn_registry_plugin_file(const finn_registry *reg, size_t i)
{
    return i < reg->n_plugins ? reg->plugin_files[i] : NULL;
}

void finn_registry_set_current_plugin(finn_registry *reg, const char *plugin_name)
{
    char *p = strdup(plugin_name ? plugin_name : "core");
    if (!p)
        return;
    free(reg->current_plugin);
    reg->current_plugin = p;
}

void finn_registry_allow_override(finn_registry *reg, bool allow)
{
    reg->allow_override = allow;
}

int finn_registry_add_step(finn_registry *reg, const finn_step_desc *step, finn_error *err)
{
    if (!step || !step->name || !step->name[0] || !step->fn)
        return finn_error_set(err, FINN_ERR_PLUGIN,
                              "plugin %s: a step descriptor has no name or no function",
                              reg->current_plugin);
    step_entry *e = NULL;
    HASH_FIND_STR(reg->steps, step->name, e);
    if (e) {
        if (!reg->allow_override)
            return finn_error_set(err, FINN_ERR_PLUGIN,
                                  "plugin %s: step '%s' is already registered by plugin %s "
                                  "(set override_steps: true in the recipe to replace it)",
                                  reg->current_plugin, step->name, e->plugin);
        char *p = finn_xstrdup(reg->current_plugin, err);
        if (!p)
            return -1;
        free(e->plugin);
        e->plugin = p;
        e->desc = step;
        return 0;
    }
    e = finn_xcalloc(1, sizeof *e, err);
    if (!e)
        return -1;
    e->desc = step;
    e->plugin = finn_xstrdup(reg->current_plugin, err);
    if (!e->plugin) {
        free(e);
        return -1;
    }
    /* the key is the descriptor's own name string, which outlives the entry */
    HASH_ADD_KEYPTR(hh, reg->steps, step->name, strlen(step->name), e);
    return 0;
}

int finn_registry_add_steps(finn_registry *reg, const finn_step_desc *steps, size_t count,
                            finn_error *err)
{
    for (size_t i = 0; i < count; i++)
        if (finn_registry_add_step(reg, &steps[i], err) != 0)
            return -1;
    return 0;
}

const finn_step_desc *finn_registry_step(const finn_registry *reg, const char *name)
{
    step_entry *e = NULL;
    if (name)
        HASH_FIND_STR(reg->steps, name, e);
    return e ? e->desc : NULL;
}

const char *finn_registry_step_plugin(const finn_registry *reg, const char *name)
{
    step_entry *e = NULL;
    if (name)
        HASH_FIND_STR(reg->steps, name, e);
    return e ? e->plugin : NULL;
}

size_t finn_registry_step_count(const finn_registry *reg)
{
    return HASH_COUNT(reg->steps);
}

const finn_step_desc *finn_registry_step_at(const finn_registry *reg, size_t i)
{
    const step_entry *e = reg->steps;
    while (e && i--)
        e = e->hh.next;
    return e ? e->desc : NULL;
}

const char *finn_registry_nearest_step(const finn_registry *reg, const char *name)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (const step_entry *e = reg->steps; e; e = e->hh.next) {
        size_t d = finn_edit_distance(name, e->desc->name);
        if (d < best_d) {
            best_d = d;
            best = e->desc->name;
        }
    }
    for (const list_entry *l = reg->lists; l; l = l->hh.next) {
        size_t d = finn_edit_distance(name, l->name);
        if (d < best_d) {
            best_d = d;
            best = l->name;
        }
    }
    /* only suggest names that are plausibly a typo */
    size_t len = strlen(name);
    size_t limit = len < 8 ? 2 : len / 3;
    return best_d <= limit ? best : NULL;
}

/* Canonical domain: the aliases FINN and QONNX accept for one registry. */
static const char *canonical_domain(const char *domain)
{
    if (!domain || !strcmp(domain, "ai.onnx"))
        return "";
    if (!strcmp(domain, "onnx.brevitas") || !strcmp(domain, "finn.custom_op.general") ||
        !strcmp(domain, "finn"))
        return "qonnx.custom_op.general";
    return domain;
}

static char *op_key(const char *domain, const char *op_type)
{
    const char *d = canonical_domain(domain);
    size_t n = strlen(d) + strlen(op_type) + 2;
    char *k = malloc(n);
    if (k)
        snprintf(k, n, "%s\x1f%s", d, op_type);
    return k;
}

int finn_registry_add_op(finn_registry *reg, const finn_op *op, finn_error *err)
{
    if (!op || !op->op_type)
        return finn_error_set(err, FINN_ERR_PLUGIN, "plugin %s: an op descriptor has no op_type",
                              reg->current_plugin);
    char *key = op_key(op->domain, op->op_type);
    if (!key)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    op_entry *e = NULL;
    HASH_FIND_STR(reg->ops, key, e);
    if (e) {
        /* later registrations replace earlier ones: a plugin may refine an op */
        e->op = op;
        free(key);
        return 0;
    }
    e = finn_xcalloc(1, sizeof *e, err);
    if (!e) {
        free(key);
        return -1;
    }
    e->key = key;
    e->op = op;
    HASH_ADD_KEYPTR(hh, reg->ops, e->key, strlen(e->key), e);
    return 0;
}

const finn_op *finn_registry_op(const finn_registry *reg, const char *domain,
                                const char *op_type)
{
    if (!op_type)
        return NULL;
    char buf[512];
    const char *d = canonical_domain(domain);
    size_t dl = strlen(d), tl = strlen(op_type);
    if (dl + tl + 2 > sizeof buf)
        return NULL;
    memcpy(buf, d, dl);
    buf[dl] = '\x1f';
    memcpy(buf + dl + 1, op_type, tl + 1);
    op_entry *e = NULL;
    HASH_FIND_STR(reg->ops, buf, e);
    return e ? e->op : NULL;
}

size_t finn_registry_op_count(const finn_registry *reg)
{
    return HASH_COUNT(reg->ops);
}

int finn_registry_add_step_list(finn_registry *reg, const char *name, const char *const *steps,
                                size_t count, finn_error *err)
{
    list_entry *e = NULL;
    HASH_FIND_STR(reg->lists, name, e);
    if (e)
        return finn_error_set(err, FINN_ERR_PLUGIN, "plugin %s: step list '%s' already exists",
                              reg->current_plugin, name);
    e = finn_xcalloc(1, sizeof *e, err);
    if (!e)
        return -1;
    e->name = finn_xstrdup(name, err);
    e->steps = finn_xcalloc(count, sizeof *e->steps, err);
    if (!e->name || !e->steps)
        goto fail;
    for (size_t i = 0; i < count; i++) {
        e->steps[i] = finn_xstrdup(steps[i], err);
        if (!e->steps[i])
            goto fail;
        e->count = i + 1;
    }
    HASH_ADD_KEYPTR(hh, reg->lists, e->name, strlen(e->name), e);
    return 0;
fail:
    for (size_t i = 0; i < e->count; i++)
        free(e->steps[i]);
    free(e->steps);
    free(e->name);
    free(e);
    return -1;
}

size_t finn_registry_step_list(const finn_registry *reg, const char *name,
                               const char *const **steps)
{
    list_entry *e = NULL;
    if (name)
        HASH_FIND_STR(reg->lists, name, e);
    if (!e) {
        if (steps)
            *steps = NULL;
        return 0;
    }
    if (steps)
        *steps = (const char *const *)e->steps;
    return e->count;
}
