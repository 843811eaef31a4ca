/*
 * model_priv.h - what a finn_model keeps behind its `priv` pointer: the
 * tensor-name index and the parts of the loaded ONNX file that the IR does
 * not model, so that saving writes them back unchanged.
 */
#ifndef FINN_MODEL_PRIV_H
#define FINN_MODEL_PRIV_H

#include <stdint.h>
#include "finn/model.h"
#include "uthash.h"

/* name -> value (index into nothing: values are stable pointers) */
typedef struct value_index {
    const char *name; /* points into the value */
    finn_value *value;
    UT_hash_handle hh;
} value_index;

/* An initializer as it was loaded: when the tensor the model holds still
 * has the same name, type and shape, the original TensorProto (its
 * encoding, doc string, ...) is written back with the tensor's bytes as
 * raw_data; an element-wise encoded proto only when its content is also
 * unchanged (checked when saving). */
typedef struct init_origin {
    const finn_tensor *tensor; /* key: the tensor object loaded */
    const void *proto;         /* Onnx__TensorProto inside the source */
    char *name;
    UT_hash_handle hh;
} init_origin;

/* prefix -> next counter value for finn_model_unique_tensor_name */
typedef struct name_counter {
    char *prefix;
    unsigned long next;
    UT_hash_handle hh;
} name_counter;

/* The unpacked ModelProto of the file a model came from, shared by clones. */
typedef struct model_source {
    int refcount;
    void *proto; /* Onnx__ModelProto */
} model_source;

/* A tensor pointer in a set. */
typedef struct tensor_ref {
    const finn_tensor *t;
    UT_hash_handle hh;
} tensor_ref;

typedef struct model_priv {
    value_index *index;
    init_origin *origins;
    model_source *source;  /* NULL for models built in memory */
    uint64_t next_order;   /* for value order keys */
    struct name_counter *counters; /* per-prefix counters for unique tensor names */
    /* Initializers this model uses but does not own (a clone sharing its
     * source's data, see finn_model_clone_sharing): never freed here. */
    tensor_ref *borrowed;
} model_priv;

static inline model_priv *model_priv_of(const finn_model *m) { return (model_priv *)m->priv; }

/* FNV-1a over type, shape and bytes of a tensor. */
uint64_t finn_tensor_hash(const finn_tensor *t);
/* Record that t was loaded from proto (model_priv bookkeeping). */
int finn_model_add_origin(finn_model *m, const finn_tensor *t, const char *name,
                          const void *proto, finn_error *err);
const init_origin *finn_model_find_origin(const finn_model *m, const finn_tensor *t);
void finn_model_source_release(model_source *src);
/* Next order key for a new list entry. */
uint64_t finn_model_next_order(finn_model *m);
/* Append a value (takes ownership), indexing it. */
int finn_model_add_value(finn_model *m, finn_value *v, finn_error *err);
void finn_value_free(finn_value *v);
void finn_attr_clear(finn_attr *a);
int finn_attr_copy(finn_attr *dst, const finn_attr *src, finn_error *err);

/* Batch tensor renaming: an index of every slot naming a tensor (graph
 * inputs/outputs, node inputs/outputs), built once, so each rename costs
 * the slots of that name instead of a scan of the whole graph.  Valid while
 * only these functions change names and no slot array is reallocated. */
typedef struct rename_index rename_index;
rename_index *finn_rename_index_new(finn_model *m, finn_error *err);
void finn_rename_index_free(rename_index *ix);
/* As "a value, graph input/output or node slot is called name". */
bool finn_rename_index_in_use(const rename_index *ix, const finn_model *m, const char *name);
/* finn_model_rename_tensor through the index (same result and errors). */
int finn_rename_index_rename(rename_index *ix, finn_model *m, const char *from, const char *to,
                             finn_error *err);

/* Initializer sharing, so a transform can work on a copy of a model without
 * copying its weights (MergeONNXModels). */
/* Clone whose initializers are m's own tensors, marked borrowed. */
finn_model *finn_model_clone_sharing(const finn_model *m, finn_error *err);
int finn_model_mark_borrowed(finn_model *m, const finn_tensor *t, finn_error *err);
bool finn_model_is_borrowed(const finn_model *m, const finn_tensor *t);
/* Forget every borrow: the model owns those tensors from now on. */
void finn_model_clear_borrowed(finn_model *m);
/* Free an initializer tensor of m unless m borrows it. */
void finn_model_release_init(finn_model *m, finn_tensor *t);

#endif
