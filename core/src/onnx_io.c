/*
 * onnx_io.c - ONNX files to and from the IR, through protobuf-c code
 * generated from schemas/onnx.proto.
 *
 * Faithful round trip: the unpacked ModelProto of a loaded file is kept
 * (model_priv.source).  Saving builds a fresh ModelProto from the IR but
 * carries over, by shallow pointer, what the IR does not model: unknown
 * fields (functions, training info, sparse initializers, ...), doc strings,
 * and the encoding of every initializer that kept its name, type and shape
 * (and content, for the small element-wise encodings), so an unchanged
 * model is written back byte for byte.  Weight bytes (raw_data) are not
 * kept in the proto: the loader reads them straight from the file into
 * tensors (onnx_strip.h) and saving takes them from the IR.
 */
#include "model_priv.h"
#include "onnx.pb-c.h"
#include "onnx_strip.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void finn_model_source_release(model_source *src)
{
    if (!src || --src->refcount > 0)
        return;
    onnx__model_proto__free_unpacked(src->proto, NULL);
    free(src);
}

/* ======================= loading ========================================== */

/* Where raw_data payloads are read from when a model comes from a file:
 * pread from fd at their offset in the mapped bytes (base), so the payload
 * pages of the mapping are never touched and no second copy is made. */
typedef struct raw_reader {
    int fd;
    const uint8_t *base;
    size_t len;
} raw_reader;

static int read_at(int fd, void *dst, size_t len, size_t off)
{
    uint8_t *p = dst;
    while (len > 0) {
        ssize_t r = pread(fd, p, len, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        off += (size_t)r;
        len -= (size_t)r;
    }
    return 0;
}

static int tensor_from_proto(const Onnx__TensorProto *tp, const raw_reader *rd, const char *what,
                             finn_tensor **out, finn_error *err)
{
    int type = tp->data_type;
    if (finn_elem_size((finn_elem_type)type) == 0)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "%s: element type %d is not supported", what, type);
    if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "%s: external tensor data is not supported", what);
    if (tp->n_dims > FINN_MAX_DIMS)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED, "%s: %zu dimensions (at most %d)", what,
                              tp->n_dims, FINN_MAX_DIMS);
    for (size_t i = 0; i < tp->n_dims; i++)
        if (tp->dims[i] < 0)
            return finn_error_set(err, FINN_ERR_PARSE, "%s: negative dimension", what);
    /* raw data of the right size fills the whole tensor: no zero fill */
    size_t want = finn_shape_numel((int)tp->n_dims, tp->dims) * finn_elem_size((finn_elem_type)type);
    bool filled = tp->has_raw_data && tp->raw_data.len == want;
    finn_tensor *t = filled ? finn_tensor_new_uninit((finn_elem_type)type, (int)tp->n_dims,
                                                     tp->dims, err)
                            : finn_tensor_new((finn_elem_type)type, (int)tp->n_dims, tp->dims, err);
    if (!t)
        return -1;
    size_t n = finn_tensor_numel(t), nbytes = finn_tensor_nbytes(t);
    size_t have = 0;
    if (tp->has_raw_data) {
        have = tp->raw_data.len;
        const uint8_t *raw = tp->raw_data.data;
        bool in_file = rd && raw >= rd->base && (size_t)(raw - rd->base) + nbytes <= rd->len;
        if (have != nbytes) {
            have = SIZE_MAX;
        } else if (in_file && read_at(rd->fd, t->data, nbytes, (size_t)(raw - rd->base))) {
            int e = errno;
            finn_tensor_free(t);
            return finn_error_set(err, FINN_ERR_IO, "%s: cannot read the data: %s", what,
                                  strerror(e ? e : EIO));
        } else if (!in_file) {
            memcpy(t->data, raw, nbytes);
        }
    } else {
        switch (type) {
        case FINN_ELEM_FLOAT:
            have = tp->n_float_data;
            if (have == n)
                memcpy(t->data, tp->float_data, nbytes);
            break;
        case FINN_ELEM_INT64:
            have = tp->n_int64_data;
            if (have == n)
                memcpy(t->data, tp->int64_data, nbytes);
            break;
        case FINN_ELEM_DOUBLE:
            have = tp->n_double_data;
            if (have == n)
                memcpy(t->data, tp->double_data, nbytes);
            break;
        case FINN_ELEM_UINT32:
        case FINN_ELEM_UINT64:
            have = tp->n_uint64_data;
            for (size_t i = 0; have == n && i < n; i++) {
                if (type == FINN_ELEM_UINT32)
                    ((uint32_t *)t->data)[i] = (uint32_t)tp->uint64_data[i];
                else
                    ((uint64_t *)t->data)[i] = tp->uint64_data[i];
            }
            break;
        default: /* int32 field carries int8/16/32, uint8/16, bool, float16 bits */
            have = tp->n_int32_data;
            for (size_t i = 0; have == n && i < n; i++) {
                int32_t v = tp->int32_data[i];
                switch (type) {
                case FINN_ELEM_INT32: ((int32_t *)t->data)[i] = v; break;
                case FINN_ELEM_INT16: ((int16_t *)t->data)[i] = (int16_t)v; break;
                case FINN_ELEM_INT8: ((int8_t *)t->data)[i] = (int8_t)v; break;
                case FINN_ELEM_UINT16:
                case FINN_ELEM_FLOAT16: ((uint16_t *)t->data)[i] = (uint16_t)v; break;
                default: ((uint8_t *)t->data)[i] = (uint8_t)v; break;
                }
            }
            break;
        }
    }
    if (have != n && !(tp->has_raw_data && have == nbytes)) {
        finn_tensor_free(t);
        return finn_error_set(err, FINN_ERR_PARSE, "%s: data size does not match shape %zu elements",
                              what, n);
    }
    *out = t;
    return 0;
}

static int set_value_type(finn_value *v, const Onnx__TypeProto *tp, finn_error *err)
{
    if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type)
        return 0;
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    if (tt->has_elem_type)
        v->elem = (finn_elem_type)tt->elem_type;
    if (!tt->shape)
        return 0;
    if (tt->shape->n_dim > FINN_MAX_DIMS)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED, "tensor '%s': %zu dimensions (at most %d)",
                              v->name, tt->shape->n_dim, FINN_MAX_DIMS);
    v->ndim = (int)tt->shape->n_dim;
    for (size_t i = 0; i < tt->shape->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
        v->shape[i] = -1;
        free(v->dim_param[i]);
        v->dim_param[i] = NULL;
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
            v->shape[i] = d->dim_value;
        else if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM &&
                 !(v->dim_param[i] = finn_xstrdup(d->dim_param, err)))
            return -1;
    }
    return 0;
}

static int load_value_info(finn_model *m, const Onnx__ValueInfoProto *vi, char **list_slot,
                           finn_error *err)
{
    const char *name = vi->name ? vi->name : "";
    finn_value *v = finn_model_get_or_add_value(m, name, err);
    if (!v || set_value_type(v, vi->type, err))
        return -1;
    if (list_slot) {
        if (!(*list_slot = finn_xstrdup(name, err)))
            return -1;
    } else if (!v->in_value_info) {
        v->in_value_info = true;
        v->vi_order = finn_model_next_order(m);
    }
    return 0;
}

static finn_attr_type attr_kind(const Onnx__AttributeProto *a)
{
    if (a->has_type)
        return (finn_attr_type)a->type;
    /* IR version < 2 files leave the type out: infer it from the field set */
    if (a->has_f) return FINN_ATTR_FLOAT;
    if (a->has_i) return FINN_ATTR_INT;
    if (a->has_s) return FINN_ATTR_STRING;
    if (a->t) return FINN_ATTR_TENSOR;
    if (a->g) return FINN_ATTR_GRAPH;
    if (a->n_floats) return FINN_ATTR_FLOATS;
    if (a->n_ints) return FINN_ATTR_INTS;
    if (a->n_strings) return FINN_ATTR_STRINGS;
    return FINN_ATTR_UNDEFINED;
}

static int attr_keep_opaque(finn_attr *dst, const Onnx__AttributeProto *a, finn_error *err)
{
    dst->type = attr_kind(a);
    dst->opaque_len = onnx__attribute_proto__get_packed_size(a);
    dst->opaque = finn_xmalloc(dst->opaque_len, err);
    if (!dst->opaque)
        return -1;
    onnx__attribute_proto__pack(a, dst->opaque);
    return 0;
}

static int load_attr(finn_attr *dst, const Onnx__AttributeProto *a, const char *node,
                     finn_error *err)
{
    memset(dst, 0, sizeof *dst);
    if (!(dst->name = finn_xstrdup(a->name, err)))
        return -1;
    finn_attr_type k = attr_kind(a);
    bool plain = !a->ref_attr_name && !a->doc_string && a->base.n_unknown_fields == 0;
    switch (plain ? k : FINN_ATTR_UNDEFINED) {
    case FINN_ATTR_FLOAT:
        dst->type = k;
        dst->f = a->f;
        return 0;
    case FINN_ATTR_INT:
        dst->type = k;
        dst->i = a->i;
        return 0;
    case FINN_ATTR_STRING:
        dst->type = k;
        dst->s_len = a->s.len;
        if (!(dst->s = finn_xmalloc(a->s.len + 1, err)))
            return -1;
        if (a->s.len)
            memcpy(dst->s, a->s.data, a->s.len);
        dst->s[a->s.len] = 0;
        return 0;
    case FINN_ATTR_TENSOR: {
        char what[600];
        snprintf(what, sizeof what, "node '%s' attribute '%s'", node, a->name ? a->name : "");
        finn_error tmp;
        if (a->t && tensor_from_proto(a->t, NULL, what, &dst->t, &tmp) == 0) {
            dst->type = k;
            return 0;
        }
        return attr_keep_opaque(dst, a, err); /* e.g. a string tensor */
    }
    case FINN_ATTR_FLOATS:
        dst->type = k;
        dst->n = a->n_floats;
        if (!(dst->floats = finn_xmalloc(a->n_floats * sizeof(float), err)))
            return -1;
        if (a->n_floats)
            memcpy(dst->floats, a->floats, a->n_floats * sizeof(float));
        return 0;
    case FINN_ATTR_INTS:
        dst->type = k;
        dst->n = a->n_ints;
        if (!(dst->ints = finn_xmalloc(a->n_ints * sizeof(int64_t), err)))
            return -1;
        if (a->n_ints)
            memcpy(dst->ints, a->ints, a->n_ints * sizeof(int64_t));
        return 0;
    case FINN_ATTR_STRINGS:
        dst->type = k;
        if (!(dst->strings = finn_xcalloc(a->n_strings ? a->n_strings : 1, sizeof(char *), err)))
            return -1;
        for (size_t i = 0; i < a->n_strings; i++) {
            if (!(dst->strings[i] = finn_xmalloc(a->strings[i].len + 1, err)))
                return -1;
            dst->n = i + 1;
            if (a->strings[i].len)
                memcpy(dst->strings[i], a->strings[i].data, a->strings[i].len);
            dst->strings[i][a->strings[i].len] = 0;
        }
        return 0;
    default:
        return attr_keep_opaque(dst, a, err);
    }
}

static int load_node(finn_model *m, const Onnx__NodeProto *np, finn_error *err)
{
    finn_node *n = finn_node_new(np->op_type ? np->op_type : "", np->domain, np->name, err);
    if (!n)
        return -1;
    for (size_t i = 0; i < np->n_input; i++)
        if (finn_node_add_input(n, np->input[i], err))
            goto fail;
    for (size_t i = 0; i < np->n_output; i++)
        if (finn_node_add_output(n, np->output[i], err))
            goto fail;
    if (np->n_attribute) {
        n->attrs = finn_xcalloc(np->n_attribute, sizeof *n->attrs, err);
        if (!n->attrs)
            goto fail;
        for (size_t i = 0; i < np->n_attribute; i++) {
            n->n_attrs = i + 1;
            if (load_attr(&n->attrs[i], np->attribute[i], n->name, err))
                goto fail;
        }
    }
    n->explicit_empty = (np->name && !np->name[0] ? 1 : 0) | (np->domain && !np->domain[0] ? 2 : 0);
    if (np->doc_string && !(n->doc_string = finn_xstrdup(np->doc_string, err)))
        goto fail;
    if (finn_model_insert_node(m, m->n_nodes, n, err))
        goto fail;
    return 0;
fail:
    finn_node_free(n);
    return -1;
}

static int load_graph(finn_model *m, const Onnx__ModelProto *mp, const raw_reader *rd,
                      finn_error *err)
{
    const Onnx__GraphProto *g = mp->graph;
    free(m->graph_name);
    if (!(m->graph_name = finn_xstrdup(g->name ? g->name : "", err)))
        return -1;
    m->ir_version = mp->has_ir_version ? mp->ir_version : 0;
    m->model_version = mp->has_model_version ? mp->model_version : 0;
#define DUP_OPT(dst, src)                                          \
    if ((src) && !((dst) = finn_xstrdup((src), err)))              \
        return -1;
    DUP_OPT(m->producer_name, mp->producer_name)
    DUP_OPT(m->producer_version, mp->producer_version)
    DUP_OPT(m->model_domain, mp->domain)
    DUP_OPT(m->doc_string, mp->doc_string)
#undef DUP_OPT
    for (size_t i = 0; i < mp->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *o = mp->opset_import[i];
        finn_opset *a = realloc(m->opsets, (m->n_opsets + 1) * sizeof *a);
        if (!a)
            return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        m->opsets = a;
        if (!(a[m->n_opsets].domain = finn_xstrdup(o->domain ? o->domain : "", err)))
            return -1;
        a[m->n_opsets++].version = o->has_version ? o->version : 0;
    }
    for (size_t i = 0; i < mp->n_metadata_props; i++) {
        const Onnx__StringStringEntryProto *kv = mp->metadata_props[i];
        if (finn_model_set_meta(m, kv->key ? kv->key : "", kv->value ? kv->value : "", err))
            return -1;
    }
    m->inputs = finn_xcalloc(g->n_input ? g->n_input : 1, sizeof(char *), err);
    m->outputs = finn_xcalloc(g->n_output ? g->n_output : 1, sizeof(char *), err);
    if (!m->inputs || !m->outputs)
        return -1;
    for (size_t i = 0; i < g->n_input; i++) {
        m->n_inputs = i + 1;
        if (load_value_info(m, g->input[i], &m->inputs[i], err))
            return -1;
    }
    for (size_t i = 0; i < g->n_output; i++) {
        m->n_outputs = i + 1;
        if (load_value_info(m, g->output[i], &m->outputs[i], err))
            return -1;
    }
    for (size_t i = 0; i < g->n_value_info; i++)
        if (load_value_info(m, g->value_info[i], NULL, err))
            return -1;
    for (size_t i = 0; i < g->n_initializer; i++) {
        const Onnx__TensorProto *tp = g->initializer[i];
        const char *name = tp->name ? tp->name : "";
        char what[600];
        snprintf(what, sizeof what, "initializer '%s'", name);
        finn_tensor *t;
        if (tensor_from_proto(tp, rd, what, &t, err))
            return -1;
        finn_value *v = finn_model_get_or_add_value(m, name, err);
        if (!v) {
            finn_tensor_free(t);
            return -1;
        }
        /* keep a value_info shape (it may carry dim_params) but take the data */
        finn_tensor_free(v->init);
        v->init = t;
        v->init_order = finn_model_next_order(m);
        if (v->elem == FINN_ELEM_UNDEFINED)
            v->elem = t->type;
        if (v->ndim < 0) {
            v->ndim = t->ndim;
            memcpy(v->shape, t->shape, sizeof(int64_t) * (size_t)t->ndim);
        }
        if (finn_model_add_origin(m, t, name, tp, err))
            return -1;
    }
    for (size_t i = 0; i < g->n_quantization_annotation; i++) {
        const Onnx__TensorAnnotation *ta = g->quantization_annotation[i];
        const char *name = ta->tensor_name ? ta->tensor_name : "";
        finn_value *v = finn_model_get_or_add_value(m, name, err);
        if (!v)
            return -1;
        for (size_t k = 0; k < ta->n_quant_parameter_tensor_names; k++) {
            const Onnx__StringStringEntryProto *kv = ta->quant_parameter_tensor_names[k];
            if (finn_model_set_annotation(m, name, kv->key ? kv->key : "",
                                          kv->value ? kv->value : "", err))
                return -1;
        }
        v->annot_order = finn_model_next_order(m);
    }
    for (size_t i = 0; i < g->n_node; i++)
        if (load_node(m, g->node[i], err))
            return -1;
    return 0;
}

/* Unpacks buf; the initializers' raw_data then point into buf (see
 * onnx_strip.h) until unborrow_raw_data. */
static Onnx__ModelProto *unpack_model(const void *buf, size_t len, raw_span **spans,
                                      size_t *n_spans, bool *nomem)
{
    uint8_t *stripped;
    size_t stripped_len;
    int rc = onnx_strip_raw_data(buf, len, &stripped, &stripped_len, spans, n_spans);
    *nomem = rc < 0;
    if (rc < 0)
        return NULL;
    if (rc > 0) /* not in the expected shape: protobuf-c finds what is wrong */
        return onnx__model_proto__unpack(NULL, len, buf);
    Onnx__ModelProto *mp = onnx__model_proto__unpack(NULL, stripped_len, stripped);
    free(stripped);
    for (size_t i = 0; mp && mp->graph && i < *n_spans; i++) {
        if ((*spans)[i].index >= mp->graph->n_initializer)
            continue;
        Onnx__TensorProto *tp = mp->graph->initializer[(*spans)[i].index];
        tp->has_raw_data = 1;
        tp->raw_data.len = (*spans)[i].len;
        tp->raw_data.data = (uint8_t *)(*spans)[i].data;
    }
    return mp;
}

/* The kept proto must not point into the loaded bytes: its initializers
 * keep their metadata only (saving takes the data from the IR). */
static void unborrow_raw_data(Onnx__ModelProto *mp, const raw_span *spans, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (spans[i].index < mp->graph->n_initializer)
            mp->graph->initializer[spans[i].index]->raw_data.data = NULL;
}

static int parse(const void *buf, size_t len, const raw_reader *rd, const char *what,
                 finn_model **out, finn_error *err)
{
    *out = NULL;
    raw_span *spans = NULL;
    size_t n_spans = 0;
    bool nomem;
    Onnx__ModelProto *mp = unpack_model(buf, len, &spans, &n_spans, &nomem);
    if (!mp) {
        free(spans);
        if (nomem)
            return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        return finn_error_set(err, FINN_ERR_PARSE,
                              "%s: not a valid ONNX model (truncated or not protobuf)", what);
    }
    if (!mp->graph || !mp->has_ir_version) {
        const char *missing = mp->graph ? "ir_version" : "graph";
        onnx__model_proto__free_unpacked(mp, NULL);
        free(spans);
        return finn_error_set(err, FINN_ERR_PARSE, "%s: not an ONNX model (no %s)", what,
                              missing);
    }
    finn_model *m = finn_model_new("", err);
    model_source *src = m ? finn_xcalloc(1, sizeof *src, err) : NULL;
    if (!src) {
        unborrow_raw_data(mp, spans, n_spans);
        free(spans);
        onnx__model_proto__free_unpacked(mp, NULL);
        finn_model_free(m);
        return -1;
    }
    src->refcount = 1;
    src->proto = mp;
    model_priv_of(m)->source = src;
    int rc = load_graph(m, mp, rd, err);
    unborrow_raw_data(mp, spans, n_spans);
    free(spans);
    if (rc) {
        finn_error_prefix(err, "%s: ", what);
        finn_model_free(m);
        return -1;
    }
    *out = m;
    return 0;
}

int finn_model_parse(const void *buf, size_t len, const char *what, finn_model **out,
                     finn_error *err)
{
    return parse(buf, len, NULL, what, out, err);
}

/* The file is mapped for the walk over its structure, which touches only
 * the pages holding field headers; the weights are read with pread
 * straight into their tensors.  No copy of the whole file is ever held,
 * so loading adds one model's size to the heap, not two, and leaves no
 * file-sized hole in it.  Files that cannot be mapped are read whole. */
int finn_model_load(const char *path, finn_model **out, finn_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    void *map = MAP_FAILED;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map != MAP_FAILED) {
        raw_reader rd = {fd, map, (size_t)st.st_size};
        int rc = parse(map, rd.len, &rd, path, out, err);
        munmap(map, rd.len);
        close(fd);
        return rc;
    }
    if (fd >= 0)
        close(fd);
    void *buf;
    size_t len;
    if (finn_read_file(path, &buf, &len, err))
        return -1;
    int rc = parse(buf, len, NULL, path, out, err);
    free(buf);
    return rc;
}

/* ======================= saving ============================================ */

/* Everything allocated to build the ModelProto, freed together. */
typedef struct arena {
    void **ptrs;
    size_t n, cap;
    Onnx__AttributeProto **unpacked; /* opaque attributes, freed with free_unpacked */
    size_t n_unpacked, cap_unpacked;
    bool failed;
} arena;

static void *arena_alloc(arena *a, size_t size)
{
    if (a->failed)
        return NULL;
    if (finn_grow((void **)&a->ptrs, &a->cap, a->n + 1, sizeof *a->ptrs, NULL)) {
        a->failed = true;
        return NULL;
    }
    void *p = calloc(1, size ? size : 1);
    if (!p) {
        a->failed = true;
        return NULL;
    }
    a->ptrs[a->n++] = p;
    return p;
}

static void arena_free(arena *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->ptrs[i]);
    free(a->ptrs);
    for (size_t i = 0; i < a->n_unpacked; i++)
        onnx__attribute_proto__free_unpacked(a->unpacked[i], NULL);
    free(a->unpacked);
}

/* A message of the arena, initialised from its protobuf-c INIT value. */
static void *new_msg(arena *a, size_t size, const void *init)
{
    void *p = arena_alloc(a, size);
    if (p)
        memcpy(p, init, size);
    return p;
}
#define NEW(a, T, INIT) ((T *)new_msg((a), sizeof(T), &(T)INIT))

static Onnx__TensorProto *tensor_to_proto(arena *a, const finn_tensor *t, const char *name)
{
    Onnx__TensorProto *tp = NEW(a, Onnx__TensorProto, ONNX__TENSOR_PROTO__INIT);
    if (!tp)
        return NULL;
    tp->n_dims = (size_t)t->ndim;
    tp->dims = (int64_t *)t->shape;
    tp->has_data_type = 1;
    tp->data_type = t->type;
    tp->name = (char *)name;
    tp->has_raw_data = 1;
    tp->raw_data.len = finn_tensor_nbytes(t);
    tp->raw_data.data = t->data; /* little-endian hosts only (as x86/ARM) */
    return tp;
}

static Onnx__ValueInfoProto *value_info_of(arena *a, const finn_model *m, const char *name)
{
    Onnx__ValueInfoProto *vi = NEW(a, Onnx__ValueInfoProto, ONNX__VALUE_INFO_PROTO__INIT);
    if (!vi)
        return NULL;
    vi->name = (char *)name;
    const finn_value *v = finn_model_value(m, name);
    if (!v || (v->elem == FINN_ELEM_UNDEFINED && v->ndim < 0))
        return vi;
    Onnx__TypeProto *tp = NEW(a, Onnx__TypeProto, ONNX__TYPE_PROTO__INIT);
    Onnx__TypeProto__Tensor *tt = NEW(a, Onnx__TypeProto__Tensor, ONNX__TYPE_PROTO__TENSOR__INIT);
    if (!tp || !tt)
        return NULL;
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    vi->type = tp;
    tt->has_elem_type = 1;
    tt->elem_type = v->elem;
    if (v->ndim < 0)
        return vi;
    Onnx__TensorShapeProto *sp = NEW(a, Onnx__TensorShapeProto, ONNX__TENSOR_SHAPE_PROTO__INIT);
    Onnx__TensorShapeProto__Dimension **dims =
        arena_alloc(a, sizeof(*dims) * (size_t)(v->ndim ? v->ndim : 1));
    if (!sp || !dims)
        return NULL;
    sp->n_dim = (size_t)v->ndim;
    sp->dim = dims;
    for (int i = 0; i < v->ndim; i++) {
        Onnx__TensorShapeProto__Dimension *d = NEW(a, Onnx__TensorShapeProto__Dimension,
                                                   ONNX__TENSOR_SHAPE_PROTO__DIMENSION__INIT);
        if (!d)
            return NULL;
        if (v->dim_param[i]) {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            d->dim_param = v->dim_param[i];
        } else if (v->shape[i] >= 0) {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            d->dim_value = v->shape[i];
        }
        dims[i] = d;
    }
    tt->shape = sp;
    return vi;
}

static Onnx__AttributeProto *attr_to_proto(arena *a, const finn_attr *at)
{
    if (at->opaque) {
        Onnx__AttributeProto *p = onnx__attribute_proto__unpack(NULL, at->opaque_len, at->opaque);
        if (!p || finn_grow((void **)&a->unpacked, &a->cap_unpacked, a->n_unpacked + 1,
                            sizeof *a->unpacked, NULL)) {
            if (p)
                onnx__attribute_proto__free_unpacked(p, NULL);
            a->failed = true;
            return NULL;
        }
        a->unpacked[a->n_unpacked++] = p;
        return p;
    }
    Onnx__AttributeProto *p = NEW(a, Onnx__AttributeProto, ONNX__ATTRIBUTE_PROTO__INIT);
    if (!p)
        return NULL;
    p->name = at->name;
    p->has_type = 1;
    p->type = (Onnx__AttributeProto__AttributeType)at->type;
    switch (at->type) {
    case FINN_ATTR_FLOAT:
        p->has_f = 1;
        p->f = at->f;
        break;
    case FINN_ATTR_INT:
        p->has_i = 1;
        p->i = at->i;
        break;
    case FINN_ATTR_STRING:
        p->has_s = 1;
        p->s.len = at->s_len;
        p->s.data = (uint8_t *)at->s;
        break;
    case FINN_ATTR_TENSOR:
        if (!(p->t = tensor_to_proto(a, at->t, NULL)))
            return NULL;
        break;
    case FINN_ATTR_FLOATS:
        p->n_floats = at->n;
        p->floats = at->floats;
        break;
    case FINN_ATTR_INTS:
        p->n_ints = at->n;
        p->ints = at->ints;
        break;
    case FINN_ATTR_STRINGS:
        p->n_strings = at->n;
        p->strings = arena_alloc(a, sizeof(ProtobufCBinaryData) * (at->n ? at->n : 1));
        if (!p->strings)
            return NULL;
        for (size_t i = 0; i < at->n; i++) {
            p->strings[i].data = (uint8_t *)at->strings[i];
            p->strings[i].len = strlen(at->strings[i]);
        }
        break;
    default:
        break;
    }
    return p;
}

static Onnx__NodeProto *node_to_proto(arena *a, const finn_node *n)
{
    Onnx__NodeProto *p = NEW(a, Onnx__NodeProto, ONNX__NODE_PROTO__INIT);
    if (!p)
        return NULL;
    p->n_input = n->n_inputs;
    p->input = n->inputs;
    p->n_output = n->n_outputs;
    p->output = n->outputs;
    p->name = n->name[0] || (n->explicit_empty & 1) ? n->name : NULL;
    p->op_type = n->op_type;
    p->domain = n->domain[0] || (n->explicit_empty & 2) ? n->domain : NULL;
    p->doc_string = n->doc_string;
    p->n_attribute = n->n_attrs;
    p->attribute = arena_alloc(a, sizeof(*p->attribute) * (n->n_attrs ? n->n_attrs : 1));
    if (!p->attribute)
        return NULL;
    for (size_t i = 0; i < n->n_attrs; i++)
        if (!(p->attribute[i] = attr_to_proto(a, &n->attrs[i])))
            return NULL;
    return p;
}

static Onnx__StringStringEntryProto *kv_proto(arena *a, const char *k, const char *v)
{
    Onnx__StringStringEntryProto *p =
        NEW(a, Onnx__StringStringEntryProto, ONNX__STRING_STRING_ENTRY_PROTO__INIT);
    if (p) {
        p->key = (char *)k;
        p->value = (char *)v;
    }
    return p;
}

static int cmp_vi(const void *x, const void *y)
{
    uint64_t a = (*(finn_value *const *)x)->vi_order, b = (*(finn_value *const *)y)->vi_order;
    return a < b ? -1 : a > b;
}
static int cmp_init(const void *x, const void *y)
{
    uint64_t a = (*(finn_value *const *)x)->init_order, b = (*(finn_value *const *)y)->init_order;
    return a < b ? -1 : a > b;
}
static int cmp_annot(const void *x, const void *y)
{
    uint64_t a = (*(finn_value *const *)x)->annot_order,
             b = (*(finn_value *const *)y)->annot_order;
    return a < b ? -1 : a > b;
}

/* Values selected by keep(), sorted by an order key. */
static finn_value **select_values(arena *a, const finn_model *m, int which, size_t *count)
{
    finn_value **sel = arena_alloc(a, sizeof(*sel) * (m->n_values ? m->n_values : 1));
    size_t k = 0;
    *count = 0;
    if (!sel)
        return NULL;
    for (size_t i = 0; i < m->n_values; i++) {
        finn_value *v = m->values[i];
        bool keep = which == 0 ? v->in_value_info : which == 1 ? v->init != NULL : v->n_annot > 0;
        if (keep)
            sel[k++] = v;
    }
    qsort(sel, k, sizeof *sel, which == 0 ? cmp_vi : which == 1 ? cmp_init : cmp_annot);
    *count = k;
    return sel;
}

static bool same_type_and_shape(const finn_tensor *t, const Onnx__TensorProto *tp)
{
    if ((int)t->type != tp->data_type || t->ndim != (int)tp->n_dims)
        return false;
    for (int i = 0; i < t->ndim; i++)
        if (t->shape[i] != tp->dims[i])
            return false;
    return true;
}

/* Does t hold exactly what tp's element-wise fields decode to? */
static bool tensor_matches_fields(const finn_tensor *t, const Onnx__TensorProto *tp)
{
    size_t n = finn_tensor_numel(t), nbytes = finn_tensor_nbytes(t);
    const void *src = NULL;
    if (t->type == FINN_ELEM_FLOAT && tp->n_float_data == n)
        src = tp->float_data;
    else if (t->type == FINN_ELEM_INT64 && tp->n_int64_data == n)
        src = tp->int64_data;
    else if (t->type == FINN_ELEM_DOUBLE && tp->n_double_data == n)
        src = tp->double_data;
    if (src)
        return nbytes == 0 || memcmp(t->data, src, nbytes) == 0;
    /* other element-wise encodings (small tensors): decode again and compare */
    finn_tensor *d = NULL;
    finn_error tmp;
    bool same = tensor_from_proto(tp, NULL, "initializer", &d, &tmp) == 0 &&
                (nbytes == 0 || memcmp(t->data, d->data, nbytes) == 0);
    finn_tensor_free(d);
    return same;
}

/* The loaded TensorProto to write for v's initializer, or NULL to encode it
 * afresh.  A raw_data initializer keeps its original encoding (doc string,
 * unknown fields, field layout) while its name, type and shape are
 * unchanged; its bytes come from the IR, as the loader kept none.  An
 * element-wise encoding is kept only while its content is unchanged too. */
static Onnx__TensorProto *origin_proto(arena *a, const finn_model *m, const finn_value *v)
{
    const init_origin *o = finn_model_find_origin(m, v->init);
    if (!o || strcmp(o->name, v->name) || !same_type_and_shape(v->init, o->proto))
        return NULL;
    const Onnx__TensorProto *tp = o->proto;
    if (!tp->has_raw_data)
        return tensor_matches_fields(v->init, tp) ? (Onnx__TensorProto *)tp : NULL;
    Onnx__TensorProto *copy = arena_alloc(a, sizeof *copy);
    if (!copy)
        return NULL;
    *copy = *tp;
    copy->raw_data.len = finn_tensor_nbytes(v->init);
    copy->raw_data.data = v->init->data; /* little-endian hosts only (as x86/ARM) */
    return copy;
}

static Onnx__GraphProto *graph_to_proto(arena *a, const finn_model *m,
                                        const Onnx__GraphProto *orig)
{
    Onnx__GraphProto *g = NEW(a, Onnx__GraphProto, ONNX__GRAPH_PROTO__INIT);
    if (!g)
        return NULL;
    if (orig) {
        g->base.n_unknown_fields = orig->base.n_unknown_fields;
        g->base.unknown_fields = orig->base.unknown_fields;
        g->doc_string = orig->doc_string;
    }
    g->name = m->graph_name;
    g->n_node = m->n_nodes;
    g->node = arena_alloc(a, sizeof(*g->node) * (m->n_nodes ? m->n_nodes : 1));
    for (size_t i = 0; g->node && i < m->n_nodes; i++)
        g->node[i] = node_to_proto(a, m->nodes[i]);
    g->n_input = m->n_inputs;
    g->input = arena_alloc(a, sizeof(*g->input) * (m->n_inputs ? m->n_inputs : 1));
    for (size_t i = 0; g->input && i < m->n_inputs; i++)
        g->input[i] = value_info_of(a, m, m->inputs[i]);
    g->n_output = m->n_outputs;
    g->output = arena_alloc(a, sizeof(*g->output) * (m->n_outputs ? m->n_outputs : 1));
    for (size_t i = 0; g->output && i < m->n_outputs; i++)
        g->output[i] = value_info_of(a, m, m->outputs[i]);

    size_t n = 0;
    finn_value **sel = select_values(a, m, 0, &n);
    g->n_value_info = n;
    g->value_info = arena_alloc(a, sizeof(*g->value_info) * (n ? n : 1));
    for (size_t i = 0; sel && g->value_info && i < n; i++)
        g->value_info[i] = value_info_of(a, m, sel[i]->name);

    sel = select_values(a, m, 1, &n);
    g->n_initializer = n;
    g->initializer = arena_alloc(a, sizeof(*g->initializer) * (n ? n : 1));
    for (size_t i = 0; sel && g->initializer && i < n; i++) {
        Onnx__TensorProto *o = origin_proto(a, m, sel[i]);
        g->initializer[i] = o ? o : tensor_to_proto(a, sel[i]->init, sel[i]->name);
    }

    sel = select_values(a, m, 2, &n);
    g->n_quantization_annotation = n;
    g->quantization_annotation = arena_alloc(a, sizeof(*g->quantization_annotation) * (n ? n : 1));
    for (size_t i = 0; sel && g->quantization_annotation && i < n; i++) {
        Onnx__TensorAnnotation *ta = NEW(a, Onnx__TensorAnnotation, ONNX__TENSOR_ANNOTATION__INIT);
        if (!ta)
            break;
        ta->tensor_name = sel[i]->name;
        ta->n_quant_parameter_tensor_names = sel[i]->n_annot;
        ta->quant_parameter_tensor_names =
            arena_alloc(a, sizeof(*ta->quant_parameter_tensor_names) * sel[i]->n_annot);
        for (size_t k = 0; ta->quant_parameter_tensor_names && k < sel[i]->n_annot; k++)
            ta->quant_parameter_tensor_names[k] =
                kv_proto(a, sel[i]->annot[k].key, sel[i]->annot[k].value);
        g->quantization_annotation[i] = ta;
    }
    return a->failed ? NULL : g;
}

/* Opset imports: the model's, plus version 1 for every node domain that has
 * none (the checker refuses a node whose domain is not imported). */
static int opsets_to_proto(arena *a, const finn_model *m, Onnx__ModelProto *mp)
{
    size_t cap = m->n_opsets + m->n_nodes + 1;
    Onnx__OperatorSetIdProto **list = arena_alloc(a, sizeof(*list) * cap);
    if (!list)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < m->n_opsets; i++) {
        Onnx__OperatorSetIdProto *o = NEW(a, Onnx__OperatorSetIdProto,
                                          ONNX__OPERATOR_SET_ID_PROTO__INIT);
        if (!o)
            return -1;
        o->domain = m->opsets[i].domain;
        o->has_version = 1;
        o->version = m->opsets[i].version;
        list[k++] = o;
    }
    for (size_t i = 0; i < m->n_nodes; i++) {
        const char *d = m->nodes[i]->domain;
        bool found = false;
        for (size_t j = 0; j < k && !found; j++) {
            const char *od = list[j]->domain ? list[j]->domain : "";
            found = !strcmp(od, d) || (!*d && !strcmp(od, "ai.onnx"));
        }
        if (found)
            continue;
        Onnx__OperatorSetIdProto *o = NEW(a, Onnx__OperatorSetIdProto,
                                          ONNX__OPERATOR_SET_ID_PROTO__INIT);
        if (!o)
            return -1;
        o->domain = (char *)d;
        o->has_version = 1;
        /* a model without a default-domain import: opset 11, FINN's usual */
        o->version = *d ? 1 : 11;
        list[k++] = o;
    }
    mp->n_opset_import = k;
    mp->opset_import = list;
    return 0;
}

/* The ModelProto of m, built in arena a (pointing into m and its source). */
static int model_to_proto(const finn_model *m, arena *a, Onnx__ModelProto *mp, finn_error *err)
{
    const model_source *src = model_priv_of(m)->source;
    const Onnx__ModelProto *orig = src ? src->proto : NULL;
    *mp = (Onnx__ModelProto)ONNX__MODEL_PROTO__INIT;
    if (orig) {
        mp->base.n_unknown_fields = orig->base.n_unknown_fields;
        mp->base.unknown_fields = orig->base.unknown_fields;
    }
    mp->has_ir_version = 1;
    mp->ir_version = m->ir_version;
    mp->producer_name = m->producer_name;
    mp->producer_version = m->producer_version;
    mp->domain = m->model_domain;
    mp->has_model_version = m->model_version != 0 || (orig && orig->has_model_version);
    mp->model_version = m->model_version;
    mp->doc_string = m->doc_string;
    mp->graph = graph_to_proto(a, m, orig ? orig->graph : NULL);
    int rc = mp->graph ? opsets_to_proto(a, m, mp) : -1;
    mp->n_metadata_props = m->n_meta;
    mp->metadata_props = arena_alloc(a, sizeof(*mp->metadata_props) * (m->n_meta ? m->n_meta : 1));
    for (size_t i = 0; mp->metadata_props && i < m->n_meta; i++)
        mp->metadata_props[i] = kv_proto(a, m->meta[i].key, m->meta[i].value);
    if (rc || a->failed)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory while serializing the model");
    return 0;
}

int finn_model_serialize(const finn_model *m, void **buf, size_t *len, finn_error *err)
{
    arena a = {0};
    Onnx__ModelProto mp;
    if (model_to_proto(m, &a, &mp, err)) {
        arena_free(&a);
        return -1;
    }
    *len = onnx__model_proto__get_packed_size(&mp);
    *buf = finn_xmalloc(*len, err);
    if (*buf)
        onnx__model_proto__pack(&mp, *buf);
    arena_free(&a);
    return *buf ? 0 : -1;
}

/* A ProtobufCBuffer writing to a file descriptor through a small buffer:
 * saving never holds the whole packed model (weights) in memory. */
typedef struct fd_sink {
    ProtobufCBuffer base;
    int fd;
    int error; /* errno of the first failed write, 0 if none */
    size_t used;
    uint8_t buf[1 << 16];
} fd_sink;

static void fd_sink_write(fd_sink *s, const uint8_t *p, size_t len)
{
    while (len > 0 && !s->error) {
        ssize_t w = write(s->fd, p, len);
        if (w < 0) {
            if (errno != EINTR)
                s->error = errno ? errno : EIO;
            continue;
        }
        p += w;
        len -= (size_t)w;
    }
}

static void fd_sink_flush(fd_sink *s)
{
    fd_sink_write(s, s->buf, s->used);
    s->used = 0;
}

static void fd_sink_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
    fd_sink *s = (fd_sink *)b;
    if (s->used + len > sizeof s->buf)
        fd_sink_flush(s);
    if (len >= sizeof s->buf) {
        fd_sink_write(s, data, len);
        return;
    }
    memcpy(s->buf + s->used, data, len);
    s->used += len;
}

/* A ProtobufCBuffer that compares the packed bytes with an existing file
 * instead of writing them (read in large blocks: packing appends many
 * small pieces). */
typedef struct cmp_sink {
    ProtobufCBuffer base;
    int fd;
    bool differ;
    size_t pos, fill;
    uint8_t buf[1 << 16];
} cmp_sink;

static void cmp_sink_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
    cmp_sink *s = (cmp_sink *)b;
    while (len > 0 && !s->differ) {
        if (s->pos == s->fill) {
            ssize_t r = read(s->fd, s->buf, sizeof s->buf);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                s->differ = true;
                break;
            }
            s->pos = 0;
            s->fill = (size_t)r;
        }
        size_t n = s->fill - s->pos < len ? s->fill - s->pos : len;
        s->differ = memcmp(s->buf + s->pos, data, n) != 0;
        s->pos += n;
        data += n;
        len -= n;
    }
}

/* Does the file at path already hold exactly mp's encoding? */
static bool file_holds_proto(const char *path, const Onnx__ModelProto *mp)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return false;
    struct stat st;
    bool same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
                (size_t)st.st_size == onnx__model_proto__get_packed_size(mp);
    cmp_sink *s = same ? calloc(1, sizeof *s) : NULL;
    if (s) {
        s->base.append = cmp_sink_append;
        s->fd = fd;
        onnx__model_proto__pack_to_buffer(mp, &s->base);
        same = !s->differ;
        free(s);
    } else {
        same = false;
    }
    close(fd);
    return same;
}

/* Written to a temporary file next to path, then renamed over it; a file
 * that already holds these bytes is left alone (finn/file.h). */
int finn_model_save(const finn_model *m, const char *path, finn_error *err)
{
    arena a = {0};
    Onnx__ModelProto mp;
    if (model_to_proto(m, &a, &mp, err)) {
        arena_free(&a);
        return -1;
    }
    if (file_holds_proto(path, &mp)) {
        arena_free(&a);
        return 0;
    }
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    fd_sink *s = calloc(1, sizeof *s);
    if (!tmp || !s) {
        free(tmp);
        free(s);
        arena_free(&a);
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    }
    snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
    s->base.append = fd_sink_append;
    s->fd = mkstemp(tmp);
    int e = s->fd < 0 ? errno : 0;
    if (!e) {
        onnx__model_proto__pack_to_buffer(&mp, &s->base);
        fd_sink_flush(s);
        e = s->error;
        /* mkstemp creates 0600; give the file the usual permissions */
        mode_t mask = umask(0);
        umask(mask);
        fchmod(s->fd, 0666 & ~mask);
        if (close(s->fd) != 0 && !e)
            e = errno;
        if (!e && rename(tmp, path) != 0)
            e = errno;
        if (e)
            unlink(tmp);
    }
    arena_free(&a);
    free(s);
    free(tmp);
    if (e)
        return finn_error_set(err, FINN_ERR_IO, "cannot write %s: %s", path, strerror(e));
    return 0;
}

/* ======================= settling (save + load without the files) ========== */

/* The opset imports opsets_to_proto adds, added to the model itself. */
static int settle_opsets(finn_model *m, finn_error *err)
{
    for (size_t i = 0; i < m->n_nodes; i++) {
        const char *d = m->nodes[i]->domain;
        bool found = false;
        for (size_t j = 0; j < m->n_opsets && !found; j++) {
            const char *od = m->opsets[j].domain;
            found = !strcmp(od, d) || (!*d && !strcmp(od, "ai.onnx"));
        }
        if (found)
            continue;
        /* appended as is: finn_model_set_opset would merge "" and "ai.onnx" */
        finn_opset *o = realloc(m->opsets, (m->n_opsets + 1) * sizeof *o);
        if (!o)
            return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        m->opsets = o;
        if (!(o[m->n_opsets].domain = finn_xstrdup(d, err)))
            return -1;
        o[m->n_opsets++].version = *d ? 1 : 11;
    }
    return 0;
}

/* A value as load_graph would rebuild it from what value_info_of and
 * tensor_to_proto wrote. */
static void settle_value(finn_value *v, bool typed)
{
    if (!typed) { /* only the initializer (if any) tells the type */
        v->elem = FINN_ELEM_UNDEFINED;
        v->ndim = -1;
    } else if (v->elem == FINN_ELEM_UNDEFINED && v->ndim < 0) {
        v->ndim = -1; /* written without a type */
    }
    if (v->ndim < -1)
        v->ndim = -1;
    for (int i = 0; i < FINN_MAX_DIMS; i++) {
        if (i >= v->ndim) {
            v->shape[i] = 0;
            free(v->dim_param[i]);
            v->dim_param[i] = NULL;
        } else if (!v->dim_param[i] && v->shape[i] < 0) {
            v->shape[i] = -1;
        }
    }
    if (v->init) {
        if (v->elem == FINN_ELEM_UNDEFINED)
            v->elem = v->init->type;
        if (v->ndim < 0) {
            v->ndim = v->init->ndim;
            memcpy(v->shape, v->init->shape, sizeof(int64_t) * (size_t)v->init->ndim);
        }
    }
    if (!v->in_value_info)
        v->vi_order = 0;
    if (!v->init)
        v->init_order = 0;
    if (!v->n_annot)
        v->annot_order = 0;
}

/* by (category, order key), then by position in the values array */
static int cmp_order_key(const void *x, const void *y)
{
    const uint64_t *a = x, *b = y;
    if (a[0] != b[0])
        return a[0] < b[0] ? -1 : 1;
    return a[1] < b[1] ? -1 : a[1] > b[1];
}

/* Load order of the values: graph inputs, outputs, value_info,
 * initializers, annotations (each value at its first appearance); a value
 * in none of these is dropped. */
static int settle_values(finn_model *m, finn_error *err)
{
    /* loading creates a value for every graph input and output */
    for (size_t k = 0; k < m->n_inputs + m->n_outputs; k++)
        if (!finn_model_get_or_add_value(
                m, k < m->n_inputs ? m->inputs[k] : m->outputs[k - m->n_inputs], err))
            return -1;
    size_t n = m->n_values;
    /* (category, order key, index): sorted gives the load order */
    uint64_t(*key)[3] = finn_xcalloc(n ? n : 1, sizeof *key, err);
    if (!key)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const finn_value *v = m->values[i];
        uint64_t cat = 5, ord = 0;
        for (size_t k = 0; cat == 5 && k < m->n_inputs; k++)
            if (!strcmp(m->inputs[k], v->name))
                cat = 0, ord = k;
        for (size_t k = 0; cat == 5 && k < m->n_outputs; k++)
            if (!strcmp(m->outputs[k], v->name))
                cat = 1, ord = k;
        if (cat == 5 && v->in_value_info)
            cat = 2, ord = v->vi_order;
        else if (cat == 5 && v->init)
            cat = 3, ord = v->init_order;
        else if (cat == 5 && v->n_annot)
            cat = 4, ord = v->annot_order;
        key[i][0] = (cat << 58) | (ord & ((1ULL << 58) - 1));
        key[i][1] = i;
    }
    qsort(key, n, sizeof *key, cmp_order_key);
    finn_value **order = finn_xcalloc(n ? n : 1, sizeof *order, err);
    if (!order) {
        free(key);
        return -1;
    }
    /* kept values first, in load order; the dropped ones after them */
    size_t kept = 0, dropped = n;
    for (size_t i = 0; i < n; i++) {
        finn_value *v = m->values[key[i][1]];
        if (key[i][0] >> 58 == 5) {
            order[--dropped] = v;
            continue;
        }
        settle_value(v, key[i][0] >> 58 <= 2);
        order[kept++] = v;
    }
    free(key);
    memcpy(m->values, order, n * sizeof *order);
    /* the dropped values sit at the end: removing them shifts nothing kept */
    for (size_t i = kept; i < n; i++)
        finn_model_remove_value(m, order[i]->name);
    free(order);
    return 0;
}

int finn_model_settle_as_saved(finn_model *m, finn_error *err)
{
    model_priv *p = model_priv_of(m);
    name_counter *nc, *nctmp;
    HASH_ITER(hh, p->counters, nc, nctmp) {
        HASH_DEL(p->counters, nc);
        free(nc->prefix);
        free(nc);
    }
    if (settle_opsets(m, err) || settle_values(m, err))
        return finn_error_prefix(err, "settling model: ");
    return 0;
}
