/*
 * hw_config.c - FINN's per-node config files (hw_config.h): a small JSON
 * reader, QONNX's ApplyConfig, extract_model_config_to_json with Python's
 * json.dump(indent=2) formatting, and the HW attribute catalogue lookups.
 * It sets node attributes only; it never renames or reorders nodes.
 */
#include "finn/hw_config.h"
#include "finn/registry.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- attribute catalogue ------------------------------------------------ */

static const finn_hw_attr COMMON[] = {
    {"backend", FINN_ATTR_STRING, "fpgadataflow"},
    {"preferred_impl_style", FINN_ATTR_STRING, ""},
    {"code_gen_dir_ipgen", FINN_ATTR_STRING, ""},
    {"ipgen_path", FINN_ATTR_STRING, ""},
    {"ip_path", FINN_ATTR_STRING, ""},
    {"ip_vlnv", FINN_ATTR_STRING, ""},
    {"exec_mode", FINN_ATTR_STRING, ""},
    {"cycles_rtlsim", FINN_ATTR_INT, "0"},
    {"cycles_estimate", FINN_ATTR_INT, "0"},
    {"rtlsim_trace", FINN_ATTR_STRING, ""},
    {"res_estimate", FINN_ATTR_STRING, ""},
    {"res_synth", FINN_ATTR_STRING, ""},
    {"rtlsim_so", FINN_ATTR_STRING, ""},
    {"slr", FINN_ATTR_INT, "-1"},
    {"mem_port", FINN_ATTR_STRING, ""},
    {"partition_id", FINN_ATTR_INT, "0"},
    {"device_id", FINN_ATTR_INT, "0"},
    {"inFIFODepths", FINN_ATTR_INTS, "[2]"},
    {"outFIFODepths", FINN_ATTR_INTS, "[2]"},
    {"output_hook", FINN_ATTR_STRING, ""},
    {"io_chrc_in", FINN_ATTR_TENSOR, "[]"},
    {"io_chrc_out", FINN_ATTR_TENSOR, "[]"},
    {"io_chrc_period", FINN_ATTR_INT, "0"},
    {"io_chrc_pads_in", FINN_ATTR_INTS, "[]"},
    {"io_chrc_pads_out", FINN_ATTR_INTS, "[]"},
    {NULL, 0, NULL}};

const finn_hw_attr *finn_hw_common_attrs(void) { return COMMON; }

static const finn_hw_attr *attr_in(const finn_hw_attr *list, const char *name)
{
    for (; list && list->name; list++)
        if (!strcmp(list->name, name))
            return list;
    return NULL;
}

/* The abstract table behind a variant table (NULL if none). */
static const finn_hw_op *hw_base(const finn_registry *reg, const finn_hw_op *hw)
{
    if (!hw->impl)
        return NULL;
    const finn_op *op = finn_registry_op(reg, FINN_HW_DOMAIN, hw->base);
    return op ? op->ext : NULL;
}

const finn_hw_attr *finn_hw_attr_def(const finn_registry *reg, const finn_node *n,
                                     const char *name)
{
    const finn_hw_op *hw = finn_hw_op_of(reg, n);
    if (!hw)
        return NULL;
    const finn_hw_attr *a = attr_in(hw->attrs, name);
    const finn_hw_op *base = hw_base(reg, hw);
    if (!a && base)
        a = attr_in(base->attrs, name);
    return a ? a : attr_in(COMMON, name);
}

/* Allowed sets FINN declares (get_nodeattr_types); `op` matches a node's
 * op_type or its abstract base, NULL matches every HW op. */
#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})
static const struct {
    const char *op, *attr;
    const char *const *vals;
} ALLOWED[] = {
    {NULL, "preferred_impl_style", SET("", "hls", "rtl")},
    {NULL, "exec_mode", SET("", "rtlsim", "cppsim")},
    {"MVAU", "resType", SET("auto", "lut", "dsp")},
    {"MVAU", "binaryXnorMode", SET("0", "1")},
    {"MVAU", "noActivation", SET("0", "1")},
    {"MVAU", "mem_mode", SET("internal_embedded", "internal_decoupled", "external")},
    {"MVAU", "ram_style", SET("auto", "block", "distributed", "ultra")},
    {"MVAU", "ram_style_thresholds", SET("auto", "block", "distributed")},
    {"MVAU", "runtime_writeable_weights", SET("0", "1")},
    {"VVAU", "resType", SET("auto", "lut", "dsp")},
    {"VVAU", "binaryXnorMode", SET("0", "1")},
    {"VVAU", "noActivation", SET("0", "1")},
    {"VVAU", "mem_mode", SET("internal_embedded", "internal_decoupled", "external")},
    {"VVAU", "ram_style", SET("auto", "block", "distributed", "ultra")},
    {"VVAU", "runtime_writeable_weights", SET("0", "1")},
    {"Thresholding", "runtime_writeable_weights", SET("0", "1")},
    {"Thresholding_hls", "mem_mode", SET("internal_embedded", "internal_decoupled")},
    {"Thresholding_hls", "ram_style", SET("distributed", "block")},
    {"Thresholding_rtl", "uniform_thres", SET("0", "1")},
    {"Thresholding_rtl", "deep_pipeline", SET("0", "1")},
    {"ConvolutionInputGenerator", "depthwise", SET("0", "1")},
    {"ConvolutionInputGenerator", "ram_style", SET("auto", "block", "distributed", "ultra")},
    {"ConvolutionInputGenerator", "parallel_window", SET("0", "1")},
    {"ConvolutionInputGenerator", "dynamic_mode", SET("0", "1")},
    {"FMPadding_rtl", "dynamic_mode", SET("0", "1")},
    {"ChannelwiseOp", "Func", SET("cmp_le", "cmp_ge", "add", "mul")},
    {"ChannelwiseOp", "ram_style", SET("distributed", "block")},
    {"Pool", "Function", SET("MaxPool", "QuantAvgPool")},
    {"StreamingEltwise", "eltwiseOp", SET("Add", "Sub", "AbsDiff")},
    {"Lookup", "mem_mode", SET("internal_embedded", "external")},
    {"StreamingFIFO", "ram_style", SET("auto", "block", "distributed", "ultra")},
    {"StreamingFIFO_rtl", "impl_style", SET("rtl", "vivado")},
};

const char *const *finn_hw_attr_allowed(const finn_registry *reg, const finn_node *n,
                                        const char *name)
{
    const finn_hw_op *hw = finn_hw_op_of(reg, n);
    if (!hw)
        return NULL;
    for (size_t i = 0; i < sizeof ALLOWED / sizeof ALLOWED[0]; i++)
        if (!strcmp(ALLOWED[i].attr, name) &&
            (!ALLOWED[i].op || !strcmp(ALLOWED[i].op, n->op_type) ||
             !strcmp(ALLOWED[i].op, hw->base)))
            return ALLOWED[i].vals;
    return NULL;
}

/* ---- JSON reader ----------------------------------------------------------- */

typedef enum { J_NULL, J_BOOL, J_INT, J_FLOAT, J_STR, J_ARR, J_OBJ } jkind;

typedef struct jval {
    jkind k;
    int64_t i;       /* J_BOOL, J_INT */
    double f;        /* J_FLOAT */
    char *s;         /* J_STR */
    size_t n;        /* J_ARR, J_OBJ */
    struct jval *items;
    char **keys;     /* J_OBJ */
} jval;

static void jfree(jval *v)
{
    free(v->s);
    for (size_t i = 0; i < v->n; i++) {
        jfree(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
}

typedef struct jparser {
    const char *p, *start, *what;
    finn_error *err;
    int depth;
} jparser;

static int jfail(jparser *ps, const char *msg)
{
    size_t line = 1, col = 1;
    for (const char *q = ps->start; q < ps->p; q++)
        line += *q == '\n', col = *q == '\n' ? 1 : col + 1;
    return finn_error_set(ps->err, FINN_ERR_PARSE, "%s:%zu:%zu: invalid JSON: %s", ps->what,
                          line, col, msg);
}

static void jws(jparser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
        ps->p++;
}

static int jvalue(jparser *ps, jval *v);

/* Append a code point as UTF-8. */
static size_t utf8_put(char *out, unsigned cp)
{
    if (cp < 0x80)
        return out[0] = (char)cp, 1;
    if (cp < 0x800)
        return out[0] = (char)(0xC0 | cp >> 6), out[1] = (char)(0x80 | (cp & 0x3F)), 2;
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12), out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18), out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int jhex4(jparser *ps, unsigned *cp)
{
    *cp = 0;
    for (int k = 0; k < 4; k++) {
        char c = *ps->p++;
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16u;
        if (d == 16)
            return jfail(ps, "bad \\u escape");
        *cp = *cp * 16 + d;
    }
    return 0;
}

static int jstring(jparser *ps, char **out)
{
    ps->p++; /* opening quote */
    size_t cap = strlen(ps->p) + 1, len = 0;
    char *s = finn_xmalloc(cap, ps->err); /* escapes never grow the text */
    if (!s)
        return -1;
    for (;;) {
        unsigned char c = (unsigned char)*ps->p;
        if (c == '"')
            break;
        if (c == 0 || c < 0x20) {
            free(s);
            return jfail(ps, c ? "control character in string" : "unterminated string");
        }
        ps->p++;
        if (c != '\\') {
            s[len++] = (char)c;
            continue;
        }
        char e = *ps->p++;
        char lit = e == '"' || e == '\\' || e == '/' ? e
                   : e == 'b'                         ? '\b'
                   : e == 'f'                         ? '\f'
                   : e == 'n'                         ? '\n'
                   : e == 'r'                         ? '\r'
                   : e == 't'                         ? '\t'
                                                      : 0;
        if (lit) {
            s[len++] = lit;
            continue;
        }
        unsigned cp;
        if (e != 'u' || jhex4(ps, &cp)) {
            free(s);
            return e == 'u' ? -1 : jfail(ps, "bad escape in string");
        }
        if (cp >= 0xD800 && cp < 0xDC00 && ps->p[0] == '\\' && ps->p[1] == 'u') {
            unsigned lo;
            ps->p += 2;
            if (jhex4(ps, &lo)) {
                free(s);
                return -1;
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        len += utf8_put(s + len, cp);
    }
    ps->p++;
    s[len] = 0;
    *out = s;
    return 0;
}

static int jnumber(jparser *ps, jval *v)
{
    const char *q = ps->p;
    if (*q == '-')
        q++;
    if (*q < '0' || *q > '9')
        return jfail(ps, "unexpected character");
    bool is_float = false;
    while ((*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' || *q == 'E' || *q == '+' ||
           *q == '-') {
        is_float |= *q == '.' || *q == 'e' || *q == 'E';
        q++;
    }
    char *end;
    errno = 0;
    if (is_float) {
        v->k = J_FLOAT, v->f = strtod(ps->p, &end);
    } else {
        v->k = J_INT, v->i = strtoll(ps->p, &end, 10);
        if (errno == ERANGE)
            return jfail(ps, "integer out of 64-bit range");
    }
    if (end != q)
        return jfail(ps, "malformed number");
    ps->p = q;
    return 0;
}

static int jcontainer(jparser *ps, jval *v, bool obj)
{
    v->k = obj ? J_OBJ : J_ARR;
    char close = obj ? '}' : ']';
    size_t cap = 0;
    ps->p++;
    jws(ps);
    if (*ps->p == close) {
        ps->p++;
        return 0;
    }
    for (;;) {
        if (finn_grow((void **)&v->items, &cap, v->n + 1, sizeof *v->items, ps->err))
            return -1;
        if (obj) {
            size_t kcap = cap;
            char **keys = realloc(v->keys, kcap * sizeof *keys);
            if (!keys)
                return finn_error_set(ps->err, FINN_ERR_NOMEM, "out of memory");
            v->keys = keys;
            jws(ps);
            if (*ps->p != '"')
                return jfail(ps, "expected a string key");
            if (jstring(ps, &v->keys[v->n]))
                return -1;
            memset(&v->items[v->n], 0, sizeof v->items[0]);
            v->n++;
            jws(ps);
            if (*ps->p++ != ':')
                return ps->p--, jfail(ps, "expected ':'");
        } else {
            memset(&v->items[v->n], 0, sizeof v->items[0]);
            v->n++;
        }
        if (jvalue(ps, &v->items[v->n - 1]))
            return -1;
        jws(ps);
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p++ == close)
            return 0;
        ps->p--;
        return jfail(ps, obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int jvalue(jparser *ps, jval *v)
{
    memset(v, 0, sizeof *v);
    jws(ps);
    if (++ps->depth > 64)
        return jfail(ps, "nested too deeply");
    int rc;
    if (*ps->p == '{' || *ps->p == '[')
        rc = jcontainer(ps, v, *ps->p == '{');
    else if (*ps->p == '"')
        v->k = J_STR, rc = jstring(ps, &v->s);
    else if (!strncmp(ps->p, "true", 4) || !strncmp(ps->p, "false", 5)) {
        v->k = J_BOOL, v->i = *ps->p == 't';
        ps->p += v->i ? 4 : 5;
        rc = 0;
    } else if (!strncmp(ps->p, "null", 4))
        v->k = J_NULL, ps->p += 4, rc = 0;
    else
        rc = jnumber(ps, v);
    ps->depth--;
    return rc;
}

static int jparse(const char *text, const char *what, jval *out, finn_error *err)
{
    jparser ps = {text, text, what, err, 0};
    if (jvalue(&ps, out)) {
        jfree(out);
        return -1;
    }
    jws(&ps);
    if (*ps.p) {
        jfree(out);
        return jfail(&ps, "extra data after the top-level value");
    }
    return 0;
}

/* The value of key in an object; the last one wins (Python's json). */
static const jval *jget(const jval *obj, const char *key)
{
    for (size_t i = obj->n; i-- > 0;)
        if (!strcmp(obj->keys[i], key))
            return &obj->items[i];
    return NULL;
}

/* ---- ApplyConfig ---------------------------------------------------------- */

typedef struct strlist {
    size_t n, cap;
    char **v;
} strlist;

static int sl_add(strlist *l, const char *s, finn_error *err)
{
    if (finn_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v, err))
        return -1;
    l->v[l->n] = finn_xstrdup(s, err);
    return l->v[l->n] ? (l->n++, 0) : -1;
}

static bool sl_has(const strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], s))
            return true;
    return false;
}

static void sl_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* A registered op outside the standard domain: what getCustomOp accepts. */
static bool is_custom(const finn_registry *reg, const finn_node *n)
{
    return n->domain[0] && strcmp(n->domain, "ai.onnx") &&
           finn_registry_op(reg, n->domain, n->op_type);
}

typedef struct actx {
    const finn_registry *reg;
    const char *what;
    finn_error *err;
} actx;

static int set_fail(const actx *c, const finn_node *n, const char *attr, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int set_fail(const actx *c, const finn_node *n, const char *attr, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return finn_error_set(c->err, FINN_ERR_INVALID, "config file %s: node '%s' (%s): %s: %s",
                          c->what, n->name, n->op_type, attr, msg);
}

/* The FINN attribute type of a JSON value for an op without a catalogue
 * (onnx.helper.make_attribute's inference). */
static int infer_type(const jval *v)
{
    switch (v->k) {
    case J_BOOL:
    case J_INT:
        return FINN_ATTR_INT;
    case J_FLOAT:
        return FINN_ATTR_FLOAT;
    case J_STR:
        return FINN_ATTR_STRING;
    case J_ARR:
        if (v->n && v->items[0].k == J_STR)
            return FINN_ATTR_STRINGS;
        for (size_t i = 0; i < v->n; i++)
            if (v->items[i].k == J_FLOAT)
                return FINN_ATTR_FLOATS;
        return FINN_ATTR_INTS;
    default:
        return FINN_ATTR_UNDEFINED;
    }
}

static bool is_int(const jval *v) { return v->k == J_INT || v->k == J_BOOL; }
static bool is_num(const jval *v) { return is_int(v) || v->k == J_FLOAT; }
static double num(const jval *v) { return v->k == J_FLOAT ? v->f : (double)v->i; }

static bool all_items(const jval *v, bool (*pred)(const jval *))
{
    for (size_t i = 0; i < v->n; i++)
        if (!pred(&v->items[i]))
            return false;
    return true;
}
static bool is_str(const jval *v) { return v->k == J_STR; }

static int check_allowed(const actx *c, const finn_node *n, const char *attr, const jval *v)
{
    const char *const *ok = finn_hw_attr_allowed(c->reg, n, attr);
    if (!ok || (v->k != J_STR && !is_int(v)))
        return 0;
    char buf[32];
    const char *text = v->k == J_STR ? v->s : buf;
    if (v->k != J_STR)
        snprintf(buf, sizeof buf, "%lld", (long long)v->i);
    char list[256] = "";
    for (size_t i = 0; ok[i]; i++) {
        if (!strcmp(ok[i], text))
            return 0;
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s'%s'", i ? ", " : "", ok[i]);
    }
    return set_fail(c, n, attr, "value '%s' not in {%s}", text, list);
}

/* inst.set_nodeattr(attr, value) with FINN's checks. */
static int set_attr(const actx *c, finn_node *n, const char *attr, const jval *v)
{
    int type;
    if (finn_hw_op_of(c->reg, n)) {
        const finn_hw_attr *def = finn_hw_attr_def(c->reg, n, attr);
        if (!def)
            return set_fail(c, n, attr, "Op has no such attribute");
        type = def->type;
        if (check_allowed(c, n, attr, v))
            return -1;
    } else {
        type = infer_type(v);
    }
    finn_error *err = c->err;
    switch (type) {
    case FINN_ATTR_INT:
        if (!is_int(v))
            return set_fail(c, n, attr, "an integer attribute needs an integer value");
        return finn_node_set_attr_i(n, attr, v->i, err);
    case FINN_ATTR_FLOAT:
        if (!is_num(v))
            return set_fail(c, n, attr, "a float attribute needs a number");
        return finn_node_set_attr_f(n, attr, (float)num(v), err);
    case FINN_ATTR_STRING:
        if (v->k != J_STR)
            return set_fail(c, n, attr, "a string attribute needs a string value");
        return finn_node_set_attr_s(n, attr, v->s, err);
    case FINN_ATTR_INTS: {
        if (v->k != J_ARR || !all_items(v, is_int))
            return set_fail(c, n, attr, "an ints attribute needs a list of integers");
        int64_t *xs = finn_xcalloc(v->n ? v->n : 1, sizeof *xs, err);
        if (!xs)
            return -1;
        for (size_t i = 0; i < v->n; i++)
            xs[i] = v->items[i].i;
        int rc = finn_node_set_attr_ints(n, attr, xs, v->n, err);
        free(xs);
        return rc;
    }
    case FINN_ATTR_FLOATS: {
        if (v->k != J_ARR || !all_items(v, is_num))
            return set_fail(c, n, attr, "a floats attribute needs a list of numbers");
        float *xs = finn_xcalloc(v->n ? v->n : 1, sizeof *xs, err);
        if (!xs)
            return -1;
        for (size_t i = 0; i < v->n; i++)
            xs[i] = (float)num(&v->items[i]);
        int rc = finn_node_set_attr_floats(n, attr, xs, v->n, err);
        free(xs);
        return rc;
    }
    case FINN_ATTR_STRINGS: {
        if (v->k != J_ARR || !all_items(v, is_str))
            return set_fail(c, n, attr, "a strings attribute needs a list of strings");
        const char **xs = finn_xcalloc(v->n ? v->n : 1, sizeof *xs, err);
        if (!xs)
            return -1;
        for (size_t i = 0; i < v->n; i++)
            xs[i] = v->items[i].s;
        int rc = finn_node_set_attr_strings(n, attr, xs, v->n, err);
        free(xs);
        return rc;
    }
    default:
        return set_fail(c, n, attr, "cannot be set from a config file");
    }
}

/* Does a Defaults entry [value, targets] apply to op_type? */
static int default_applies(const actx *c, const char *attr, const jval *d, const char *op_type,
                           bool *applies)
{
    if (d->k != J_ARR || d->n < 2)
        return finn_error_set(c->err, FINN_ERR_INVALID,
                              "config file %s: \"Defaults\" entry '%s' must be [value, "
                              "\"all\" or a list of op types]",
                              c->what, attr);
    const jval *t = &d->items[1];
    *applies = false;
    if (t->k == J_STR) /* Python's `in` on a string is a substring test */
        *applies = !strcmp(t->s, "all") || strstr(t->s, op_type) != NULL;
    else if (t->k == J_ARR)
        for (size_t i = 0; i < t->n; i++)
            *applies |= t->items[i].k == J_STR && !strcmp(t->items[i].s, op_type);
    return 0;
}

static int configure_node(const actx *c, const jval *root, finn_node *n, const jval *entry)
{
    const jval *defaults = jget(root, "Defaults");
    if (!defaults || defaults->k != J_OBJ)
        return finn_error_set(c->err, FINN_ERR_INVALID,
                              "config file %s: needs a \"Defaults\" object (may be empty: "
                              "\"Defaults\": {})",
                              c->what);
    for (size_t i = 0; i < defaults->n; i++) {
        bool applies = false;
        if (jget(root, defaults->keys[i]))
            continue; /* FINN drops defaults named like a top-level key */
        if (default_applies(c, defaults->keys[i], &defaults->items[i], n->op_type, &applies))
            return -1;
        if (applies && set_attr(c, n, defaults->keys[i], &defaults->items[i].items[0]))
            return -1;
    }
    if (!entry)
        return 0;
    if (entry->k != J_OBJ)
        return finn_error_set(c->err, FINN_ERR_INVALID,
                              "config file %s: entry '%s' must be an object of attributes",
                              c->what, n->name);
    for (size_t i = 0; i < entry->n; i++)
        if (set_attr(c, n, entry->keys[i], &entry->items[i]))
            return -1;
    return 0;
}

/* Why key names no custom-op node, and the nearest node names. */
static char *unused_hint(const finn_registry *reg, const finn_model *m, const char *key,
                         finn_error *err)
{
    char buf[512];
    const finn_node *same = finn_model_find_node(m, key);
    if (same) {
        snprintf(buf, sizeof buf, "'%s' is a %s node, not a configurable custom op", key,
                 same->op_type);
        return finn_xstrdup(buf, err);
    }
    /* up to three names by edit distance, ties in graph order */
    const finn_node *best[3] = {NULL, NULL, NULL};
    size_t bd[3] = {0, 0, 0};
    for (size_t i = 0; i < m->n_nodes; i++) {
        const finn_node *n = m->nodes[i];
        if (!n->name[0] || !is_custom(reg, n))
            continue;
        size_t d = finn_edit_distance(key, n->name);
        for (int k = 0; k < 3; k++) {
            if (!best[k] || d < bd[k]) {
                for (int j = 2; j > k; j--)
                    best[j] = best[j - 1], bd[j] = bd[j - 1];
                best[k] = n, bd[k] = d;
                break;
            }
        }
    }
    int len = snprintf(buf, sizeof buf, "'%s' names no node", key);
    for (int k = 0; k < 3 && best[k]; k++)
        len += snprintf(buf + len, sizeof buf - (size_t)len, "%s%s", k ? ", " : "; nearest: ",
                        best[k]->name);
    if (!best[0])
        snprintf(buf + len, sizeof buf - (size_t)len, "; the model has no named custom-op node");
    return finn_xstrdup(buf, err);
}

static int apply_root(const actx *c, finn_model *m, const jval *root, strlist *missing,
                      strlist *used)
{
    if (sl_add(used, "Defaults", c->err))
        return -1;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        const jval *entry = jget(root, n->name);
        if (!entry && sl_add(missing, n->name, c->err))
            return -1;
        if (!is_custom(c->reg, n))
            continue;
        if (sl_add(used, n->name, c->err) || configure_node(c, root, n, entry))
            return -1;
    }
    return 0;
}

static int fill_report(const finn_registry *reg, const finn_model *m, const jval *root,
                       strlist *missing, const strlist *used, finn_hw_config_report *rep,
                       finn_error *err)
{
    strlist unused = {0};
    for (size_t i = 0; i < root->n; i++)
        if (!sl_has(used, root->keys[i]) && !sl_has(&unused, root->keys[i]) &&
            sl_add(&unused, root->keys[i], err)) {
            sl_free(&unused);
            return -1;
        }
    rep->n_missing = missing->n, rep->missing = missing->v;
    memset(missing, 0, sizeof *missing);
    rep->n_unused = unused.n, rep->unused = unused.v;
    rep->hints = finn_xcalloc(unused.n ? unused.n : 1, sizeof *rep->hints, err);
    if (!rep->hints)
        return -1;
    for (size_t i = 0; i < unused.n; i++)
        if (!(rep->hints[i] = unused_hint(reg, m, unused.v[i], err)))
            return -1;
    return 0;
}

int finn_hw_apply_config_text(const finn_registry *reg, finn_model *m, const char *text,
                              const char *what, finn_hw_config_report *rep, finn_error *err)
{
    if (rep)
        memset(rep, 0, sizeof *rep);
    jval root;
    if (jparse(text, what, &root, err))
        return -1;
    actx c = {reg, what, err};
    strlist missing = {0}, used = {0};
    int rc = 0;
    if (root.k != J_OBJ)
        rc = finn_error_set(err, FINN_ERR_INVALID, "config file %s: top level must be an object",
                            what);
    if (!rc)
        rc = apply_root(&c, m, &root, &missing, &used);
    if (!rc && rep && fill_report(reg, m, &root, &missing, &used, rep, err)) {
        finn_hw_config_report_free(rep);
        rc = -1;
    }
    sl_free(&missing);
    sl_free(&used);
    jfree(&root);
    return rc;
}

int finn_hw_apply_config(const finn_registry *reg, finn_model *m, const char *path,
                         finn_hw_config_report *rep, finn_error *err)
{
    if (rep)
        memset(rep, 0, sizeof *rep);
    void *data;
    size_t len;
    if (finn_read_file(path, &data, &len, err))
        return -1;
    int rc = finn_hw_apply_config_text(reg, m, data, path, rep, err);
    free(data);
    return rc;
}

void finn_hw_config_report_free(finn_hw_config_report *rep)
{
    if (!rep)
        return;
    for (size_t i = 0; i < rep->n_missing; i++)
        free(rep->missing[i]);
    for (size_t i = 0; i < rep->n_unused; i++) {
        free(rep->unused[i]);
        if (rep->hints)
            free(rep->hints[i]);
    }
    free(rep->missing);
    free(rep->unused);
    free(rep->hints);
    memset(rep, 0, sizeof *rep);
}

/* "<prefix>a, b, c" (malloc'ed). */
static char *joined(const char *prefix, char *const *v, size_t n)
{
    size_t len = strlen(prefix) + 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(v[i]) + 2;
    char *s = malloc(len);
    if (!s)
        return NULL;
    strcpy(s, prefix);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(s, ", ");
        strcat(s, v[i]);
    }
    return s;
}

void finn_hw_config_report_say(const finn_hw_config_report *rep, finn_hw_say_fn say, void *ud)
{
    if (rep->n_missing) {
        char *s = joined("No HW configuration for nodes: ", rep->missing, rep->n_missing);
        say(ud, s ? s : "No HW configuration for some nodes (out of memory)");
        free(s);
    }
    if (rep->n_unused) {
        char *s = joined("Unused HW configurations: ", rep->unused, rep->n_unused);
        say(ud, s ? s : "Unused HW configurations (out of memory)");
        free(s);
    }
    for (size_t i = 0; i < rep->n_unused; i++)
        say(ud, rep->hints[i]);
}

/* ---- extract_model_config_to_json ----------------------------------------- */

typedef struct sbuf {
    char *s;
    size_t len, cap;
    bool oom;
} sbuf;

static void sb_put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_put(sbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->len + (size_t)need + 1 > b->cap) {
        size_t cap = (b->len + (size_t)need + 1) * 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = true;
            return;
        }
        b->s = s, b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)need;
}

/* A JSON string as Python writes it (ensure_ascii). */
static void sb_str(sbuf *b, const char *s)
{
    sb_put(b, "\"");
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned cp = *p++;
        int extra = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;
        if (extra) {
            cp &= 0x3Fu >> extra;
            for (int k = 0; k < extra && (*p & 0xC0) == 0x80; k++)
                cp = cp << 6 | (*p++ & 0x3Fu);
        }
        if (cp == '"' || cp == '\\')
            sb_put(b, "\\%c", (char)cp);
        else if (cp == '\n')
            sb_put(b, "\\n");
        else if (cp == '\r')
            sb_put(b, "\\r");
        else if (cp == '\t')
            sb_put(b, "\\t");
        else if (cp == '\b')
            sb_put(b, "\\b");
        else if (cp == '\f')
            sb_put(b, "\\f");
        else if (cp < 0x20 || (cp > 0x7F && cp < 0x10000))
            sb_put(b, "\\u%04x", cp);
        else if (cp >= 0x10000)
            sb_put(b, "\\u%04x\\u%04x", 0xD800 + ((cp - 0x10000) >> 10),
                   0xDC00 + ((cp - 0x10000) & 0x3FF));
        else
            sb_put(b, "%c", (char)cp);
    }
    sb_put(b, "\"");
}

/* Python's repr of a float: shortest round-trip digits, fixed notation for
 * exponents -4..15, else d.ddde+XX. */
static void sb_float(sbuf *b, double x)
{
    if (isnan(x) || isinf(x)) {
        sb_put(b, "%s", isnan(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity");
        return;
    }
    char e[40];
    for (int p = 0; p < 17; p++) {
        snprintf(e, sizeof e, "%.*e", p, x);
        if (strtod(e, NULL) == x)
            break;
    }
    char *ep = strchr(e, 'e');
    int exp = atoi(ep + 1);
    *ep = 0;
    char digits[40];
    size_t nd = 0;
    bool neg = e[0] == '-';
    for (const char *q = e; *q; q++)
        if (*q >= '0' && *q <= '9')
            digits[nd++] = *q;
    digits[nd] = 0;
    while (nd > 1 && digits[nd - 1] == '0')
        digits[--nd] = 0;
    if (neg)
        sb_put(b, "-");
    if (exp < -4 || exp >= 16) {
        sb_put(b, "%c%s%s", digits[0], nd > 1 ? "." : "", digits + 1);
        sb_put(b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    } else if (exp < 0) {
        sb_put(b, "0.");
        for (int k = 1; k < -exp; k++)
            sb_put(b, "0");
        sb_put(b, "%s", digits);
    } else {
        for (int k = 0; k <= exp; k++)
            sb_put(b, "%c", (size_t)k < nd ? digits[k] : '0');
        sb_put(b, ".%s", (size_t)exp + 1 < nd ? digits + exp + 1 : "0");
    }
}

/* List items, one per line at indent `ind` + 2, closing bracket at `ind`. */
typedef void (*item_fn)(sbuf *b, const void *v, size_t i);
static void sb_list(sbuf *b, size_t n, const void *v, item_fn put, int ind)
{
    if (!n) {
        sb_put(b, "[]");
        return;
    }
    sb_put(b, "[");
    for (size_t i = 0; i < n; i++) {
        sb_put(b, "%s\n%*s", i ? "," : "", ind + 2, "");
        put(b, v, i);
    }
    sb_put(b, "\n%*s]", ind, "");
}
static void put_i(sbuf *b, const void *v, size_t i)
{
    sb_put(b, "%lld", (long long)((const int64_t *)v)[i]);
}
static void put_f(sbuf *b, const void *v, size_t i) { sb_float(b, ((const float *)v)[i]); }
static void put_s(sbuf *b, const void *v, size_t i) { sb_str(b, ((char *const *)v)[i]); }

/* A stored attribute's value. */
static void sb_attr(sbuf *b, const finn_attr *a, int ind)
{
    switch (a->type) {
    case FINN_ATTR_INT:
        sb_put(b, "%lld", (long long)a->i);
        break;
    case FINN_ATTR_FLOAT:
        sb_float(b, a->f);
        break;
    case FINN_ATTR_STRING:
        sb_str(b, a->s ? a->s : "");
        break;
    case FINN_ATTR_INTS:
        sb_list(b, a->n, a->ints, put_i, ind);
        break;
    case FINN_ATTR_FLOATS:
        sb_list(b, a->n, a->floats, put_f, ind);
        break;
    case FINN_ATTR_STRINGS:
        sb_list(b, a->n, a->strings, put_s, ind);
        break;
    default:
        sb_put(b, "null");
    }
}

/* A default given as catalogue text ("0", "auto", "[1]", "[2, 2]"). */
static void sb_default(sbuf *b, const finn_hw_attr *d, int ind)
{
    if (d->type == FINN_ATTR_STRING) {
        sb_str(b, d->dflt);
        return;
    }
    if (d->type != FINN_ATTR_INTS && d->type != FINN_ATTR_FLOATS) {
        if (d->type == FINN_ATTR_FLOAT)
            sb_float(b, strtod(d->dflt, NULL));
        else
            sb_put(b, "%s", d->dflt);
        return;
    }
    double xs[64];
    size_t n = 0;
    const char *p = d->dflt + (d->dflt[0] == '[');
    char *end;
    while (n < 64) {
        double x = strtod(p, &end);
        if (end == p)
            break;
        xs[n++] = x;
        p = end + (*end == ',');
    }
    if (!n) {
        sb_put(b, "[]");
        return;
    }
    sb_put(b, "[");
    for (size_t i = 0; i < n; i++) {
        sb_put(b, "%s\n%*s", i ? "," : "", ind + 2, "");
        if (d->type == FINN_ATTR_INTS)
            sb_put(b, "%lld", (long long)xs[i]);
        else
            sb_float(b, xs[i]);
    }
    sb_put(b, "\n%*s]", ind, "");
}

/* The node's entry; false when it defines none of attrs. */
static bool node_entry(sbuf *b, const finn_registry *reg, const finn_node *n,
                       const char *const *attrs, size_t n_attrs)
{
    size_t written = 0;
    for (size_t k = 0; k < n_attrs; k++) {
        const finn_hw_attr *d = finn_hw_attr_def(reg, n, attrs[k]);
        const finn_attr *a = finn_node_attr(n, attrs[k]);
        /* unknown attributes are skipped, as are required ones left unset
         * and tensors (no JSON form) */
        if (!d || d->type == FINN_ATTR_TENSOR || (!a && !d->dflt))
            continue;
        sb_put(b, "%s\n    ", written ? "," : " {");
        sb_str(b, attrs[k]);
        sb_put(b, ": ");
        if (a)
            sb_attr(b, a, 4);
        else
            sb_default(b, d, 4);
        written++;
    }
    if (written)
        sb_put(b, "\n  }");
    return written > 0;
}

int finn_hw_extract_config(const finn_registry *reg, const finn_model *m,
                           const char *const *attrs, size_t n_attrs, char **json,
                           finn_error *err)
{
    sbuf b = {0};
    sb_put(&b, "{\n  \"Defaults\": {}");
    for (size_t i = 0; i < m->n_nodes; i++) {
        const finn_node *n = m->nodes[i];
        size_t mark = b.len;
        sb_put(&b, ",\n  ");
        sb_str(&b, n->name);
        sb_put(&b, ":");
        if (!node_entry(&b, reg, n, attrs, n_attrs) && !b.oom) {
            b.len = mark; /* no attribute: the node is left out */
            b.s[mark] = 0;
        }
    }
    sb_put(&b, "\n}");
    if (b.oom) {
        free(b.s);
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory writing a config JSON");
    }
    *json = b.s;
    return 0;
}

int finn_hw_write_config(const finn_registry *reg, const finn_model *m, const char *const *attrs,
                         size_t n_attrs, const char *path, finn_error *err)
{
    char *json;
    if (finn_hw_extract_config(reg, m, attrs, n_attrs, &json, err))
        return -1;
    int rc = finn_write_file(path, json, strlen(json), err);
    free(json);
    return rc;
}
