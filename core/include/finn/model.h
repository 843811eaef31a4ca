/*
 * model.h - the graph IR: a model is a graph of nodes joined by named
 * tensors, plus opset imports and metadata.
 *
 * Structs are public because every rewrite reads them; change them through
 * the functions below so the name index stays right.  Ownership: a model
 * owns its nodes, values and their strings/tensors; functions that take a
 * pointer "owned" say so.  Everything the ONNX file carries that the IR does
 * not model (doc strings, functions, training info, sparse initializers,
 * unknown fields) is kept aside and written back unchanged.
 */
#ifndef FINN_MODEL_H
#define FINN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "finn/datatype.h"
#include "finn/error.h"
#include "finn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ONNX AttributeProto.AttributeType numbers. */
typedef enum finn_attr_type {
    FINN_ATTR_UNDEFINED = 0,
    FINN_ATTR_FLOAT = 1,
    FINN_ATTR_INT = 2,
    FINN_ATTR_STRING = 3,
    FINN_ATTR_TENSOR = 4,
    FINN_ATTR_GRAPH = 5,
    FINN_ATTR_FLOATS = 6,
    FINN_ATTR_INTS = 7,
    FINN_ATTR_STRINGS = 8
    /* other types are carried as `opaque` */
} finn_attr_type;

typedef struct finn_attr {
    char *name;
    finn_attr_type type;
    float f;
    int64_t i;
    char *s;            /* NUL-terminated copy of the bytes */
    size_t s_len;
    finn_tensor *t;
    size_t n;           /* list length for FLOATS/INTS/STRINGS */
    float *floats;
    int64_t *ints;
    char **strings;
    /* Attributes the IR does not model (GRAPH, SPARSE_TENSOR, ...) stay
     * as the packed AttributeProto bytes and are written back as they were. */
    void *opaque;
    size_t opaque_len;
} finn_attr;

typedef struct finn_node {
    char *name;
    char *op_type;
    char *domain;       /* "" for standard ONNX */
    size_t n_inputs;
    char **inputs;      /* "" marks an omitted optional input */
    size_t n_outputs;
    char **outputs;
    size_t n_attrs;
    finn_attr *attrs;
    char *doc_string;   /* may be NULL */
    /* Private to the ONNX writer: an empty name/domain that the file
     * spelled out explicitly is written back explicitly. */
    unsigned char explicit_empty;
} finn_node;

typedef struct finn_kv {
    char *key;
    char *value;
} finn_kv;

/* A named tensor of the graph: its type/shape (value_info), its constant
 * data (initializer) and its quantization annotations. */
typedef struct finn_value {
    char *name;
    finn_elem_type elem;          /* UNDEFINED when unknown */
    int ndim;                     /* -1 when the shape is unknown */
    int64_t shape[FINN_MAX_DIMS]; /* -1 for a symbolic dimension */
    char *dim_param[FINN_MAX_DIMS];
    finn_tensor *init;            /* initializer data, or NULL */
    bool in_value_info;           /* listed in graph.value_info */
    size_t n_annot;
    finn_kv *annot;               /* finn_datatype, tensor_layout, ... */
    /* order keys so a load/save round trip keeps every list's order */
    uint64_t vi_order, init_order, annot_order;
    /* changes whenever finn_model_set_initializer installs another tensor,
     * so finn_model_fingerprint sees new data behind a reused address */
    uint64_t init_serial;
} finn_value;

typedef struct finn_opset {
    char *domain;
    int64_t version;
} finn_opset;

typedef struct finn_model {
    char *graph_name;
    size_t n_nodes, cap_nodes;
    finn_node **nodes;        /* in graph order */
    size_t n_values, cap_values;
    finn_value **values;      /* every known tensor, in first-seen order */
    size_t n_inputs;
    char **inputs;            /* graph input names, in order */
    size_t n_outputs;
    char **outputs;           /* graph output names, in order */

    int64_t ir_version;
    size_t n_opsets;
    finn_opset *opsets;
    size_t n_meta;
    finn_kv *meta;            /* metadata_props */
    char *producer_name, *producer_version, *model_domain, *doc_string;
    int64_t model_version;

    void *priv;               /* private: name index, pass-through data */
} finn_model;

/* ---- life cycle and files ---------------------------------------------- */
finn_model *finn_model_new(const char *graph_name, finn_error *err);
void finn_model_free(finn_model *m);
finn_model *finn_model_clone(const finn_model *m, finn_error *err);
/* A copy of m whose initializers are m's own tensors, not copies (cheap
 * for big weights).  m must outlive the copy and the copy must not change
 * those tensors in place; replacing or removing them is fine.  Freeing the
 * copy leaves them to m. */
finn_model *finn_model_clone_shallow(const finn_model *m, finn_error *err);
/* m, a finn_model_clone_shallow copy (possibly of a copy) of `owner`, takes
 * over the initializers it shares with owner: owner's values let go of
 * them (owner is normally freed next) and m frees them itself. */
void finn_model_adopt_shared(finn_model *m, finn_model *owner);

/* Load an ONNX file.  Weights stored as raw_data are read straight into
 * their tensors (the file is mapped for its structure only). */
int finn_model_load(const char *path, finn_model **out, finn_error *err);
int finn_model_parse(const void *buf, size_t len, const char *what, finn_model **out,
                     finn_error *err);
/* Write atomically (temp file + rename; a file that already holds exactly
 * this encoding is left alone, see finn/file.h).  Adds an opset import for
 * every node domain that lacks one, so the file passes onnx.checker. */
int finn_model_save(const finn_model *m, const char *path, finn_error *err);
int finn_model_serialize(const finn_model *m, void **buf, size_t *len, finn_error *err);
/* Make m what finn_model_save followed by finn_model_load of that file
 * would give, without the round trip: the opset imports saving adds, the
 * tensor list in load order, and nothing the file does not carry (shapes
 * of tensors outside value_info/io, values without any saved fact, name
 * counters).  For a step that writes a model file and carries on with the
 * model as FINN would with the reloaded file. */
int finn_model_settle_as_saved(finn_model *m, finn_error *err);

/* FINN/QONNX load-time domain repair: "finn" and "finn.custom_op.general"
 * become qonnx/finn domains (see docs).  Returns the number of nodes changed. */
size_t finn_model_repair_domains(finn_model *m);

/* ---- opsets and metadata -------------------------------------------------- */
/* Version imported for a domain ("" and "ai.onnx" are the same); -1 if none. */
int64_t finn_model_opset(const finn_model *m, const char *domain);
int finn_model_set_opset(finn_model *m, const char *domain, int64_t version, finn_error *err);
const char *finn_model_meta(const finn_model *m, const char *key);
int finn_model_set_meta(finn_model *m, const char *key, const char *value, finn_error *err);

/* ---- tensors (values) --------------------------------------------------- */
finn_value *finn_model_value(const finn_model *m, const char *name);
/* Look up or create (shape unknown, no data). */
finn_value *finn_model_get_or_add_value(finn_model *m, const char *name, finn_error *err);
/* Drop the value (and its initializer and annotations). */
void finn_model_remove_value(finn_model *m, const char *name);
const finn_tensor *finn_model_initializer(const finn_model *m, const char *name);
/* Set (replace) initializer data; takes ownership of t; also sets the
 * value's element type and shape from t. */
int finn_model_set_initializer(finn_model *m, const char *name, finn_tensor *t, finn_error *err);
int finn_model_set_shape(finn_model *m, const char *name, finn_elem_type elem, int ndim,
                         const int64_t *shape, finn_error *err);
bool finn_model_is_input(const finn_model *m, const char *name);
bool finn_model_is_output(const finn_model *m, const char *name);

/* FINN datatype annotation: FLOAT32 when absent (FLOAT16 for float16). */
finn_datatype finn_model_datatype(const finn_model *m, const char *name);
bool finn_model_has_datatype(const finn_model *m, const char *name);
int finn_model_set_datatype(finn_model *m, const char *name, finn_datatype dt, finn_error *err);
void finn_model_clear_datatype(finn_model *m, const char *name);
/* Generic quantization_annotation entries. */
const char *finn_model_annotation(const finn_model *m, const char *name, const char *key);
int finn_model_set_annotation(finn_model *m, const char *name, const char *key,
                              const char *value, finn_error *err);
void finn_model_clear_annotation(finn_model *m, const char *name, const char *key);
/* Layout as letters ("NCHW", "NHWC", "NC", "" when unknown/absent);
 * stored as FINN's python-list text "['N', 'C', 'H', 'W']". */
const char *finn_model_layout(const finn_model *m, const char *name, char *buf, size_t bufsize);
int finn_model_set_layout(finn_model *m, const char *name, const char *letters, finn_error *err);

/* Rename a tensor everywhere: graph io, value, annotations, node slots. */
int finn_model_rename_tensor(finn_model *m, const char *from, const char *to, finn_error *err);
/* A tensor name not used yet and not handed out before: prefix + "_" +
 * a counter that only grows; caller frees. */
char *finn_model_unique_tensor_name(const finn_model *m, const char *prefix);

/* ---- nodes ---------------------------------------------------------------- */
finn_node *finn_node_new(const char *op_type, const char *domain, const char *name,
                         finn_error *err);
void finn_node_free(finn_node *n);
finn_node *finn_node_clone(const finn_node *n, finn_error *err);
int finn_node_add_input(finn_node *n, const char *tensor, finn_error *err);
int finn_node_add_output(finn_node *n, const char *tensor, finn_error *err);
int finn_node_set_input(finn_node *n, size_t k, const char *tensor, finn_error *err);
int finn_node_set_output(finn_node *n, size_t k, const char *tensor, finn_error *err);
const char *finn_node_input(const finn_node *n, size_t k);  /* NULL if absent or "" */

/* Insert at index (n_nodes appends); the model takes ownership. */
int finn_model_insert_node(finn_model *m, size_t index, finn_node *n, finn_error *err);
/* Unlink and free. */
void finn_model_remove_node(finn_model *m, finn_node *n);
/* Unlink without freeing; caller owns the node afterwards. */
void finn_model_detach_node(finn_model *m, finn_node *n);
size_t finn_model_node_index(const finn_model *m, const finn_node *n); /* SIZE_MAX if absent */
finn_node *finn_model_find_node(const finn_model *m, const char *name);
finn_node *finn_model_producer(const finn_model *m, const char *tensor);
/* Consumers in graph order; writes up to max into out, returns the count. */
size_t finn_model_consumers(const finn_model *m, const char *tensor, finn_node **out, size_t max);
/* The only consumer, or NULL if zero or several. */
finn_node *finn_model_single_consumer(const finn_model *m, const char *tensor);
/* A node name not used yet: "<op_type>_<k>"; caller frees. */
char *finn_model_unique_node_name(const finn_model *m, const char *op_type);
/* FINN's SortGraph (Kahn levels, stable).  Error if the graph has a cycle. */
int finn_model_toposort(finn_model *m, finn_error *err);

/* A 64-bit hash of everything a transformation can change: nodes (names,
 * op types, domains, tensor names, attribute values), graph inputs and
 * outputs, and every value's type, shape, annotations and initializer
 * identity (the tensor object and init_serial, not its bytes: initializers
 * are replaced, never written in place).  Equal fingerprints before and
 * after a pass mean the pass changed nothing, so a pass that reaches a
 * fixed point need not run again (see plugins/streamline/step.c). */
uint64_t finn_model_fingerprint(const finn_model *m);
/* Check every node input is produced, an initializer or a graph input;
 * the message names the first dangling tensor and its node. */
int finn_model_check(const finn_model *m, finn_error *err);

/* ---- attributes ----------------------------------------------------------- */
const finn_attr *finn_node_attr(const finn_node *n, const char *name);
int64_t finn_node_attr_i(const finn_node *n, const char *name, int64_t dflt);
float finn_node_attr_f(const finn_node *n, const char *name, float dflt);
const char *finn_node_attr_s(const finn_node *n, const char *name, const char *dflt);
/* List attributes: count returned, pointer into the node (NULL if absent). */
size_t finn_node_attr_ints(const finn_node *n, const char *name, const int64_t **v);
size_t finn_node_attr_floats(const finn_node *n, const char *name, const float **v);
int finn_node_set_attr_i(finn_node *n, const char *name, int64_t v, finn_error *err);
int finn_node_set_attr_f(finn_node *n, const char *name, float v, finn_error *err);
int finn_node_set_attr_s(finn_node *n, const char *name, const char *v, finn_error *err);
int finn_node_set_attr_ints(finn_node *n, const char *name, const int64_t *v, size_t count,
                            finn_error *err);
int finn_node_set_attr_floats(finn_node *n, const char *name, const float *v, size_t count,
                              finn_error *err);
int finn_node_set_attr_strings(finn_node *n, const char *name, const char *const *v,
                               size_t count, finn_error *err);
/* Takes ownership of t. */
int finn_node_set_attr_t(finn_node *n, const char *name, finn_tensor *t, finn_error *err);
void finn_node_remove_attr(finn_node *n, const char *name);

#ifdef __cplusplus
}
#endif
#endif
