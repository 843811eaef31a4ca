/*
 * config.c - the build configuration: FINN's DataflowBuildConfig fields plus
 * the recipe keys, read from a recipe YAML or FINN's dataflow_build_config.json
 * (JSON is YAML, so one libyaml parser reads both).
 *
 * Every field lives in one table (name, type, FINN default, enum strings).
 * A config holds one value slot per table entry in one of three states:
 * unset (the getters answer FINN's default), None (explicit null) or a value.
 * A load parses into a scratch copy and commits only when the whole file is
 * good, so a failed load leaves the config as it was.
 */
#include "finn/config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "util.h"

/* ------------------------------------------------------------------ */
/* The field table                                                     */
/* ------------------------------------------------------------------ */

/* Enum strings are the *values* of FINN's str-valued enums (what its JSON
 * carries), FINN 39f0c9a src/finn/builder/build_dataflow_config.py. */
static const char *const output_types[] = {
    "stitched_ip",  "estimate_reports", "out_of_context_synth", "rtlsim_performance",
    "bitfile",      "pynq_driver",      "deployment_package",   NULL};
static const char *const verify_types[] = {"finn_onnx_python",  "initial_python",
                                           "streamlined_python", "folded_hls_cppsim",
                                           "stitched_ip_rtlsim", NULL};
static const char *const shell_flows[] = {"vivado_zynq", "vitis_alveo", NULL};
static const char *const fifo_methods[] = {"characterize", "largefifo_rtlsim", NULL};
static const char *const fifo_mem_styles[] = {"auto", "block", "distributed", "ultra", NULL};
static const char *const vitis_strategies[] = {"default",          "power", "performance",
                                               "performance_best", "size",  "quick",
                                               NULL};

/* FINN's three fields without a default come first (output_dir,
 * synth_clk_period_ns, generate_outputs); then FINN's optional fields in
 * declaration order; then the keys only recipes have. */
static const finn_cfg_field fields[] = {
    {"output_dir", FINN_CFG_PATH, NULL, NULL, "folder that receives every build output"},
    {"synth_clk_period_ns", FINN_CFG_FLOAT, NULL, NULL,
     "Vivado synthesis clock period in ns (10.0 = 100 MHz)"},
    {"generate_outputs", FINN_CFG_ENUM_LIST, NULL, output_types,
     "output products the output-gated steps produce"},
    {"specialize_layers_config_file", FINN_CFG_PATH, NULL, NULL,
     "JSON with preferred_impl_style per layer, applied before SpecializeLayers"},
    {"folding_config_file", FINN_CFG_PATH, NULL, NULL,
     "JSON with PE/SIMD/ram_style/... per layer; overrides target_fps folding"},
    {"target_fps", FINN_CFG_INT, NULL, NULL, "target frames per second; enables SetFolding"},
    {"folding_two_pass_relaxation", FINN_CFG_BOOL, "true", NULL,
     "rerun SetFolding with the achievable target when the first pass misses it"},
    {"verify_steps", FINN_CFG_ENUM_LIST, NULL, verify_types,
     "points in the flow where the model is executed and compared"},
    {"verify_input_npy", FINN_CFG_PATH, "input.npy", NULL, "input batch for verification"},
    {"verify_expected_output_npy", FINN_CFG_PATH, "expected_output.npy", NULL,
     "expected output batch for verification"},
    {"verify_save_full_context", FINN_CFG_BOOL, "false", NULL,
     "save every tensor (.npz) instead of only the outputs when verifying"},
    {"verify_save_rtlsim_waveforms", FINN_CFG_BOOL, "false", NULL,
     "save .vcd traces of verification rtlsim runs"},
    {"stitched_ip_gen_dcp", FINN_CFG_BOOL, "false", NULL,
     "synthesise a .dcp for the stitched IP"},
    {"signature", FINN_CFG_INT_LIST, NULL, NULL,
     "values for the AXI-lite signature block in the stitched IP"},
    {"mvau_wwidth_max", FINN_CFG_INT, "36", NULL,
     "SetFolding limit on weight bits times SIMD for one MVAU PE"},
    {"standalone_thresholds", FINN_CFG_BOOL, "false", NULL,
     "make activations separate Thresholding layers"},
    {"minimize_bit_width", FINN_CFG_BOOL, "true", NULL,
     "shrink weight and accumulator data types"},
    {"board", FINN_CFG_STR, NULL, NULL, "target board, e.g. Pynq-Z1 or U250"},
    {"shell_flow_type", FINN_CFG_ENUM, NULL, shell_flows, "shell integration flow"},
    {"fpga_part", FINN_CFG_STR, NULL, NULL, "FPGA part; found from board if not given"},
    {"auto_fifo_depths", FINN_CFG_BOOL, "true", NULL, "size FIFOs automatically"},
    {"split_large_fifos", FINN_CFG_BOOL, "false", NULL, "split very deep FIFOs into chains"},
    {"auto_fifo_strategy", FINN_CFG_ENUM, "largefifo_rtlsim", fifo_methods,
     "method for automatic FIFO sizing"},
    {"force_python_rtlsim", FINN_CFG_BOOL, "false", NULL,
     "use the Python rtlsim driver instead of the C++ one"},
    {"large_fifo_mem_style", FINN_CFG_ENUM, "auto", fifo_mem_styles,
     "memory resource for large FIFOs"},
    {"hls_clk_period_ns", FINN_CFG_FLOAT, NULL, NULL,
     "HLS clock period in ns; synth_clk_period_ns when not given"},
    {"default_swg_exception", FINN_CFG_BOOL, "false", NULL,
     "cap convolution FIFO depths during FIFO sizing"},
    {"vitis_platform", FINN_CFG_STR, NULL, NULL, "Vitis platform; found from board if not given"},
    {"vitis_floorplan_file", FINN_CFG_PATH, NULL, NULL, "JSON assigning layers to SLRs"},
    {"vitis_opt_strategy", FINN_CFG_ENUM, "default", vitis_strategies,
     "Vitis optimisation strategy"},
    {"save_intermediate_models", FINN_CFG_BOOL, "true", NULL,
     "save the model after every step (needed for start_step)"},
    {"enable_hw_debug", FINN_CFG_BOOL, "false", NULL, "insert ILA debug cores"},
    {"enable_build_pdb_debug", FINN_CFG_BOOL, "true", NULL,
     "FINN starts pdb on failure; finn-run never does"},
    {"verbose", FINN_CFG_BOOL, "false", NULL, "echo step output to the console"},
    {"steps", FINN_CFG_STR_LIST, NULL, NULL,
     "steps to run (step names or step-list names); the default list if not given"},
    {"start_step", FINN_CFG_STR, NULL, NULL, "first step to run, from the previous checkpoint"},
    {"stop_step", FINN_CFG_STR, NULL, NULL, "last step to run"},
    {"max_multithreshold_bit_width", FINN_CFG_INT, "8", NULL,
     "widest activation Quant turned into MultiThreshold"},
    {"rtlsim_batch_size", FINN_CFG_INT, "1", NULL, "frames for the rtlsim performance run"},
    {"rtlsim_use_vivado_comps", FINN_CFG_BOOL, "true", NULL,
     "keep Vivado FIFO IP in stitched rtlsim"},
    /* recipe-only keys */
    {"model", FINN_CFG_PATH, NULL, NULL, "ONNX model to build"},
    {"plugins", FINN_CFG_PATH_LIST, NULL, NULL, "plugin files or folders to load"},
    {"override_steps", FINN_CFG_BOOL, "false", NULL,
     "let plugins replace steps that are already registered"},
    {"description", FINN_CFG_STR, NULL, NULL, "free text describing the recipe"},
    {"strict_config", FINN_CFG_BOOL, "false", NULL,
     "a folding/specialize config entry naming no node is an error, not a warning"},
    {NULL, FINN_CFG_STR, NULL, NULL, NULL}};

#define N_FIELDS (sizeof fields / sizeof fields[0] - 1)

const finn_cfg_field *finn_config_fields(void) { return fields; }

static int field_index(const char *key)
{
    if (!key)
        return -1;
    for (size_t i = 0; i < N_FIELDS; i++)
        if (strcmp(fields[i].name, key) == 0)
            return (int)i;
    return -1;
}

/* The closest field name for "did you mean", or NULL if none is close. */
static const char *nearest_field(const char *key)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < N_FIELDS; i++) {
        size_t d = finn_edit_distance(key, fields[i].name);
        if (d < best_d) {
            best_d = d;
            best = fields[i].name;
        }
    }
    /* a hint that rewrites most of a short key is noise */
    if (best_d <= 3 && best_d < strlen(key))
        return best;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Board -> part tables (FINN 39f0c9a src/finn/util/basic.py)          */
/* ------------------------------------------------------------------ */

typedef struct board_part {
    const char *board;
    const char *part;
} board_part;

static const board_part zynq_parts[] = {
    {"Ultra96", "xczu3eg-sbva484-1-e"},     {"Ultra96-V2", "xczu3eg-sbva484-1-i"},
    {"Pynq-Z1", "xc7z020clg400-1"},         {"Pynq-Z2", "xc7z020clg400-1"},
    {"ZCU102", "xczu9eg-ffvb1156-2-e"},     {"ZCU104", "xczu7ev-ffvc1156-2-e"},
    {"ZCU111", "xczu28dr-ffvg1517-2-e"},    {"RFSoC2x2", "xczu28dr-ffvg1517-2-e"},
    {"RFSoC4x2", "xczu48dr-ffvg1517-2-e"},  {"KV260_SOM", "xck26-sfvc784-2LV-c"},
    {NULL, NULL}};

static const board_part alveo_parts[] = {
    {"U50", "xcu50-fsvh2104-2L-e"},   {"U200", "xcu200-fsgd2104-2-e"},
    {"U250", "xcu250-figd2104-2L-e"}, {"U280", "xcu280-fsvh2892-2L-e"},
    {"U55C", "xcu55c-fsvh2892-2L-e"}, {NULL, NULL}};

static const char *lookup_part(const board_part *map, const char *board)
{
    for (const board_part *b = map; b->board; b++)
        if (strcmp(b->board, board) == 0)
            return b->part;
    return NULL;
}

/* Append ", item" (or "item" first) to buf, dropping what does not fit. */
static void append_name(char *buf, size_t n, size_t *used, const char *item)
{
    int w = snprintf(buf + *used, n - *used, "%s%s", *used ? ", " : "", item);
    if (w > 0 && (size_t)w < n - *used)
        *used += (size_t)w;
    else
        buf[*used] = 0;
}

/* "a, b, c" of a NULL-terminated list of names. */
static void join_names(char *buf, size_t n, const char *const *names)
{
    size_t used = 0;
    buf[0] = 0;
    for (const char *const *p = names; *p; p++)
        append_name(buf, n, &used, *p);
}

/* "a, b, c" of the boards of a part map. */
static void join_boards(char *buf, size_t n, const board_part *map)
{
    size_t used = 0;
    buf[0] = 0;
    for (const board_part *b = map; b->board; b++)
        append_name(buf, n, &used, b->board);
}

/* ------------------------------------------------------------------ */
/* Values                                                              */
/* ------------------------------------------------------------------ */

typedef enum vstate { V_UNSET = 0, V_NONE, V_VALUE } vstate;

typedef struct cfg_value {
    vstate state;
    char *s;        /* STR, PATH, ENUM */
    int64_t i;      /* INT */
    double f;       /* FLOAT */
    bool b;         /* BOOL */
    char **items;   /* lists (INT_LIST items as decimal text) */
    size_t n_items;
    char *origin;   /* "FILE:LINE" or "--set KEY", for later messages */
} cfg_value;

struct finn_config {
    cfg_value vals[N_FIELDS];
    char *dflt_paths[N_FIELDS]; /* PATH defaults resolved against base_dir */
    char *base_dir;
    char **warnings;
    size_t n_warnings, cap_warnings;
};

static void value_clear(cfg_value *v)
{
    free(v->s);
    for (size_t i = 0; i < v->n_items; i++)
        free(v->items[i]);
    free(v->items);
    free(v->origin);
    memset(v, 0, sizeof *v);
}

static void warnings_free(char **w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(w[i]);
    free(w);
}

/* Point base_dir at dir and re-resolve the PATH defaults against it. */
static int set_base_dir(finn_config *cfg, const char *dir, finn_error *err)
{
    char *copy = finn_xstrdup(dir, err);
    char *paths[N_FIELDS] = {0};
    if (!copy)
        return -1;
    for (size_t i = 0; i < N_FIELDS; i++) {
        if (fields[i].type != FINN_CFG_PATH || !fields[i].dflt)
            continue;
        paths[i] = finn_path_join(copy, fields[i].dflt);
        if (!paths[i]) {
            for (size_t j = 0; j < i; j++)
                free(paths[j]);
            free(copy);
            return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        }
    }
    free(cfg->base_dir);
    cfg->base_dir = copy;
    for (size_t i = 0; i < N_FIELDS; i++) {
        free(cfg->dflt_paths[i]);
        cfg->dflt_paths[i] = paths[i];
    }
    return 0;
}

finn_config *finn_config_new(finn_error *err)
{
    finn_config *cfg = finn_xcalloc(1, sizeof *cfg, err);
    if (!cfg)
        return NULL;
    if (set_base_dir(cfg, ".", err) != 0) {
        free(cfg);
        return NULL;
    }
    return cfg;
}

void finn_config_free(finn_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < N_FIELDS; i++) {
        value_clear(&cfg->vals[i]);
        free(cfg->dflt_paths[i]);
    }
    free(cfg->base_dir);
    warnings_free(cfg->warnings, cfg->n_warnings);
    free(cfg);
}

/* ------------------------------------------------------------------ */
/* Parsing one YAML document into scratch values                       */
/* ------------------------------------------------------------------ */

/* Where values come from: a file (messages "FILE:LINE: KEY: ...") or one
 * --set (messages "--set KEY: ..."). */
typedef struct source {
    const char *what;     /* file name as given, or NULL for --set */
    const char *set_key;  /* the key of a --set */
    const char *base_dir; /* folder relative paths resolve against */
    bool json;            /* FINN JSON: unknown keys are warnings */
    yaml_document_t *doc;
} source;

/* The scratch result of one parse, committed into the config on success. */
typedef struct pending {
    cfg_value vals[N_FIELDS];
    size_t lines[N_FIELDS]; /* line of the key, for duplicate messages */
    char **warnings;
    size_t n_warnings, cap_warnings;
} pending;

static void pending_free(pending *p)
{
    for (size_t i = 0; i < N_FIELDS; i++)
        value_clear(&p->vals[i]);
    warnings_free(p->warnings, p->n_warnings);
}

/* "FILE:LINE" of a node, or "--set KEY". */
static void node_where(const source *src, const yaml_node_t *node, char *buf, size_t n)
{
    if (src->set_key)
        snprintf(buf, n, "--set %s", src->set_key);
    else
        snprintf(buf, n, "%s:%zu", src->what, node ? node->start_mark.line + 1 : 1);
}

static const char *node_kind(const yaml_node_t *node)
{
    switch (node->type) {
    case YAML_MAPPING_NODE:
        return "a mapping";
    case YAML_SEQUENCE_NODE:
        return "a list";
    default:
        return "a value";
    }
}

static const char *scalar_text(const yaml_node_t *node)
{
    return (const char *)node->data.scalar.value;
}

/* YAML null: a plain (unquoted) empty, ~, null, Null, NULL, or Python's None. */
static bool is_null(const yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *t = scalar_text(node);
    return !t[0] || !strcmp(t, "~") || !strcmp(t, "null") || !strcmp(t, "Null") ||
           !strcmp(t, "NULL") || !strcmp(t, "None");
}

typedef struct ctx {
    const source *src;
    const finn_cfg_field *f;
    finn_error *err;
} ctx;

/* Prefix of every message about the current field at node. */
static void msg_prefix(const ctx *c, const yaml_node_t *node, char *buf, size_t n)
{
    char where[1024];
    node_where(c->src, node, where, sizeof where);
    if (c->src->set_key)
        snprintf(buf, n, "%s: ", where);
    else
        snprintf(buf, n, "%s: %s: ", where, c->f->name);
}

static int type_error(const ctx *c, const yaml_node_t *node, const char *expected)
{
    char pre[1400];
    msg_prefix(c, node, pre, sizeof pre);
    if (node->type != YAML_SCALAR_NODE)
        return finn_error_set(c->err, FINN_ERR_INVALID, "%sexpected %s, got %s", pre, expected,
                              node_kind(node));
    return finn_error_set(c->err, FINN_ERR_INVALID, "%sexpected %s, got '%s'", pre, expected,
                          scalar_text(node));
}

static int parse_int(const ctx *c, const yaml_node_t *node, int64_t *out)
{
    if (node->type != YAML_SCALAR_NODE || is_null(node))
        return type_error(c, node, "an integer");
    const char *t = scalar_text(node);
    char *end;
    errno = 0;
    long long v = strtoll(t, &end, 10);
    if (*t && !*end && errno == 0 && !(t[0] == ' ' || t[0] == '\t')) {
        *out = v;
        return 0;
    }
    /* FINN coerces JSON numbers to the field type: accept 100000.0 */
    errno = 0;
    double d = strtod(t, &end);
    if (*t && !*end && errno == 0 && isfinite(d) && d == floor(d) && fabs(d) < 9.2e18) {
        *out = (int64_t)d;
        return 0;
    }
    return type_error(c, node, "an integer");
}

static int parse_float(const ctx *c, const yaml_node_t *node, double *out)
{
    if (node->type != YAML_SCALAR_NODE || is_null(node))
        return type_error(c, node, "a number");
    const char *t = scalar_text(node);
    char *end;
    errno = 0;
    double d = strtod(t, &end);
    if (!*t || *end || errno != 0 || !isfinite(d) || t[0] == ' ' || t[0] == '\t')
        return type_error(c, node, "a number");
    *out = d;
    return 0;
}

static int parse_bool(const ctx *c, const yaml_node_t *node, bool *out)
{
    if (node->type == YAML_SCALAR_NODE) {
        const char *t = scalar_text(node);
        if (!strcmp(t, "true") || !strcmp(t, "True") || !strcmp(t, "TRUE")) {
            *out = true;
            return 0;
        }
        if (!strcmp(t, "false") || !strcmp(t, "False") || !strcmp(t, "FALSE")) {
            *out = false;
            return 0;
        }
    }
    return type_error(c, node, "true or false");
}

static int check_enum(const ctx *c, const yaml_node_t *node, const char *text)
{
    for (const char *const *e = c->f->enum_values; *e; e++)
        if (!strcmp(*e, text))
            return 0;
    char allowed[512], pre[1400];
    join_names(allowed, sizeof allowed, c->f->enum_values);
    msg_prefix(c, node, pre, sizeof pre);
    return finn_error_set(c->err, FINN_ERR_INVALID, "%sunknown value '%s' (allowed: %s)", pre,
                          text, allowed);
}

/* One text item of type t (the scalar type of a field or of a list's
 * elements) from a scalar node; malloc'ed into *out. */
static int parse_text(const ctx *c, const yaml_node_t *node, finn_cfg_type t, char **out)
{
    if (t == FINN_CFG_INT || t == FINN_CFG_INT_LIST) {
        int64_t v;
        if (parse_int(c, node, &v) != 0)
            return -1;
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)v);
        *out = finn_xstrdup(buf, c->err);
        return *out ? 0 : -1;
    }
    if (node->type != YAML_SCALAR_NODE || is_null(node))
        return type_error(c, node, "a string");
    const char *text = scalar_text(node);
    if ((t == FINN_CFG_ENUM || t == FINN_CFG_ENUM_LIST) && check_enum(c, node, text) != 0)
        return -1;
    if (t == FINN_CFG_PATH || t == FINN_CFG_PATH_LIST) {
        *out = finn_path_join(c->src->base_dir, text);
        if (!*out)
            return finn_error_set(c->err, FINN_ERR_NOMEM, "out of memory");
        return 0;
    }
    *out = finn_xstrdup(text, c->err);
    return *out ? 0 : -1;
}

static bool is_list_type(finn_cfg_type t)
{
    return t == FINN_CFG_STR_LIST || t == FINN_CFG_ENUM_LIST || t == FINN_CFG_INT_LIST ||
           t == FINN_CFG_PATH_LIST;
}

static int push_item(cfg_value *v, size_t *cap, char *item, finn_error *err)
{
    if (finn_grow((void **)&v->items, cap, v->n_items + 1, sizeof *v->items, err) != 0) {
        free(item);
        return -1;
    }
    v->items[v->n_items++] = item;
    return 0;
}

/* A list field: a sequence of scalars, or one scalar as a one-item list. */
static int parse_list(const ctx *c, yaml_node_t *node, cfg_value *v)
{
    size_t cap = 0;
    if (node->type == YAML_MAPPING_NODE)
        return type_error(c, node, "a list");
    if (node->type == YAML_SCALAR_NODE) {
        char *item;
        if (parse_text(c, node, c->f->type, &item) != 0)
            return -1;
        return push_item(v, &cap, item, c->err);
    }
    for (yaml_node_item_t *it = node->data.sequence.items.start;
         it < node->data.sequence.items.top; it++) {
        yaml_node_t *child = yaml_document_get_node(c->src->doc, *it);
        char *item;
        if (!child || parse_text(c, child, c->f->type, &item) != 0)
            return -1;
        if (push_item(v, &cap, item, c->err) != 0)
            return -1;
    }
    return 0;
}

/* Convert node into a fresh value *v for field c->f. */
static int parse_value(const ctx *c, yaml_node_t *node, cfg_value *v)
{
    if (is_null(node)) {
        v->state = V_NONE;
        return 0;
    }
    v->state = V_VALUE;
    switch (c->f->type) {
    case FINN_CFG_INT:
        return parse_int(c, node, &v->i);
    case FINN_CFG_FLOAT:
        return parse_float(c, node, &v->f);
    case FINN_CFG_BOOL:
        return parse_bool(c, node, &v->b);
    case FINN_CFG_STR:
    case FINN_CFG_PATH:
    case FINN_CFG_ENUM:
        return parse_text(c, node, c->f->type, &v->s);
    default:
        return parse_list(c, node, v);
    }
}

static int add_warning(char ***list, size_t *n, size_t *cap, const char *msg, finn_error *err)
{
    char *copy = finn_xstrdup(msg, err);
    if (!copy)
        return -1;
    if (finn_grow((void **)list, cap, *n + 1, sizeof **list, err) != 0) {
        free(copy);
        return -1;
    }
    (*list)[(*n)++] = copy;
    return 0;
}

static int pending_warn(pending *p, finn_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int pending_warn(pending *p, finn_error *err, const char *fmt, ...)
{
    char msg[FINN_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return add_warning(&p->warnings, &p->n_warnings, &p->cap_warnings, msg, err);
}

/* An unknown key.  In a recipe it is an error.  In a FINN .json it is a
 * warning: FINN decodes the JSON with dataclasses_json's from_json, whose
 * default is to drop keys that are not fields, so a FINN build directory
 * with extra keys must still run here. */
static int unknown_key(const source *src, const yaml_node_t *knode, const char *key, pending *p,
                       finn_error *err)
{
    const char *near = nearest_field(key);
    char hint[300] = "";
    if (near)
        snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
    if (src->set_key)
        return finn_error_set(err, FINN_ERR_INVALID, "--set %s: unknown key '%s'%s", key, key,
                              hint);
    char where[1024];
    node_where(src, knode, where, sizeof where);
    if (!src->json)
        return finn_error_set(err, FINN_ERR_INVALID, "%s: unknown key '%s'%s", where, key, hint);
    return pending_warn(p, err, "%s: unknown key '%s' ignored%s", where, key, hint);
}

/* Store one key/value pair into p. */
static int parse_pair(const source *src, yaml_node_t *knode, yaml_node_t *vnode, pending *p,
                      finn_error *err)
{
    char where[1024];
    node_where(src, knode, where, sizeof where);
    if (knode->type != YAML_SCALAR_NODE)
        return finn_error_set(err, FINN_ERR_INVALID, "%s: a key must be a plain name, not %s",
                              where, node_kind(knode));
    const char *key = scalar_text(knode);
    int idx = field_index(key);
    if (idx < 0)
        return unknown_key(src, knode, key, p, err);
    cfg_value *slot = &p->vals[idx];
    if (slot->state != V_UNSET) {
        /* Python's json keeps the last duplicate; YAML forbids them */
        if (!src->json)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "%s: key '%s' given twice (first at line %zu)", where, key,
                                  p->lines[idx]);
        if (pending_warn(p, err, "%s: key '%s' given twice; the last value wins", where, key) != 0)
            return -1;
        value_clear(slot);
    }
    ctx c = {src, &fields[idx], err};
    cfg_value v = {0};
    if (parse_value(&c, vnode, &v) != 0) {
        value_clear(&v);
        return -1;
    }
    node_where(src, vnode, where, sizeof where);
    v.origin = finn_xstrdup(where, err);
    if (!v.origin) {
        value_clear(&v);
        return -1;
    }
    *slot = v;
    p->lines[idx] = knode->start_mark.line + 1;
    return 0;
}

/* Line (1-based) of byte offset off in text, for reader errors that carry
 * no mark. */
static size_t line_of_offset(const char *text, size_t len, size_t off)
{
    size_t line = 1;
    for (size_t i = 0; i < off && i < len; i++)
        line += text[i] == '\n';
    return line;
}

static int syntax_error(const source *src, const yaml_parser_t *parser, const char *text,
                        size_t len, finn_error *err)
{
    char where[1024];
    size_t line = parser->error == YAML_READER_ERROR
                      ? line_of_offset(text, len, parser->problem_offset)
                      : parser->problem_mark.line + 1;
    if (src->set_key)
        snprintf(where, sizeof where, "--set %s", src->set_key);
    else
        snprintf(where, sizeof where, "%s:%zu", src->what, line);
    const char *problem = parser->problem ? parser->problem : "unknown error";
    if (parser->context && parser->error != YAML_READER_ERROR && !src->set_key)
        return finn_error_set(err, FINN_ERR_PARSE,
                              "%s: YAML syntax error: %s (%s started at line %zu)", where,
                              problem, parser->context, parser->context_mark.line + 1);
    return finn_error_set(err, FINN_ERR_PARSE, "%s: YAML syntax error: %s", where, problem);
}

/* Parse text into *doc (one document).  An empty stream gives a document
 * without a root node. */
static int load_document(const source *src, const char *text, size_t len, yaml_document_t *doc,
                         finn_error *err)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory initialising libyaml");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, doc)) {
        syntax_error(src, &parser, text, len, err);
        yaml_parser_delete(&parser);
        return -1;
    }
    /* a second document ("---") would be silently ignored otherwise */
    yaml_document_t extra;
    if (!yaml_parser_load(&parser, &extra)) {
        syntax_error(src, &parser, text, len, err);
        yaml_parser_delete(&parser);
        yaml_document_delete(doc);
        return -1;
    }
    yaml_node_t *extra_root = yaml_document_get_root_node(&extra);
    size_t extra_line = extra_root ? extra_root->start_mark.line + 1 : 0;
    yaml_document_delete(&extra);
    yaml_parser_delete(&parser);
    if (extra_root) {
        yaml_document_delete(doc);
        if (src->set_key)
            return finn_error_set(err, FINN_ERR_PARSE, "--set %s: more than one YAML document",
                                  src->set_key);
        return finn_error_set(err, FINN_ERR_PARSE,
                              "%s:%zu: a second YAML document; a config is one mapping",
                              src->what, extra_line);
    }
    return 0;
}

/* Move the pending values and warnings into cfg. */
static void commit(finn_config *cfg, pending *p)
{
    for (size_t i = 0; i < N_FIELDS; i++) {
        if (p->vals[i].state == V_UNSET)
            continue;
        value_clear(&cfg->vals[i]);
        cfg->vals[i] = p->vals[i];
        memset(&p->vals[i], 0, sizeof p->vals[i]);
    }
}

static int commit_warnings(finn_config *cfg, pending *p, finn_error *err)
{
    for (size_t i = 0; i < p->n_warnings; i++)
        if (add_warning(&cfg->warnings, &cfg->n_warnings, &cfg->cap_warnings, p->warnings[i],
                        err) != 0)
            return -1;
    return 0;
}

static bool ends_with_json(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    return n >= 5 && strcasecmp(name + n - 5, ".json") == 0;
}

static int parse_mapping(const source *src, yaml_node_t *root, pending *p, finn_error *err)
{
    if (root->type != YAML_MAPPING_NODE) {
        char where[1024];
        node_where(src, root, where, sizeof where);
        return finn_error_set(err, FINN_ERR_INVALID,
                              "%s: expected a mapping of keys to values at the top level, got %s",
                              where, node_kind(root));
    }
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
         pr < root->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(src->doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(src->doc, pr->value);
        if (!k || !v || parse_pair(src, k, v, p, err) != 0)
            return -1;
    }
    return 0;
}

int finn_config_load_string(finn_config *cfg, const char *text, const char *what,
                            const char *base_dir, finn_error *err)
{
    if (!text)
        return finn_error_set(err, FINN_ERR_INVALID, "no config text given");
    if (!what)
        what = "<config>";
    if (!base_dir)
        base_dir = ".";
    yaml_document_t doc;
    source src = {what, NULL, base_dir, ends_with_json(what), &doc};
    if (load_document(&src, text, strlen(text), &doc, err) != 0)
        return -1;
    pending *p = finn_xcalloc(1, sizeof *p, err);
    if (!p) {
        yaml_document_delete(&doc);
        return -1;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    int rc = root ? parse_mapping(&src, root, p, err) : 0;
    yaml_document_delete(&doc);
    if (rc == 0)
        rc = set_base_dir(cfg, base_dir, err);
    if (rc == 0)
        rc = commit_warnings(cfg, p, err);
    if (rc == 0)
        commit(cfg, p);
    pending_free(p);
    free(p);
    return rc;
}

int finn_config_load(finn_config *cfg, const char *path, finn_error *err)
{
    void *data = NULL;
    size_t len = 0;
    if (finn_read_file(path, &data, &len, err) != 0)
        return -1;
    if (memchr(data, 0, len)) {
        free(data);
        return finn_error_set(err, FINN_ERR_PARSE, "%s: not a text file (contains NUL bytes)",
                              path);
    }
    char *dir = finn_path_dirname(path);
    if (!dir) {
        free(data);
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    }
    int rc = finn_config_load_string(cfg, data, path, dir, err);
    free(dir);
    free(data);
    return rc;
}

int finn_config_set(finn_config *cfg, const char *key, const char *value, finn_error *err)
{
    if (!key || !*key)
        return finn_error_set(err, FINN_ERR_INVALID, "--set needs a key");
    if (!value)
        value = "";
    int idx = field_index(key);
    yaml_document_t doc;
    /* values from the command line resolve against the current directory */
    source src = {NULL, key, ".", false, &doc};
    if (idx < 0)
        return unknown_key(&src, NULL, key, NULL, err);
    if (load_document(&src, value, strlen(value), &doc, err) != 0)
        return -1;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    ctx c = {&src, &fields[idx], err};
    cfg_value v = {0};
    int rc = 0;
    if (!root)
        v.state = V_NONE; /* "--set board=" clears to None */
    else if (root->type == YAML_MAPPING_NODE)
        rc = type_error(&c, root, is_list_type(fields[idx].type) ? "a list" : "a single value");
    else
        rc = parse_value(&c, root, &v);
    yaml_document_delete(&doc);
    if (rc == 0) {
        char origin[300];
        snprintf(origin, sizeof origin, "--set %s", key);
        v.origin = finn_xstrdup(origin, err);
        if (!v.origin)
            rc = -1;
    }
    if (rc != 0) {
        value_clear(&v);
        return -1;
    }
    value_clear(&cfg->vals[idx]);
    cfg->vals[idx] = v;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Getters                                                             */
/* ------------------------------------------------------------------ */

/* The slot of key if it exists and has one of the types in mask. */
#define TBIT(t) (1u << (t))
static const cfg_value *slot(const finn_config *cfg, const char *key, unsigned mask, int *idx)
{
    int i = cfg ? field_index(key) : -1;
    if (i < 0 || !(mask & TBIT(fields[i].type)))
        return NULL;
    if (idx)
        *idx = i;
    return &cfg->vals[i];
}

bool finn_config_is_set(const finn_config *cfg, const char *key)
{
    const cfg_value *v = slot(cfg, key, ~0u, NULL);
    return v && v->state == V_VALUE;
}

const char *finn_config_str(const finn_config *cfg, const char *key)
{
    int i;
    const cfg_value *v =
        slot(cfg, key, TBIT(FINN_CFG_STR) | TBIT(FINN_CFG_PATH) | TBIT(FINN_CFG_ENUM), &i);
    if (!v || v->state == V_NONE)
        return NULL;
    if (v->state == V_VALUE)
        return v->s;
    return fields[i].type == FINN_CFG_PATH ? cfg->dflt_paths[i] : fields[i].dflt;
}

int64_t finn_config_int(const finn_config *cfg, const char *key)
{
    int i;
    const cfg_value *v = slot(cfg, key, TBIT(FINN_CFG_INT) | TBIT(FINN_CFG_FLOAT), &i);
    if (!v || v->state == V_NONE)
        return 0;
    bool is_int = fields[i].type == FINN_CFG_INT;
    if (v->state == V_VALUE)
        return is_int ? v->i : (int64_t)v->f; /* a float truncates, like int() */
    if (!fields[i].dflt)
        return 0;
    return is_int ? strtoll(fields[i].dflt, NULL, 10) : (int64_t)strtod(fields[i].dflt, NULL);
}

double finn_config_float(const finn_config *cfg, const char *key)
{
    int i;
    const cfg_value *v = slot(cfg, key, TBIT(FINN_CFG_INT) | TBIT(FINN_CFG_FLOAT), &i);
    if (!v || v->state == V_NONE)
        return 0.0;
    if (v->state == V_VALUE)
        return fields[i].type == FINN_CFG_INT ? (double)v->i : v->f;
    return fields[i].dflt ? strtod(fields[i].dflt, NULL) : 0.0;
}

bool finn_config_bool(const finn_config *cfg, const char *key)
{
    int i;
    const cfg_value *v = slot(cfg, key, TBIT(FINN_CFG_BOOL), &i);
    if (!v || v->state == V_NONE)
        return false;
    if (v->state == V_VALUE)
        return v->b;
    return fields[i].dflt && strcmp(fields[i].dflt, "true") == 0;
}

#define LIST_MASK                                                                        \
    (TBIT(FINN_CFG_STR_LIST) | TBIT(FINN_CFG_ENUM_LIST) | TBIT(FINN_CFG_INT_LIST) |      \
     TBIT(FINN_CFG_PATH_LIST))

size_t finn_config_list_len(const finn_config *cfg, const char *key)
{
    const cfg_value *v = slot(cfg, key, LIST_MASK, NULL);
    return v && v->state == V_VALUE ? v->n_items : 0;
}

const char *finn_config_list_item(const finn_config *cfg, const char *key, size_t i)
{
    const cfg_value *v = slot(cfg, key, LIST_MASK, NULL);
    return v && v->state == V_VALUE && i < v->n_items ? v->items[i] : NULL;
}

bool finn_config_list_has(const finn_config *cfg, const char *key, const char *item)
{
    const cfg_value *v = slot(cfg, key, LIST_MASK, NULL);
    if (!v || v->state != V_VALUE || !item)
        return false;
    for (size_t i = 0; i < v->n_items; i++)
        if (strcmp(v->items[i], item) == 0)
            return true;
    return false;
}

size_t finn_config_warning_count(const finn_config *cfg) { return cfg ? cfg->n_warnings : 0; }

const char *finn_config_warning(const finn_config *cfg, size_t i)
{
    return cfg && i < cfg->n_warnings ? cfg->warnings[i] : NULL;
}

const char *finn_config_base_dir(const finn_config *cfg) { return cfg ? cfg->base_dir : "."; }

/* ------------------------------------------------------------------ */
/* FINN's resolvers and validation                                     */
/* ------------------------------------------------------------------ */

const char *finn_config_fpga_part(const finn_config *cfg, finn_error *err)
{
    const char *part = finn_config_str(cfg, "fpga_part");
    if (part)
        return part;
    const char *board = finn_config_str(cfg, "board");
    const char *flow = finn_config_str(cfg, "shell_flow_type");
    if (!board || !flow) {
        finn_error_set(err, FINN_ERR_INVALID,
                       "cannot tell the FPGA part: set fpga_part, or board together with "
                       "shell_flow_type");
        return NULL;
    }
    const board_part *map = strcmp(flow, "vitis_alveo") == 0 ? alveo_parts : zynq_parts;
    part = lookup_part(map, board);
    if (!part) {
        char known[512];
        join_boards(known, sizeof known, map);
        finn_error_set(err, FINN_ERR_INVALID,
                       "unknown board '%s' for shell_flow_type %s (known: %s); or set fpga_part",
                       board, flow, known);
    }
    return part;
}

double finn_config_hls_clk_ns(const finn_config *cfg)
{
    if (finn_config_is_set(cfg, "hls_clk_period_ns"))
        return finn_config_float(cfg, "hls_clk_period_ns");
    return finn_config_float(cfg, "synth_clk_period_ns");
}

int64_t finn_config_target_cycles(const finn_config *cfg)
{
    if (!finn_config_is_set(cfg, "target_fps") || !finn_config_is_set(cfg, "synth_clk_period_ns"))
        return -1;
    int64_t fps = finn_config_int(cfg, "target_fps");
    double clk = finn_config_float(cfg, "synth_clk_period_ns");
    if (fps <= 0 || clk <= 0)
        return -1;
    /* the same two float divisions as FINN, then int() truncation */
    double cycles_per_sec = 1e9 / clk;
    return (int64_t)(cycles_per_sec / (double)fps);
}

/* "FILE:LINE: " of where key was set, or "" */
static void origin_prefix(const finn_config *cfg, const char *key, char *buf, size_t n)
{
    int i = field_index(key);
    const char *o = i >= 0 ? cfg->vals[i].origin : NULL;
    snprintf(buf, n, "%s%s", o ? o : "", o ? ": " : "");
}

/* FINN requires output_dir, synth_clk_period_ns and generate_outputs (no
 * defaults in its dataclass).  finn-run requires model and output_dir and
 * synth_clk_period_ns, but not generate_outputs: a recipe that runs only
 * custom steps has no outputs to ask for, so a missing generate_outputs
 * reads as the empty list (finn_config_list_len gives 0). */
int finn_config_validate(const finn_config *cfg, finn_error *err)
{
    char where[1100];
    if (!finn_config_str(cfg, "model"))
        return finn_error_set(err, FINN_ERR_INVALID,
                              "no model given: set 'model' in the recipe or use --model");
    if (!finn_config_str(cfg, "output_dir"))
        return finn_error_set(err, FINN_ERR_INVALID,
                              "no output_dir given: set 'output_dir' in the recipe or use "
                              "--output-dir");
    if (!finn_config_is_set(cfg, "synth_clk_period_ns"))
        return finn_error_set(err, FINN_ERR_INVALID,
                              "no synth_clk_period_ns given: FINN requires the synthesis clock "
                              "period, e.g. 'synth_clk_period_ns: 10.0' for 100 MHz");
    static const char *const positive_floats[] = {"synth_clk_period_ns", "hls_clk_period_ns"};
    for (size_t k = 0; k < 2; k++) {
        double v = finn_config_float(cfg, positive_floats[k]);
        if (finn_config_is_set(cfg, positive_floats[k]) && !(v > 0)) {
            origin_prefix(cfg, positive_floats[k], where, sizeof where);
            return finn_error_set(err, FINN_ERR_INVALID, "%s%s must be > 0, got %g", where,
                                  positive_floats[k], v);
        }
    }
    static const char *const positive_ints[] = {"target_fps", "rtlsim_batch_size",
                                                "mvau_wwidth_max"};
    for (size_t k = 0; k < 3; k++) {
        int64_t v = finn_config_int(cfg, positive_ints[k]);
        if (finn_config_is_set(cfg, positive_ints[k]) && v <= 0) {
            origin_prefix(cfg, positive_ints[k], where, sizeof where);
            return finn_error_set(err, FINN_ERR_INVALID, "%s%s must be > 0, got %lld", where,
                                  positive_ints[k], (long long)v);
        }
    }
    /* A board with a shell flow must name a board FINN knows; without a
     * flow the part is not looked up (estimate builds set fpga_part). */
    if (!finn_config_str(cfg, "fpga_part") && finn_config_str(cfg, "board") &&
        finn_config_str(cfg, "shell_flow_type") && !finn_config_fpga_part(cfg, err)) {
        origin_prefix(cfg, "board", where, sizeof where);
        return finn_error_prefix(err, "%s", where);
    }
    return 0;
}
