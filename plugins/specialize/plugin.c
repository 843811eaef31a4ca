/*
 * plugin.c - step_specialize_layers (finn-backend.md section 5).
 *
 * With specialize_layers_config_file: GiveUniqueNodeNames, then ApplyConfig
 * (finn_hw_apply_config; its warnings are printed, and config keys naming no
 * node are an error when the recipe sets strict_config).  Then every node
 * of domain finn.custom_op.fpgadataflow is replaced by its <op>_hls/_rtl
 * variant (impl_style.c): same inputs, outputs and attributes except
 * preferred_impl_style, and - as FINN does - no name, so names come back
 * only with the next GiveUniqueNodeNames.  InferShapes and InferDataTypes
 * follow; each pass ends with the standard cleanup, as FINN's
 * model.transform() does.
 */
#include "specialize.h"
#include "finn/hw_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cleaned(finn_model *m, int (*fn)(finn_model *, finn_error *), finn_error *err)
{
    return fn(m, err) ? -1 : finn_model_cleanup(m, err);
}

static void say_warning(void *ud, const char *line) { finn_build_say(ud, "Warning: %s", line); }

/* `strict_config` is read only if the config knows the key. */
static bool strict_config(const finn_config *cfg)
{
    for (const finn_cfg_field *f = finn_config_fields(); f->name; f++)
        if (!strcmp(f->name, "strict_config"))
            return f->type == FINN_CFG_BOOL && finn_config_bool(cfg, "strict_config");
    return false;
}

static int unused_error(const char *path, const finn_hw_config_report *rep, finn_error *err)
{
    char msg[1024];
    int len = snprintf(msg, sizeof msg, "%s: %zu entr%s name%s no HW node (strict_config)", path,
                       rep->n_unused, rep->n_unused == 1 ? "y" : "ies",
                       rep->n_unused == 1 ? "s" : "");
    for (size_t i = 0; i < rep->n_unused && len > 0 && (size_t)len < sizeof msg; i++)
        len += snprintf(msg + len, sizeof msg - (size_t)len, "; %s", rep->hints[i]);
    return finn_error_set(err, FINN_ERR_INVALID, "%s", msg);
}

static int apply_config_file(finn_model *m, finn_build *b, const char *path, finn_error *err)
{
    const finn_registry *reg = finn_build_registry(b);
    if (cleaned(m, finn_give_unique_node_names, err))
        return -1;
    finn_hw_config_report rep;
    if (finn_hw_apply_config(reg, m, path, &rep, err))
        return -1;
    finn_hw_config_report_say(&rep, say_warning, b);
    int rc = 0;
    if (rep.n_unused && strict_config(finn_build_config(b)))
        rc = unused_error(path, &rep, err);
    finn_hw_config_report_free(&rep);
    return rc ? -1 : finn_model_cleanup(m, err);
}

/* The variant node: op <op>_<style>, its domain, no name, same slots,
 * attributes in order without preferred_impl_style. */
static finn_node *variant_node(const finn_node *n, const char *style, finn_error *err)
{
    char op[256], domain[128];
    snprintf(op, sizeof op, "%s_%s", n->op_type, style);
    snprintf(domain, sizeof domain, "%s", !strcmp(style, "hls") ? FINN_HW_DOMAIN_HLS
                                                                 : FINN_HW_DOMAIN_RTL);
    finn_node *v = finn_node_clone(n, err);
    if (!v)
        return NULL;
    char *o = strdup(op), *d = strdup(domain), *nm = strdup("");
    if (!o || !d || !nm) {
        free(o), free(d), free(nm);
        finn_node_free(v);
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        return NULL;
    }
    free(v->op_type), free(v->domain), free(v->name);
    v->op_type = o, v->domain = d, v->name = nm;
    v->explicit_empty = 0;
    finn_node_remove_attr(v, "preferred_impl_style");
    return v;
}

/* SpecializeLayers.apply: FINN inserts each new node at the running count
 * of HW nodes seen (not at the old node's index) and removes the old one;
 * the cleanup's SortGraph then restores a topological order.  Reproduced
 * so that node order (and later names) match FINN in branching graphs. */
static int specialize(finn_model *m, finn_build *b, const char *part, finn_error *err)
{
    const finn_registry *reg = finn_build_registry(b);
    size_t node_ind = 0;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (strcmp(n->domain, FINN_HW_DOMAIN))
            continue;
        node_ind++;
        const char *style;
        char warn[1024];
        if (sp_choose_style(reg, m, n, part, &style, warn, sizeof warn, err))
            return -1;
        if (warn[0])
            finn_build_say(b, "Warning: %s", warn);
        finn_node *v = variant_node(n, style, err);
        if (!v)
            return -1;
        if (!finn_registry_op(reg, v->domain, v->op_type)) {
            finn_error_set(err, FINN_ERR_NOT_FOUND,
                           "node '%s': %s chosen but no plugin registers it (load the %s "
                           "plugin)",
                           n->name, v->op_type, style);
            finn_node_free(v);
            return -1;
        }
        finn_build_log(b, "specialize: node '%s' (%s) -> %s", n->name, n->op_type, v->op_type);
        if (finn_model_insert_node(m, node_ind, v, err)) {
            finn_node_free(v);
            return -1;
        }
        finn_model_remove_node(m, n);
    }
    return finn_model_cleanup(m, err);
}

int sp_step_specialize_layers(finn_model **model, finn_build *b, finn_error *err)
{
    finn_model *m = *model;
    const finn_config *cfg = finn_build_config(b);
    const finn_registry *reg = finn_build_registry(b);
    const char *path = finn_config_str(cfg, "specialize_layers_config_file");
    if (path && apply_config_file(m, b, path, err))
        return -1;
    const char *part = finn_config_fpga_part(cfg, err);
    if (!part)
        return -1;
    if (specialize(m, b, part, err))
        return -1;
    if (finn_model_toposort(m, err) || finn_infer_shapes(reg, m, err) ||
        finn_model_cleanup(m, err))
        return -1;
    if (finn_infer_datatypes(reg, m, err))
        return -1;
    return finn_model_cleanup(m, err);
}

static const finn_step_desc STEPS[] = {
    {"step_specialize_layers", sp_step_specialize_layers,
     "Replace each abstract HW node by its HLS or RTL variant",
     "FINN's SpecializeLayers: with specialize_layers_config_file, nodes get unique names "
     "and the file's preferred_impl_style (ApplyConfig) first. The default is RTL where an "
     "RTL variant exists and can implement the node (MVAU/VVAU: both widths >= 4 bits and "
     "the RTL unit's limits; DWC: integer width ratio), else HLS; a preference that cannot "
     "be met falls back with a warning. Replacement nodes have no name until the next "
     "GiveUniqueNodeNames (as in FINN). Shapes and datatypes are inferred afterwards."},
};

static int init(finn_registry *reg, finn_error *err)
{
    return finn_registry_add_steps(reg, STEPS, sizeof STEPS / sizeof STEPS[0], err);
}

FINN_PLUGIN_DEFINE("specialize", "1.0", init)
